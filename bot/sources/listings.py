"""Where the poller reads listings from: the :class:`ListingSource` protocol, and
:class:`LocalListings`, listings held in the process (``paperbot demo``).

The poller needs three things of a source: the URL a category's listing is kept under in the
store, the next listing of a category, and the papers submitted in a window (catch-up after a
missed day). :class:`~bot.sources.arxiv.ArxivSource` does them over HTTP; ``LocalListings``
serves listing files it was given, day by day, and opens no socket at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Protocol

from bot.model import Paper, SourceState
from bot.sources.arxiv import ListingFetch, SourceError, listing_url
from bot.sources.arxiv_parse import parse_listing
from bot.sources.files import ListingFileError, read_listing_file
from bot.sources.xmlsafe import FeedError


class ListingSource(Protocol):
    """What the :class:`~bot.ingest.poller.Poller` polls."""

    def listing_url(self, category: str) -> str:
        """The URL a category's listing is known by (its row in ``store.sources``)."""
        ...

    async def fetch_listing(self, category: str, state: SourceState | None) -> ListingFetch:
        """The category's listing now; ``listing`` None when nothing changed since ``state``."""
        ...

    async def submitted_between(self, category: str, start: date, end: date) -> list[Paper]:
        """Every paper of ``category`` submitted in ``[start, end]`` (catch-up)."""
        ...

    def poll_round(self) -> contextlib.AbstractAsyncContextManager[None]:
        """One round of polls: a host found dead is not asked again until it ends."""
        ...


class LocalListings:
    """Listing files served in process, one entry per poll of its category, in the order given.

    Each category's entries are its listing file of each day (``{"cs.AI": [day1, day2],
    "cs.LG": [None, day2]}``); a poll takes the next one. None, and any poll once a
    category's entries are used up, is a listing that did not change (as a 304 says).

    The URLs are arXiv's (``rss_url`` + category): these are that feed's listings, only served
    from disk. A local source has no search API, so a gap between two of its days is not
    filled: catch-up finds nothing.
    """

    def __init__(self, files: Mapping[str, Sequence[Path | None]], *, rss_url: str) -> None:
        self.rss_url = rss_url
        self._queues = {category: list(paths) for category, paths in files.items()}

    def listing_url(self, category: str) -> str:
        return listing_url(self.rss_url, category)

    async def fetch_listing(self, category: str, state: SourceState | None) -> ListingFetch:
        url = self.listing_url(category)
        queue = self._queues.get(category)
        path = queue.pop(0) if queue else None
        if path is None:
            return ListingFetch(url, None, None, None, state.body_hash if state else None)
        try:
            body = await asyncio.to_thread(read_listing_file, path)
            digest = hashlib.sha256(body).hexdigest()
            if state is not None and state.body_hash == digest:
                return ListingFetch(url, None, None, None, digest)
            listing = await asyncio.to_thread(parse_listing, body, category=category)
        except (ListingFileError, FeedError) as exc:
            raise SourceError(f"{path.name}: {exc}") from None
        return ListingFetch(url, listing, None, None, digest)

    async def submitted_between(self, category: str, start: date, end: date) -> list[Paper]:
        return []

    def poll_round(self) -> contextlib.AbstractAsyncContextManager[None]:
        return contextlib.nullcontext()
