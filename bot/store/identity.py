"""The persons channels follow (author records of the index) and the index's health.

A person subscription's value is ``openalex:A…``; its row here holds the names a listing may
write the person by and the snapshot ``list`` shows. Health is one row per index
(``openalex``): last success and failure, consecutive failures, and the park after a 429.
"""

from __future__ import annotations

import builtins
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.model.identity import AuthorRecord
from bot.store.db import Database
from bot.store.outbox_reads import marks


@dataclass(frozen=True, slots=True)
class IndexHealth:
    name: str
    last_success: float | None
    last_failure: float | None
    last_error: str | None
    failures: int
    parked_until: float | None


@dataclass(frozen=True, slots=True)
class Person:
    record: AuthorRecord
    fetched_at: float


def _person(row: sqlite3.Row) -> Person:
    names = tuple(n for n in row["names"].split("\n") if n)
    record = AuthorRecord(
        author_id=row["author_id"],
        display_name=row["display_name"],
        alternatives=tuple(n for n in names if n != row["display_name"]),
        orcid=row["orcid"],
        institution=row["institution"],
        works_count=row["works_count"],
    )
    return Person(record, row["fetched_at"])


_COLUMNS = "author_id, orcid, display_name, names, institution, works_count, fetched_at"


class Identity:
    """Named methods for the persons and index_health tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def save_person(self, record: AuthorRecord, now: float) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                f"INSERT OR REPLACE INTO persons({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    record.author_id,
                    record.orcid,
                    record.display_name,
                    "\n".join(record.names),
                    record.institution,
                    record.works_count,
                    now,
                ),
            )

    async def person(self, author_id: str) -> Person | None:
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM persons WHERE author_id=?", (author_id,)
        )
        return _person(row) if row else None

    async def persons(self, author_ids: builtins.list[str]) -> dict[str, Person]:
        if not author_ids:
            return {}
        rows = await self.db.fetchall(
            f"SELECT {_COLUMNS} FROM persons WHERE author_id IN ({marks(author_ids)})",
            author_ids,
        )
        return {r["author_id"]: _person(r) for r in rows}

    async def followed_names(self) -> dict[str, tuple[str, ...]]:
        """Every followed person's known names, by author id (for the matcher)."""
        rows = await self.db.fetchall(
            "SELECT p.author_id, p.names FROM persons p WHERE EXISTS (SELECT 1 FROM "
            "subscriptions s WHERE s.kind='author' AND s.value = 'openalex:' || p.author_id)"
        )
        return {r["author_id"]: tuple(n for n in r["names"].split("\n") if n) for r in rows}

    async def version(self) -> tuple[int, float]:
        """Cheap change marker (count, newest fetch) so the matcher index sees new names."""
        row = await self.db.fetchone(
            "SELECT count(*) AS n, coalesce(max(fetched_at), 0) AS top FROM persons"
        )
        return (int(row["n"]), float(row["top"])) if row else (0, 0.0)

    async def health(self, name: str = "openalex") -> IndexHealth | None:
        row = await self.db.fetchone("SELECT * FROM index_health WHERE name=?", (name,))
        if row is None:
            return None
        return IndexHealth(
            row["name"],
            row["last_success"],
            row["last_failure"],
            row["last_error"],
            row["failures"],
            row["parked_until"],
        )

    async def record_success(self, now: float, name: str = "openalex") -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO index_health(name, last_success, failures) VALUES (?, ?, 0) "
                "ON CONFLICT(name) DO UPDATE SET last_success=excluded.last_success, failures=0",
                (name, now),
            )

    async def record_failure(
        self, now: float, error: str, *, parked_until: float | None = None, name: str = "openalex"
    ) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO index_health(name, last_failure, last_error, failures, parked_until)"
                " VALUES (?, ?, ?, 1, ?) ON CONFLICT(name) DO UPDATE SET "
                "last_failure=excluded.last_failure, last_error=excluded.last_error, "
                "failures=index_health.failures + 1, "
                "parked_until=coalesce(excluded.parked_until, index_health.parked_until)",
                (name, now, error, parked_until),
            )


class StorePark:
    """The OpenAlex client's park (:class:`bot.sources.openalex.Park`) kept in the store, so
    that every process on the database respects a 429 until 00:00 UTC."""

    def __init__(self, identity: Identity, clock: Callable[[], float] = time.time) -> None:
        self.identity = identity
        self.clock = clock

    async def parked_until(self) -> float | None:
        health = await self.identity.health()
        return health.parked_until if health else None

    async def park(self, until: float, reason: str) -> None:
        await self.identity.record_failure(self.clock(), reason, parked_until=until)
