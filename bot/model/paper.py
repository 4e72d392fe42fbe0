"""Papers as arXiv lists them: ids, versions, listing items and whole listings."""

from __future__ import annotations

from dataclasses import dataclass
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
    def versioned_id(self) -> str:
        return f"{self.arxiv_id}v{self.version}"

    @property
    def display_date(self) -> date | None:
        """The date cards and alerts show: the announcement day, else the v1 date, else this
        version's date."""
        if self.announced:
            return self.announced
        when = self.published or self.updated
        return when.date() if when else None


@dataclass(frozen=True, slots=True)
class ListingItem:
    """A paper as one listing presents it, with the listing's announce type."""

    paper: Paper
    announce_type: AnnounceType


@dataclass(frozen=True, slots=True)
class Listing:
    """A parsed feed: an arXiv daily listing (RSS 2.0 or RDF) or an arXiv API Atom page.

    ``kind`` is ``"rss"``, ``"rdf"`` or ``"atom"``. For listings ``pub_date`` is the
    announcement day (channel ``pubDate`` / ``dc:date``); for API pages ``total_results`` comes
    from OpenSearch.
    """

    kind: str
    items: tuple[ListingItem, ...]
    category: str | None = None
    pub_date: date | None = None
    title: str = ""
    total_results: int | None = None


def merged_versions(known: tuple[Version, ...], paper: Paper) -> tuple[Version, ...]:
    """The versions known after seeing ``paper``: every number once, in order; a date already
    known is kept when ``paper`` does not give one (a listing carries no dates of old versions)."""
    dates: dict[int, datetime | None] = {v.number: v.date for v in known}
    for v in paper.versions:
        dates[v.number] = v.date or dates.get(v.number)
    if dates.get(paper.version) is None:
        dates[paper.version] = paper.updated
    return tuple(Version(number, when) for number, when in sorted(dates.items()))
