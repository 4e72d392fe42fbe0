"""Queued alerts (:class:`QueuedAlert`) and the outbox rows of author identity (#15): alerts
held until an index confirms a followed person wrote the paper, let go (to routing, in a
channel with volume settings) or dropped. Kept apart from :mod:`bot.store.outbox`, which
calls :func:`queue_held` and :func:`release_held` inside the transaction that queues a
listing's alerts."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import aiosqlite

from bot.store.db import Database

#: Rows an identity check holds back: waiting for the index, or held out by it.
IDENTITY_HELD = (
    "(state = 'held' AND hold_reason = 'identity') OR "
    "(state = 'dropped' AND drop_reason LIKE 'held out:%')"
)
#: A channel whose alerts are routed by its volume settings (``VolumeSettings.plain`` false).
MANAGED = "(mode != 'instant' OR cap IS NOT NULL OR quiet_from IS NOT NULL)"
#: An identity-held (or held-out) alert let go, at ``?`` (epoch s): pending at once in a plain
#: channel; in a managed one held "new", so the next delivery round routes it like any fresh
#: alert (digest, quiet hours, cap count it).
_IN_MANAGED = f"(SELECT {MANAGED} FROM channels c WHERE c.id = outbox.channel_id)"
_RELEASED = (
    f"not_before=0, state=CASE WHEN {_IN_MANAGED} THEN 'held' ELSE 'pending' END, "
    f"hold_reason=CASE WHEN {_IN_MANAGED} THEN 'new' ELSE NULL END, "
    f"held_until=CASE WHEN {_IN_MANAGED} THEN 0 ELSE NULL END, drop_reason=NULL, "
    f"admitted_at=CASE WHEN {_IN_MANAGED} THEN NULL ELSE ? END"
)


@dataclass(frozen=True, slots=True)
class IdentityHeld:
    """An alert held until the index confirms a followed person wrote the paper."""

    id: int
    paper_id: str
    channel_id: int
    reasons: str
    held_until: float | None  # the deadline, once the first check set it


# -- writes inside another module's transaction ---------------------------------------------


@dataclass(frozen=True, slots=True)
class QueuedAlert:
    """An alert to queue: the paper (at ``version``) for one channel, and why it matched."""

    paper_id: str
    channel_id: int
    version: int
    reasons: tuple[str, ...]
    #: The matching subscriptions' ids, in the order of ``reasons`` (digests group by them).
    subscription_ids: tuple[int, ...] = ()
    #: Queue the alert held for this reason (``identity``: only person subscriptions matched,
    #: their index has to confirm the author first) instead of pending.
    hold: str | None = None
    #: Another subscription of the channel matches now: a row of this paper and channel held
    #: (or dropped) for ``identity`` is posted at once, with these reasons.
    release_identity: bool = False


async def queue_held(
    conn: aiosqlite.Connection, held: Sequence[QueuedAlert], created: str, now: float
) -> None:
    """Queue ``held`` alerts (each with its ``hold`` reason) as held rows."""
    if not held:
        return
    await conn.executemany(
        "INSERT OR IGNORE INTO outbox(paper_id, channel_id, kind, version, reasons, "
        "sub_ids, created_at, state, hold_reason, held_at) "
        "VALUES (?, ?, 'alert', ?, ?, ?, ?, 'held', ?, ?)",
        [
            (
                a.paper_id,
                a.channel_id,
                a.version,
                "\n".join(a.reasons),
                " ".join(map(str, a.subscription_ids)),
                created,
                a.hold,
                now,
            )
            for a in held
        ],
    )


async def release_held(
    conn: aiosqlite.Connection, released: Sequence[QueuedAlert], now: float
) -> None:
    """Another subscription of the channel matches these papers now: their identity-held
    (or held-out) rows go out, with the new reasons added."""
    if not released:
        return
    await conn.executemany(
        f"UPDATE outbox SET reasons=reasons || char(10) || ?, {_RELEASED} "
        f"WHERE paper_id=? AND channel_id=? AND kind='alert' AND ({IDENTITY_HELD})",
        [("\n".join(a.reasons), now, a.paper_id, a.channel_id) for a in released],
    )


class IdentityQueue:
    """The outbox's identity methods (mixed into :class:`~bot.store.outbox.Outbox`)."""

    db: Database

    async def identity_held(self, *, limit: int = 10_000) -> list[IdentityHeld]:
        """Alerts held for an identity check, oldest first."""
        rows = await self.db.fetchall(
            "SELECT id, paper_id, channel_id, reasons, held_until FROM outbox "
            "WHERE state='held' AND hold_reason='identity' AND kind='alert' ORDER BY id LIMIT ?",
            (limit,),
        )
        return [
            IdentityHeld(r["id"], r["paper_id"], r["channel_id"], r["reasons"], r["held_until"])
            for r in rows
        ]

    async def settle_identity(
        self,
        *,
        released: Sequence[tuple[int, str]] = (),
        dropped: Sequence[tuple[int, str]] = (),
        deadlines: Sequence[tuple[int, float]] = (),
        now: float | None = None,
    ) -> None:
        """Identity checks done: ``released`` ``(id, reasons)`` become pending with the
        reasons the alert shows; ``dropped`` ``(id, why)`` will not be sent (``why`` starts
        with "held out:" when the index credits another person); ``deadlines`` ``(id, epoch
        s)``: rows seen for the first time wait until then at most."""
        now = time.time() if now is None else now
        async with self.db.transaction() as conn:
            await conn.executemany(
                "UPDATE outbox SET held_until=? WHERE id=? AND state='held'",
                [(until, i) for i, until in deadlines],
            )
            await conn.executemany(
                f"UPDATE outbox SET reasons=?, {_RELEASED} WHERE id=? AND state='held'",
                [(reasons, now, i) for i, reasons in released],
            )
            await conn.executemany(
                "UPDATE outbox SET state='dropped', drop_reason=?, dropped_at=? "
                "WHERE id=? AND state='held'",
                [(why, now, i) for i, why in dropped],
            )
