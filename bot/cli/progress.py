"""A one-line progress bar on stderr for long CLI work (only when stderr is a terminal)."""

from __future__ import annotations

import sys


class Progress:
    """``update(done, label)`` redraws ``[#####-----] done/total label``."""

    def __init__(self, total: int, enabled: bool | None = None) -> None:
        self.total = total
        self.enabled = sys.stderr.isatty() if enabled is None else enabled

    def update(self, done: int, label: str) -> None:
        if not self.enabled or self.total == 0:
            return
        width = 30
        filled = width * done // self.total
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\r[{bar}] {done}/{self.total} {label[:40]:<40}")
        if done == self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()
