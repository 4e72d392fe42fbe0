"""Store helpers for tests: a listing through the real ingest path with a given matcher."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from bot.ingest.ingestor import Ingestor
from bot.ingest.plan import IngestCounts, Matcher
from bot.model import ListingItem
from bot.store import Store


async def ingest(
    store: Store,
    items: Iterable[ListingItem],
    *,
    announced_on: date | None = None,
    matcher: Matcher | None = None,
    thread_platform_channels: frozenset[int] = frozenset(),
) -> IngestCounts:
    """Store one listing as a poll would, matching with ``matcher`` (no alerts without one)
    and noting new versions in the threads of ``thread_platform_channels``."""
    return await Ingestor(store).ingest_items(
        items, announced_on=announced_on, matcher=matcher, thread_channels=thread_platform_channels
    )
