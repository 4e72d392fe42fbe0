"""The Semantic Scholar client against the fake serving the real payload shapes."""

from __future__ import annotations

import itertools
import json
import time

import pytest
from support.fake_s2 import BASE, FakeS2, real_paper
from support.fakeweb import FakeServer, Reply

from bot.sources.http import HttpClient
from bot.sources.limiter import PolitenessLimiter
from bot.sources.semantic_scholar import (
    BATCH_SIZE,
    PAPER_FIELDS,
    ScholarError,
    ScholarNotFound,
    SemanticScholar,
)

BATCH = f"{BASE}/paper/batch"


@pytest.fixture
async def fake(fake_server: FakeServer) -> FakeS2:
    return FakeS2(fake_server)


def client(fake: FakeS2, *, key: str | None = None, max_pages: int = 5, **http) -> SemanticScholar:
    settings = {"retries": 2, "backoff_base": 0.01, "total_timeout": 5.0, **http}
    return SemanticScholar(HttpClient(**settings), fake.api_url, api_key=key, max_pages=max_pages)


async def test_a_batch_asks_by_arxiv_id_and_reads_the_published_version(fake: FakeS2) -> None:
    fake.add_paper("2303.08774", "GPT-4 Technical Report")
    s2 = client(fake)
    async with s2.http:
        records = await s2.papers_by_arxiv(["2303.08774", "2401.00001"])
    (request,) = fake.batch_requests()
    assert json.loads(request.body) == {"ids": ["ARXIV:2303.08774", "ARXIV:2401.00001"]}
    assert request.query["fields"] == PAPER_FIELDS
    gpt4 = records["2303.08774"]
    # The recorded record's own venue, journal, DOI, citations and TL;DR:
    assert (gpt4.venue, gpt4.journal, gpt4.doi) == (
        "The Philosophy of Artificial Intelligence",
        "Mind",
        None,  # add_paper replaced externalIds with the arXiv id only
    )
    assert gpt4.citations == real_paper()["citationCount"]
    assert gpt4.tldr.startswith("If the meaning of the words")
    assert gpt4.found and not records["2401.00001"].found


async def test_the_published_doi_is_kept_and_arxivs_own_doi_is_not(fake: FakeS2) -> None:
    fake.add_paper("2303.08774", "A", externalIds={"ArXiv": "2303.08774", "DOI": "10.1/x.y"})
    fake.add_paper("2303.00001", "B", externalIds={"DOI": "10.48550/arXiv.2303.00001"})
    s2 = client(fake)
    async with s2.http:
        records = await s2.papers_by_arxiv(["2303.08774", "2303.00001"])
    assert records["2303.08774"].doi == "10.1/x.y" and records["2303.00001"].doi is None


async def test_an_arxiv_venue_is_no_published_version(fake: FakeS2) -> None:
    fake.add_paper(
        "2303.08774", "A", venue="arXiv.org", publicationVenue=None, journal={"name": "ArXiv"}
    )
    s2 = client(fake)
    async with s2.http:
        record = (await s2.papers_by_arxiv(["2303.08774"]))["2303.08774"]
    assert record.published_in == ""


async def test_more_ids_than_a_batch_takes_are_split(fake: FakeS2) -> None:
    ids = [f"2301.{i:05d}" for i in range(BATCH_SIZE + 1)]
    s2 = client(fake)
    async with s2.http:
        records = await s2.papers_by_arxiv(ids)
    sizes = [len(json.loads(r.body)["ids"]) for r in fake.batch_requests()]
    assert sizes == [BATCH_SIZE, 1] and len(records) == len(ids)


async def test_the_api_key_goes_in_the_header_only(fake: FakeS2) -> None:
    s2 = client(fake, key="s2-secret-key")
    async with s2.http:
        await s2.papers_by_arxiv(["2303.08774"])
    (request,) = fake.batch_requests()
    assert request.headers["x-api-key"] == "s2-secret-key"
    assert "s2-secret-key" not in str(request.query)


async def test_no_key_sends_no_key_header(fake: FakeS2) -> None:
    s2 = client(fake)
    async with s2.http:
        await s2.papers_by_arxiv(["2303.08774"])
    assert "x-api-key" not in {k.lower() for k in fake.batch_requests()[0].headers}


async def test_author_search_reads_the_real_author_shape(fake: FakeS2) -> None:
    fake.add_author("2", "Igor Babuschkin", papers=3)
    fake.add_author("3", "Igor Mordatch", papers=3)
    s2 = client(fake)
    async with s2.http:
        (found,) = await s2.search_authors("Igor Babuschkin")
    assert (found.author_id, found.name, found.paper_count) == ("2", "Igor Babuschkin", 3)


async def test_an_authors_papers_follow_next_until_the_page_cap(fake: FakeS2) -> None:
    fake.route_recorded_author()  # the real 9 recorded pages (875 papers)
    s2 = client(fake, max_pages=20)
    async with s2.http:
        works = await s2.author_papers("1723755")
    assert len(works.works) == 875 and not works.capped
    assert works.works[0].title == "SARS-CoV-2 hijacks p38β/MAPK11 to promote virus replication"


async def test_an_author_with_30000_papers_costs_at_most_the_page_cap(fake: FakeS2) -> None:
    fake.add_author("9", "Jun Li", papers=30_000)
    s2 = client(fake, max_pages=5)
    async with s2.http:
        works = await s2.author_papers("9")
    assert len(fake.server.requests_for(f"{BASE}/author/9/papers")) == 5
    assert len(works.works) == 500 and works.capped


async def test_a_paper_with_3000_authors_keeps_the_first_100(fake: FakeS2) -> None:
    authors = [{"authorId": str(i), "name": f"Author {i}"} for i in range(3000)]
    fake.add_author(
        "7", "Big Collab", works=[{"paperId": "x", "title": "ATLAS", "authors": authors}]
    )
    s2 = client(fake)
    async with s2.http:
        (work,) = (await s2.author_papers("7")).works
    assert len(work.authors) == 100 and work.authors[0] == "Author 0"


async def test_a_response_over_the_byte_cap_is_a_clear_error(fake: FakeS2) -> None:
    fake.server.script(BATCH, Reply(200, b"[" + b" " * 100_000 + b"]"), method="POST")
    s2 = client(fake, max_bytes=50_000)
    async with s2.http:
        with pytest.raises(ScholarError, match="larger than 50000 bytes"):
            await s2.papers_by_arxiv(["2303.08774"])


async def test_an_unknown_author_is_not_found_with_s2s_own_message(fake: FakeS2) -> None:
    s2 = client(fake)
    async with s2.http:
        with pytest.raises(ScholarNotFound, match="Author with id 0 not found"):
            await s2.author_papers("0")


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(200, "<!DOCTYPE html><html>Service Unavailable</html>"), "HTML page instead"),
        (
            Reply(200, "<html>x</html>", {"Content-Type": "text/html"}),
            "HTML page instead of JSON",
        ),
        (Reply(200, '[{"paperId": "a", "title": "GPT-4 Te'), "malformed JSON .*truncated"),
        (Reply(200, '{"data": []}'), "dict for 1 ids asked"),
        (Reply(200, "[1]"), "batch entry that is int"),
        (Reply(400, '{"error": "Unrecognized fields"}'), "refused the request: HTTP 400"),
    ],
)
async def test_bad_payloads_are_one_clear_error(fake: FakeS2, reply: Reply, message: str) -> None:
    fake.server.script(BATCH, reply, method="POST")
    s2 = client(fake)
    async with s2.http:
        with pytest.raises(ScholarError, match=message):
            await s2.papers_by_arxiv(["2303.08774"])


async def test_5xx_is_retried_then_reported(fake: FakeS2) -> None:
    fake.server.script(BATCH, *[Reply(503)] * 3, method="POST")
    s2 = client(fake, retries=2)
    async with s2.http:
        with pytest.raises(ScholarError, match="unreachable: HTTP 503 after 3 attempts"):
            await s2.papers_by_arxiv(["2303.08774"])
    assert len(fake.batch_requests()) == 3


async def test_a_429_waits_its_retry_after_then_succeeds(fake: FakeS2) -> None:
    fake.add_paper("2303.08774", "GPT-4 Technical Report")
    fake.server.script(BATCH, Reply(429, headers={"Retry-After": "1"}), method="POST")
    s2 = client(fake, limiter=PolitenessLimiter(0.0))
    async with s2.http:
        records = await s2.papers_by_arxiv(["2303.08774"])
    first, second = fake.batch_requests()
    assert records["2303.08774"].found and second.time - first.time >= 1.0


async def test_a_retry_after_beyond_the_cap_fails_at_once(fake: FakeS2) -> None:
    fake.server.script(BATCH, Reply(429, headers={"Retry-After": "3600"}), method="POST")
    s2 = client(fake, max_retry_after=30.0)
    started = time.monotonic()
    async with s2.http:
        with pytest.raises(ScholarError, match="Retry-After 3600s exceeds 30s"):
            await s2.papers_by_arxiv(["2303.08774"])
    assert time.monotonic() - started < 2.0 and len(fake.batch_requests()) == 1


async def test_requests_are_spaced_by_its_own_limiter(fake: FakeS2) -> None:
    s2 = client(fake, limiter=PolitenessLimiter(0.3))
    async with s2.http:
        for _ in range(3):
            await s2.search_authors("Igor")
    times = [r.time for r in fake.server.requests_for(f"{BASE}/author/search")]
    assert all(b - a >= 0.28 for a, b in itertools.pairwise(times))


async def test_health_hears_each_success_and_failure(fake: FakeS2) -> None:
    heard: list[str | None] = []

    async def health(problem: str | None) -> None:
        heard.append(problem)

    fake.server.script(BATCH, Reply(200, "<html></html>"), method="POST")
    s2 = SemanticScholar(HttpClient(retries=0), fake.api_url, on_health=health)
    async with s2.http:
        with pytest.raises(ScholarError):
            await s2.papers_by_arxiv(["2303.08774"])
        await s2.papers_by_arxiv(["2303.08774"])
    assert heard[0] is not None and "HTML" in heard[0] and heard[1] is None


async def test_an_unreachable_host_is_unreachable() -> None:
    s2 = SemanticScholar(HttpClient(retries=0), "http://127.0.0.1:9/graph/v1")
    async with s2.http:
        with pytest.raises(ScholarError, match="unreachable: connection refused") as caught:
            await s2.papers_by_arxiv(["2303.08774"])
    assert caught.value.unreachable
