"""What the scholarly indexes (Semantic Scholar, OpenAlex) know beyond arXiv, in neutral form.

:class:`PaperRecord` is an index's view of one arXiv paper (its published version, citations,
TL;DR), cached in the store and shown on look-up cards. :class:`Work` is one entry of an author
page, from any source (the store, Semantic Scholar, OpenAlex): the page builder merges works of
every index without knowing where they came from.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The ``source`` of Semantic Scholar's records.
SEMANTIC_SCHOLAR = "semantic_scholar"
#: arXiv's own DOI prefix: an index that lists ``10.48550/arXiv.…`` gives no published version.
ARXIV_DOI_PREFIX = "10.48550/"


@dataclass(frozen=True, slots=True)
class PaperRecord:
    """One arXiv paper as an index lists it.

    ``venue`` is where it was published (a conference or journal name; ``"arXiv.org"`` counts as
    none), ``journal`` the journal's name when the index gives one, ``doi`` the published
    version's DOI (never arXiv's own ``10.48550/…``), ``tldr`` a one-sentence summary (Semantic
    Scholar's ``tldr@v2``). ``found`` is False for a paper the index does not hold (yet): such a
    record is cached too, so that asking again costs no request until it expires.
    """

    arxiv_id: str
    source: str
    found: bool = True
    index_id: str | None = None
    title: str = ""
    venue: str = ""
    journal: str = ""
    doi: str | None = None
    citations: int | None = None
    tldr: str = ""
    year: int | None = None

    @property
    def published_in(self) -> str:
        """The venue line of the published version (``"Mind"``, ``"NeurIPS"``), or ""."""
        return self.journal or self.venue


@dataclass(frozen=True, slots=True)
class Work:
    """One paper on an author page, from whichever source knew it.

    ``venue_line`` is what the page prints under the title (``"arXiv · cs.AI"`` or the
    journal), ``summary`` an index's TL;DR if any (the page shows it instead of the abstract's
    first sentences), ``authors`` display names in order (capped by the source), ``source`` the
    index it came from (``"store"``, ``"semantic_scholar"``, ``"openalex"``).
    """

    title: str
    source: str
    year: int | None = None
    venue_line: str = ""
    abstract: str = ""
    summary: str = ""
    authors: tuple[str, ...] = ()
    arxiv_id: str | None = None
    doi: str | None = None
    when: str = ""  # ISO date, for ordering (the announcement or publication day)

    @property
    def keys(self) -> tuple[str, ...]:
        """What identifies the work across indexes: its arXiv id and DOI (case-folded)."""
        keys = []
        if self.arxiv_id:
            keys.append(f"arxiv:{self.arxiv_id.casefold()}")
        if self.doi:
            keys.append(f"doi:{self.doi.casefold()}")
        return tuple(keys)


@dataclass(frozen=True, slots=True)
class Collaborator:
    """A co-author on an author page and how many of the page's works they share."""

    name: str
    shared: int


@dataclass(frozen=True, slots=True)
class AuthorPage:
    """The author page: the name asked for, recent works (newest first), top collaborators."""

    name: str
    works: tuple[Work, ...]
    collaborators: tuple[Collaborator, ...]
    total: int  # works known before the page was cut to its length
    notes: tuple[str, ...] = ()
