"""The OpenAlex client against the fake (real payload shapes): parsing, batches, the abstract,
and every failure as one clear error (429 parks until 00:00 UTC, 403 backs off, HTML and
truncated JSON, 404, unreachable, the byte cap)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from support.clock import FakeClock
from support.fake_openalex import FakeOpenAlex, author, work
from support.fakeweb import FakeServer, Reply

from bot.sources.http import HttpClient
from bot.sources.openalex import (
    NotFound,
    OpenAlexClient,
    OpenAlexError,
    next_midnight_utc,
)
from bot.sources.openalex_parse import invert_abstract, parse_author, parse_work, rebuild_abstract

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.fixture
async def fake(fake_server: FakeServer) -> FakeOpenAlex:
    return FakeOpenAlex(fake_server)


@pytest.fixture
async def client(fake: FakeOpenAlex) -> AsyncIterator[OpenAlexClient]:
    async with HttpClient(retries=0, max_bytes=10_000_000) as http:
        yield OpenAlexClient(
            http, fake.url, api_key="k-secret-123", clock=FakeClock().time, rate_limit_backoff=0
        )


def test_the_rebuilt_abstract_inverts_back_to_the_real_index() -> None:
    real = json.loads((FIXTURES / "openalex_work.json").read_text())
    text = rebuild_abstract(real["abstract_inverted_index"])
    assert text.startswith("Despite growing interest in Open Access (OA)")
    assert invert_abstract(text) == real["abstract_inverted_index"]


def test_the_real_author_record_is_read() -> None:
    real = json.loads((FIXTURES / "openalex_author.json").read_text())
    record = parse_author(real)
    assert record is not None
    assert (record.author_id, record.display_name) == ("A5023888391", "Jason Priem")
    assert record.orcid == "0000-0001-6187-6610"
    assert record.institution == "OurResearch"
    assert record.works_count == 62 and record.works_by_year[0][0] == 2025
    assert "Priem Jason" in record.names


def test_the_real_work_is_read() -> None:
    real = json.loads((FIXTURES / "openalex_work.json").read_text())
    record = parse_work(real)
    assert record is not None
    assert record.doi == "10.7717/peerj.4375" and record.venue == "PeerJ"
    assert record.authorships[0].name == "Heather Piwowar"
    assert record.authorships[0].orcid == "0000-0003-1613-5981"
    assert not record.authors_truncated


async def test_works_are_asked_for_by_arxiv_doi_in_one_batch(
    fake: FakeOpenAlex, client: OpenAlexClient
) -> None:
    fake.add_work(work("W1", "2606.16122", [("A1", "Wei Wang", None)]))
    fake.add_work(work("W2", "2606.16140", [("A2", "Wei Wang", None)]))
    found = await client.works_by_arxiv(["2606.16122", "2606.16140", "2606.99999"])
    assert sorted(w.arxiv_id or "" for w in found) == ["2606.16122", "2606.16140"]
    (request,) = fake.list_requests()
    assert request.query["per-page"] == "50"
    assert request.query["filter"].count("|") == 2
    assert "doi:10.48550/arXiv.2606.16122|" in request.query["filter"]


async def test_a_list_cuts_authorships_at_100_and_says_so(
    fake: FakeOpenAlex, client: OpenAlexClient
) -> None:
    many = [(f"A{i}", f"Person Number{i}", None) for i in range(1, 3001)]
    fake.add_work(work("W3", "2606.00001", many))
    (listed,) = await client.works_by_arxiv(["2606.00001"])
    assert listed.authors_truncated and len(listed.authorships) == 100
    full = await client.work("doi:10.48550/arXiv.2606.00001")
    assert full is not None and len(full.authorships) == 3000


async def test_a_429_parks_openalex_until_midnight_utc(
    fake: FakeOpenAlex, client: OpenAlexClient
) -> None:
    fake.fail(Reply(status=429, body="daily budget exhausted"))
    with pytest.raises(OpenAlexError) as caught:
        await client.search_authors("Wei Wang")
    assert caught.value.parked_until == next_midnight_utc(client.clock())
    assert "not asked again before" in str(caught.value)
    sent = len(fake.requests)
    with pytest.raises(OpenAlexError):
        await client.search_authors("Wei Wang")
    assert len(fake.requests) == sent  # parked: nothing sent


async def test_a_403_is_the_rate_limit_backed_off_and_retried(
    fake: FakeOpenAlex, client: OpenAlexClient
) -> None:
    fake.add_author(author("A1", "Wei Wang"))
    fake.fail(Reply(status=403), Reply(status=403))
    found = await client.search_authors("Wei Wang")
    assert [a.author_id for a in found] == ["A1"]
    assert len(fake.requests) == 3


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("<!DOCTYPE html><html><body>Bad gateway</body></html>", "HTML page"),
        ('{"meta": {"count": 1}, "results": [{"id": "https://openalex.org/W1", "ti', "truncated"),
        ("[1, 2]", "JSON list"),
    ],
)
async def test_a_bad_payload_is_one_clear_error(
    fake: FakeOpenAlex, client: OpenAlexClient, body: str, says: str
) -> None:
    fake.fail(Reply(body=body, headers={"Content-Type": "text/html"}))
    with pytest.raises(OpenAlexError, match=says) as caught:
        await client.works_by_arxiv(["2606.16122"])
    assert "\n" not in str(caught.value) and "k-secret-123" not in str(caught.value)


async def test_an_unknown_author_is_not_found(client: OpenAlexClient) -> None:
    with pytest.raises(NotFound, match="A0"):
        await client.author("A0")


async def test_an_unreachable_index_says_so() -> None:
    async with HttpClient(retries=0) as http:
        client = OpenAlexClient(http, "http://127.0.0.1:9/openalex")
        with pytest.raises(OpenAlexError) as caught:
            await client.search_authors("Wei Wang")
    assert caught.value.unreachable


async def test_a_body_over_the_byte_cap_is_refused(
    fake: FakeOpenAlex, client: OpenAlexClient
) -> None:
    fake.fail(Reply(stream_total=12_000_000))
    with pytest.raises(OpenAlexError, match="larger than"):
        await client.works_by_arxiv(["2606.16122"])


async def test_the_key_is_sent_as_a_parameter(fake: FakeOpenAlex, client: OpenAlexClient) -> None:
    await client.search_authors("Wei Wang")
    assert fake.requests[0].query["api_key"] == "k-secret-123"


async def test_cursor_paging_stops_at_the_page_cap(
    fake: FakeOpenAlex, client: OpenAlexClient
) -> None:
    page = {"meta": {"count": 30000, "next_cursor": "more"}, "results": [{"id": "W1"}]}
    fake.fail(*[Reply(body=json.dumps(page)) for _ in range(8)])
    pages = await client.pages("/works", {"filter": "author.id:A1"}, max_pages=5)
    assert len(pages) == 5 and len(fake.requests) == 5
    assert [r.query["cursor"] for r in fake.requests[:2]] == ["*", "more"]
