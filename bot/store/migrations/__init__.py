"""Numbered schema migrations, applied in order and tracked in ``PRAGMA user_version``.

Migration N is the SQL file ``NNNN_what.sql`` and, when a change needs code (re-parsing stored
text, say), a Python step: the module ``step_NNNN.py`` of this package with
``async def upgrade(conn)``. The step runs after the SQL, in the same transaction, on the
migrating connection; like the SQL it must work on any database the previous migration left.

Add files with the next number; never edit a migration that has shipped. Numbers follow the
order in which changes land on main.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import resources

import aiosqlite

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

#: A Python step: gets the connection inside the migration's transaction.
Step = Callable[[aiosqlite.Connection], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Migration:
    """Migration ``number``: its SQL script and, if it has one, its Python step."""

    number: int
    script: str
    step: Step | None = None


def _step(number: int) -> Step | None:
    name = f"{__name__}.step_{number:04d}"
    if importlib.util.find_spec(name) is None:
        return None
    upgrade: Step = importlib.import_module(name).upgrade
    return upgrade


def load() -> tuple[Migration, ...]:
    """The migrations in order; index 0 is migration 1."""
    files = sorted(
        (int(m.group(1)), f.read_text(encoding="utf-8"))
        for f in resources.files(__name__).iterdir()
        if (m := _NAME.match(f.name))
    )
    numbers = [n for n, _ in files]
    if numbers != list(range(1, len(files) + 1)):
        raise RuntimeError(f"migrations are not numbered 1..n: {numbers}")
    return tuple(Migration(n, script, _step(n)) for n, script in files)


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
