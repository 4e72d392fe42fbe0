"""LocalListings: listing files served in process, day by day, as the poller's source."""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest

from bot.model import SourceState
from bot.sources.arxiv import SourceError
from bot.sources.listings import LocalListings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LISTING = FIXTURES / "arxiv_rss_cs_ai_2026-07-14.xml"
HOLIDAY = FIXTURES / "arxiv_rss_cs_ai_empty_holiday_2025-12-31.xml"
RSS = "https://rss.arxiv.org/rss/"


def state_after(fetched_hash: str | None) -> SourceState:
    return SourceState(url=RSS + "cs.AI", body_hash=fetched_hash)


async def test_each_poll_takes_the_next_day_then_nothing_changes() -> None:
    source = LocalListings({"cs.AI": [LISTING, None, HOLIDAY]}, rss_url=RSS)
    assert source.listing_url("cs.AI") == "https://rss.arxiv.org/rss/cs.AI"
    first = await source.fetch_listing("cs.AI", None)
    assert first.url == RSS + "cs.AI" and first.listing is not None
    assert len(first.listing.items) == 177 and first.listing.pub_date == date(2026, 7, 13)
    second = await source.fetch_listing("cs.AI", state_after(first.body_hash))
    assert second.listing is None and second.body_hash == first.body_hash  # no listing that day
    third = await source.fetch_listing("cs.AI", state_after(first.body_hash))
    assert third.listing is not None and third.listing.items == ()
    assert (await source.fetch_listing("cs.AI", None)).listing is None  # used up
    assert (await source.fetch_listing("cs.LG", None)).listing is None  # never had one


async def test_the_same_body_again_is_unchanged(tmp_path: Path) -> None:
    gz = tmp_path / "again.xml.gz"
    gz.write_bytes(gzip.compress(LISTING.read_bytes()))
    source = LocalListings({"cs.AI": [gz, gz]}, rss_url=RSS)
    first = await source.fetch_listing("cs.AI", None)
    again = await source.fetch_listing("cs.AI", state_after(first.body_hash))
    assert first.listing is not None and again.listing is None


async def test_a_bad_file_is_a_source_error_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "2026-06-15-cs-ai.xml"
    bad.write_bytes(b"<rss><channel><item>")
    source = LocalListings({"cs.AI": [bad]}, rss_url=RSS)
    with pytest.raises(SourceError, match=r"2026-06-15-cs-ai\.xml"):
        await source.fetch_listing("cs.AI", None)


async def test_catch_up_finds_nothing_beyond_the_files() -> None:
    source = LocalListings({"cs.AI": [LISTING]}, rss_url=RSS)
    assert await source.submitted_between("cs.AI", date(2026, 7, 1), date(2026, 7, 14)) == []
