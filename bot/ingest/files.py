"""``paperbot ingest``: listing files (RSS, RDF or API Atom; ``.xml`` or ``.xml.gz``) into the
store, one transaction per file."""

from __future__ import annotations

import asyncio
import gzip
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.sources.arxiv_parse import parse_listing
from bot.sources.xmlsafe import FeedError
from bot.store import IngestCounts, Matcher, Store

#: Refuse files bigger than this once decompressed (a gzip bomb is still a bomb).
MAX_FILE_BYTES = 200_000_000


class IngestError(Exception):
    """A file could not be read or parsed; the message names the file."""


def read_listing_file(path: Path) -> bytes:
    """The file's bytes, gunzipped when it ends in ``.gz``, capped at :data:`MAX_FILE_BYTES`."""
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
        else:
            with path.open("rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise IngestError(f"{path}: cannot read: {exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise IngestError(f"{path}: larger than {MAX_FILE_BYTES} bytes")
    return data


def _parse(path: Path):
    try:
        return parse_listing(read_listing_file(path))
    except FeedError as exc:
        raise IngestError(f"{path}: {exc}") from None


class Progress:
    """A one-line progress bar on stderr (only when stderr is a terminal)."""

    def __init__(self, total: int, enabled: bool | None = None) -> None:
        self.total = total
        self.enabled = sys.stderr.isatty() if enabled is None else enabled

    def update(self, done: int, label: str) -> None:
        if not self.enabled or self.total == 0:
            return
        width = 30
        filled = width * done // self.total
        bar = "#" * filled + "-" * (width - filled)
        sys.stderr.write(f"\r[{bar}] {done}/{self.total} {label[:40]:<40}")
        if done == self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


async def ingest_files(
    store: Store,
    paths: Sequence[Path],
    *,
    matcher: Matcher | None = None,
    thread_channels: frozenset[int] = frozenset(),
    progress: Callable[[int, str], None] | None = None,
) -> IngestCounts:
    """Parse and store each file in order; the next file is parsed while this one is written."""
    total = IngestCounts()
    pending = asyncio.ensure_future(asyncio.to_thread(_parse, paths[0])) if paths else None
    for index, path in enumerate(paths):
        assert pending is not None
        listing = await pending
        pending = (
            asyncio.ensure_future(asyncio.to_thread(_parse, paths[index + 1]))
            if index + 1 < len(paths)
            else None
        )
        counts = await store.ingest(
            listing.items,
            announced_on=listing.pub_date,
            matcher=matcher,
            thread_platform_channels=thread_channels,
        )
        total.add(counts)
        if progress is not None:
            progress(index + 1, path.name)
    return total
