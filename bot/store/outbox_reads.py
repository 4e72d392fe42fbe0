"""What the outbox owes, read without changing it: per-channel counts for ``status`` and
``check``, when the next message is due, what is in flight.

A message is *held* when it is due later on purpose, not because a send failed: a row in the
``held`` state whose ``held_until`` is later or unset (a digest, quiet hours, an identity
check; see ``bot.store.volume``), or a pending one due in the future with no error recorded.
A held row whose time has passed is owed now (the next delivery round routes it or assembles
its digest), and ``check`` sends it; rows carried by a digest or overflow part are counted
through that part. Everything else pending is owed now or waiting to retry after a failure.
"""

from __future__ import annotations

import builtins
import time
from collections.abc import Collection
from dataclasses import dataclass

from bot.store.db import Database

#: A message may go once its parent is sent; an overflow message also when the alert it
#: threads under was refused or dropped (it is then posted on its own: nothing is lost).
PARENT_READY = (
    "(o.parent_id IS NULL OR p.state = 'sent' "
    "OR (o.kind = 'overflow' AND p.state IN ('failed', 'dropped')))"
)
#: Refused messages listed by ``status`` (the count covers all of them).
RECENT_FAILURES = 5
#: The rules above, for SQL over ``outbox o`` at time ``:now``.
_LATER = "(o.state = 'pending' AND o.not_before > :now AND o.last_error IS NULL)"
_HELD_ROW = "(o.state = 'held' AND o.hold_reason != 'carried')"
HELD_DUE = f"({_HELD_ROW} AND o.held_until <= :now)"
HELD = f"({_LATER} OR ({_HELD_ROW} AND (o.held_until IS NULL OR o.held_until > :now)))"
OWED = f"((o.state IN ('pending', 'sending') AND NOT {_LATER}) OR {HELD_DUE})"


def marks(values: Collection[object]) -> str:
    return ",".join("?" * len(values))


@dataclass(frozen=True, slots=True)
class ChannelQueue:
    """One channel's share of the outbox."""

    pending: int = 0  # owed now, in flight, or waiting to retry after a failure
    held: int = 0  # due later on purpose (see the module docstring)
    failed: int = 0  # refused by the platform (``paperbot retry`` re-queues them)
    next_due: float | None = None  # epoch seconds: the earliest pending or held message
    reason: str | None = None  # why that one waits (its last error), if it failed before
    held_until: float | None = None  # when the first held message is due
    held_reason: str | None = None  # why it is held (``digest``, ``quiet``, ...)


@dataclass(frozen=True, slots=True)
class QueueSummary:
    """The outbox per channel id for ``status`` and ``check``."""

    channels: dict[int, ChannelQueue]
    failed: list[tuple[int, str, str, str]]  # the latest few: (channel id, paper id, kind, error)

    @property
    def pending(self) -> dict[int, int]:
        return {cid: q.pending for cid, q in self.channels.items() if q.pending}

    @property
    def failed_count(self) -> int:
        return sum(q.failed for q in self.channels.values())


class OutboxReads:
    """The outbox's read-only queries."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def claim_owners(self) -> builtins.list[str]:
        rows = await self.db.fetchall(
            "SELECT DISTINCT claimed_by FROM outbox WHERE state='sending' AND claimed_by "
            "IS NOT NULL"
        )
        return [r["claimed_by"] for r in rows]

    async def summary(self, *, now: float | None = None) -> QueueSummary:
        """Per channel: pending, held, failed, the next due time and why it waits."""
        now = time.time() if now is None else now
        at = {"now": now}
        rows = await self.db.fetchall(
            f"SELECT o.channel_id, sum({OWED}) AS n, sum({HELD}) AS held, "
            "sum(o.state = 'failed') AS failed, "
            f"min(CASE WHEN o.state = 'pending' THEN o.not_before WHEN {HELD_DUE} "
            "THEN o.held_until END) AS due, "
            f"min(CASE WHEN {_LATER} THEN o.not_before WHEN {HELD} THEN o.held_until END) "
            "AS held_until "
            "FROM outbox o WHERE o.state NOT IN ('sent', 'dropped') GROUP BY o.channel_id",
            at,
        )
        reasons = {
            r["channel_id"]: r["last_error"]
            for r in await self.db.fetchall(
                "SELECT channel_id, last_error FROM (SELECT channel_id, last_error, row_number() "
                "OVER (PARTITION BY channel_id ORDER BY not_before, id) AS n FROM outbox "
                "WHERE state = 'pending') WHERE n = 1"
            )
        }
        why_held = {
            r["channel_id"]: r["hold_reason"]
            for r in await self.db.fetchall(
                "SELECT channel_id, hold_reason FROM (SELECT o.channel_id, o.hold_reason, "
                "row_number() OVER (PARTITION BY o.channel_id ORDER BY "
                "coalesce(o.held_until, 1e300), o.id) AS n FROM outbox o WHERE o.state = 'held' "
                f"AND {HELD}) WHERE n = 1",
                at,
            )
        }
        channels = {
            r["channel_id"]: ChannelQueue(
                pending=int(r["n"] or 0),
                held=int(r["held"] or 0),
                failed=int(r["failed"] or 0),
                next_due=r["due"],
                reason=reasons.get(r["channel_id"]),
                held_until=r["held_until"],
                held_reason=why_held.get(r["channel_id"]),
            )
            for r in rows
        }
        failed = [
            (r["channel_id"], r["paper_id"], r["kind"], r["last_error"] or "")
            for r in await self.db.fetchall(
                "SELECT channel_id, paper_id, kind, last_error FROM outbox WHERE state='failed' "
                "ORDER BY id DESC LIMIT ?",
                (RECENT_FAILURES,),
            )
        ][::-1]
        return QueueSummary(channels, failed)

    async def next_due(
        self, channel_ids: Collection[int], *, unheld_at: float | None = None
    ) -> float | None:
        """When the earliest pending message of these (unpaused) channels becomes due, or a
        held one's time comes; with ``unheld_at`` (now), messages held at that time are left
        out (``check`` does not wait for a digest)."""
        ids = sorted(channel_ids)
        if not ids:
            return None
        now = {"now": unheld_at if unheld_at is not None else 0.0}
        later = f"AND NOT {_LATER} " if unheld_at is not None else ""
        chosen = f"o.channel_id IN ({','.join(f':c{i}' for i in range(len(ids)))})"
        params = {**now, **{f"c{i}": cid for i, cid in enumerate(ids)}}
        # The same rule as claim_due: a thread reply waits for its parent to be sent.
        row = await self.db.fetchone(
            "SELECT min(o.not_before) AS due FROM outbox o JOIN channels c ON c.id = o.channel_id "
            "LEFT JOIN outbox p ON p.id = o.parent_id "
            "WHERE o.state = 'pending' AND c.paused_reason IS NULL "
            f"AND {PARENT_READY} {later}AND {chosen}",
            params,
        )
        held = "AND o.held_until <= :now " if unheld_at is not None else ""
        until = await self.db.fetchone(
            f"SELECT min(o.held_until) AS due FROM outbox o WHERE {_HELD_ROW} "
            f"AND o.held_until IS NOT NULL {held}AND {chosen}",
            params,
        )
        found = [float(r["due"]) for r in (row, until) if r is not None and r["due"] is not None]
        return min(found) if found else None

    async def in_flight(self, channel_ids: Collection[int], *, now: float | None = None) -> int:
        """Messages of these (unpaused) channels claimed under a lease live at ``now`` — being
        delivered, possibly by another process (``check`` beside ``run``)."""
        ids = sorted(channel_ids)
        if not ids:
            return 0
        row = await self.db.fetchone(
            "SELECT count(*) AS n FROM outbox o JOIN channels c ON c.id = o.channel_id "
            "WHERE o.state = 'sending' AND o.claimed_until >= ? AND c.paused_reason IS NULL "
            f"AND o.channel_id IN ({marks(ids)})",
            (time.time() if now is None else now, *ids),
        )
        return int(row["n"]) if row else 0

    async def states(self) -> builtins.list[tuple[str, int, str, int, str]]:
        """(paper id, channel id, kind, version, state) of every message — for tests and tools."""
        rows = await self.db.fetchall(
            "SELECT paper_id, channel_id, kind, version, state FROM outbox ORDER BY id"
        )
        return [(r["paper_id"], r["channel_id"], r["kind"], r["version"], r["state"]) for r in rows]
