"""The index-record cache (migration 9): what a scholarly index said about arXiv papers, kept
for ``[identity] cache_days`` so that a look-up answered from it costs no request."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence

from bot.model.scholarly import PaperRecord
from bot.store.db import Database

_COLUMNS = "arxiv_id, source, found, index_id, title, venue, journal, doi, citations, tldr, year"
_CHUNK = 900
#: A paper the index did not hold is asked again after at most this long: indexes lag arXiv
#: by hours to days, and a week-long "not found" would hide the paper's record for a week.
MISSING_TTL_SECONDS = 86_400.0


def _record(row: sqlite3.Row) -> PaperRecord:
    return PaperRecord(
        arxiv_id=row["arxiv_id"],
        source=row["source"],
        found=bool(row["found"]),
        index_id=row["index_id"],
        title=row["title"],
        venue=row["venue"],
        journal=row["journal"],
        doi=row["doi"],
        citations=row["citations"],
        tldr=row["tldr"],
        year=row["year"],
    )


class IndexRecords:
    """Cached :class:`~bot.model.scholarly.PaperRecord` s, one per (paper, index)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def get_many(
        self, source: str, arxiv_ids: Sequence[str], *, now: float | None = None
    ) -> dict[str, PaperRecord]:
        """The records of ``arxiv_ids`` from ``source``; with ``now``, only those not expired
        then (a look-up), without it every one stored (an alert's cached TL;DR)."""
        found: dict[str, PaperRecord] = {}
        fresh = "" if now is None else " AND expires_at > ?"
        for start in range(0, len(arxiv_ids), _CHUNK):
            chunk = list(arxiv_ids[start : start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            params: list[object] = [source, *chunk] + ([] if now is None else [now])
            rows = await self.db.fetchall(
                f"SELECT {_COLUMNS} FROM index_records WHERE source = ? "
                f"AND arxiv_id IN ({marks}){fresh}",
                params,
            )
            found.update((r["arxiv_id"], _record(r)) for r in rows)
        return found

    async def put(self, records: Iterable[PaperRecord], *, now: float, ttl_seconds: float) -> int:
        """Store (replace) records fetched at ``now``: found ones kept ``ttl_seconds``, missing
        ones at most :data:`MISSING_TTL_SECONDS`; expired rows are dropped on the way."""
        rows = [
            (
                r.arxiv_id,
                r.source,
                int(r.found),
                r.index_id,
                r.title,
                r.venue,
                r.journal,
                r.doi,
                r.citations,
                r.tldr,
                r.year,
                now,
                now + (ttl_seconds if r.found else min(ttl_seconds, MISSING_TTL_SECONDS)),
            )
            for r in records
        ]
        async with self.db.transaction() as conn:
            await conn.execute(
                "DELETE FROM index_records WHERE expires_at <= ? AND found = 0", (now,)
            )
            await conn.executemany(
                f"INSERT OR REPLACE INTO index_records({_COLUMNS}, fetched_at, expires_at) "
                f"VALUES ({','.join('?' * 13)})",
                rows,
            )
        return len(rows)
