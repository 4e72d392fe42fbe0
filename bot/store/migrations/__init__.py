"""Numbered schema migrations, one SQL file each (``NNNN_what.sql``), applied in order and
tracked in ``PRAGMA user_version``.

Add a file with the next number; never edit a file that has shipped. Numbers follow the order in
which changes land on main.
"""

from __future__ import annotations

import re
import sqlite3
from importlib import resources

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def load() -> tuple[str, ...]:
    """The migration scripts in order; index 0 is migration 1."""
    files = sorted(
        (int(m.group(1)), f.read_text(encoding="utf-8"))
        for f in resources.files(__name__).iterdir()
        if (m := _NAME.match(f.name))
    )
    numbers = [n for n, _ in files]
    if numbers != list(range(1, len(files) + 1)):
        raise RuntimeError(f"migrations are not numbered 1..n: {numbers}")
    return tuple(script for _, script in files)


def statements(script: str) -> list[str]:
    """Split a migration into statements, keeping trigger bodies whole."""
    found: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                found.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not all(
        line.strip().startswith("--") or not line.strip() for line in buffer.splitlines()
    ):
        found.append(buffer.strip())
    return found


MIGRATIONS = load()
