"""The daily ledger: per polled category and announcement day, what arXiv's listing announced
and what it caused here (alerts, channels), so that "nothing today" can be told from "broken".

A row is written by the ingest of a category's listing (a poll, ``paperbot ingest`` of a
listing file), in the transaction that stores the listing and queues its alerts: every alert
that ingest queued is credited to that listing (``ledger_alerts``), so a paper announced in
cs.AI and cross-listed into cs.LG the next day counts once, for the listing that alerted it. A
listing served again for the same day replaces the day's item counts (arXiv re-serves a
listing with bumped versions) and adds whatever alerts it queued. An empty listing (weekends,
holidays) is a row of zeros: "no announcement". Catch-up through the API is not a listing and
is not in the ledger (its alerts have no credit).
"""

from __future__ import annotations

import builtins
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import aiosqlite

from bot.model import AnnounceType, ListingItem
from bot.store.db import Database, fetch_rows


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """What one category's listing of one announcement day holds, by announcement type."""

    category: str
    day: date
    new: int = 0
    cross: int = 0
    replaced: int = 0
    recorded_at: float = 0.0

    @property
    def empty(self) -> bool:
        return not (self.new or self.cross or self.replaced)


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """A stored ledger row with what it caused: ``alerts`` queued to ``channels`` channels."""

    entry: LedgerEntry
    alerts: int = 0
    channels: int = 0

    def text(self) -> str:
        """``2026-07-13 cs.AI: 27 new, 89 cross, 61 replaced -> 9 alerts to 3 channels``."""
        e = self.entry
        head = f"{e.day.isoformat()} {e.category}"
        if e.empty:
            return f"{head}: no announcement"
        return f"{head}: {announced_text(e)} -> {_n(self.alerts, 'alert')} to " + _n(
            self.channels, "channel"
        )


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def announced_text(entry: LedgerEntry) -> str:
    """``27 new, 89 cross, 61 replaced``."""
    return f"{entry.new} new, {entry.cross} cross, {entry.replaced} replaced"


def entry_of(
    category: str, items: Iterable[ListingItem], day: date, recorded_at: float
) -> LedgerEntry:
    """The ledger entry of a listing: its items counted by type (``replace`` and
    ``replace-cross`` are both "replaced")."""
    new = cross = replaced = 0
    for item in items:
        kind = item.announce_type
        if kind is AnnounceType.NEW:
            new += 1
        elif kind is AnnounceType.CROSS:
            cross += 1
        else:
            replaced += 1
    return LedgerEntry(category, day, new, cross, replaced, recorded_at)


# -- writes inside the listing's transaction ------------------------------------------------


async def last_outbox_id(conn: aiosqlite.Connection) -> int:
    """The highest outbox id now: the alerts a listing queues come after it."""
    rows = await fetch_rows(conn, "SELECT coalesce(max(id), 0) AS n FROM outbox")
    return int(rows[0]["n"])


async def record(conn: aiosqlite.Connection, entry: LedgerEntry, after_id: int) -> None:
    """Write ``entry`` and credit it with the alerts queued since outbox id ``after_id``."""
    await conn.execute(
        "INSERT INTO ledger(category, day, new_items, cross_items, replaced_items, recorded_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(category, day) DO UPDATE SET "
        "new_items=excluded.new_items, cross_items=excluded.cross_items, "
        "replaced_items=excluded.replaced_items, updated_at=excluded.updated_at",
        (
            entry.category,
            entry.day.isoformat(),
            entry.new,
            entry.cross,
            entry.replaced,
            entry.recorded_at,
            entry.recorded_at,
        ),
    )
    await conn.execute(
        "INSERT OR IGNORE INTO ledger_alerts(outbox_id, category, day, channel_id) "
        "SELECT id, ?, ?, channel_id FROM outbox WHERE id > ? AND kind = 'alert'",
        (entry.category, entry.day.isoformat(), after_id),
    )


def _entry(row: sqlite3.Row) -> LedgerEntry:
    return LedgerEntry(
        row["category"],
        date.fromisoformat(row["day"]),
        row["new_items"],
        row["cross_items"],
        row["replaced_items"],
        row["recorded_at"],
    )


_ROW_SQL = (
    "SELECT l.category, l.day, l.new_items, l.cross_items, l.replaced_items, l.recorded_at, "
    "count(a.outbox_id) AS alerts, count(DISTINCT a.channel_id) AS channels "
    "FROM ledger l LEFT JOIN ledger_alerts a ON a.category = l.category AND a.day = l.day "
)


class Ledger:
    """Named reads (and the write of an empty listing) of the ledger tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def record_listing(self, entry: LedgerEntry) -> None:
        """Record a listing that stores nothing (an empty one) in a transaction of its own."""
        async with self.db.transaction() as conn:
            await record(conn, entry, await last_outbox_id(conn))

    async def rows(
        self, categories: Sequence[str] | None = None, *, since: date | None = None
    ) -> builtins.list[LedgerRow]:
        """Ledger rows (of ``categories``; from ``since`` on), newest day first, then by
        category."""
        where: list[str] = []
        params: list[object] = []
        if categories is not None:
            if not categories:
                return []
            where.append(f"l.category IN ({','.join('?' * len(categories))})")
            params.extend(categories)
        if since is not None:
            where.append("l.day >= ?")
            params.append(since.isoformat())
        clause = f"WHERE {' AND '.join(where)} " if where else ""
        rows = await self.db.fetchall(
            f"{_ROW_SQL}{clause}GROUP BY l.category, l.day ORDER BY l.day DESC, l.category",
            params,
        )
        return [LedgerRow(_entry(r), int(r["alerts"]), int(r["channels"])) for r in rows]

    async def last_day(self) -> date | None:
        row = await self.db.fetchone("SELECT max(day) AS day FROM ledger")
        return date.fromisoformat(row["day"]) if row and row["day"] else None

    async def credit(self, outbox_id: int) -> tuple[str, date] | None:
        """The listing (category, announcement day) that queued this alert, if the ledger
        knows it."""
        row = await self.db.fetchone(
            "SELECT category, day FROM ledger_alerts WHERE outbox_id = ?", (outbox_id,)
        )
        return (row["category"], date.fromisoformat(row["day"])) if row else None

    async def channel_line(self, channel_id: int, since: float, until: float) -> str:
        """What was announced in the listings first stored in ``[since, until)`` (epoch
        seconds) and how many alerts they queued to this channel — the digest's ledger line."""
        rows = await self.db.fetchall(
            "SELECT l.category, l.day, l.new_items, l.cross_items, l.replaced_items, "
            "l.recorded_at, (SELECT count(*) FROM ledger_alerts a WHERE a.category = l.category "
            "AND a.day = l.day AND a.channel_id = ?) AS here FROM ledger l "
            "WHERE l.recorded_at >= ? AND l.recorded_at < ? ORDER BY l.day, l.category",
            (channel_id, since, until),
        )
        if not rows:
            return "Ledger: no listing was stored in this period (arXiv not polled, or failing)."
        parts, here = [], 0
        for r in rows:
            entry = _entry(r)
            here += int(r["here"])
            what = "no announcement" if entry.empty else announced_text(entry)
            parts.append(f"{entry.category} {entry.day:%a %d %b}: {what}")
        return f"Ledger: {'; '.join(parts)} -> {_n(here, 'alert')} here."

    async def day_line(self, channel_id: int, day: date, tz: str = "UTC") -> str:
        """:meth:`channel_line` for one local day of the channel's time zone."""
        zone = ZoneInfo(tz)
        start = datetime.combine(day, time(), zone)
        end = datetime.combine(day + timedelta(days=1), time(), zone)
        return await self.channel_line(channel_id, start.timestamp(), end.timestamp())
