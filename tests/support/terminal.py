"""A real terminal for tests: ``paperbot`` under a pseudo-terminal (pexpect), its output drawn
on a VT100 screen (pyte) so that tests assert what a person would see.

    term = Terminal.spawn(["demo"], env=env)
    term.wait_for("paperbot>")
    term.type("lsit")
    assert "Did you mean list?" in term.wait_for("Did you mean")

The screen answers cursor-position requests as a terminal does, so prompt_toolkit runs as it
would in a real one. It is tall enough that nothing a test prints scrolls off.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import pexpect
import pyte

REPO = Path(__file__).resolve().parents[2]
COLUMNS, LINES = 200, 400


class _Screen(pyte.Screen):  # type: ignore[misc]
    """A screen that sends its answers (cursor position reports) back to the program."""

    def __init__(self, child: pexpect.spawn, columns: int, lines: int) -> None:
        super().__init__(columns, lines)
        self.child = child

    def write_process_input(self, data: str) -> None:
        self.child.send(data)


class Terminal:
    """One program on a pseudo-terminal, and the screen it has drawn so far."""

    def __init__(self, child: pexpect.spawn) -> None:
        self.child = child
        self.screen = _Screen(child, COLUMNS, LINES)
        self.stream = pyte.ByteStream(self.screen)
        #: Everything the program wrote, escape sequences included (for what was drawn and
        #: then cleared, such as a progress bar).
        self.drawn = ""

    @classmethod
    def spawn(
        cls, args: Sequence[str], *, env: Mapping[str, str], cwd: Path | None = None
    ) -> Terminal:
        """``python -m bot ARGS`` on a pseudo-terminal of :data:`COLUMNS` × :data:`LINES`."""
        child = pexpect.spawn(
            sys.executable,
            ["-m", "bot", *args],
            env={"TERM": "xterm", "PYTHONPATH": str(REPO), **env},
            cwd=str(cwd) if cwd else None,
            dimensions=(LINES, COLUMNS),
            timeout=None,
        )
        return cls(child)

    def text(self) -> str:
        """The screen as plain text."""
        return "\n".join(line.rstrip() for line in self.screen.display).rstrip()

    def _pump(self, timeout: float) -> bool:
        """Read what the program wrote within ``timeout``; False once it has ended."""
        try:
            data = self.child.read_nonblocking(65536, timeout=timeout)
        except pexpect.TIMEOUT:
            return True
        except pexpect.EOF:
            return False
        self.drawn += data.decode("utf-8", "replace")
        self.stream.feed(data)
        return True

    def wait_for(self, needle: str, timeout: float = 30.0) -> str:
        """Read until ``needle`` is on the screen; return the screen's text."""
        deadline = time.monotonic() + timeout
        while needle not in self.text():
            if time.monotonic() > deadline:
                raise AssertionError(f"{needle!r} never appeared; the screen:\n{self.text()}")
            if not self._pump(0.1) and needle not in self.text():
                raise AssertionError(f"ended before {needle!r}; the screen:\n{self.text()}")
        return self.text()

    def type(self, line: str) -> None:
        """Type a line and press Enter."""
        self.child.send(line + "\r")

    def press(self, key: str) -> None:
        """A control key: ``"c"`` for Ctrl-C, ``"d"`` for Ctrl-D."""
        self.child.sendcontrol(key)

    def wait_exit(self, timeout: float = 30.0) -> int:
        """Read to the end; the exit status (128 + N for a signal N)."""
        deadline = time.monotonic() + timeout
        while self._pump(0.1):
            if time.monotonic() > deadline:
                raise AssertionError(f"still running; the screen:\n{self.text()}")
        self.child.close()
        if self.child.signalstatus is not None:
            return 128 + int(self.child.signalstatus)
        return int(self.child.exitstatus)
