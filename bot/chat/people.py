"""Following a person: candidates for a name (``authors NAME``), resolving ``openalex:A…`` and
``orcid:…`` to one author record, and the ambiguity hint of a by-name subscription.

``authors NAME`` costs at most 3 OpenAlex requests (the search, one page of recent works of
every candidate, one more for those the page left without titles) and shows at most 10
candidates, ranked by how well their names fit (written alike, then compatible through an
initial or an alternative name, then the rest) and by recent arXiv activity (works with an
arXiv DOI in the last 3 years among their recent works, then works of the last 3 years).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, replace

from bot.chat.errors import UserError
from bot.matching.names import author_matches, parse_person, same_person
from bot.model.clock import SYSTEM_CLOCK, Clock
from bot.model.identity import PERSON_PREFIX, AuthorRecord, WorkRecord, valid_author_id
from bot.sources.openalex import NotFound, OpenAlexClient, OpenAlexError
from bot.store import Store

MAX_CANDIDATES = 10
#: "Ambiguous" looks at works of the last this many years.
RECENT_YEARS = 3
#: The ambiguity check of ``subscribe author NAME`` gives up (silently) after this long.
AMBIGUITY_SECONDS = 3.0
_ORCID = re.compile(r"^(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$")


class IndexUnavailable(UserError):
    """OpenAlex cannot be asked now (off, unreachable, parked, or a bad answer)."""


class UnknownPerson(UserError):
    """OpenAlex holds no author of that id or ORCID (the CLI exits 1)."""


class NoCandidates(UserError):
    """OpenAlex knows no author by that name."""


def orcid_checksum_ok(orcid: str) -> bool:
    """The ISO 7064 11,2 check digit of an ORCID (``0000-0002-1825-0097``)."""
    digits = orcid.replace("-", "")
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    result = (12 - total % 11) % 11
    return digits[-1] == ("X" if result == 10 else str(result))


def parse_orcid(text: str) -> str:
    """``0000-0002-1825-0097`` from ``0000000218250097`` or an orcid.org URL; ValueError when
    malformed or its check digit is wrong."""
    raw = text.strip().removeprefix("https://orcid.org/").upper()
    m = _ORCID.match(raw)
    if not m:
        raise ValueError(f"{text!r} is not an ORCID (0000-0000-0000-000X)")
    orcid = "-".join(m.groups())
    if not orcid_checksum_ok(orcid):
        raise ValueError(f"{orcid} is not a valid ORCID (its check digit is wrong)")
    return orcid


#: A link (``https://orcid.org/…``, ``www.…``, ``orcid.org/…``): never a person's name.
_LINK = re.compile(r"(?i)^(?:[a-z][a-z0-9+.-]*://|www\.|orcid\.org/)")


def is_link(value: str) -> bool:
    """Whether an author value is a link rather than a name (subscribe and preview refuse it,
    pointing at ``orcid:…``)."""
    return _LINK.match(value.strip()) is not None


def is_person_value(value: str) -> bool:
    """Whether a ``subscribe author`` value names a person by id (not by name)."""
    return value.lower().startswith((PERSON_PREFIX, "orcid:"))


def name_fit(query: str, record: AuthorRecord) -> int:
    """3: written alike; 2: the display name is compatible; 1: an alternative is; 0: none."""
    wanted = parse_person(query)
    if wanted is None:
        return 0
    shown = parse_person(record.display_name)
    if shown is not None and shown == wanted:
        return 3
    if shown is not None and (author_matches(wanted, shown) or same_person(wanted, shown)):
        return 2
    others = (parse_person(n) for n in record.alternatives)
    return 1 if any(o is not None and author_matches(wanted, o) for o in others) else 0


@dataclass(frozen=True, slots=True)
class Candidate:
    record: AuthorRecord
    fit: int
    arxiv_recent: int


class People:
    """The person operations over the store and an OpenAlex client (None: identity off)."""

    def __init__(
        self,
        store: Store,
        client: OpenAlexClient | None,
        clock: Clock = SYSTEM_CLOCK,
        *,
        cache_days: float = 7.0,
    ) -> None:
        self.store = store
        self.client = client
        self.clock = clock
        #: A person's stored record is used instead of asking again while younger than this.
        self.cache_seconds = cache_days * 86400
        #: The ambiguity check of a by-name subscription gives up after this long.
        self.ambiguity_seconds = AMBIGUITY_SECONDS

    def _client(self) -> OpenAlexClient:
        if self.client is None:
            raise IndexUnavailable("author identity is off ([openalex] api_url is empty)")
        return self.client

    def openalex(self) -> OpenAlexClient:
        """The client; :class:`IndexUnavailable` when identity is off."""
        return self._client()

    async def candidates(self, name: str) -> list[Candidate]:
        """Up to 10 author records for ``name``, best first (see the module docstring)."""
        client = self._client()
        try:
            found = await client.search_authors(name, limit=MAX_CANDIDATES)
            if not found:
                raise NoCandidates(f"OpenAlex knows no author named {name!r}")
            works = await self._recent(client, found)
        except OpenAlexError as exc:
            raise IndexUnavailable(str(exc)) from None
        since = self.clock.now().year - RECENT_YEARS
        ranked = []
        for record in found:
            mine = works.get(record.author_id, [])
            arxiv = sum(1 for w in mine if w.arxiv_id and (w.publication_date or "") >= str(since))
            titles = tuple(w.title for w in mine if w.title)[:2]
            ranked.append(
                Candidate(replace(record, recent_titles=titles), name_fit(name, record), arxiv)
            )
        ranked.sort(key=lambda c: (-c.fit, -c.arxiv_recent, -c.record.works_since(since)))
        return ranked

    async def _recent(
        self, client: OpenAlexClient, found: list[AuthorRecord]
    ) -> dict[str, list[WorkRecord]]:
        """Each candidate's recent works, newest first: one page for all, one more for those
        the first left without two titles."""
        since = f"{self.clock.now().year - RECENT_YEARS}-01-01"
        ids = [a.author_id for a in found]
        by_author: dict[str, list[WorkRecord]] = {i: [] for i in ids}
        pages = [await client.recent_works(ids, since=since, per_page=100)]
        self._spread(pages[0], by_author)
        short = [i for i in ids if len(by_author[i]) < 2]
        if short and len(pages[0]) >= 100:
            self._spread(
                await client.recent_works(short, since="1900-01-01", per_page=50), by_author
            )
        return by_author

    @staticmethod
    def _spread(works: list[WorkRecord], by_author: dict[str, list[WorkRecord]]) -> None:
        for work in works:
            for a in work.authorships:
                listed = by_author.get(a.author_id or "")
                if listed is not None and work not in listed:
                    listed.append(work)

    async def resolve(self, value: str) -> AuthorRecord:
        """The author record ``openalex:A…`` or ``orcid:…`` names, saved as a person.

        ValueError for a malformed value; :class:`UserError` for an unknown one;
        :class:`IndexUnavailable` when OpenAlex cannot be asked.
        """
        kind, _, ident = value.partition(":")
        ident = ident.strip()
        if kind.lower() == "orcid":
            key = f"orcid:{parse_orcid(ident)}"
        elif valid_author_id(ident.upper()):
            key = ident.upper()
            known = await self.store.identity.person(key)
            if known is not None and self.clock.time() - known.fetched_at < self.cache_seconds:
                return known.record
        else:
            raise ValueError(f"{value!r} is not an OpenAlex author id (openalex:A…)")
        try:
            record = await self._client().author(key)
        except NotFound:
            raise UnknownPerson(f"OpenAlex has no author {key.removeprefix('orcid:')}") from None
        except OpenAlexError as exc:
            raise IndexUnavailable(str(exc)) from None
        await self.store.identity.save_person(record, self.clock.time())
        return record

    async def namesakes(self, name: str) -> list[Candidate]:
        """Name-compatible candidates with a work in the last 3 years when there are at least
        two (the name is ambiguous); empty otherwise, offline, or after ~3 s."""
        if self.client is None:
            return []
        try:
            async with asyncio.timeout(self.ambiguity_seconds):
                found = await self.client.search_authors(name, limit=MAX_CANDIDATES)
        except (OpenAlexError, TimeoutError):
            return []
        since = self.clock.now().year - RECENT_YEARS
        active = [
            Candidate(r, fit, 0)
            for r in found
            if (fit := name_fit(name, r)) >= 2 and r.works_since(since) > 0
        ]
        return active if len(active) >= 2 else []
