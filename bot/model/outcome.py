"""How a paperbot process ends: the exit codes scripts rely on."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """``paperbot``'s exit codes."""

    OK = 0
    NOT_FOUND = 1  # a look-up found nothing
    USAGE = 2  # a bad command line, config or start-up
    FAILED = 3  # a source or the database failed; deliverable messages stay queued (check)
    INTERRUPTED = 130
