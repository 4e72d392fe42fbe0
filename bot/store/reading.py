"""The reading list (``saved``: one mark per person and paper in a channel), the alerts a
reaction or a button press names, and the platform events already handled (``seen_events``)."""

from __future__ import annotations

import builtins
from datetime import datetime

from bot.model import SavedBy, SavedPaper, SaveVia
from bot.store.db import Database, changed, parse_dt
from bot.store.papers import Papers

#: A platform retries an event for minutes at most; a day is ample, and the cap bounds a flood.
SEEN_EVENTS_SECONDS = 86_400.0
SEEN_EVENTS_MAX = 10_000


class ReadingList:
    """Named methods for the ``saved`` table and the look-up of the bot's own alerts."""

    def __init__(self, db: Database, papers: Papers) -> None:
        self.db = db
        self.papers = papers

    async def save(
        self,
        channel_id: int,
        paper_id: str,
        user_id: str,
        user_name: str,
        via: SaveVia,
        at: datetime,
    ) -> bool:
        """Mark ``paper_id`` (a stored paper) for this person; False when they already had.
        A mark keeps how it was first made."""
        async with self.db.transaction() as conn:
            count = await changed(
                conn,
                "INSERT OR IGNORE INTO saved (channel_id, paper_id, user_id, user_name, via, "
                "saved_at) VALUES (?, ?, ?, ?, ?, ?)",
                (channel_id, paper_id, user_id, user_name, via.value, at.isoformat()),
            )
        return count > 0

    async def unsave(self, channel_id: int, paper_id: str) -> int:
        """Take the paper off the channel's list (everyone's marks); how many marks it had."""
        async with self.db.transaction() as conn:
            return await changed(
                conn, "DELETE FROM saved WHERE channel_id=? AND paper_id=?", (channel_id, paper_id)
            )

    async def unmark(self, channel_id: int, paper_id: str, user_id: str, via: SaveVia) -> bool:
        """Remove one person's mark if ``via`` made it (a 📌 taken off removes what the 📌
        put there, not a save made by command or button)."""
        async with self.db.transaction() as conn:
            count = await changed(
                conn,
                "DELETE FROM saved WHERE channel_id=? AND paper_id=? AND user_id=? AND via=?",
                (channel_id, paper_id, user_id, via.value),
            )
        return count > 0

    async def list(self, channel_id: int) -> builtins.list[SavedPaper]:
        """The channel's reading list: the most recently marked paper first, each with its
        marks, the newest first."""
        rows = await self.db.fetchall(
            "SELECT paper_id, user_id, user_name, via, saved_at FROM saved WHERE channel_id=? "
            "ORDER BY saved_at DESC, rowid DESC",
            (channel_id,),
        )
        marks: dict[str, list[SavedBy]] = {}
        for row in rows:
            at = parse_dt(row["saved_at"])
            assert at is not None  # NOT NULL
            mark = SavedBy(row["user_id"], row["user_name"], SaveVia(row["via"]), at)
            marks.setdefault(row["paper_id"], []).append(mark)
        papers = await self.papers.get_many(builtins.list(marks))
        return [SavedPaper(papers[pid], tuple(m)) for pid, m in marks.items() if pid in papers]

    async def alert_at(
        self, channel_id: int, message_ref: str, paper_id: str | None = None
    ) -> str | None:
        """The paper of the alert the bot posted in this channel as ``message_ref`` (a Slack
        ``ts``, a Discord message id); None when that message is none of its alerts (a thread
        reply, a digest, another kind of message, someone else's). With ``paper_id`` (a Save
        button's), an alert of that paper here counts too when its reference was not recorded
        (the answer to its send was lost)."""
        row = await self.db.fetchone(
            "SELECT paper_id FROM outbox WHERE channel_id=? AND platform_ref=? AND kind='alert'",
            (channel_id, message_ref),
        )
        if row is not None:
            return str(row["paper_id"])
        if paper_id is None:
            return None
        row = await self.db.fetchone(
            "SELECT paper_id FROM outbox WHERE channel_id=? AND paper_id=? AND kind='alert' "
            "AND platform_ref IS NULL",
            (channel_id, paper_id),
        )
        return str(row["paper_id"]) if row is not None else None


class SeenEvents:
    """Platform event ids already handled, so that a retried delivery is ignored."""

    def __init__(self, db: Database, keep: int = SEEN_EVENTS_MAX) -> None:
        self.db = db
        self.keep = keep

    async def first_time(self, platform: str, event_id: str, now: float) -> bool:
        """Record ``event_id``; False when it was recorded before. Ids older than a day, and
        all but the newest ``keep`` (:data:`SEEN_EVENTS_MAX`), are forgotten."""
        async with self.db.transaction() as conn:
            count = await changed(
                conn,
                "INSERT OR IGNORE INTO seen_events (platform, event_id, seen_at) VALUES (?, ?, ?)",
                (platform, event_id, now),
            )
            if count:
                await conn.execute(
                    "DELETE FROM seen_events WHERE seen_at < ? OR rowid <= "
                    "(SELECT max(rowid) FROM seen_events) - ?",
                    (now - SEEN_EVENTS_SECONDS, self.keep),
                )
        return count > 0

    async def count(self) -> int:
        row = await self.db.fetchone("SELECT count(*) FROM seen_events")
        return int(row[0]) if row else 0
