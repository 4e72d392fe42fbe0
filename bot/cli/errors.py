"""What every CLI command shares: the exit codes and the one-line expected failure."""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """``paperbot``'s exit codes (scripts rely on them)."""

    OK = 0
    NOT_FOUND = 1  # a look-up found nothing
    USAGE = 2  # a bad command line, config or start-up
    FAILED = 3  # a source or the database failed; deliverable messages stay queued (check)
    INTERRUPTED = 130


class CliError(Exception):
    """An expected failure: one line for the user and an exit code."""

    def __init__(self, message: str, code: ExitCode = ExitCode.FAILED) -> None:
        super().__init__(message)
        self.code = code


def paths_arg(values: list[str]) -> list[Path]:
    """Files named on the command line, checked to exist (a clear error names the first not)."""
    paths = [Path(v) for v in values]
    for path in paths:
        if not path.is_file():
            raise CliError(f"{path}: no such file", ExitCode.USAGE)
    return paths
