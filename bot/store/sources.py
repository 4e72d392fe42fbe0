"""Per-URL source state: conditional GET validators, body hash, health and back-off."""

from __future__ import annotations

from datetime import date

from bot.model import SourceState
from bot.store.db import StoreBase, iso, now_iso, parse_date, parse_dt

_COLUMNS = (
    "url, etag, last_modified, body_hash, last_success, last_attempt, consecutive_failures, "
    "last_error, last_pub_date, disabled_reason, last_items"
)


def _state(row: tuple) -> SourceState:
    return SourceState(
        url=row[0],
        etag=row[1],
        last_modified=row[2],
        body_hash=row[3],
        last_success=parse_dt(row[4]),
        last_attempt=parse_dt(row[5]),
        consecutive_failures=row[6],
        last_error=row[7],
        last_pub_date=parse_date(row[8]),
        disabled_reason=row[9],
        last_items=row[10],
    )


class SourceStore(StoreBase):
    """Named methods for source state."""

    async def get_source_state(self, url: str) -> SourceState | None:
        row = await self.fetchone(f"SELECT {_COLUMNS} FROM source_state WHERE url=?", (url,))
        return _state(row) if row else None

    async def list_source_states(self) -> list[SourceState]:
        return [_state(r) for r in await self.fetchall(f"SELECT {_COLUMNS} FROM source_state")]

    async def record_source_success(
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
        async with self.transaction() as conn:
            await conn.execute(
                "INSERT INTO source_state(url, etag, last_modified, body_hash, last_success, "
                "last_attempt, consecutive_failures, last_error, last_pub_date, last_items) "
                "VALUES (?, ?, ?, ?, ?, ?, 0, NULL, ?, ?) ON CONFLICT(url) DO UPDATE SET "
                "etag=coalesce(excluded.etag, etag), "
                "last_modified=coalesce(excluded.last_modified, last_modified), "
                "body_hash=coalesce(excluded.body_hash, body_hash), "
                "last_success=excluded.last_success, last_attempt=excluded.last_attempt, "
                "consecutive_failures=0, last_error=NULL, disabled_reason=NULL, "
                "last_pub_date=coalesce(excluded.last_pub_date, last_pub_date), "
                "last_items=coalesce(excluded.last_items, last_items)",
                (url, etag, last_modified, body_hash, now, now, iso(pub_date), items),
            )

    async def record_source_failure(
        self, url: str, error: str, *, disable_after: int | None = None
    ) -> int:
        """Count a failed poll; disable the source after ``disable_after`` in a row.

        Returns the number of consecutive failures.
        """
        now = now_iso()
        async with self.transaction() as conn:
            async with conn.execute(
                "INSERT INTO source_state(url, last_attempt, consecutive_failures, last_error) "
                "VALUES (?, ?, 1, ?) ON CONFLICT(url) DO UPDATE SET "
                "last_attempt=excluded.last_attempt, "
                "consecutive_failures=consecutive_failures+1, last_error=excluded.last_error "
                "RETURNING consecutive_failures",
                (url, now, error),
            ) as cur:
                row = await cur.fetchone()
            failures = int(row[0]) if row else 1
            if disable_after is not None and failures >= disable_after:
                await conn.execute(
                    "UPDATE source_state SET disabled_reason=? WHERE url=?",
                    (f"disabled after {failures} consecutive failures: {error}", url),
                )
        return failures

    async def enable_source(self, url: str) -> None:
        async with self.transaction() as conn:
            await conn.execute(
                "UPDATE source_state SET disabled_reason=NULL, consecutive_failures=0 WHERE url=?",
                (url,),
            )
