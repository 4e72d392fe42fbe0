"""The outbox: messages owed to channels, claimed atomically, marked sent only after the
platform accepted them."""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.model import OutboxMessage
from bot.store.db import StoreBase, now_iso

_MSG_COLUMNS = (
    "o.id, o.paper_id, o.channel_id, o.kind, o.version, o.reasons, o.parent_id, p.platform_ref, "
    "o.attempts"
)


def _message(row: tuple) -> OutboxMessage:
    return OutboxMessage(
        id=row[0],
        paper_id=row[1],
        channel_id=row[2],
        kind=row[3],
        version=row[4],
        reasons=tuple(r for r in row[5].split("\n") if r),
        parent_id=row[6],
        parent_ref=row[7],
        attempts=row[8],
    )


#: Refused messages listed by ``status`` (the count covers all of them).
RECENT_FAILURES = 5


@dataclass(frozen=True, slots=True)
class QueueSummary:
    """Outbox counts per channel id for ``status`` and ``check``."""

    pending: dict[int, int]
    failed: list[tuple[int, str, str, str]]  # the latest few: (channel id, paper id, kind, error)
    failed_count: int


class OutboxStore(StoreBase):
    """Named methods for the outbox."""

    async def claim_due(
        self,
        worker: str,
        *,
        limit: int = 100,
        per_channel: int | None = None,
        lease: float = 120.0,
        channel_ids=None,
    ) -> list[OutboxMessage]:
        """Atomically claim up to ``limit`` due messages of unpaused channels, at most
        ``per_channel`` of each (so one channel's backlog never holds up the others, and a
        paced batch fits in its lease).

        A claim is a lease: a worker that dies leaves its messages to be claimed again when the
        lease runs out (or at once by :meth:`release_claims_of` when its death is known).
        Thread replies wait until their parent alert is sent.
        """
        now = time.time()
        channel_filter = ""
        params: list = [now, now]
        if channel_ids is not None:
            ids = sorted(channel_ids)
            if not ids:
                return []
            channel_filter = f" AND o.channel_id IN ({','.join('?' * len(ids))})"
            params.extend(ids)
        params.extend((per_channel or limit, limit))
        async with self.transaction() as conn:
            async with conn.execute(
                "SELECT id FROM (SELECT o.id, row_number() OVER "
                "(PARTITION BY o.channel_id ORDER BY o.id) AS n "
                "FROM outbox o JOIN channels c ON c.id = o.channel_id "
                "LEFT JOIN outbox p ON p.id = o.parent_id "
                "WHERE c.paused_reason IS NULL AND ("
                "(o.state = 'pending' AND o.not_before <= ?) OR "
                "(o.state = 'sending' AND o.claimed_until < ?)) "
                "AND (o.parent_id IS NULL OR p.state = 'sent')" + channel_filter + ") "
                "WHERE n <= ? ORDER BY id LIMIT ?",
                params,
            ) as cur:
                ids = [r[0] for r in await cur.fetchall()]
            if not ids:
                return []
            marks = ",".join("?" * len(ids))
            await conn.execute(
                f"UPDATE outbox SET state='sending', claimed_by=?, claimed_until=?, "
                f"attempts=attempts+1 WHERE id IN ({marks})",
                (worker, now + lease, *ids),
            )
            async with conn.execute(
                f"SELECT {_MSG_COLUMNS} FROM outbox o LEFT JOIN outbox p ON p.id = o.parent_id "
                f"WHERE o.id IN ({marks}) ORDER BY o.id",
                ids,
            ) as cur:
                return [_message(r) for r in await cur.fetchall()]

    async def mark_sent(
        self, message: OutboxMessage, platform_ref: str | None, replies: tuple[str, ...] = ()
    ) -> None:
        """Record the platform's acceptance; queue thread ``replies`` (kinds) in the same
        transaction, so a reply is neither lost nor doubled."""
        now = now_iso()
        async with self.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET state='sent', platform_ref=?, sent_at=?, claimed_by=NULL, "
                "claimed_until=NULL, last_error=NULL WHERE id=?",
                (platform_ref, now, message.id),
            )
            if replies and platform_ref:
                await conn.executemany(
                    "INSERT OR IGNORE INTO outbox(paper_id, channel_id, kind, version, reasons, "
                    "parent_id, created_at) VALUES (?, ?, ?, ?, '', ?, ?)",
                    [
                        (message.paper_id, message.channel_id, k, message.version, message.id, now)
                        for k in replies
                    ],
                )

    async def retry_later(self, message_ids: int | list[int], delay: float, error: str) -> None:
        """Give messages back to the queue, due again in ``delay`` seconds, with the reason."""
        ids = [message_ids] if isinstance(message_ids, int) else message_ids
        if not ids:
            return
        async with self.transaction() as conn:
            await conn.execute(
                f"UPDATE outbox SET state='pending', not_before=?, claimed_by=NULL, "
                f"claimed_until=NULL, last_error=? WHERE id IN ({','.join('?' * len(ids))})",
                (time.time() + delay, error, *ids),
            )

    async def release(self, message_ids: list[int]) -> None:
        """Give claimed messages back untouched (shutdown before sending them)."""
        if not message_ids:
            return
        marks = ",".join("?" * len(message_ids))
        async with self.transaction() as conn:
            await conn.execute(
                f"UPDATE outbox SET state='pending', claimed_by=NULL, claimed_until=NULL, "
                f"attempts=max(attempts-1, 0) WHERE state='sending' AND id IN ({marks})",
                message_ids,
            )

    async def mark_failed(self, message_id: int, error: str) -> None:
        """The platform refused this message for good (HTTP 400): record why, with its replies."""
        async with self.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET state='failed', last_error=?, claimed_by=NULL, "
                "claimed_until=NULL WHERE id=? OR parent_id=?",
                (error, message_id, message_id),
            )

    async def release_claims_of(self, workers: list[str]) -> int:
        """Return the claims of workers known to be dead to the queue at once."""
        if not workers:
            return 0
        marks = ",".join("?" * len(workers))
        async with self.transaction() as conn:
            cur = await conn.execute(
                f"UPDATE outbox SET state='pending', claimed_by=NULL, claimed_until=NULL "
                f"WHERE state='sending' AND claimed_by IN ({marks})",
                workers,
            )
            count = cur.rowcount
            await cur.close()
        return count

    async def claim_owners(self) -> list[str]:
        rows = await self.fetchall(
            "SELECT DISTINCT claimed_by FROM outbox WHERE state='sending' AND claimed_by "
            "IS NOT NULL"
        )
        return [r[0] for r in rows]

    async def outbox_summary(self) -> QueueSummary:
        pending = {
            r[0]: r[1]
            for r in await self.fetchall(
                "SELECT channel_id, count(*) FROM outbox WHERE state IN ('pending', 'sending') "
                "GROUP BY channel_id"
            )
        }
        failed = [
            (r[0], r[1], r[2], r[3] or "")
            for r in await self.fetchall(
                "SELECT channel_id, paper_id, kind, last_error FROM outbox WHERE state='failed' "
                "ORDER BY id DESC LIMIT ?",
                (RECENT_FAILURES,),
            )
        ][::-1]
        row = await self.fetchone("SELECT count(*) FROM outbox WHERE state='failed'")
        return QueueSummary(pending, failed, int(row[0]) if row else 0)

    async def next_due(self, channel_ids: set[int] | frozenset[int]) -> float | None:
        """When the earliest pending message of these (unpaused) channels becomes due."""
        ids = sorted(channel_ids)
        if not ids:
            return None
        # The same rule as claim_due: a thread reply waits for its parent to be sent.
        row = await self.fetchone(
            "SELECT min(o.not_before) FROM outbox o JOIN channels c ON c.id = o.channel_id "
            "LEFT JOIN outbox p ON p.id = o.parent_id "
            "WHERE o.state = 'pending' AND c.paused_reason IS NULL "
            "AND (o.parent_id IS NULL OR p.state = 'sent') "
            f"AND o.channel_id IN ({','.join('?' * len(ids))})",
            ids,
        )
        return float(row[0]) if row and row[0] is not None else None

    async def in_flight(self, channel_ids: set[int] | frozenset[int]) -> int:
        """Messages of these (unpaused) channels claimed under a live lease — being delivered,
        possibly by another process (``check`` beside ``run``)."""
        ids = sorted(channel_ids)
        if not ids:
            return 0
        row = await self.fetchone(
            "SELECT count(*) FROM outbox o JOIN channels c ON c.id = o.channel_id "
            "WHERE o.state = 'sending' AND o.claimed_until >= ? AND c.paused_reason IS NULL "
            f"AND o.channel_id IN ({','.join('?' * len(ids))})",
            (time.time(), *ids),
        )
        return int(row[0]) if row else 0

    async def outbox_states(self) -> list[tuple[str, int, str, int, str]]:
        """(paper id, channel id, kind, version, state) of every message — for tests and tools."""
        rows = await self.fetchall(
            "SELECT paper_id, channel_id, kind, version, state FROM outbox ORDER BY id"
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]
