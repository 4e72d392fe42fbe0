"""Channels, subscriptions, commands, replies and the messages owed to channels."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from bot.model.paper import Paper
from bot.model.scholarly import PaperRecord
from bot.model.volume import VolumeSettings


@dataclass(frozen=True, slots=True)
class Channel:
    """A place alerts go to. ``name`` is the config name or ``slack:T/C`` / ``discord:G/C``."""

    id: int
    name: str
    platform: str
    external_id: str | None = None
    paused_reason: str | None = None
    paused_at: datetime | None = None
    #: Mode, time zone, cap, quiet hours (``mode``, ``cap``, ``quiet``).
    volume: VolumeSettings = field(default_factory=VolumeSettings)


class SubscriptionKind(StrEnum):
    AUTHOR = "author"
    TOPIC = "topic"
    CATEGORY = "category"


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    channel_id: int
    kind: SubscriptionKind
    value: str
    created_by: str | None = None
    created_at: datetime | None = None

    @property
    def label(self) -> str:
        """How an alert says why it matched: ``author: Babuschkin, Igor``."""
        return f"{self.kind.value}: {self.value}"


@dataclass(frozen=True, slots=True)
class Document:
    """A text file an answer carries (a BibTeX bibliography): the console and the CLI print
    ``content`` as it is; Slack and Discord show it as text where it fits in one message and
    send it as the file ``filename`` where it does not."""

    filename: str
    content: str


@dataclass(frozen=True, slots=True)
class Action:
    """A button on an answer that runs ``command`` (a line of the core's grammar, such as
    ``subscribe author openalex:A5100000001``) for whoever presses it, exactly as if they had
    typed it: the same permission check, the same answer. ``label`` is the button's text
    (``Follow Wei Wang``). Slack and Discord show buttons; the console and the CLI, which have
    none, show the command to type."""

    label: str
    command: str


@dataclass(frozen=True, slots=True)
class Reply:
    """A neutral answer to a command. ``text`` is Markdown-like; adapters render it.

    ``papers`` carries paper cards to render richly where the platform can; ``records`` what
    an index knows of them (published version, citations, TL;DR: see
    :func:`bot.model.text.card_summary`); ``ephemeral`` asks for a reply only the caller sees;
    ``error`` marks usage/permission errors; ``document`` is a file's text to show after
    ``text`` (see :class:`Document`); ``actions`` are buttons under it (see :class:`Action`).
    """

    text: str
    papers: tuple[Paper, ...] = ()
    ephemeral: bool = True
    error: bool = False
    records: tuple[PaperRecord, ...] = ()  # last: earlier fields keep their positions
    document: Document | None = None
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True, slots=True)
class CommandContext:
    """Who runs a command, and where. ``channel_name`` is the neutral channel name."""

    platform: str
    channel_name: str
    user_id: str = "console"
    user_name: str = ""
    #: Whether the user may change this channel's subscriptions; None when the platform could
    #: not be asked (the answer says so instead of "you do not have permission").
    can_manage: bool | None = True
    #: The platform's channel id (Slack ``C…``, Discord snowflake); chat channels are created
    #: from it on first subscribe. None for config-only channels such as the console.
    external_id: str | None = None
    #: The workspace or guild the command comes from, as the prefix of its chat channels'
    #: names (``slack:T0123``, ``discord:900``): chat ``status`` shows only those channels
    #: (and the one typed in). None sees everything (the console, the CLI).
    scope: str | None = None


class MessageKind(StrEnum):
    """What an outbox message is: the paper's card, a reply in the card's thread, or a message
    carrying several papers."""

    ALERT = "alert"  # the paper's card
    ABSTRACT = "abstract"  # the full abstract, in the alert's thread
    VERSION = "version"  # a new version, noted in the alert's thread
    DIGEST = "digest"  # one part of a digest (parts after the first in the first's thread)
    OVERFLOW = "overflow"  # "+M more today" past a cap, under the batch's last alert

    @property
    def bundle(self) -> bool:
        """A message carrying several papers (a digest part, an overflow message)."""
        return self in (MessageKind.DIGEST, MessageKind.OVERFLOW)


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One message waiting in (or claimed from) the outbox.

    ``kind`` is ``alert`` (the paper's card), ``abstract`` (full abstract in the alert's thread)
    or ``version`` (a new version noted in the alert's thread). ``parent_ref`` is the platform's
    id of the parent alert (Slack ``ts``, Discord message id) for thread replies.
    """

    id: int
    paper_id: str
    channel_id: int
    kind: MessageKind
    version: int
    reasons: tuple[str, ...] = ()
    parent_id: int | None = None
    parent_ref: str | None = None
    attempts: int = 0
    #: Set when an earlier attempt's outcome is unknown (its answer never came, the process
    #: died mid-send, the platform said it may have posted): epoch seconds from which an
    #: adapter that can look (``find_sent``) searches the channel before sending again.
    check_from: float | None = None

    @property
    def key(self) -> str:
        """Stable identity of this message across processes and restarts."""
        return f"{self.paper_id}:{self.channel_id}:{self.kind}:{self.version}"


@dataclass(frozen=True, slots=True)
class Alert:
    """A neutral alert for one paper in one channel; each adapter renders it its own way.

    Text fields are plain (unescaped) text: escaping is the renderer's job.
    """

    paper: Paper
    authors_line: str
    summary: str
    reasons: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return self.paper.title

    @property
    def date(self) -> date | None:
        return self.paper.display_date
