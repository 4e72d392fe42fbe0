"""Per-URL source state (conditional GET validators, body hash, health) and the rate slots that
space requests to one host across every process on the database."""

from __future__ import annotations

import builtins
import sqlite3
import time
from datetime import date

from bot.model import SourceState
from bot.store.db import Database, fetch_rows, iso, now_iso, parse_date, parse_dt

_COLUMNS = (
    "url, etag, last_modified, body_hash, last_success, last_attempt, consecutive_failures, "
    "last_error, last_pub_date, disabled_reason, last_items, failing_since"
)


def _state(row: sqlite3.Row) -> SourceState:
    return SourceState(
        url=row["url"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        body_hash=row["body_hash"],
        last_success=parse_dt(row["last_success"]),
        last_attempt=parse_dt(row["last_attempt"]),
        consecutive_failures=row["consecutive_failures"],
        last_error=row["last_error"],
        last_pub_date=parse_date(row["last_pub_date"]),
        disabled_reason=row["disabled_reason"],
        last_items=row["last_items"],
        failing_since=parse_dt(row["failing_since"]),
    )


class SourceStates:
    """Named methods for the source_state table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, url: str) -> SourceState | None:
        row = await self.db.fetchone(f"SELECT {_COLUMNS} FROM source_state WHERE url=?", (url,))
        return _state(row) if row else None

    async def list(self) -> builtins.list[SourceState]:
        return [_state(r) for r in await self.db.fetchall(f"SELECT {_COLUMNS} FROM source_state")]

    async def record_success(
        self,
        url: str,
        *,
        etag: str | None,
        last_modified: str | None,
        body_hash: str | None,
        pub_date: date | None,
        items: int | None = None,
    ) -> None:
        """A successful poll. ``pub_date``/``items`` are None when nothing changed (304)."""
        now = now_iso()
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO source_state(url, etag, last_modified, body_hash, last_success, "
                "last_attempt, consecutive_failures, last_error, last_pub_date, last_items) "
                "VALUES (?, ?, ?, ?, ?, ?, 0, NULL, ?, ?) ON CONFLICT(url) DO UPDATE SET "
                "etag=coalesce(excluded.etag, etag), "
                "last_modified=coalesce(excluded.last_modified, last_modified), "
                "body_hash=coalesce(excluded.body_hash, body_hash), "
                "last_success=excluded.last_success, last_attempt=excluded.last_attempt, "
                "consecutive_failures=0, last_error=NULL, disabled_reason=NULL, "
                "failing_since=NULL, "
                "last_pub_date=coalesce(excluded.last_pub_date, last_pub_date), "
                "last_items=coalesce(excluded.last_items, last_items)",
                (url, etag, last_modified, body_hash, now, now, iso(pub_date), items),
            )

    async def record_failure(
        self, url: str, error: str, *, disable_after: int | None = None
    ) -> int:
        """Count a failed poll; disable the source after ``disable_after`` in a row.

        Returns the number of consecutive failures.
        """
        now = now_iso()
        async with self.db.transaction() as conn:
            rows = await fetch_rows(
                conn,
                "INSERT INTO source_state(url, last_attempt, consecutive_failures, last_error, "
                "failing_since) VALUES (?, ?, 1, ?, ?) ON CONFLICT(url) DO UPDATE SET "
                "last_attempt=excluded.last_attempt, "
                "failing_since=coalesce(failing_since, excluded.failing_since), "
                "consecutive_failures=consecutive_failures+1, last_error=excluded.last_error "
                "RETURNING consecutive_failures",
                (url, now, error, now),
            )
            failures = int(rows[0]["consecutive_failures"]) if rows else 1
            if disable_after is not None and failures >= disable_after:
                await conn.execute(
                    "UPDATE source_state SET disabled_reason=? WHERE url=?",
                    (f"disabled after {failures} consecutive failures: {error}", url),
                )
        return failures


class RateSlots:
    """Shared next-start times per key (``"arxiv"``), so that every process on the database
    keeps one host's politeness limit together."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim(self, key: str, interval: float) -> float:
        """Claim the next start time for requests sharing ``key``.

        Returns the wall-clock time (epoch seconds) at which the caller may start, and moves the
        shared next-allowed time ``interval`` seconds past it, atomically across processes.
        """
        async with self.db.transaction() as conn:
            rows = await fetch_rows(conn, "SELECT next_at FROM rate_slots WHERE key = ?", (key,))
            start = max(time.time(), float(rows[0]["next_at"]) if rows else 0.0)
            await conn.execute(
                "INSERT INTO rate_slots(key, next_at) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET next_at = excluded.next_at",
                (key, start + interval),
            )
        return start

    async def hold(self, key: str, until: float) -> None:
        """No claim for ``key`` starts before ``until`` (epoch seconds): a server's Retry-After
        applies to every process sharing the slot."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO rate_slots(key, next_at) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET next_at = max(next_at, excluded.next_at)",
                (key, until),
            )
