"""Platform-neutral types shared by the whole bot.

Small frozen dataclasses only; this module imports nothing but the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

ARXIV_ABS = "https://arxiv.org/abs/"
ARXIV_PDF = "https://arxiv.org/pdf/"


class AnnounceType(StrEnum):
    """How a listing presents an item. Only NEW and CROSS are first announcements."""

    NEW = "new"
    CROSS = "cross"
    REPLACE = "replace"
    REPLACE_CROSS = "replace-cross"

    @property
    def is_first_announcement(self) -> bool:
        return self in (AnnounceType.NEW, AnnounceType.CROSS)


@dataclass(frozen=True, slots=True)
class Version:
    """One version of a paper: its number and, when known, its date."""

    number: int
    date: datetime | None = None


@dataclass(frozen=True, slots=True)
class Paper:
    """One arXiv paper, keyed by its id without version (``2308.03526``, ``hep-th/9901001``).

    ``authors`` holds display names in order, TeX accents decoded to Unicode. ``authors_raw`` keeps
    the source's author text exactly as given (an RSS ``dc:creator`` string may be garbled by
    arXiv itself; it is stored, never "repaired").
    """

    arxiv_id: str
    version: int
    title: str
    authors: tuple[str, ...] = ()
    abstract: str = ""
    primary_category: str = ""
    categories: tuple[str, ...] = ()
    published: datetime | None = None  # v1 date
    updated: datetime | None = None  # this version's date
    announced: date | None = None  # day a listing first announced it (None: not announced)
    doi: str | None = None
    comment: str | None = None
    journal_ref: str | None = None
    versions: tuple[Version, ...] = ()
    authors_raw: str | None = None

    @property
    def abs_url(self) -> str:
        return f"{ARXIV_ABS}{self.arxiv_id}"

    @property
    def pdf_url(self) -> str:
        return f"{ARXIV_PDF}{self.arxiv_id}v{self.version}"

    @property
    def doi_url(self) -> str | None:
        return f"https://doi.org/{self.doi}" if self.doi else None

    @property
    def versioned_id(self) -> str:
        return f"{self.arxiv_id}v{self.version}"


@dataclass(frozen=True, slots=True)
class ListingItem:
    """A paper as one listing presents it, with the listing's announce type."""

    paper: Paper
    announce_type: AnnounceType


@dataclass(frozen=True, slots=True)
class Listing:
    """A parsed feed: an arXiv daily listing (RSS 2.0 or RDF) or an arXiv API Atom page.

    ``kind`` is ``"rss"``, ``"rdf"`` or ``"atom"``. For listings ``pub_date`` is the
    announcement day (channel ``pubDate`` / ``dc:date``); for API pages ``total_results`` and
    ``start_index`` come from OpenSearch.
    """

    kind: str
    items: tuple[ListingItem, ...]
    category: str | None = None
    pub_date: date | None = None
    title: str = ""
    total_results: int | None = None
    start_index: int | None = None
    items_per_page: int | None = None


@dataclass(frozen=True, slots=True)
class Channel:
    """A place alerts go to. ``name`` is the config name or ``slack:T/C`` / ``discord:G/C``."""

    id: int
    name: str
    platform: str
    external_id: str | None = None
    paused_reason: str | None = None
    paused_at: datetime | None = None


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
class SourceState:
    """What we remember about one polled URL (conditional GET, health)."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    last_success: datetime | None = None
    last_attempt: datetime | None = None
    consecutive_failures: int = 0
    last_error: str | None = None
    last_pub_date: date | None = None
    disabled_reason: str | None = None
    last_items: int | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """A neutral answer to a command. ``text`` is Markdown-like; adapters render it.

    ``papers`` carries paper cards to render richly where the platform can; ``ephemeral`` asks
    for a reply only the caller sees; ``error`` marks usage/permission errors.
    """

    text: str
    papers: tuple[Paper, ...] = ()
    ephemeral: bool = True
    error: bool = False


@dataclass(frozen=True, slots=True)
class CommandContext:
    """Who runs a command, and where. ``channel_name`` is the neutral channel name."""

    platform: str
    channel_name: str
    user_id: str = "console"
    user_name: str = ""
    can_manage: bool = True
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    #: The platform's channel id (Slack ``C…``, Discord snowflake); chat channels are created
    #: from it on first subscribe. None for config-only channels such as the console.
    external_id: str | None = None


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
    kind: str
    version: int
    reasons: tuple[str, ...] = ()
    parent_id: int | None = None
    parent_ref: str | None = None
    attempts: int = 0

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
        if self.paper.announced:
            return self.paper.announced
        when = self.paper.published or self.paper.updated
        return when.date() if when else None
