"""A progress bar on stderr for long CLI work (many files, a catch-up), drawn by rich, and only
when stderr is a terminal: piped or redirected output stays exactly the lines a script reads."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any


class Progress:
    """``with Progress(total, "ingest") as bar: bar.update(done, label)``."""

    def __init__(self, total: int, what: str, *, enabled: bool | None = None) -> None:
        self.total = total
        self.what = what
        self.enabled = (sys.stderr.isatty() if enabled is None else enabled) and total > 1
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Progress:
        if self.enabled:
            # Imported here: a piped run never pays for rich.
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
            from rich.progress import Progress as Bar

            self._bar = Bar(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[label]}"),
                console=Console(stderr=True),
                transient=True,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.what, total=self.total, label="")
        return self

    def echo(self, line: str, *, err: bool = False) -> None:
        """Print a line on stdout (``err``: stderr); above the bar when it shares the terminal."""
        stream = sys.stderr if err else sys.stdout
        if self._bar is not None and stream.isatty():
            self._bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            print(line, file=stream, flush=self._bar is not None)

    def update(self, done: int, label: str) -> None:
        """Show ``done`` of the total; at the total the bar is cleared (what follows prints
        where it was)."""
        if self._bar is not None:
            self._bar.update(self._task, completed=done, label=label[:40])
            if done >= self.total:
                self._bar.stop()
                self._bar = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
