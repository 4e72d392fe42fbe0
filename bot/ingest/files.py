"""``paperbot ingest``: listing files into the store, one transaction per file, through the same
ingest path as a poll."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.ingest.ingestor import Ingestor
from bot.ingest.plan import IngestCounts
from bot.model import Listing
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


async def _parse(path: Path) -> Listing | str:
    try:
        return await asyncio.to_thread(parse_listing_file, path)
    except ListingFileError as exc:
        return str(exc)


async def ingest_files(
    ingestor: Ingestor,
    paths: Sequence[Path],
    *,
    alert: bool = False,
    on_file: Callable[[int, FileResult], None] | None = None,
) -> list[FileResult]:
    """Parse and store each file in order; the next file is parsed (in a thread) while this one
    is written. A file that cannot be read or parsed is reported and skipped: the others are
    still stored. ``on_file(done, result)`` is called after each file."""
    results: list[FileResult] = []
    pending: asyncio.Future[Listing | str] | None = None
    if paths:
        pending = asyncio.ensure_future(_parse(paths[0]))
    for index, path in enumerate(paths):
        assert pending is not None
        parsed = await pending
        pending = None
        if index + 1 < len(paths):
            pending = asyncio.ensure_future(_parse(paths[index + 1]))
        if isinstance(parsed, str):
            result = FileResult(path, error=parsed)
        else:
            counts = await ingestor.ingest(parsed.items, announced_on=parsed.pub_date, alert=alert)
            result = FileResult(path, counts)
        results.append(result)
        if on_file is not None:
            on_file(index + 1, result)
    return results
