"""Storing listings and queueing the alerts they cause: the one path every listing takes (a
poll, a catch-up, ``paperbot ingest``)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import date

from bot.ingest.plan import IngestCounts, Matcher, plan_listing
from bot.matching.index import SubscriptionIndex
from bot.model import ListingItem
from bot.model.clock import SYSTEM_CLOCK, Clock
from bot.store import Store


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
        self._index: tuple[tuple[int, int], SubscriptionIndex] | None = None

    async def index(self) -> SubscriptionIndex:
        """The current subscriptions indexed, rebuilt only when they changed (any process may
        change them)."""
        marker = await self.store.subscriptions.version()
        if self._index is None or self._index[0] != marker:
            index = SubscriptionIndex(await self.store.subscriptions.list())
            self._index = (marker, index)
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
    ) -> IngestCounts:
        """Store one listing's items in one transaction; with ``alert``, queue the alerts (and
        version notes) they cause for the current subscriptions."""
        matcher = await self.matcher() if alert else None
        threads = await self.thread_channels() if alert else frozenset()
        return await self.ingest_items(
            items, announced_on=announced_on, matcher=matcher, thread_channels=threads
        )

    async def ingest_items(
        self,
        items: Iterable[ListingItem],
        *,
        announced_on: date | None,
        matcher: Matcher | None,
        thread_channels: frozenset[int],
    ) -> IngestCounts:
        """:meth:`ingest` with the matcher and the thread channels given."""
        items = list(items)
        counts = IngestCounts()
        if not items:
            return counts
        plan = functools.partial(
            plan_listing,
            items,
            announced_on=announced_on,
            today=self.clock.now().date(),
            matcher=matcher,
            thread_channels=thread_channels,
            counts=counts,
        )
        _, counts.alerts = await self.store.papers.apply_listing(
            [i.paper.arxiv_id for i in items], plan, now=self.clock.time()
        )
        if counts.alerts:
            self.on_queued()
        return counts
