"""What a look-up adds from Semantic Scholar: the published version (venue, journal DOI), the
citation count and S2's TL;DR, for the papers of a look-up's answer.

The cache answers first (``store.index_records``, kept ``[identity] cache_days``): a paper
whose record is fresh costs no request. The others are asked in one batch, bounded by
``budget_seconds`` in all (retries and a ``Retry-After`` wait included): when S2 is slow,
refusing, down or sends garbage, the look-up still answers at once after that bound, with
what arXiv and the cache know and a one-line note saying why the rest is missing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from bot.model import Paper
from bot.model.clock import SYSTEM_CLOCK, Clock
from bot.model.scholarly import PaperRecord
from bot.sources.scholar_parse import SOURCE
from bot.sources.semantic_scholar import ScholarError, SemanticScholar
from bot.store import Store

log = logging.getLogger("paperbot.enrich")

#: The longest a look-up waits for Semantic Scholar before answering without it.
DEFAULT_BUDGET_SECONDS = 8.0


class Enricher:
    """Index records for looked-up papers: cached, else fetched within a time budget."""

    def __init__(
        self,
        store: Store,
        scholar: SemanticScholar | None,
        *,
        cache_days: float = 7.0,
        clock: Clock = SYSTEM_CLOCK,
        budget_seconds: float = DEFAULT_BUDGET_SECONDS,
    ) -> None:
        self.store = store
        self.scholar = scholar
        self.ttl_seconds = cache_days * 86_400.0
        self.clock = clock
        self.budget_seconds = budget_seconds

    async def records(self, papers: Sequence[Paper]) -> tuple[tuple[PaperRecord, ...], str | None]:
        """The records S2 has for ``papers`` (in their order) and a note when some could not
        be fetched; never raises for S2's faults."""
        ids = [p.arxiv_id for p in papers]
        now = self.clock.time()
        known = await self.store.index_records.get_many(SOURCE, ids, now=now)
        missing = [i for i in ids if i not in known]
        note = None
        if missing and self.scholar is not None:
            try:
                async with asyncio.timeout(self.budget_seconds):
                    fetched = await self.scholar.papers_by_arxiv(missing)
            except ScholarError as exc:
                note = str(exc)
            except TimeoutError:
                note = f"Semantic Scholar did not answer within {self.budget_seconds:g}s"
                log.info("look-up enrichment: %s", note)
            else:
                await self.store.index_records.put(
                    fetched.values(), now=now, ttl_seconds=self.ttl_seconds
                )
                known.update(fetched)
        return tuple(known[i] for i in ids if i in known and known[i].found), note
