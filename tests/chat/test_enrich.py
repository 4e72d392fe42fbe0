"""Look-ups enriched from Semantic Scholar: published version, citations, TL;DR; cached;
bounded when S2 is slow or down; alerts use a TL;DR only when it is already cached."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support.chat import Chat, chat_config, open_chat
from support.clock import FakeClock
from support.fake_arxiv import ALPHASTAR_ID, ALPHASTAR_SUMMARY, FakeArxiv
from support.fake_s2 import FakeS2
from support.fakeweb import FakeServer, Reply
from support.store import ingest

from bot.chat.enrich import Enricher
from bot.config.scholar import SemanticScholarConfig
from bot.model import Paper
from bot.model.scholarly import SEMANTIC_SCHOLAR, PaperRecord
from bot.sources.arxiv_parse import parse_listing
from bot.sources.http import HttpClient
from bot.sources.semantic_scholar import SemanticScholar
from bot.store import Store

TLDR = "AlphaStar Unplugged is a benchmark for offline RL on StarCraft II."
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LISTING = FIXTURES / "arxiv_rss_cs_ai_2026-07-14.xml"


def alphastar(fake: FakeS2) -> None:
    fake.add_paper(
        ALPHASTAR_ID,
        "AlphaStar Unplugged",
        venue="",
        publicationVenue=None,
        journal={"name": "Journal of Offline RL", "volume": "3"},
        externalIds={"ArXiv": ALPHASTAR_ID, "DOI": "10.5555/alphastar"},
        citationCount=1234,
        tldr={"model": "tldr@v2.0.0", "text": TLDR},
    )


@pytest.fixture
async def s2chat(tmp_path: Path, fake_server: FakeServer) -> AsyncIterator[tuple[Chat, FakeS2]]:
    fake = FakeS2(fake_server)
    config = chat_config(tmp_path / "chat.sqlite3", fake_server)
    s2 = SemanticScholarConfig(api_url=fake.api_url, min_interval_seconds=0.0)
    async with open_chat(dataclasses.replace(config, semantic_scholar=s2), fake_server) as chat:
        yield chat, fake


async def test_a_lookup_card_shows_the_published_version_citations_and_tldr(s2chat) -> None:
    chat, fake = s2chat
    alphastar(fake)
    card = await chat(ALPHASTAR_ID)
    assert "Published in Journal of Offline RL · DOI 10.5555/alphastar · 1,234 citations" in card
    assert TLDR in card and ALPHASTAR_SUMMARY[:40] not in card


async def test_a_second_lookup_is_answered_from_the_cache(s2chat) -> None:
    chat, fake = s2chat
    alphastar(fake)
    first = await chat(ALPHASTAR_ID)
    second = await chat(ALPHASTAR_ID)
    assert first.startswith("Found (arxiv)") and second.startswith("Found (store)")
    assert second.splitlines()[1:] == first.splitlines()[1:]
    assert len(fake.batch_requests()) == 1


async def test_a_paper_s2_lacks_keeps_the_trimmed_abstract_and_is_not_asked_again(s2chat) -> None:
    chat, fake = s2chat
    card = await chat(ALPHASTAR_ID)
    assert ALPHASTAR_SUMMARY[:60] in card and "Published" not in card
    await chat(ALPHASTAR_ID)
    assert len(fake.batch_requests()) == 1


async def test_status_shows_semantic_scholars_health(s2chat) -> None:
    chat, fake = s2chat
    assert "Semantic Scholar" in (status := await chat("status")) and "not asked yet" in status
    fake.server.script("/graph/v1/paper/batch", *[Reply(503)] * 3, method="POST")
    await chat(ALPHASTAR_ID)
    status = await chat("status")
    assert "failing ×1" in status and "HTTP 503" in status
    alphastar(fake)
    fake.server.requests.clear()
    await chat.app.store.db.fetchall("DELETE FROM index_records")
    await chat(ALPHASTAR_ID)
    assert "Semantic Scholar" in (status := await chat("status")) and "; ok" in status


async def test_a_lookup_answers_when_s2_is_unreachable(tmp_path: Path, fake_server) -> None:
    FakeArxiv(fake_server)
    config = chat_config(tmp_path / "chat.sqlite3", fake_server)
    dead = SemanticScholarConfig(api_url="http://127.0.0.1:9/graph/v1")
    async with open_chat(dataclasses.replace(config, semantic_scholar=dead), fake_server) as chat:
        started = time.monotonic()
        card = await chat(ALPHASTAR_ID)
        elapsed = time.monotonic() - started
    assert "AlphaStar Unplugged" in card and ALPHASTAR_SUMMARY[:60] in card
    assert "Semantic Scholar unreachable: connection refused" in card
    assert elapsed < 3.0


async def test_a_slow_s2_costs_at_most_the_time_budget(fake_server, store: Store) -> None:
    fake = FakeS2(fake_server)
    fake.server.script("/graph/v1/paper/batch", Reply(200, "[]", delay=5.0), method="POST")
    s2 = SemanticScholar(HttpClient(retries=0), fake.api_url)
    enricher = Enricher(store, s2, budget_seconds=0.3)
    started = time.monotonic()
    async with s2.http:
        records, note = await enricher.records([Paper(ALPHASTAR_ID, 1, "AlphaStar")])
    assert time.monotonic() - started < 1.5
    assert records == () and note == "Semantic Scholar did not answer within 0.3s"


async def test_the_cache_expires_after_cache_days(fake_server, store: Store) -> None:
    fake = FakeS2(fake_server)
    alphastar(fake)
    clock = FakeClock()
    s2 = SemanticScholar(HttpClient(retries=0), fake.api_url)
    enricher = Enricher(store, s2, cache_days=7, clock=clock)
    paper = Paper(ALPHASTAR_ID, 1, "AlphaStar")
    async with s2.http:
        await enricher.records([paper])
        clock.advance(7 * 86_400 - 1)
        await enricher.records([paper])
        assert len(fake.batch_requests()) == 1
        clock.advance(2)
        (record,), _ = await enricher.records([paper])
    assert len(fake.batch_requests()) == 2 and record.citations == 1234


async def test_a_paper_not_held_is_asked_again_after_a_day(fake_server, store: Store) -> None:
    fake = FakeS2(fake_server)
    clock = FakeClock()
    s2 = SemanticScholar(HttpClient(retries=0), fake.api_url)
    enricher = Enricher(store, s2, cache_days=7, clock=clock)
    paper = Paper(ALPHASTAR_ID, 1, "AlphaStar")
    async with s2.http:
        assert (await enricher.records([paper]))[0] == ()
        clock.advance(86_400 + 1)
        alphastar(fake)  # S2 has indexed it since
        (record,), _ = await enricher.records([paper])
    assert len(fake.batch_requests()) == 2 and record.tldr == TLDR


async def test_only_the_papers_not_cached_are_asked(fake_server, store: Store) -> None:
    fake = FakeS2(fake_server)
    alphastar(fake)
    s2 = SemanticScholar(HttpClient(retries=0), fake.api_url)
    enricher = Enricher(store, s2)
    cached = PaperRecord("2303.08774", SEMANTIC_SCHOLAR, tldr="Cached TL;DR.")
    await store.index_records.put([cached], now=time.time(), ttl_seconds=3600)
    papers = [Paper("2303.08774", 5, "GPT-4"), Paper(ALPHASTAR_ID, 1, "AlphaStar")]
    async with s2.http:
        records, note = await enricher.records(papers)
    (request,) = fake.batch_requests()
    assert b"2303.08774" not in request.body and note is None
    assert [r.arxiv_id for r in records] == ["2303.08774", ALPHASTAR_ID]


async def test_an_alert_uses_a_cached_tldr_and_asks_s2_nothing(s2chat) -> None:
    chat, fake = s2chat
    await chat("subscribe category cs.AI")
    chat.serve_listing(LISTING)
    await chat.poll()
    row = await chat.app.store.db.fetchone("SELECT paper_id FROM outbox WHERE kind = 'alert'")
    paper_id = row["paper_id"]
    record = PaperRecord(paper_id, SEMANTIC_SCHOLAR, tldr="A cached one-sentence summary.")
    await chat.app.store.index_records.put([record], now=time.time(), ttl_seconds=60)
    await chat.deliver()
    with_tldr = [a for a in chat.alerts if "A cached one-sentence summary." in a]
    assert len(with_tldr) == 1 and len(chat.alerts) > 1
    assert fake.batch_requests() == []


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (Reply(200, "<!DOCTYPE html><html>502 Bad Gateway</html>"), "an HTML page instead"),
        (Reply(200, '[{"paperId": "x", "title": "AlphaSt'), "malformed JSON"),
        (Reply(429, headers={"Retry-After": "3600"}), "Retry-After 3600s exceeds 30s"),
    ],
)
async def test_a_faulty_s2_still_lets_the_lookup_answer(s2chat, reply: Reply, said: str) -> None:
    chat, fake = s2chat
    alphastar(fake)
    fake.server.script("/graph/v1/paper/batch", reply, method="POST")
    card = await chat(ALPHASTAR_ID)
    assert "AlphaStar Unplugged" in card and ALPHASTAR_SUMMARY[:60] in card and said in card
    assert "Published" not in card
    assert TLDR in await chat(ALPHASTAR_ID)  # nothing bad was cached: asked again, answered


async def test_s2_down_never_stops_polling_or_delivery(tmp_path: Path, fake_server) -> None:
    config = chat_config(tmp_path / "chat.sqlite3", fake_server)
    dead = SemanticScholarConfig(api_url="http://127.0.0.1:9/graph/v1")
    async with open_chat(dataclasses.replace(config, semantic_scholar=dead), fake_server) as chat:
        await chat("subscribe category cs.AI")
        chat.serve_listing(LISTING)
        report = await chat.poll_and_deliver()
        status = await chat("status")
    assert report.sent > 0 and len(chat.alerts) == report.sent
    assert "Semantic Scholar (http://127.0.0.1:9/graph/v1): not asked yet" in status


async def test_the_papers_of_one_answer_cost_one_batch(s2chat) -> None:
    chat, fake = s2chat
    listing = parse_listing(LISTING.read_bytes())
    await ingest(chat.app.store, listing.items, announced_on=listing.pub_date)
    answer = await chat("lookup learning")
    (request,) = fake.batch_requests()
    asked = json.loads(request.body)["ids"]
    assert len(asked) == 5 and answer.startswith("5 papers (store)")
