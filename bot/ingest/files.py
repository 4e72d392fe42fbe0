"""``paperbot ingest``: listing files into the store, one transaction per file, through the same
ingest path as a poll."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.ingest.ingestor import Ingestor
from bot.ingest.plan import IngestCounts
from bot.ingest.prepare import MIN_FILES, Prepared, prepare, worker
from bot.sources.files import ListingFileError, parse_listing_file

#: The names ``ingest DIR`` takes from a folder (not recursive).
LISTING_PATTERNS = ("*.xml", "*.xml.gz")


def listing_files(folder: Path) -> list[Path]:
    """The listing files directly in ``folder``, sorted by name."""
    found = {p for pattern in LISTING_PATTERNS for p in folder.glob(pattern) if p.is_file()}
    return sorted(found, key=lambda p: p.name)


@dataclass(frozen=True, slots=True)
class FileResult:
    """What one file gave: its counts, or the one-line reason it could not be used."""

    path: Path
    counts: IngestCounts | None = None
    error: str | None = None


async def ingest_files(
    ingestor: Ingestor,
    paths: Sequence[Path],
    *,
    alert: bool = False,
    on_file: Callable[[int, FileResult], None] | None = None,
) -> list[FileResult]:
    """Parse and store each file in order, one transaction per file; the next file is parsed
    (and, with ``alert``, its texts matched) in a worker process while this one is written
    (:mod:`bot.ingest.prepare`). A file that cannot be read or parsed is reported and skipped:
    the others are still stored. ``on_file(done, result)`` is called after each file."""
    results: list[FileResult] = []
    if not paths:
        return results
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
            try:
                prepared: Prepared | None = await pending
            except ListingFileError as exc:
                prepared, error = None, str(exc)
            if position + 1 < len(paths):
                pending = start(paths[position + 1])
            if prepared is None:
                result = FileResult(path, error=error)
            else:
                listing = prepared.listing
                if index is not None and prepared.matches is not None:
                    index.seed([i.paper for i in listing.items], prepared.matches)
                # A category's daily listing gets its ledger row; an API page is no listing.
                category = listing.category if listing.kind != "atom" else None
                counts = await ingestor.ingest(
                    listing.items, announced_on=listing.pub_date, alert=alert, ledger=category
                )
                result = FileResult(path, counts)
            results.append(result)
            if on_file is not None:
                on_file(position + 1, result)
    return results


def _prepare_here(path: Path) -> Prepared:
    return Prepared(parse_listing_file(path))
