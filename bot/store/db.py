"""The database connection every table module shares: WAL, busy timeout, migrations and write
transactions. Rows come back as :class:`sqlite3.Row` and are read by column name."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import aiosqlite

from bot.store.migrations import MIGRATIONS, statements

#: How long a writer waits for another process's write lock before giving up.
BUSY_TIMEOUT_MS = 30_000

#: Positional (``?``) or named (``:now``) parameters.
Params = Sequence[object] | Mapping[str, object]


class StoreError(Exception):
    """The database could not be opened or used; the message says which file and why."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def parse_dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class Database:
    """Owns the aiosqlite connection. Writes go through :meth:`transaction`.

    The connection runs in autocommit mode and every write transaction starts with
    ``BEGIN IMMEDIATE`` so that two paperbot processes on one database serialise on the write
    lock (waiting up to the busy timeout) instead of failing half-way with "database is locked".
    """

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self.path = path
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path) -> Database:
        """Open (creating if needed) the database at ``path`` and apply pending migrations.

        Whatever fails, the connection opened here is closed again before the error leaves.
        """
        path = str(path)
        if path != ":memory:":
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder for database {path}: {exc}") from None
        try:
            conn = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from None
        db = cls(conn, path)
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await db._migrate()
        except sqlite3.Error as exc:
            await conn.close()
            raise StoreError(f"cannot use database {path}: {exc}") from None
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        await self._conn.close()

    async def schema_version(self) -> int:
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        async with self.transaction() as conn:
            await migrate(conn)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` … ``COMMIT``), rolled back on error."""
        async with self._write_lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            else:
                await self._conn.execute("COMMIT")

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Run a query to completion in ONE step of the connection's thread.

        A cursor fetched over several steps keeps its statement (and a read snapshot) open in
        between, and another task's ``BEGIN IMMEDIATE`` on this connection then fails at once
        with "database is locked" (a stale snapshot is not retried by the busy timeout) as
        soon as another process has written.
        """
        return list(await self._conn.execute_fetchall(sql, params))

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """The first row of a query (run to completion like :meth:`fetchall`)."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None


async def migrate(conn: aiosqlite.Connection, upto: int | None = None) -> None:
    """Apply the pending migrations (up to number ``upto``) inside the caller's transaction:
    each one's SQL, then its Python step, then ``user_version``."""
    async with conn.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    current = int(row[0]) if row else 0
    if current > len(MIGRATIONS):
        raise sqlite3.DatabaseError(
            f"schema version {current} is newer than this paperbot ({len(MIGRATIONS)})"
        )
    for migration in MIGRATIONS[current : len(MIGRATIONS) if upto is None else upto]:
        for statement in statements(migration.script):
            await conn.execute(statement)
        if migration.step is not None:
            await migration.step(conn)
        # PRAGMA does not take parameters; number is our own int.
        await conn.execute(f"PRAGMA user_version = {int(migration.number)}")


async def fetch_rows(
    conn: aiosqlite.Connection, sql: str, params: Params = ()
) -> list[sqlite3.Row]:
    """All rows of a query run inside a transaction (on the transaction's connection)."""
    async with conn.execute(sql, params) as cur:
        return list(await cur.fetchall())


async def changed(conn: aiosqlite.Connection, sql: str, params: Params = ()) -> int:
    """Run one write statement inside a transaction; the number of rows it changed."""
    cur = await conn.execute(sql, params)
    count = cur.rowcount
    await cur.close()
    return count
