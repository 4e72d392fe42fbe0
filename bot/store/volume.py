"""Volume control in the store: channel settings, and the generic ``held`` / ``dropped`` states
of outbox rows.

**Held** rows are never claimed. ``hold_reason`` says why (:data:`~bot.store.digests.NEW`,
``DIGEST``, ``QUIET``, ``CARRIED``, or another change's own, such as ``identity``),
``held_until`` until when (epoch seconds; NULL: until released), ``held_at`` since when (kept
after release: the last hold). **Dropped** rows will never be sent: ``drop_reason``,
``dropped_at``. The generic API, for any reason: :meth:`Volume.hold`, :meth:`Volume.release`,
:meth:`Volume.drop`. A released row is held ``new``: the next delivery round routes it by the
channel's settings at that time (:meth:`Volume.route`), so a released paper still waits for a
digest or quiet hours and counts against a cap. Rows whose ``held_until`` has passed are due
(:meth:`Volume.due`): digest rows are assembled into a digest, the others routed.

Every change here is one transaction, and touches only rows nobody is sending: pending rows
never attempted (``attempts = 0``: an attempted one may have been posted) and held rows not
yet carried by a part.
"""

from __future__ import annotations

import builtins
import sqlite3
import time
from dataclasses import dataclass, replace

import aiosqlite

from bot.model import MessageKind
from bot.model.digest import plan_overflow
from bot.model.volume import (
    VolumeSettings,
    day_bounds,
    local_date,
    next_digest,
    previous_digest,
    route,
)
from bot.store.channels import SETTINGS_COLUMNS, settings_of, settings_row
from bot.store.db import Database, changed, fetch_rows
from bot.store.digests import (
    CARRIED,
    DIGEST,
    IDENTITY,
    NEW,
    Bundle,
    write_bundle,
)
from bot.store.held import HELD_PAPERS, held_papers
from bot.store.outbox_reads import marks

#: Rows the generic API may change: nobody is sending them and no part carries them.
_MOVABLE = (
    f"((state = 'pending' AND attempts = 0) OR (state = 'held' AND hold_reason != '{CARRIED}'))"
)
#: Rows :meth:`Volume.route` takes: held alerts that are due and not waiting for a digest.
_ROUTABLE = (
    f"AND o.hold_reason NOT IN ('{DIGEST}', '{CARRIED}', '{IDENTITY}') AND o.held_until <= ? "
)


@dataclass(frozen=True, slots=True)
class Routed:
    """What :meth:`Volume.route` did with a channel's due alerts."""

    admitted: int = 0
    held: int = 0
    overflow: int = 0
    reason: str | None = None  # why they were held
    until: float | None = None


async def _drop_children(conn: aiosqlite.Connection, ids: builtins.list[int], why: str) -> None:
    """Thread replies waiting under rows that will not be posted as alerts are dropped."""
    await conn.execute(
        f"UPDATE outbox SET state='dropped', drop_reason=?, dropped_at=? "
        f"WHERE parent_id IS NOT NULL AND parent_id IN ({marks(ids)}) "
        "AND +state IN ('pending', 'held')",
        (why, time.time(), *ids),
    )


async def forget_subscription(
    conn: aiosqlite.Connection, channel_id: int, subscription_id: int
) -> int:
    """Inside ``unsubscribe``'s transaction: held papers (not yet in a part) lose the
    subscription; those nothing else matched are dropped. The number dropped."""
    rows = await fetch_rows(
        conn,
        "SELECT id, sub_ids, reasons FROM outbox WHERE channel_id = ? AND state = 'held' "
        f"AND kind = 'alert' AND hold_reason != '{CARRIED}' "
        "AND (' ' || sub_ids || ' ') LIKE ?",
        (channel_id, f"% {subscription_id} %"),
    )
    dropped: list[int] = []
    for row in rows:
        subs = row["sub_ids"].split()
        labels = [r for r in row["reasons"].split("\n") if r]
        keep = [(s, lab) for s, lab in zip(subs, labels, strict=False) if s != str(subscription_id)]
        if not keep:
            dropped.append(row["id"])
            continue
        await conn.execute(
            "UPDATE outbox SET sub_ids=?, reasons=? WHERE id=?",
            (" ".join(s for s, _ in keep), "\n".join(lab for _, lab in keep), row["id"]),
        )
    if dropped:
        await conn.execute(
            f"UPDATE outbox SET state='dropped', drop_reason=?, dropped_at=? "
            f"WHERE id IN ({marks(dropped)})",
            (f"unsubscribed #{subscription_id}", time.time(), *dropped),
        )
    return len(dropped)


async def _hold_for_digests(
    conn: aiosqlite.Connection,
    settings: VolumeSettings,
    rows: builtins.list[sqlite3.Row],
    now: float,
) -> Routed:
    """Hold each alert for the first digest after it matched (``held_at``; a round that runs
    late, or a process down at digest time, does not push a paper to the next digest)."""
    by_until: dict[float, builtins.list[int]] = {}
    for row in rows:
        matched = row["held_at"] if row["held_at"] is not None else now
        by_until.setdefault(next_digest(settings, min(matched, now)), []).append(row["id"])
    for until, ids in by_until.items():
        await conn.execute(
            f"UPDATE outbox SET hold_reason='{DIGEST}', held_until=?, held_at=? "
            f"WHERE id IN ({marks(ids)})",
            (until, now, *ids),
        )
    return Routed(held=len(rows), reason=DIGEST, until=min(by_until))


class Volume:
    """Named methods for channel settings and held / dropped rows."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def settings(self, channel_id: int) -> VolumeSettings:
        row = await self.db.fetchone(
            f"SELECT {SETTINGS_COLUMNS} FROM channels WHERE id=?", (channel_id,)
        )
        return settings_of(row) if row else VolumeSettings()

    async def configure(
        self, channel_id: int, settings: VolumeSettings, *, now: float | None = None
    ) -> VolumeSettings:
        """Store new settings; the old ones. When mode, zone, cap or quiet hours change, the
        channel's alerts nobody is sending yet are routed again by the next round (pending
        ones never attempted, held ones not waiting for a digest; digest papers too while a
        digest mode stays). Leaving a digest mode makes the held digest due at once (it is
        sent now, as a digest). Digest slots before ``now`` owe no ledger line."""
        now = time.time() if now is None else now
        async with self.db.transaction() as conn:
            rows = await fetch_rows(
                conn, f"SELECT {SETTINGS_COLUMNS} FROM channels WHERE id=?", (channel_id,)
            )
            old = settings_of(rows[0])
            sets = ", ".join(f"{c.strip()}=?" for c in SETTINGS_COLUMNS.split(","))
            await conn.execute(
                f"UPDATE channels SET {sets}, last_digest_at=max(coalesce(last_digest_at, 0), ?) "
                "WHERE id=?",
                (*settings_row(settings), now, channel_id),
            )
            if replace(old, ledger=settings.ledger) == settings:
                return old
            if old.digest and not settings.digest:
                await conn.execute(
                    "UPDATE outbox SET held_until=0 WHERE channel_id=? AND state='held' "
                    "AND hold_reason=?",
                    (channel_id, DIGEST),
                )
            reasons = "('quiet', 'new', 'digest')" if settings.digest else "('quiet', 'new')"
            await conn.execute(
                f"UPDATE outbox SET state='held', hold_reason='{NEW}', held_until=0, "
                "admitted_at=NULL WHERE channel_id=? AND kind='alert' AND ("
                "(state='pending' AND attempts=0 AND NOT EXISTS (SELECT 1 FROM digest_entries e "
                f"WHERE e.alert_id = outbox.id)) OR (state='held' AND hold_reason IN {reasons}))",
                (channel_id,),
            )
        return old

    async def set_ledger(self, channel_id: int, on: bool, *, now: float | None = None) -> bool:
        """Switch the channel's ledger flag; whether it changed. Switched on, the digest slots
        before ``now`` are not owed a ledger line."""
        now = time.time() if now is None else now
        async with self.db.transaction() as conn:
            return (
                await changed(
                    conn,
                    "UPDATE channels SET ledger=?, last_digest_at=max(coalesce(last_digest_at, 0), "
                    "?) WHERE id=? AND ledger!=?",
                    (int(on), now, channel_id, int(on)),
                )
                > 0
            )

    async def ledger_due(self, now: float) -> builtins.list[int]:
        """Digest channels with the ledger on whose latest digest slot (at or before ``now``)
        has not been assembled: they owe a digest even with nothing held (the line alone)."""
        rows = await self.db.fetchall(
            f"SELECT id, last_digest_at, {SETTINGS_COLUMNS} FROM channels "
            "WHERE mode != 'instant' AND ledger = 1 ORDER BY id"
        )
        return [
            r["id"]
            for r in rows
            if previous_digest(settings_of(r), now) > (r["last_digest_at"] or 0.0)
        ]

    async def mark_digest(self, channel_id: int, now: float) -> None:
        """Record that the channel's scheduled digest for the slot before ``now`` was made."""
        async with self.db.transaction() as conn:
            await conn.execute("UPDATE channels SET last_digest_at=? WHERE id=?", (now, channel_id))

    # -- the generic states -------------------------------------------------------------

    async def hold(
        self, ids: builtins.list[int], reason: str, until: float | None, *, now: float
    ) -> int:
        """Hold these rows (pending never attempted, or held and not carried) for ``reason``
        until ``until`` (None: until :meth:`release`); how many were held."""
        if not ids:
            return 0
        async with self.db.transaction() as conn:
            return await changed(
                conn,
                "UPDATE outbox SET state='held', hold_reason=?, held_until=?, held_at=?, "
                f"admitted_at=NULL WHERE id IN ({marks(ids)}) AND {_MOVABLE}",
                (reason, until, now, *ids),
            )

    async def release(
        self, reason: str, *, channel_id: int | None = None, ids: builtins.list[int] | None = None
    ) -> int:
        """Release the rows held for ``reason`` (of one channel, or these ids): the next
        delivery round routes them by the channel's settings. How many were released."""
        where = "state='held' AND hold_reason=?"
        params: list[object] = [reason]
        if channel_id is not None:
            where += " AND channel_id=?"
            params.append(channel_id)
        if ids is not None:
            if not ids:
                return 0
            where += f" AND id IN ({marks(ids)})"
            params.extend(ids)
        async with self.db.transaction() as conn:
            return await changed(
                conn, f"UPDATE outbox SET hold_reason='{NEW}', held_until=0 WHERE {where}", params
            )

    async def drop(self, ids: builtins.list[int], reason: str, *, now: float) -> int:
        """Never send these rows (pending never attempted, or held and not carried), nor the
        thread replies waiting under them; how many were dropped."""
        if not ids:
            return 0
        async with self.db.transaction() as conn:
            count = await changed(
                conn,
                "UPDATE outbox SET state='dropped', drop_reason=?, dropped_at=? "
                f"WHERE id IN ({marks(ids)}) AND {_MOVABLE}",
                (reason, now, *ids),
            )
            await _drop_children(conn, ids, reason)
        return count

    async def due(self, now: float) -> builtins.list[tuple[int, bool]]:
        """Channels with held rows due at ``now``: ``(channel id, is a digest)``."""
        rows = await self.db.fetchall(
            f"SELECT DISTINCT channel_id, hold_reason = '{DIGEST}' AS digest FROM outbox "
            f"WHERE state = 'held' AND held_until <= ? AND hold_reason != '{IDENTITY}' "
            "ORDER BY channel_id",
            (now,),
        )
        return [(r["channel_id"], bool(r["digest"])) for r in rows]

    async def next_due(self) -> float | None:
        """When the next held row becomes due (the deliverer wakes for it)."""
        row = await self.db.fetchone(
            "SELECT min(held_until) AS until FROM outbox WHERE state = 'held' "
            f"AND held_until IS NOT NULL AND hold_reason != '{IDENTITY}'"
        )
        return float(row["until"]) if row and row["until"] is not None else None

    async def route(
        self, channel_id: int, now: float, *, thread: bool, per_part_titles: int
    ) -> Routed:
        """Route the channel's due held alerts (one batch, in queue order) by its settings:
        hold them all (digest, quiet hours), or admit as many as the cap leaves today and put
        the rest in one overflow message, threaded (``thread``) under the batch's last admitted
        alert, else the day's last one."""
        async with self.db.transaction() as conn:
            found = await fetch_rows(
                conn, f"SELECT {SETTINGS_COLUMNS} FROM channels WHERE id=?", (channel_id,)
            )
            rows = await fetch_rows(
                conn, HELD_PAPERS + _ROUTABLE + "ORDER BY o.id", (channel_id, now)
            )
            if not found or not rows:
                return Routed()
            settings = settings_of(found[0])
            start, end = day_bounds(settings, now)
            admitted_today = await self._admitted(conn, channel_id, start, end)
            decision = route(settings, now, len(rows), admitted_today)
            ids = [r["id"] for r in rows]
            if settings.digest:
                return await _hold_for_digests(conn, settings, rows, now)
            if decision.hold is not None:
                reason, until = decision.hold
                await conn.execute(
                    f"UPDATE outbox SET hold_reason=?, held_until=?, held_at=? "
                    f"WHERE id IN ({marks(ids)})",
                    (reason, until, now, *ids),
                )
                return Routed(held=len(ids), reason=reason, until=until)
            admit, rest = ids[: decision.admit], rows[decision.admit :]
            if admit:
                await conn.execute(
                    "UPDATE outbox SET state='pending', not_before=0, admitted_at=?, "
                    "hold_reason=CASE WHEN hold_reason=? THEN NULL ELSE hold_reason END, "
                    f"held_until=NULL WHERE id IN ({marks(admit)})",
                    (now, NEW, *admit),
                )
            if rest:
                anchor = admit[-1] if admit else await self._last_alert(conn, channel_id, start)
                entries = plan_overflow(held_papers(rest), per_part_titles=per_part_titles)
                title = f"+{len(rest)} more today"
                bundle = Bundle(
                    channel_id,
                    MessageKind.OVERFLOW,
                    title,
                    local_date(settings, now),
                    settings.tz,
                    now,
                    entries,
                    anchor_id=anchor if thread else None,
                )
                await write_bundle(conn, bundle, now)
        return Routed(admitted=len(admit), overflow=len(rest))

    async def _admitted(
        self, conn: aiosqlite.Connection, channel_id: int, start: float, end: float
    ) -> int:
        rows = await fetch_rows(
            conn,
            "SELECT count(*) AS n FROM outbox WHERE channel_id = ? AND kind = 'alert' "
            "AND admitted_at >= ? AND admitted_at < ? AND state != 'dropped'",
            (channel_id, start, end),
        )
        return int(rows[0]["n"])

    async def _last_alert(
        self, conn: aiosqlite.Connection, channel_id: int, start: float
    ) -> int | None:
        rows = await fetch_rows(
            conn,
            "SELECT max(id) AS id FROM outbox WHERE channel_id = ? AND kind = 'alert' "
            "AND admitted_at >= ? AND state IN ('pending', 'sending', 'sent')",
            (channel_id, start),
        )
        return rows[0]["id"] if rows else None
