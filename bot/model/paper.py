"""Papers as arXiv lists them: ids, versions, listing items and whole listings."""

from __future__ import annotations

from dataclasses import dataclass, replace
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

    ``authors`` holds display names in order, TeX accents decoded to Unicode, without their
    affiliations; ``affiliations`` is either empty (none known) or holds one entry per author
    (``""`` for an author listed without one): an affiliation is shown, never matched.
    ``authors_raw`` keeps the source's author text exactly as given (an RSS ``dc:creator``
    string may be garbled by arXiv itself; it is stored, never "repaired").

    ``published`` is the v1 date when a source gives it (the API does; listings do not), never a
    later version's. ``announced`` is the mailing day (Monday to Friday) of the first
    announcement seen. ``listing_kind`` says which format the metadata came from (``"rss"``,
    ``"rdf"``, ``"atom"``; None when unknown).
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
    affiliations: tuple[str, ...] = ()
    listing_kind: str | None = None

    def affiliation_of(self, index: int) -> str:
        """The affiliation of the author at ``index`` ("" when none is known)."""
        return self.affiliations[index] if index < len(self.affiliations) else ""

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
    known is kept when ``paper`` does not give one (a listing carries no dates of old versions).
    ``paper.published``, when given, is the date of version 1."""
    dates: dict[int, datetime | None] = {v.number: v.date for v in known}
    for v in paper.versions:
        dates[v.number] = v.date or dates.get(v.number)
    if dates.get(paper.version) is None:
        dates[paper.version] = paper.updated
    if paper.published is not None and dates.get(1) is None:
        dates[1] = paper.published  # the v1 date (the API's ``published``)
    return tuple(Version(number, when) for number, when in sorted(dates.items()))


def merged_categories(primary: str, *groups: tuple[str, ...]) -> tuple[str, ...]:
    """Every category once, ``primary`` first, then in the order the groups list them.

    A paper is in every category whose listing held it: categories accumulate over listings
    and versions, they are never dropped.
    """
    seen = dict.fromkeys(c for c in (primary, *(c for g in groups for c in g)) if c)
    return tuple(seen)


def merge_paper(prior: Paper, seen: Paper, announced: date | None = None) -> Paper:
    """What is known of a paper after a source shows it again (a listing item, an API entry).

    Categories accumulate. A listing of the same version or a newer one updates the metadata
    (title, abstract, authors and their affiliations, primary category): arXiv corrects them
    without a new version, and a cross-listing days later may carry the correction. An older
    version only adds its categories. A field the newer record lacks keeps what was known
    (an RSS item has no comment; a missing title is not news). ``published`` stays the v1 date.
    ``announced`` (when not None) marks a first announcement of a paper not announced yet.
    """
    announced = prior.announced or announced
    versions = merged_versions(prior.versions, seen)
    if seen.version < prior.version:
        categories = merged_categories(prior.primary_category, prior.categories, seen.categories)
        return replace(prior, categories=categories, versions=versions, announced=announced)
    same = seen.version == prior.version
    primary = seen.primary_category or prior.primary_category
    authors, affiliations = (
        (seen.authors, seen.affiliations) if seen.authors else (prior.authors, prior.affiliations)
    )
    return replace(
        seen,
        title=seen.title or prior.title,
        authors=authors,
        affiliations=affiliations,
        authors_raw=seen.authors_raw if seen.authors else prior.authors_raw,
        abstract=seen.abstract or prior.abstract,
        primary_category=primary,
        categories=merged_categories(primary, prior.categories, seen.categories),
        published=prior.published or seen.published,
        updated=seen.updated or (prior.updated if same else None),
        announced=announced,
        doi=seen.doi or prior.doi,
        comment=seen.comment or (prior.comment if same else None),
        journal_ref=seen.journal_ref or prior.journal_ref,
        versions=versions,
        listing_kind=seen.listing_kind or prior.listing_kind,
    )
