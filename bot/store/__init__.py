"""The one store: papers, channels, subscriptions, outbox and source state in SQLite."""

from __future__ import annotations

from bot.store.channels import ChannelStore, DuplicateSubscription
from bot.store.db import StoreError
from bot.store.outbox import OutboxStore, QueueSummary
from bot.store.papers import IngestCounts, Matcher, PaperStore, fts_query
from bot.store.sources import SourceStore


class Store(PaperStore, ChannelStore, OutboxStore, SourceStore):
    """The bot's database. Open with ``await Store.open(path)``; close with ``await close()``.

    Each part (papers, channels, outbox, sources) lives in its own module; this class joins them
    so the rest of the bot holds one object with named methods.
    """

    @classmethod
    async def open(cls, path) -> Store:  # type: ignore[override]
        store = await super().open(path)
        assert isinstance(store, Store)
        return store


__all__ = [
    "DuplicateSubscription",
    "IngestCounts",
    "Matcher",
    "QueueSummary",
    "Store",
    "StoreError",
    "fts_query",
]
