"""Listing files on disk (RSS, RDF or API Atom; ``.xml`` or ``.xml.gz``), read and parsed."""

from __future__ import annotations

import gzip
from pathlib import Path

from bot.model import Listing
from bot.sources.arxiv_parse import parse_listing
from bot.sources.xmlsafe import FeedError

#: Refuse files bigger than this once decompressed (a gzip bomb is still a bomb).
MAX_FILE_BYTES = 200_000_000


class ListingFileError(Exception):
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
        raise ListingFileError(f"{path}: cannot read: {exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise ListingFileError(f"{path}: larger than {MAX_FILE_BYTES} bytes")
    return data


def parse_listing_file(path: Path) -> Listing:
    """The listing in a file; :class:`ListingFileError` names the file when it is unusable."""
    try:
        return parse_listing(read_listing_file(path))
    except FeedError as exc:
        raise ListingFileError(f"{path}: {exc}") from None
