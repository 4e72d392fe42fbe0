"""Lookup: every query form, store first and arXiv second, hostile input, clear failures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from support import fake_arxiv
from support.fake_arxiv import FakeArxiv
from support.fakeweb import FakeServer
from support.store import ingest

from bot.chat.lookup import Lookup, LookupFailed
from bot.model import AnnounceType, ListingItem
from bot.sources.arxiv import ArxivSource
from bot.sources.arxiv_parse import parse_api, parse_listing
from bot.sources.http import HttpClient
from bot.sources.limiter import PolitenessLimiter
from bot.store import Store

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ALPHA = "2308.03526"


@pytest.fixture
async def world(
    fake_server: FakeServer, store: Store
) -> AsyncIterator[tuple[Lookup, FakeArxiv, Store]]:
    fake = FakeArxiv(fake_server)
    client = HttpClient(limiter=PolitenessLimiter(0.0), retries=0, total_timeout=5.0)
    source = ArxivSource(client, rss_url=fake.rss_url, api_url=fake.api_url)
    try:
        yield Lookup(store, source, max_length=300), fake, store
    finally:
        await client.close()


@pytest.mark.parametrize(
    "query",
    [
        ALPHA,
        f"{ALPHA}v1",
        f"arXiv:{ALPHA}",
        f"https://arxiv.org/abs/{ALPHA}",
        f"arxiv.org/abs/{ALPHA}v1",
        f"https://arxiv.org/pdf/{ALPHA}v1",
        f"https://arxiv.org/pdf/{ALPHA}v1.pdf",
        f"<https://export.arxiv.org/abs/{ALPHA}>",
        f"10.48550/arXiv.{ALPHA}",
        f"https://doi.org/10.48550/arXiv.{ALPHA}",
    ],
)
async def test_id_forms_fetch_then_answer_from_store(
    world: tuple[Lookup, FakeArxiv, Store], query: str
) -> None:
    lookup, fake, store = world
    first = await lookup(query)
    assert first.origin == "arxiv"
    (paper,) = first.papers
    assert paper.arxiv_id == ALPHA and paper.title == fake_arxiv.ALPHASTAR_TITLE
    assert fake.api_requests[0].query["id_list"] in (ALPHA, f"{ALPHA}v1")
    stored = await store.papers.get(ALPHA)
    assert stored is not None and stored.announced is None  # looked up, not announced
    second = await lookup(query)
    assert second.origin == "store" and second.papers[0].arxiv_id == ALPHA
    assert len(fake.api_requests) == 1


async def test_looked_up_paper_is_still_announced_by_a_listing(
    world: tuple[Lookup, FakeArxiv, Store],
) -> None:
    lookup, _fake, store = world
    result = await lookup(ALPHA)
    counts = await ingest(
        store, [ListingItem(result.papers[0], AnnounceType.NEW)], announced_on=date(2023, 8, 8)
    )
    assert counts.announced == 1 and counts.new_papers == 0


async def test_newer_version_than_stored_asks_arxiv(
    world: tuple[Lookup, FakeArxiv, Store],
) -> None:
    lookup, fake, _store = world
    await lookup(ALPHA)
    result = await lookup(f"{ALPHA}v1")
    assert result.origin == "store"
    with pytest.raises(LookupFailed, match=f"not found: arXiv has no paper {ALPHA}v2"):
        await lookup(f"{ALPHA}v2")
    assert [r.query["id_list"] for r in fake.api_requests] == [ALPHA, f"{ALPHA}v2"]


async def test_old_style_ids(world: tuple[Lookup, FakeArxiv, Store]) -> None:
    lookup, fake, _store = world
    result = await lookup("cond-mat/0412498")
    assert result.origin == "arxiv" and result.papers[0].arxiv_id == "cond-mat/0412498"
    assert (await lookup("arXiv:cond-mat/0412498v1")).origin == "store"
    with pytest.raises(LookupFailed, match="not found"):
        await lookup("hep-th/9901001")
    assert fake.api_requests[-1].query["id_list"] == "hep-th/9901001"
    assert len(fake.api_requests) == 2


async def test_unknown_id_is_not_found(world: tuple[Lookup, FakeArxiv, Store]) -> None:
    lookup, _fake, store = world
    with pytest.raises(LookupFailed, match=r"not found: arXiv has no paper 2312\.99999"):
        await lookup("2312.99999")
    assert await store.papers.count() == 0


@pytest.mark.parametrize("query", ["9999.99999", "2313.00001", "2308.03526v0", "arXiv:1234.5"])
async def test_malformed_id_gives_a_clear_message(
    world: tuple[Lookup, FakeArxiv, Store], query: str
) -> None:
    lookup, fake, _store = world
    with pytest.raises(LookupFailed) as err:
        await lookup(query)
    message = str(err.value)
    assert "\n" not in message and "arxiv" in message.lower()
    assert "not a valid arXiv id" in message or "no paper found" in message
    if query != "arXiv:1234.5":
        assert "not a valid arXiv id" in message
        assert fake.api_requests == []  # no pointless title search for digits


async def test_other_doi_answered_from_store(world: tuple[Lookup, FakeArxiv, Store]) -> None:
    lookup, fake, store = world
    api = parse_api((FIXTURES / "arxiv_api_query_recorded_2026.body.xml").read_bytes())
    await store.papers.save_looked_up(i.paper for i in api.items)
    for query in (
        "10.1109/ICSTW55395.2022.00035",
        "doi:10.1109/icstw55395.2022.00035",
        "https://doi.org/10.1109/ICSTW55395.2022.00035",
    ):
        result = await lookup(query)
        assert result.origin == "store" and result.papers[0].arxiv_id == "2202.12139"
    with pytest.raises(LookupFailed, match=r"no stored paper has DOI 10\.1000/xyz123"):
        await lookup("10.1000/xyz123")
    assert fake.api_requests == []


async def test_title_words_found_locally(world: tuple[Lookup, FakeArxiv, Store]) -> None:
    lookup, fake, store = world
    listing = parse_listing((FIXTURES / "arxiv_rss_cs_ai_2026-07-14.xml").read_bytes())
    await ingest(store, listing.items, announced_on=listing.pub_date)
    result = await lookup("interval certifications multilayered perceptrons")
    assert result.origin == "store"
    assert result.papers[0].arxiv_id == "2607.08773"
    assert fake.api_requests == []


async def test_title_words_not_stored_search_arxiv_and_store_result(
    world: tuple[Lookup, FakeArxiv, Store],
) -> None:
    lookup, fake, store = world
    result = await lookup("AlphaStar unplugged")
    assert result.origin == "arxiv" and [p.arxiv_id for p in result.papers] == [ALPHA]
    assert fake.api_requests[0].query["search_query"] == "ti:AlphaStar AND ti:unplugged"
    stored = await store.papers.get(ALPHA)
    assert stored is not None and stored.announced is None
    again = await lookup("alphastar UNPLUGGED")
    assert again.origin == "store" and again.papers[0].arxiv_id == ALPHA
    assert len(fake.api_requests) == 1


async def test_title_words_found_nowhere(world: tuple[Lookup, FakeArxiv, Store]) -> None:
    lookup, fake, _store = world
    with pytest.raises(LookupFailed, match="no paper found"):
        await lookup("zebra quokka tessellation")
    assert len(fake.api_requests) == 1


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "NEAR(",
        "title:",
        "'; DROP TABLE papers; --",
        "AND OR NOT",
        "a" * 301,
        "",
        "   ",
        "ti:x AND",
        "10.1000/'; DROP",
        "https://arxiv.org/abs/'",
        "\x00",
        "量子 🤖",
    ],
)
async def test_hostile_strings_only_raise_lookup_failed(
    world: tuple[Lookup, FakeArxiv, Store], query: str
) -> None:
    lookup, _fake, store = world
    await store.papers.save_looked_up([(await lookup(ALPHA)).papers[0]])
    try:
        result = await lookup(query)
    except LookupFailed as exc:
        assert str(exc)
    else:
        assert result.papers
    assert await store.papers.count() >= 1
    assert await store.papers.get(ALPHA) is not None


async def test_unreachable_arxiv_falls_back_or_fails_clearly(
    store: Store, unused_tcp_port: int
) -> None:
    url = f"http://127.0.0.1:{unused_tcp_port}"
    client = HttpClient(limiter=PolitenessLimiter(0.0), retries=0, total_timeout=2.0)
    lookup = Lookup(store, ArxivSource(client, rss_url=url + "/rss/", api_url=url + "/api"))
    try:
        with pytest.raises(LookupFailed, match="could not reach arXiv"):
            await lookup(ALPHA)
        with pytest.raises(LookupFailed, match="arXiv unreachable"):
            await lookup("some title words")
        api = parse_api((FIXTURES / "arxiv_api_query_recorded_2026.body.xml").read_bytes())
        await store.papers.save_looked_up(i.paper for i in api.items)
        # A stored version answers even when a newer one cannot be fetched.
        result = await lookup("2202.12139v5")
        assert result.origin == "store" and result.note and "unreachable" in result.note
    finally:
        await client.close()


async def test_lookup_without_arxiv(store: Store) -> None:
    lookup = Lookup(store, None)
    with pytest.raises(LookupFailed, match="arXiv look-ups are off"):
        await lookup(ALPHA)
    with pytest.raises(LookupFailed, match="no paper found"):
        await lookup("anything at all")


async def test_an_unreachable_arxiv_fails_a_lookup_at_once(store, unused_tcp_port):
    """A person is waiting: no back-off and retries when the host cannot be reached at all."""
    import time

    from bot.chat.lookup import Lookup, SourceUnavailable
    from bot.sources.arxiv import ArxivSource
    from bot.sources.http import HttpClient

    dead = f"http://127.0.0.1:{unused_tcp_port}"
    async with HttpClient(retries=3, backoff_base=30.0) as http:  # a retry would take 30 s
        arxiv = ArxivSource(http, rss_url=f"{dead}/rss/", api_url=f"{dead}/api/query")
        started = time.monotonic()
        with pytest.raises(SourceUnavailable, match="connection refused"):
            await Lookup(store, arxiv)("2308.03526")
        assert time.monotonic() - started < 10
