"""What every CLI command shares: the exit codes (:class:`ExitCode`) and the one-line
expected failure."""

from __future__ import annotations

from pathlib import Path

from bot.model.outcome import ExitCode


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


__all__ = ["CliError", "ExitCode", "paths_arg"]
