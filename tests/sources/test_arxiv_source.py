"""ArxivSource against the fake arXiv: conditional listing polls, API errors, catch-up paging."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from support import fake_arxiv
from support.fake_arxiv import FakeArxiv
from support.fakeweb import FakeServer, Reply

from bot.model import SourceState
from bot.sources.arxiv import EMPTY_PAGE_RETRIES, ArxivSource, SourceError
from bot.sources.http import HttpClient
from bot.sources.limiter import PolitenessLimiter

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
async def arxiv(fake_server: FakeServer) -> AsyncIterator[tuple[ArxivSource, FakeArxiv]]:
    fake = FakeArxiv(fake_server, page_cap=4)
    client = HttpClient(
        limiter=PolitenessLimiter(0.0), retries=0, backoff_base=0.01, total_timeout=5.0
    )
    try:
        yield ArxivSource(client, rss_url=fake.rss_url, api_url=fake.api_url), fake
    finally:
        await client.close()


def state_after(fetch) -> SourceState:  # type: ignore[no-untyped-def]
    return SourceState(
        url=fetch.url, etag=fetch.etag, last_modified=fetch.last_modified, body_hash=fetch.body_hash
    )


async def test_listing_with_etag_then_304(arxiv: tuple[ArxivSource, FakeArxiv]) -> None:
    source, fake = arxiv
    fake.serve_listing("cs.AI", etag='"v1"')
    first = await source.fetch_listing("cs.AI", None)
    assert first.listing is not None and len(first.listing.items) == 177
    assert first.listing.pub_date == date(2026, 7, 13)
    assert first.etag == '"v1"'
    assert first.body_hash and len(first.body_hash) == 64
    second = await source.fetch_listing("cs.AI", state_after(first))
    assert second.listing is None
    requests = fake.server.requests_for("/rss/cs.AI")
    assert "If-None-Match" not in requests[0].headers
    assert requests[1].headers["If-None-Match"] == '"v1"'


async def test_same_body_without_validators_is_unchanged_by_hash(
    arxiv: tuple[ArxivSource, FakeArxiv],
) -> None:
    source, fake = arxiv
    fake.serve_listing("cs.AI")
    first = await source.fetch_listing("cs.AI", None)
    assert first.listing is not None and first.etag is None and first.last_modified is None
    second = await source.fetch_listing("cs.AI", state_after(first))
    assert second.listing is None
    assert second.body_hash == first.body_hash
    assert len(fake.server.requests_for("/rss/cs.AI")) == 2  # really fetched, then compared
    # A different body is parsed again.
    fake.serve_listing("cs.AI", FIXTURES / "arxiv_rss_cs_ai_empty_holiday_2025-12-31.xml")
    third = await source.fetch_listing("cs.AI", state_after(first))
    assert third.listing is not None and third.listing.items == ()
    assert third.body_hash != first.body_hash


async def test_listing_that_is_not_a_feed_is_a_source_error(
    arxiv: tuple[ArxivSource, FakeArxiv],
) -> None:
    source, fake = arxiv
    fake.server.route("/rss/cs.AI", Reply(body=b"<html><body>Maintenance</body></html>"))
    with pytest.raises(SourceError, match=r"cs\.AI"):
        await source.fetch_listing("cs.AI", None)


async def test_listing_http_error_is_a_source_error(arxiv: tuple[ArxivSource, FakeArxiv]) -> None:
    source, _fake = arxiv
    with pytest.raises(SourceError, match="HTTP 404"):
        await source.fetch_listing("cs.NOPE", None)


async def test_api_error_feed_raises_with_arxivs_message(
    arxiv: tuple[ArxivSource, FakeArxiv],
) -> None:
    source, fake = arxiv
    with pytest.raises(SourceError, match="incorrect id format for abc"):
        await source.fetch_ids(["abc"])
    (request,) = fake.api_requests
    assert request.query["id_list"] == "abc"


async def test_fetch_ids_known_unknown_and_versioned(arxiv: tuple[ArxivSource, FakeArxiv]) -> None:
    source, _fake = arxiv
    (paper,) = await source.fetch_ids(["2308.03526"])
    assert paper.title == fake_arxiv.ALPHASTAR_TITLE and paper.version == 1
    assert paper.authors == fake_arxiv.ALPHASTAR_AUTHORS
    assert await source.fetch_ids(["2312.99999"]) == []
    both = await source.fetch_ids(["2202.12139", "cond-mat/0412498"])
    assert [p.arxiv_id for p in both] == ["2202.12139", "cond-mat/0412498"]


async def test_search_titles_builds_a_title_query(arxiv: tuple[ArxivSource, FakeArxiv]) -> None:
    source, fake = arxiv
    found = await source.search_titles(["AlphaStar", "Unplugged", "(", ""], limit=3)
    assert [p.arxiv_id for p in found] == ["2308.03526"]
    assert fake.api_requests[-1].query["search_query"] == "ti:AlphaStar AND ti:Unplugged"
    assert fake.api_requests[-1].query["max_results"] == "3"
    before = len(fake.api_requests)
    assert await source.search_titles(["(", "*"]) == []
    assert len(fake.api_requests) == before  # nothing searchable: no request


def catchup_entries() -> list:  # type: ignore[type-arg]
    return [
        *fake_arxiv.real_entries(fake_arxiv.RECORDED_2026),
        *fake_arxiv.real_entries(fake_arxiv.LEGACY_2016),
    ]


async def test_submitted_between_pages_and_retries_an_empty_middle_page(
    arxiv: tuple[ArxivSource, FakeArxiv],
) -> None:
    source, fake = arxiv
    fake.catchup = catchup_entries()  # 20 entries, 4 a page: 5 pages
    fake.empty_pages = {8: 2}  # the third page comes back empty twice before it is served
    papers = await source.submitted_between("cs.AI", date(2026, 7, 1), date(2026, 7, 13))
    assert len(papers) == 20
    assert len({p.arxiv_id for p in papers}) == 20
    starts = [int(r.query["start"]) for r in fake.api_requests]
    assert starts == [0, 4, 8, 8, 8, 12, 16]
    query = fake.api_requests[0].query
    assert query["search_query"] == "cat:cs.AI AND submittedDate:[202607010000 TO 202607140000]"
    assert query["sortBy"] == "submittedDate"


async def test_submitted_between_fails_when_a_page_stays_empty(
    arxiv: tuple[ArxivSource, FakeArxiv],
) -> None:
    source, fake = arxiv
    fake.catchup = catchup_entries()
    fake.empty_pages = {4: 100}
    with pytest.raises(SourceError, match="empty pages at 4 of 20"):
        await source.submitted_between("cs.AI", date(2026, 7, 1), date(2026, 7, 13))
    assert len(fake.api_requests) == 1 + 1 + EMPTY_PAGE_RETRIES


async def test_submitted_between_empty_window_is_one_request(
    arxiv: tuple[ArxivSource, FakeArxiv],
) -> None:
    source, fake = arxiv
    assert await source.submitted_between("cs.AI", date(2025, 12, 31), date(2025, 12, 31)) == []
    assert len(fake.api_requests) == 1


async def test_submitted_between_stops_at_max_results(
    arxiv: tuple[ArxivSource, FakeArxiv],
) -> None:
    source, fake = arxiv
    fake.catchup = catchup_entries()
    papers = await source.submitted_between(
        "cs.AI", date(2026, 7, 1), date(2026, 7, 2), max_results=8
    )
    assert len(papers) == 8 and len(fake.api_requests) == 2


async def test_unreachable_api_is_a_source_error(unused_tcp_port: int) -> None:
    client = HttpClient(limiter=PolitenessLimiter(0.0), retries=0, total_timeout=2.0)
    url = f"http://127.0.0.1:{unused_tcp_port}"
    source = ArxivSource(client, rss_url=url + "/rss", api_url=url + "/api/query")
    try:
        with pytest.raises(SourceError, match="connection refused"):
            await source.fetch_ids(["2308.03526"])
        with pytest.raises(SourceError, match="connection refused"):
            await source.fetch_listing("cs.AI", None)
    finally:
        await client.close()
    assert source.listing_url("cs.AI") == url + "/rss/cs.AI"
