"""What happened to a paper in a channel, read for ``why``: its alert row (state, when it was
queued and sent, why it is held or was dropped) and when the store first saw the paper."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.store.db import Database, parse_dt


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """A paper's alert in one channel, as the outbox holds it (migration 6's columns)."""

    id: int
    state: str  # pending, sending, sent, failed, held, dropped
    version: int
    sub_ids: tuple[int, ...]
    reasons: tuple[str, ...]
    created_at: datetime | None
    sent_at: datetime | None
    last_error: str | None
    hold_reason: str | None
    held_until: float | None
    drop_reason: str | None


class History:
    """Named reads of a paper's past in the store."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def alert(self, paper_id: str, channel_id: int) -> AlertRecord | None:
        """The paper's alert in the channel (one per paper and channel, ever), if any."""
        row = await self.db.fetchone(
            "SELECT id, state, version, sub_ids, reasons, created_at, sent_at, last_error, "
            "hold_reason, held_until, drop_reason FROM outbox "
            "WHERE paper_id = ? AND channel_id = ? AND kind = 'alert'",
            (paper_id, channel_id),
        )
        if row is None:
            return None
        return AlertRecord(
            id=row["id"],
            state=row["state"],
            version=row["version"],
            sub_ids=tuple(int(s) for s in row["sub_ids"].split()),
            reasons=tuple(r for r in row["reasons"].split("\n") if r),
            created_at=parse_dt(row["created_at"]),
            sent_at=parse_dt(row["sent_at"]),
            last_error=row["last_error"],
            hold_reason=row["hold_reason"],
            held_until=row["held_until"],
            drop_reason=row["drop_reason"],
        )

    async def first_seen(self, paper_id: str) -> datetime | None:
        """When a listing or look-up first stored the paper (wall clock, like a
        subscription's ``created_at``)."""
        row = await self.db.fetchone(
            "SELECT first_seen FROM papers WHERE arxiv_id = ?", (paper_id,)
        )
        return parse_dt(row["first_seen"]) if row else None
