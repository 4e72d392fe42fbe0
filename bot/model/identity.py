"""Author identity: records from a scholarly index (OpenAlex) and the verdicts it gives.

A *person subscription* is an author subscription whose value is an index id
(``openalex:A5023888391``): it follows one researcher, not every bearer of a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from bot.model.chat import Subscription, SubscriptionKind

PERSON_PREFIX = "openalex:"
_OPENALEX_AUTHOR = re.compile(r"^A[0-9]{1,15}$")


def person_id(value: str) -> str | None:
    """``A5023888391`` for a person subscription's value ``openalex:A5023888391``, else None."""
    if not value.startswith(PERSON_PREFIX):
        return None
    ident = value[len(PERSON_PREFIX) :]
    return ident if _OPENALEX_AUTHOR.match(ident) else None


def person_label(author_id: str, name: str) -> str:
    """How an alert names a followed person: ``author: Wei Wang (openalex:A5100000001)``."""
    return f"author: {name} ({PERSON_PREFIX}{author_id})"


def is_person(sub: Subscription) -> bool:
    """Whether ``sub`` follows one person by index id (not a name)."""
    return sub.kind is SubscriptionKind.AUTHOR and person_id(sub.value) is not None


def valid_author_id(ident: str) -> bool:
    """Whether ``ident`` has the form of an OpenAlex author id (``A`` and digits)."""
    return bool(_OPENALEX_AUTHOR.match(ident))


@dataclass(frozen=True, slots=True)
class Authorship:
    """One author of a work as the index lists it."""

    author_id: str | None  # ``A…`` (None: the index has no author record for this name)
    name: str
    orcid: str | None = None


@dataclass(frozen=True, slots=True)
class WorkRecord:
    """A work as the index holds it (only what identity and the author page need)."""

    work_id: str
    doi: str | None
    title: str
    publication_date: str | None
    authorships: tuple[Authorship, ...] = ()
    authors_truncated: bool = False
    abstract: str = ""
    venue: str | None = None

    @property
    def arxiv_id(self) -> str | None:
        """The arXiv id of an arXiv DOI (``10.48550/arXiv.2308.03526``), else None."""
        doi = (self.doi or "").lower()
        marker = "10.48550/arxiv."
        return doi.split(marker, 1)[1] if marker in doi else None


@dataclass(frozen=True, slots=True)
class AuthorRecord:
    """An author record of the index: who, where, how active."""

    author_id: str
    display_name: str
    alternatives: tuple[str, ...] = ()
    orcid: str | None = None
    institution: str | None = None
    works_count: int = 0
    #: ``(year, works that year)``, newest first, as the index counts them.
    works_by_year: tuple[tuple[int, int], ...] = ()
    recent_titles: tuple[str, ...] = field(default=())

    def works_since(self, year: int) -> int:
        return sum(n for y, n in self.works_by_year if y >= year)

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the index knows this person by (display name first)."""
        return tuple(dict.fromkeys((self.display_name, *self.alternatives)))


class Verdict(StrEnum):
    """What the index says about a followed person and one paper."""

    VERIFIED = "verified"  # the person's record (or ORCID) is among the work's authors
    CONTRADICTED = "contradicted"  # the index credits another record of that name
    UNKNOWN = "unknown"  # the index does not hold the work (yet), or cannot tell
