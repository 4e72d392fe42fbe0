"""Looking a paper up: by arXiv id, arxiv.org URL, DOI or title words.

The store answers first; arXiv is asked only for an id we do not hold (or a newer version than
we hold) and for title words with no stored paper holding them all in its title. Papers fetched
for a look-up are stored unannounced, so a later listing still alerts them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.chat.errors import UserError
from bot.chat.ids import classify_query
from bot.model import Paper
from bot.model.scholarly import PaperRecord
from bot.model.text import MAX_QUERY_CHARS
from bot.sources.arxiv import ArxivSource, SourceError
from bot.store import Store

_WORDS = re.compile(r"\w+", re.UNICODE)
#: Ids asked of arXiv in one request.
ID_PAGE = 100
#: Shaped like an arXiv id but not a valid one (month 13, version 0...): say so instead of
#: sending digits to arXiv's title search.
_ID_SHAPED = re.compile(
    r"(?:arxiv:\s*)?(?:\d{4}\.\d{4,}|[a-z-]+(?:\.[a-z]{2})?/\d{5,})(?:v\d+)?", re.I
)


class LookupFailed(UserError):
    """Nothing found, or a bad query: the message is meant for the user (the CLI exits 1)."""


class SourceUnavailable(LookupFailed):
    """arXiv could not be reached and nothing stored answers: a source failure, not "not
    found" (the CLI exits 3 rather than 1)."""


@dataclass(frozen=True, slots=True)
class LookupResult:
    papers: tuple[Paper, ...]
    origin: str  # "store" or "arxiv"
    note: str | None = None
    #: What an index knows of the papers (:meth:`bot.chat.services.Services.enrich`).
    records: tuple[PaperRecord, ...] = ()


class Lookup:
    """The look-up service shared by the CLI and every chat adapter."""

    def __init__(
        self, store: Store, arxiv: ArxivSource | None, *, max_length: int = MAX_QUERY_CHARS
    ) -> None:
        self.store = store
        self.arxiv = arxiv
        self.max_length = max_length

    async def __call__(self, text: str, *, limit: int = 5) -> LookupResult:
        text = text.strip()
        if not text:
            raise LookupFailed("give an arXiv id, an arxiv.org URL, a DOI or title words")
        if len(text) > self.max_length:
            raise LookupFailed(
                f"query too long ({len(text)} characters, at most {self.max_length})"
            )
        query = classify_query(text)
        if query.kind == "id":
            return await self._by_id(query.value, query.version)
        if query.kind == "doi":
            paper = await self.store.papers.by_doi(query.value)
            if paper is None:
                raise LookupFailed(
                    f"no stored paper has DOI {query.value} (DOIs are answered from stored "
                    "arXiv records; remote DOI look-up is not supported yet)"
                )
            return LookupResult((paper,), "store")
        if _ID_SHAPED.fullmatch(query.value):
            raise LookupFailed(
                f"{query.value} is not a valid arXiv id (ids look like 2308.03526 or "
                "hep-th/9901001)"
            )
        return await self._by_words(query.value, limit)

    async def _by_id(self, arxiv_id: str, version: int | None) -> LookupResult:
        stored = await self.store.papers.get(arxiv_id)
        if stored is not None and (version is None or version <= stored.version):
            return LookupResult((stored,), "store")
        if self.arxiv is None:
            raise LookupFailed(f"{arxiv_id} is not stored and arXiv look-ups are off")
        wanted = f"{arxiv_id}v{version}" if version else arxiv_id
        try:
            papers = await self.arxiv.fetch_ids([wanted])
        except SourceError as exc:
            if stored is not None:
                return LookupResult((stored,), "store", note=f"arXiv unreachable: {exc}")
            raise SourceUnavailable(f"could not reach arXiv for {wanted}: {exc}") from None
        if not papers:
            raise LookupFailed(f"not found: arXiv has no paper {wanted}")
        await self.store.papers.save_looked_up(papers)
        return LookupResult((papers[0],), "arxiv")

    async def _by_words(self, text: str, limit: int) -> LookupResult:
        local = await self.store.papers.search(text, limit=limit, title_only=True)
        if local:
            return LookupResult(tuple(local), "store")
        note = None
        if self.arxiv is not None:
            try:
                remote = await self.arxiv.search_titles(_WORDS.findall(text), limit=limit)
            except SourceError as exc:
                remote = []
                note = f"arXiv unreachable: {exc}"
            if remote:
                await self.store.papers.save_looked_up(remote)
                return LookupResult(tuple(remote), "arxiv")
        anywhere = await self.store.papers.search(text, limit=limit)
        if anywhere:
            return LookupResult(tuple(anywhere), "store", note=note)
        if note:
            raise SourceUnavailable(f"no stored paper matches {text!r} and {note}")
        raise LookupFailed(f"no paper found for {text!r}")

    async def by_ids(self, ids: Sequence[str]) -> dict[str, Paper]:
        """Papers by arXiv id (without version): the stored ones, then arXiv asked once (in
        pages of :data:`ID_PAGE`) for the rest, which are stored unannounced. An id arXiv does
        not know is missing from the answer; :class:`SourceUnavailable` when arXiv cannot be
        reached for one that is not stored."""
        found = await self.store.papers.get_many(list(dict.fromkeys(ids)))
        missing = [i for i in dict.fromkeys(ids) if i not in found]
        if missing and self.arxiv is None:
            return found
        for start in range(0, len(missing), ID_PAGE):
            page = missing[start : start + ID_PAGE]
            try:
                fetched = await self.arxiv.fetch_ids(page) if self.arxiv else []
            except SourceError as exc:
                raise SourceUnavailable(f"could not reach arXiv for {page[0]}: {exc}") from None
            await self.store.papers.save_looked_up(fetched)
            found.update((p.arxiv_id, p) for p in fetched if p.arxiv_id in page)
        return found
