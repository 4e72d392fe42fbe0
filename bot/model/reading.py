"""The reading list: papers a channel keeps, and who marked each one, how and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.model.paper import Paper


class SaveVia(StrEnum):
    """How a mark was made: ``save ID`` (chat or CLI), an alert's Save button, or a 📌."""

    COMMAND = "command"
    BUTTON = "button"
    REACTION = "reaction"


@dataclass(frozen=True, slots=True)
class Mark:
    """A Save button pressed on, or a 📌 put on (``on``) or taken off, a message the bot posted.

    ``message_ref`` is the platform's id of that message (Slack ``ts``, Discord message id): the
    paper is the one the bot's alert there is about, and a message that is no alert of the bot's
    (a digest, someone else's message) is ignored. ``paper_id`` is what a Save button carries,
    used when the alert's id was not recorded (its send's answer was lost).
    """

    via: SaveVia
    message_ref: str
    on: bool = True
    paper_id: str | None = None


@dataclass(frozen=True, slots=True)
class SavedBy:
    """One person's mark on a saved paper."""

    user_id: str
    user_name: str
    via: SaveVia
    at: datetime

    @property
    def who(self) -> str:
        """The name the platform gave, else its id for the person."""
        return self.user_name or self.user_id


@dataclass(frozen=True, slots=True)
class SavedPaper:
    """A paper on a channel's reading list with its marks, the newest first."""

    paper: Paper
    marks: tuple[SavedBy, ...]

    @property
    def newest(self) -> datetime:
        return self.marks[0].at
