"""Storing listings and queueing the alerts they cause: the one path every listing takes (a
poll, a catch-up, ``paperbot ingest``)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from datetime import date

from bot.ingest.plan import IngestCounts, Matcher, plan_listing
from bot.matching.index import SubscriptionIndex
from bot.model import ListingItem, Paper
from bot.model.clock import SYSTEM_CLOCK, Clock
from bot.model.identity import person_id, person_label
from bot.store import ListingWrites, Store
from bot.store.ledger import entry_of


class Ingestor:
    """Plans each listing against the store and the current subscriptions, then writes it.

    ``thread_platforms`` are the platforms whose alerts have threads (a new version is noted
    there); ``on_queued`` is called whenever an ingest queued messages (it wakes delivery).
    """

    def __init__(
        self,
        store: Store,
        *,
        thread_platforms: frozenset[str] = frozenset(),
        clock: Clock = SYSTEM_CLOCK,
        on_queued: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.thread_platforms = thread_platforms
        self.clock = clock
        self.on_queued = on_queued
        self._index: tuple[tuple[float, ...], SubscriptionIndex] | None = None
        #: How alerts name followed persons (by subscription id), built with the index.
        self._labels: dict[int, str] = {}

    async def index(self) -> SubscriptionIndex:
        """The current subscriptions indexed, rebuilt only when they changed (any process may
        change them)."""
        marker = (
            *await self.store.subscriptions.version(),
            *await self.store.identity.version(),
        )
        if self._index is None or self._index[0] != marker:
            names = await self.store.identity.followed_names()
            subs = await self.store.subscriptions.list()
            index = SubscriptionIndex(subs, names)
            self._index = (marker, index)
            self._labels = {
                s.id: person_label(ident, names[ident][0])
                for s in subs
                if (ident := person_id(s.value)) and names.get(ident)
            }
        return self._index[1]

    async def matcher(self) -> Matcher:
        """The current subscriptions as a matcher (see :meth:`index`)."""
        return (await self.index()).match

    async def thread_channels(self) -> frozenset[int]:
        """Channels whose platform threads alerts."""
        channels = await self.store.channels.list()
        return frozenset(c.id for c in channels if c.platform in self.thread_platforms)

    async def ingest(
        self,
        items: Iterable[ListingItem],
        *,
        announced_on: date | None = None,
        alert: bool = True,
        ledger: str | None = None,
    ) -> IngestCounts:
        """Store one listing's items in one transaction; with ``alert``, queue the alerts (and
        version notes) they cause for the current subscriptions. ``ledger``: the category
        whose daily listing this is (it gets a ledger row, empty or not)."""
        matcher = await self.matcher() if alert else None
        threads = await self.thread_channels() if alert else frozenset()
        return await self.ingest_items(
            items,
            announced_on=announced_on,
            matcher=matcher,
            thread_channels=threads,
            ledger=ledger,
        )

    async def ingest_items(
        self,
        items: Iterable[ListingItem],
        *,
        announced_on: date | None,
        matcher: Matcher | None,
        thread_channels: frozenset[int],
        ledger: str | None = None,
    ) -> IngestCounts:
        """:meth:`ingest` with the matcher and the thread channels given."""
        items = list(items)
        counts = IngestCounts()
        today = self.clock.now().date()
        entry = None
        if ledger is not None:
            entry = entry_of(ledger, items, announced_on or today, self.clock.time())
        if not items:
            if entry is not None:
                await self.store.ledger.record_listing(entry)
            return counts
        planned = functools.partial(
            plan_listing,
            items,
            announced_on=announced_on,
            today=today,
            matcher=matcher,
            thread_channels=thread_channels,
            counts=counts,
            labels=self._labels,
        )

        def plan(known: Mapping[str, Paper]) -> ListingWrites:
            writes = planned(known)
            writes.ledger = entry
            return writes

        _, counts.alerts = await self.store.papers.apply_listing(
            [i.paper.arxiv_id for i in items], plan, now=self.clock.time()
        )
        if counts.alerts:
            self.on_queued()
        return counts
