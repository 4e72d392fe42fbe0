"""The author page of a followed person: ``author openalex:A…`` and ``author orcid:…``.

The person is resolved through OpenAlex as ``subscribe`` resolves it (the ORCID's check digit
checked first; a record younger than ``[identity] cache_days`` is taken from the store without
asking). The page merges, through :func:`~bot.chat.author.build_author_page` (which
de-duplicates by arXiv id and DOI, the store's metadata first):

* the store's papers whose authors match one of the person's known names (the display name
  and the index's alternatives; at most :data:`MAX_NAMES` distinct ones). Names alone cannot
  tell namesakes apart: a stored paper of another person of the same name is listed too, as
  ``author NAME`` lists it;
* one page (at most :data:`PER_PAGE`) of the person's most recent OpenAlex works: the title,
  the venue line (the source's display name, such as the journal; ``arXiv · <category>`` when
  the store holds the arXiv paper, ``arXiv`` when it does not, since OpenAlex does not carry
  arXiv's categories), the year and the abstract rebuilt from ``abstract_inverted_index``.

Bounded: at most 2 OpenAlex requests (the author, one page of works), whatever the person's
works count. The collaborators come from the merged works; the person's own authorship of an
OpenAlex work (by id) is not one of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from bot.chat.author import AuthorPages, build_author_page, paper_work, person_of, store_works
from bot.chat.people import IndexUnavailable, People
from bot.matching.names import PersonName, parse_person
from bot.model.identity import PERSON_PREFIX, AuthorRecord, WorkRecord
from bot.model.scholarly import AuthorPage, Work
from bot.sources.openalex import OpenAlexError

#: Works asked of OpenAlex (one page; the API allows up to 200, the page shows 10).
PER_PAGE = 50
#: Known names of the person looked up in the store.
MAX_NAMES = 5
OPENALEX = "openalex"


def openalex_work(record: WorkRecord, person_id: str) -> Work:
    """An OpenAlex work as a page entry (the person's own authorship left out)."""
    arxiv = record.arxiv_id
    venue = record.venue or ""
    if arxiv or venue.lower().startswith("arxiv"):
        venue = "arXiv"
    date = record.publication_date or ""
    return Work(
        title=record.title,
        source=OPENALEX,
        year=int(date[:4]) if date[:4].isdigit() else None,
        venue_line=venue,
        abstract=record.abstract,
        authors=tuple(a.name for a in record.authorships if a.author_id != person_id),
        arxiv_id=arxiv,
        doi=record.doi,
        when=date,
    )


def _names(record: AuthorRecord) -> list[str]:
    """The person's distinct names as parsed (``Wang, Wei`` = ``Wei Wang``), display name
    first, at most :data:`MAX_NAMES`."""
    seen: set[PersonName] = set()
    names = []
    for name in record.names:
        parsed = parse_person(name)
        if parsed is None or not parsed.surname_key or parsed in seen:
            continue
        seen.add(parsed)
        names.append(name)
    return names[:MAX_NAMES]


class PersonPages:
    """``author openalex:A…|orcid:…`` for chat and the CLI."""

    def __init__(self, people: People, pages: AuthorPages) -> None:
        self.people = people
        self.pages = pages

    async def page(self, value: str) -> AuthorPage:
        """The page of the person ``value`` names. ValueError for a malformed id or ORCID;
        :class:`~bot.chat.people.UnknownPerson`; :class:`IndexUnavailable`."""
        record = await self.people.resolve(value)
        client = self.people.openalex()
        try:
            found = await client.recent_works(
                [record.author_id], since="1900-01-01", per_page=PER_PAGE
            )
        except OpenAlexError as exc:
            raise IndexUnavailable(str(exc)) from None
        person = person_of(record.display_name)
        stored: list[Work] = []
        for name in _names(record):
            stored += (await store_works(self.pages.store, name, person_of(name)))[0]
        page = build_author_page(
            record.display_name, person, stored, await self._works(found, record.author_id)
        )
        where = f", {record.institution}" if record.institution else ""
        note = f"OpenAlex: {PERSON_PREFIX}{record.author_id}{where}"
        return replace(page, notes=(note,))

    async def _works(self, found: Iterable[WorkRecord], person_id: str) -> list[Work]:
        """OpenAlex's works, the store's copy standing in for the arXiv ones it holds."""
        works = [openalex_work(w, person_id) for w in found]
        held = await self.pages.store.papers.get_many([w.arxiv_id for w in works if w.arxiv_id])
        return [
            paper_work(held[w.arxiv_id], None) if w.arxiv_id in held else w
            for w in works
            if w.title
        ]
