"""What every CLI command shares: exit codes and the one-line expected failure."""

from __future__ import annotations

from pathlib import Path

EXIT_OK, EXIT_NOT_FOUND, EXIT_USAGE, EXIT_FAILED = 0, 1, 2, 3


class CliError(Exception):
    """An expected failure: one line for the user and an exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def paths_arg(values: list[str]) -> list[Path]:
    """Files named on the command line, checked to exist (a clear error names the first not)."""
    paths = [Path(v) for v in values]
    for path in paths:
        if not path.is_file():
            raise CliError(f"{path}: no such file", EXIT_USAGE)
    return paths
