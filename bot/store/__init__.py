"""The one store: papers, channels, subscriptions, outbox and source state in SQLite.

:class:`Store` holds one object per table group, each with named methods:
``store.papers.get(id)``, ``store.channels.find(name)``, ``store.subscriptions.add(...)``,
``store.outbox.claim_due(...)``, ``store.sources.get(url)``, ``store.rates.claim(key, s)``,
``store.ledger.rows()`` (what each listing announced and caused),
``store.index_records.get_many(source, ids)``,
``store.reading.save(...)`` (the reading list), ``store.events.first_time(...)``,
``store.volume.hold(...)`` (channel settings; held and dropped rows), ``store.digests.carrier(...)``
(digests and overflow messages, and which part carried a paper).
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from bot.store.channels import Channels
from bot.store.db import Database, StoreError
from bot.store.digests import Carrier, Digests, HeldEntry, StoredPart
from bot.store.history import AlertRecord, History
from bot.store.identity import Identity, IndexHealth, Person, StorePark
from bot.store.index_records import IndexRecords
from bot.store.ledger import Ledger, LedgerEntry, LedgerRow
from bot.store.outbox import Outbox
from bot.store.outbox_identity import QueuedAlert
from bot.store.outbox_reads import ChannelQueue, QueueSummary
from bot.store.papers import ListingWrites, Papers, fts_query
from bot.store.previews import Previews
from bot.store.reading import ReadingList, SeenEvents
from bot.store.sources import RateSlots, SourceStates
from bot.store.subscriptions import DuplicateSubscription, Subscriptions, TooManySubscriptions
from bot.store.volume import Routed, Volume


class Store:
    """The bot's database. Open with ``await Store.open(path)``; close with ``await close()``
    (or use it as an async context manager)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.papers = Papers(db)
        self.channels = Channels(db)
        self.subscriptions = Subscriptions(db)
        self.outbox = Outbox(db)
        self.sources = SourceStates(db)
        self.rates = RateSlots(db)
        self.ledger = Ledger(db)
        self.history = History(db)
        self.previews = Previews(db)
        self.identity = Identity(db)
        self.index_records = IndexRecords(db)
        self.reading = ReadingList(db, self.papers)
        self.events = SeenEvents(db)
        self.volume = Volume(db)
        self.digests = Digests(db)

    @classmethod
    async def open(cls, path: str | Path) -> Store:
        """Open (creating and migrating if needed) the database at ``path``."""
        return cls(await Database.open(path))

    @property
    def path(self) -> str:
        return self.db.path

    async def close(self) -> None:
        await self.db.close()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


__all__ = [
    "AlertRecord",
    "Carrier",
    "ChannelQueue",
    "DuplicateSubscription",
    "HeldEntry",
    "Identity",
    "IndexHealth",
    "LedgerEntry",
    "LedgerRow",
    "ListingWrites",
    "Person",
    "QueueSummary",
    "QueuedAlert",
    "ReadingList",
    "Routed",
    "SeenEvents",
    "Store",
    "StoreError",
    "StorePark",
    "StoredPart",
    "TooManySubscriptions",
    "fts_query",
]
