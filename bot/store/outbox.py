"""The outbox: messages owed to channels, claimed atomically, marked sent only after the
platform accepted them.

Every write to the ``outbox`` table is in this module. The module-level functions run inside a
transaction another table module opened (papers queue their alerts in the transaction that
stores them; pausing a channel hands its claims back in the same transaction).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Collection, Sequence

import aiosqlite

from bot.model import MessageKind, OutboxMessage
from bot.store.db import changed, fetch_rows, now_iso
from bot.store.outbox_identity import (
    MANAGED,
    IdentityQueue,
    QueuedAlert,
    queue_held,
    release_held,
)
from bot.store.outbox_reads import PARENT_READY, OutboxReads, marks

#: A claim whose lease ran out was interrupted mid-send: its outcome is unknown, so the next
#: attempt checks the platform from the time that claim began.
_LOST_CLAIM = "check_from=coalesce(check_from, claimed_at)"

_MSG_COLUMNS = (
    "o.id, o.paper_id, o.channel_id, o.kind, o.version, o.reasons, o.parent_id, "
    "p.platform_ref AS parent_ref, o.attempts, o.check_from"
)
_INSERT = (
    "INSERT OR IGNORE INTO outbox(paper_id, channel_id, kind, version, reasons, parent_id, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
#: An alert is born pending (admitted at once) in a plain instant channel, and held "new" in a
#: channel with volume settings: the next delivery round routes it (digest, quiet, cap), and
#: its ``held_at`` (when it matched) picks its digest, however late the round runs.
_INSERT_ALERT = (
    "INSERT OR IGNORE INTO outbox(paper_id, channel_id, kind, version, reasons, sub_ids, "
    "state, hold_reason, held_until, held_at, admitted_at, created_at) "
    "VALUES (?, ?, 'alert', ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
#: Alert rows that reached (or will reach) the channel as alerts of their own: version notes
#: go only under these (a paper in a digest or an overflow message gets none).
_OWN_ALERT = (
    "state IN ('pending', 'sending', 'sent') AND NOT EXISTS "
    "(SELECT 1 FROM digest_entries e WHERE e.alert_id = outbox.id)"
)


def _message(row: sqlite3.Row) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        paper_id=row["paper_id"],
        channel_id=row["channel_id"],
        kind=MessageKind(row["kind"]),
        version=row["version"],
        reasons=tuple(r for r in row["reasons"].split("\n") if r),
        parent_id=row["parent_id"],
        parent_ref=row["parent_ref"],
        attempts=row["attempts"],
        check_from=row["check_from"],
    )


async def queue_alerts(
    conn: aiosqlite.Connection, alerts: Sequence[QueuedAlert], *, now: float | None = None
) -> int:
    """Queue alerts (at most one per paper and channel, ever); the number actually queued.
    ``now`` (epoch seconds) is when they were admitted, in channels that admit at once."""
    if not alerts:
        return 0
    now = time.time() if now is None else now
    created = now_iso()
    ids = sorted({a.channel_id for a in alerts})
    managed = {
        r["id"]
        for r in await fetch_rows(
            conn, f"SELECT id FROM channels WHERE id IN ({marks(ids)}) AND {MANAGED}", ids
        )
    }
    before = conn.total_changes
    await conn.executemany(
        _INSERT_ALERT,
        [
            (
                a.paper_id,
                a.channel_id,
                a.version,
                "\n".join(a.reasons),
                " ".join(map(str, a.subscription_ids)),
                *(
                    ("held", "new", 0.0, now, None)
                    if a.channel_id in managed
                    else ("pending", None, None, None, now)
                ),
                created,
            )
            for a in alerts
            if a.hold is None
        ],
    )
    await queue_held(conn, [a for a in alerts if a.hold is not None], created, now)
    await release_held(conn, [a for a in alerts if a.release_identity], now)
    return conn.total_changes - before


async def queue_version_notes(
    conn: aiosqlite.Connection, bumped: Sequence[tuple[str, int]], channels: Collection[int]
) -> int:
    """For each ``(paper id, new version)``, a thread reply under the paper's alert in each of
    ``channels`` that has one (and did not refuse it)."""
    if not bumped or not channels:
        return 0
    created = now_iso()
    rows: list[tuple[object, ...]] = []
    for arxiv_id, version in bumped:
        for row in await fetch_rows(
            conn,
            f"SELECT id, channel_id FROM outbox WHERE paper_id = ? AND kind = 'alert' "
            f"AND {_OWN_ALERT}",
            (arxiv_id,),
        ):
            if row["channel_id"] in channels:
                rows.append(
                    (
                        arxiv_id,
                        row["channel_id"],
                        MessageKind.VERSION.value,
                        version,
                        "",
                        row["id"],
                        created,
                    )
                )
    if not rows:
        return 0
    before = conn.total_changes
    await conn.executemany(_INSERT, rows)
    return conn.total_changes - before


async def release_channel(conn: aiosqlite.Connection, channel_id: int) -> None:
    """Hand a channel's claimed messages back to the queue (the channel is being paused)."""
    await conn.execute(
        "UPDATE outbox SET state='pending', claimed_by=NULL, claimed_until=NULL "
        "WHERE channel_id=? AND state='sending'",
        (channel_id,),
    )


async def due_now(conn: aiosqlite.Connection, channel_id: int) -> None:
    """Make a channel's pending messages due at once (the channel was resumed)."""
    await conn.execute(
        "UPDATE outbox SET not_before=0 WHERE channel_id=? AND state='pending'", (channel_id,)
    )


# -- the outbox's own methods ---------------------------------------------------------------


class Outbox(IdentityQueue, OutboxReads):
    """Named methods for the outbox table (the reads are :class:`OutboxReads`')."""

    async def claim_due(
        self,
        worker: str,
        *,
        now: float | None = None,
        limit: int = 100,
        per_channel: int | None = None,
        lease: float = 120.0,
        channel_ids: Collection[int] | None = None,
    ) -> list[OutboxMessage]:
        """Atomically claim up to ``limit`` messages due at ``now`` (epoch seconds; default: the
        wall clock) of unpaused channels, at most ``per_channel`` of each (so one channel's
        backlog never holds up the others, and a paced batch fits in its lease).

        A claim is a lease: a worker that dies leaves its messages to be claimed again when the
        lease runs out (or at once by :meth:`release_claims_of` when its death is known).
        Thread replies wait until their parent alert is sent.
        """
        now = time.time() if now is None else now
        channel_filter = ""
        params: list[object] = [now, now]
        if channel_ids is not None:
            ids = sorted(channel_ids)
            if not ids:
                return []
            channel_filter = f" AND o.channel_id IN ({marks(ids)})"
            params.extend(ids)
        params.extend((per_channel or limit, limit))
        async with self.db.transaction() as conn:
            rows = await fetch_rows(
                conn,
                "SELECT id FROM (SELECT o.id, row_number() OVER "
                "(PARTITION BY o.channel_id ORDER BY o.id) AS n "
                "FROM outbox o JOIN channels c ON c.id = o.channel_id "
                "LEFT JOIN outbox p ON p.id = o.parent_id "
                "WHERE c.paused_reason IS NULL AND ("
                "(o.state = 'pending' AND o.not_before <= ?) OR "
                "(o.state = 'sending' AND o.claimed_until < ?)) "
                f"AND {PARENT_READY}" + channel_filter + ") "
                "WHERE n <= ? ORDER BY id LIMIT ?",
                params,
            )
            ids = [r["id"] for r in rows]
            if not ids:
                return []
            await conn.execute(
                f"UPDATE outbox SET check_from=CASE WHEN state='sending' THEN "
                f"coalesce(check_from, claimed_at) ELSE check_from END, state='sending', "
                f"claimed_by=?, claimed_at=?, claimed_until=?, attempts=attempts+1 "
                f"WHERE id IN ({marks(ids)})",
                (worker, now, now + lease, *ids),
            )
            claimed = await fetch_rows(
                conn,
                f"SELECT {_MSG_COLUMNS} FROM outbox o LEFT JOIN outbox p ON p.id = o.parent_id "
                f"WHERE o.id IN ({marks(ids)}) ORDER BY o.id",
                ids,
            )
        return [_message(r) for r in claimed]

    async def mark_sent(
        self,
        message: OutboxMessage,
        platform_ref: str | None,
        replies: Sequence[MessageKind] = (),
    ) -> None:
        """Record the platform's acceptance; queue thread ``replies`` (kinds) in the same
        transaction, so a reply is neither lost nor doubled."""
        now = now_iso()
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET state='sent', platform_ref=?, sent_at=?, claimed_by=NULL, "
                "claimed_until=NULL, last_error=NULL, check_from=NULL WHERE id=?",
                (platform_ref, now, message.id),
            )
            if message.kind.bundle:  # the papers it carried reached the channel with it
                await conn.execute(
                    "UPDATE outbox SET state='sent', platform_ref=?, sent_at=?, held_until=NULL "
                    "WHERE id IN (SELECT alert_id FROM digest_entries WHERE part_id=?)",
                    (platform_ref, now, message.id),
                )
            if replies and platform_ref:
                await conn.executemany(
                    _INSERT,
                    [
                        (
                            message.paper_id,
                            message.channel_id,
                            MessageKind(k).value,
                            message.version,
                            "",
                            message.id,
                            now,
                        )
                        for k in replies
                    ],
                )

    async def retry_later(
        self,
        message_ids: Sequence[int],
        until: float,
        error: str,
        *,
        unknown: int | None = None,
    ) -> None:
        """Give messages back to the queue, due again at ``until`` (epoch seconds), with the
        reason. ``unknown``: the id of the one whose send may have been posted (its answer
        was lost): its next attempt checks the platform from when this claim began."""
        if not message_ids:
            return
        async with self.db.transaction() as conn:
            if unknown is not None:
                await conn.execute(f"UPDATE outbox SET {_LOST_CLAIM} WHERE id=?", (unknown,))
            await conn.execute(
                f"UPDATE outbox SET state='pending', not_before=?, claimed_by=NULL, "
                f"claimed_until=NULL, last_error=? WHERE id IN ({marks(message_ids)})",
                (until, error, *message_ids),
            )

    async def release(self, message_ids: Sequence[int]) -> None:
        """Give claimed messages back untouched (shutdown before sending them)."""
        if not message_ids:
            return
        async with self.db.transaction() as conn:
            await conn.execute(
                f"UPDATE outbox SET state='pending', claimed_by=NULL, claimed_until=NULL, "
                f"attempts=max(attempts-1, 0) WHERE state='sending' "
                f"AND id IN ({marks(message_ids)})",
                message_ids,
            )

    async def mark_failed(self, message_id: int, error: str) -> None:
        """The platform refused this message for good (HTTP 400): record why, with its replies
        (but an overflow message carries other papers: it is posted on its own instead)."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET state='failed', last_error=?, claimed_by=NULL, "
                "claimed_until=NULL WHERE id=? OR (parent_id=? AND kind != 'overflow')",
                (error, message_id, message_id),
            )

    async def release_claims_of(self, workers: Sequence[str]) -> int:
        """Return the claims of workers known to be dead to the queue at once."""
        if not workers:
            return 0
        async with self.db.transaction() as conn:
            return await changed(
                conn,
                f"UPDATE outbox SET state='pending', {_LOST_CLAIM}, claimed_by=NULL, "
                f"claimed_until=NULL WHERE state='sending' AND claimed_by IN ({marks(workers)})",
                workers,
            )

    async def requeue_failed(self, channel_ids: Collection[int]) -> int:
        """``paperbot retry``: the refused messages of these channels (with their thread
        replies) are owed again, due at once; the number re-queued."""
        ids = sorted(channel_ids)
        if not ids:
            return 0
        async with self.db.transaction() as conn:
            return await changed(
                conn,
                f"UPDATE outbox SET state='pending', not_before=0, last_error=NULL, "
                f"attempts=0 WHERE state='failed' AND channel_id IN ({marks(ids)})",
                ids,
            )
