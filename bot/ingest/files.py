"""``paperbot ingest``: listing files into the store, one transaction per file, through the same
ingest path as a poll."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.ingest.ingestor import Ingestor
from bot.ingest.plan import IngestCounts
from bot.model import Listing
from bot.sources.files import parse_listing_file


async def ingest_files(
    ingestor: Ingestor,
    paths: Sequence[Path],
    *,
    alert: bool = False,
    progress: Callable[[int, str], None] | None = None,
) -> IngestCounts:
    """Parse and store each file in order; the next file is parsed (in a thread) while this one
    is written. Raises :class:`~bot.sources.files.ListingFileError` at the first bad file."""
    total = IngestCounts()
    pending: asyncio.Future[Listing] | None = None
    if paths:
        pending = asyncio.ensure_future(asyncio.to_thread(parse_listing_file, paths[0]))
    for index, path in enumerate(paths):
        assert pending is not None
        listing = await pending
        pending = None
        if index + 1 < len(paths):
            pending = asyncio.ensure_future(asyncio.to_thread(parse_listing_file, paths[index + 1]))
        total.add(await ingestor.ingest(listing.items, announced_on=listing.pub_date, alert=alert))
        if progress is not None:
            progress(index + 1, path.name)
    return total
