"""``paperbot ingest``: listing files into the store, one transaction per file, through the same
ingest path as a poll."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.ingest.ingestor import Ingestor
from bot.ingest.plan import IngestCounts
from bot.ingest.prepare import MIN_FILES, Prepared, prepare, worker
from bot.sources.files import parse_listing_file


async def ingest_files(
    ingestor: Ingestor,
    paths: Sequence[Path],
    *,
    alert: bool = False,
    progress: Callable[[int, str], None] | None = None,
) -> IngestCounts:
    """Parse and store each file in order, one transaction per file; the next file is parsed
    (and, with ``alert``, its texts matched) in a worker process while this one is written
    (:mod:`bot.ingest.prepare`). Raises :class:`~bot.sources.files.ListingFileError` at the
    first bad file."""
    total = IngestCounts()
    if not paths:
        return total
    index = await ingestor.index() if alert else None
    subscriptions = index.subscriptions() if index is not None else None
    loop = asyncio.get_running_loop()
    with contextlib.ExitStack() as stack:
        pool = stack.enter_context(worker(subscriptions)) if len(paths) >= MIN_FILES else None

        def start(path: Path) -> asyncio.Future[Prepared]:
            if pool is None:
                return asyncio.ensure_future(asyncio.to_thread(_prepare_here, path))
            return asyncio.wrap_future(pool.submit(prepare, path), loop=loop)

        pending = start(paths[0])
        for position, path in enumerate(paths):
            prepared = await pending
            if position + 1 < len(paths):
                pending = start(paths[position + 1])
            listing = prepared.listing
            if index is not None and prepared.matches is not None:
                index.seed([i.paper for i in listing.items], prepared.matches)
            total.add(
                await ingestor.ingest(listing.items, announced_on=listing.pub_date, alert=alert)
            )
            if progress is not None:
                progress(position + 1, path.name)
    return total


def _prepare_here(path: Path) -> Prepared:
    return Prepared(parse_listing_file(path))
