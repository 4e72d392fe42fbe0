"""Tests of the polite HTTP client against a local fake server (127.0.0.1 only)."""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from aiohttp import web
from support import fakeweb
from support.fakeweb import FakeServer, Reply

from bot.sources.http import (
    FetchError,
    FetchTimeout,
    HttpClient,
    HttpStatusError,
    Priority,
    ResponseTooLarge,
)
from bot.sources.limiter import PolitenessLimiter
from bot.sources.retry_after import parse_retry_after
from bot.store import Store

MB = 1024 * 1024
fake_server = fakeweb.fake_server


def make_client(**kwargs: object) -> HttpClient:
    """A client with test-sized back-off so retries take milliseconds."""
    options: dict[str, object] = {"backoff_base": 0.05, "retries": 3, "total_timeout": 5.0}
    options.update(kwargs)
    return HttpClient(**options)  # type: ignore[arg-type]


def gaps(times: list[float]) -> list[float]:
    times = sorted(times)
    return [b - a for a, b in itertools.pairwise(times)]


async def test_200_returns_body_headers_and_logs_redacted(
    fake_server: FakeServer, caplog: pytest.LogCaptureFixture
) -> None:
    fake_server.route(
        "/rss/cs.AI",
        Reply(body=b"<rss/>", headers={"Content-Type": "application/rss+xml; charset=utf-8"}),
    )
    caplog.set_level(logging.INFO, logger="paperbot.fetch")
    async with make_client() as client:
        result = await client.get(
            fake_server.url("/rss/cs.AI"), params={"api_key": "hunter2secret", "q": "x"}
        )
    assert result.status == 200
    assert result.body == b"<rss/>"
    assert result.content_type == "application/rss+xml"
    assert result.attempts == 1
    assert not result.not_modified
    assert result.elapsed > 0
    (req,) = fake_server.requests
    assert req.query == {"api_key": "hunter2secret", "q": "x"}
    assert req.headers["User-Agent"].startswith("paperbot/0.1")
    lines = [r.getMessage() for r in caplog.records if r.name == "paperbot.fetch"]
    assert len(lines) == 1
    assert "200" in lines[0] and "6 bytes" in lines[0] and "attempt 1" in lines[0]
    assert "hunter2secret" not in lines[0] and "api_key=***" in lines[0]


async def test_conditional_get_round_trip_gives_304(fake_server: FakeServer) -> None:
    async def handler(request: web.Request) -> Reply:
        if request.headers.get("If-None-Match") == '"v1"':
            return Reply(status=304)
        lm = "Wed, 21 Oct 2026 07:28:00 GMT"
        return Reply(body=b"feed", headers={"ETag": '"v1"', "Last-Modified": lm})

    fake_server.route("/feed", handler)
    async with make_client() as client:
        first = await client.get(fake_server.url("/feed"))
        second = await client.get(
            fake_server.url("/feed"), etag=first.etag, last_modified=first.last_modified
        )
    assert (first.etag, first.last_modified) == ('"v1"', "Wed, 21 Oct 2026 07:28:00 GMT")
    assert "If-None-Match" not in fake_server.requests[0].headers
    assert fake_server.requests[1].headers["If-None-Match"] == '"v1"'
    assert fake_server.requests[1].headers["If-Modified-Since"] == first.last_modified
    assert second.not_modified and second.status == 304 and second.body == b""


async def test_429_honours_retry_after_then_succeeds(fake_server: FakeServer) -> None:
    fake_server.script("/api", Reply(status=429, headers={"Retry-After": "1"}), Reply(body=b"ok"))
    async with make_client() as client:
        result = await client.get(fake_server.url("/api"))
    assert result.body == b"ok" and result.attempts == 2
    first, second = fake_server.requests
    assert second.time - first.time >= 0.95


async def test_503_without_retry_after_backs_off_then_succeeds(fake_server: FakeServer) -> None:
    fake_server.script("/api", Reply(status=503), Reply(status=502), Reply(body=b"ok"))
    async with make_client(backoff_base=0.1) as client:
        result = await client.get(fake_server.url("/api"))
    assert result.attempts == 3
    first, second, third = (r.time for r in fake_server.requests)
    # Exponential: about 0.1 s then about 0.2 s (plus jitter of at most half the base).
    assert 0.09 <= second - first < 0.5
    assert 0.19 <= third - second < 0.6


async def test_503_forever_gives_up_after_retries(fake_server: FakeServer) -> None:
    fake_server.route("/api/query", Reply(status=503))
    async with make_client(retries=3) as client:
        with pytest.raises(FetchError) as info:
            await client.get(fake_server.url("/api/query"), params={"id_list": "2308.03526"})
    err = info.value
    assert len(fake_server.requests) == 4
    assert err.status == 503 and err.attempts == 4 and err.retry_after is None
    assert str(err) == (
        f"GET {fake_server.url('/api/query')}?id_list=2308.03526: HTTP 503 after 4 attempts"
    )
    assert "\n" not in str(err)


async def test_404_raises_status_error_without_retry(fake_server: FakeServer) -> None:
    async with make_client() as client:
        with pytest.raises(HttpStatusError) as info:
            await client.get(fake_server.url("/missing"))
    assert info.value.status == 404
    assert str(info.value).endswith(": HTTP 404")
    assert len(fake_server.requests) == 1


async def test_400_is_returned_when_accepted(fake_server: FakeServer) -> None:
    fake_server.route("/api/query", Reply(status=400, body=b"<feed>error</feed>"))
    async with make_client() as client:
        result = await client.get(fake_server.url("/api/query"), accept_status=(200, 400))
        assert (result.status, result.body) == (400, b"<feed>error</feed>")
        with pytest.raises(HttpStatusError):
            await client.get(fake_server.url("/api/query"))
    assert len(fake_server.requests) == 2


async def test_retry_after_beyond_cap_gives_up_with_retry_after(fake_server: FakeServer) -> None:
    fake_server.route("/api", Reply(status=503, headers={"Retry-After": "3600"}))
    async with make_client(max_retry_after=600) as client:
        started = time.monotonic()
        with pytest.raises(FetchError) as info:
            await client.get(fake_server.url("/api"))
    assert time.monotonic() - started < 1
    assert info.value.retry_after == 3600 and info.value.status == 503
    assert "Retry-After 3600s exceeds 600s" in str(info.value)
    assert len(fake_server.requests) == 1


def test_parse_retry_after_seconds_and_http_date() -> None:
    assert parse_retry_after("120") == 120
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    assert 85 <= (parse_retry_after(later) or 0) <= 90
    earlier = format_datetime(datetime.now(UTC) - timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(earlier) == 0


async def test_trickling_server_times_out_within_total_timeout(fake_server: FakeServer) -> None:
    fake_server.route("/slow", Reply(body=b"x" * 100, trickle=0.1))
    async with make_client(total_timeout=0.6, idle_timeout=5, retries=1) as client:
        started = time.monotonic()
        with pytest.raises(FetchTimeout) as info:
            await client.get(fake_server.url("/slow"))
    elapsed = time.monotonic() - started
    assert len(fake_server.requests) == 2  # time-outs are retried
    assert 1.2 <= elapsed < 2.5
    assert "timed out after 0.6s (2 attempts)" in str(info.value)


async def test_idle_timeout_between_chunks(fake_server: FakeServer) -> None:
    fake_server.route("/stall", Reply(body=b"ab", trickle=2.0))
    async with make_client(total_timeout=10, idle_timeout=0.3, retries=0) as client:
        started = time.monotonic()
        with pytest.raises(FetchTimeout) as info:
            await client.get(fake_server.url("/stall"))
    assert time.monotonic() - started < 1.5
    assert "no data for 0.3s" in str(info.value)


async def test_reset_mid_body_is_retried(fake_server: FakeServer) -> None:
    body = b"y" * 10_000
    fake_server.script("/feed", Reply(body=body, reset_after=1000), Reply(body=body))
    async with make_client() as client:
        result = await client.get(fake_server.url("/feed"))
    assert result.body == body and result.attempts == 2
    assert fake_server.requests[0].aborted


async def test_reset_mid_body_forever_raises(fake_server: FakeServer) -> None:
    fake_server.route("/feed", Reply(body=b"y" * 10_000, reset_after=1000))
    async with make_client(retries=2) as client:
        with pytest.raises(FetchError) as info:
            await client.get(fake_server.url("/feed"))
    assert "connection closed mid-response" in str(info.value)
    assert "(3 attempts)" in str(info.value)
    assert len(fake_server.requests) == 3


async def test_oversized_stream_is_cut_early(fake_server: FakeServer) -> None:
    fake_server.route("/huge", Reply(stream_total=200 * MB))
    async with make_client(max_bytes=1 * MB) as client:
        started = time.monotonic()
        with pytest.raises(ResponseTooLarge) as info:
            await client.get(fake_server.url("/huge"))
    assert time.monotonic() - started < 3
    assert str(info.value).endswith(": response larger than 1048576 bytes")
    (req,) = fake_server.requests  # not retried
    await asyncio.wait_for(req.done.wait(), 5)
    assert req.aborted
    assert req.bytes_sent < 40 * MB


async def test_declared_oversize_is_refused_before_reading(fake_server: FakeServer) -> None:
    fake_server.route("/huge", Reply(stream_total=200 * MB, content_length=200 * MB))
    async with make_client(max_bytes=1 * MB) as client:
        with pytest.raises(ResponseTooLarge):
            await client.get(fake_server.url("/huge"))
    (req,) = fake_server.requests
    await asyncio.wait_for(req.done.wait(), 5)
    assert req.aborted and req.bytes_sent < 40 * MB


async def test_connection_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with make_client(retries=1) as client:
        with pytest.raises(FetchError) as info:
            await client.get(f"http://user:pw@127.0.0.1:{port}/x?token=abcd")
    assert "connection refused" in str(info.value)
    # #12: a refused connection is not retried (the host is down, asking again cannot help).
    assert info.value.status is None and info.value.attempts == 1
    assert "pw" not in str(info.value) and "abcd" not in str(info.value)


async def test_min_interval_spaces_concurrent_requests(fake_server: FakeServer) -> None:
    fake_server.route("/p", Reply(body=b"ok"))
    limiter = PolitenessLimiter(0.15)
    async with make_client(limiter=limiter) as client:
        await asyncio.gather(*(client.get(fake_server.url("/p")) for _ in range(5)))
    times = [r.time for r in fake_server.requests]
    assert len(times) == 5
    assert min(gaps(times)) >= 0.13
    assert max(times) - min(times) < 1.5


async def test_retries_take_new_limiter_slots(fake_server: FakeServer) -> None:
    fake_server.script("/p", Reply(status=503), Reply(body=b"ok"))
    async with make_client(limiter=PolitenessLimiter(0.3), backoff_base=0.01) as client:
        await client.get(fake_server.url("/p"))
    first, second = fake_server.requests
    assert second.time - first.time >= 0.28


async def test_interactive_jumps_ahead_of_queued_polls(fake_server: FakeServer) -> None:
    fake_server.route("/p", Reply(body=b"ok"))
    limiter = PolitenessLimiter(0.1)
    async with make_client(limiter=limiter) as client:
        polls = [
            asyncio.create_task(client.get(fake_server.url("/p"), params={"n": f"poll{i}"}))
            for i in range(4)
        ]
        await asyncio.sleep(0.02)  # poll0 holds the turn, the others queue
        interactive = asyncio.create_task(
            client.get(fake_server.url("/p"), params={"n": "user"}, priority=Priority.INTERACTIVE)
        )
        await asyncio.gather(*polls, interactive)
    order = [r.query["n"] for r in fake_server.requests]
    assert order == ["poll0", "user", "poll1", "poll2", "poll3"]
    assert min(gaps([r.time for r in fake_server.requests])) >= 0.08


async def test_cancelled_waiter_does_not_block_the_queue(fake_server: FakeServer) -> None:
    fake_server.route("/p", Reply(body=b"ok"))
    async with make_client(limiter=PolitenessLimiter(0.05)) as client:
        first = asyncio.create_task(client.get(fake_server.url("/p")))
        await asyncio.sleep(0)
        doomed = asyncio.create_task(client.get(fake_server.url("/p")))
        await asyncio.sleep(0.01)
        doomed.cancel()
        await asyncio.wait_for(asyncio.gather(first, client.get(fake_server.url("/p"))), 2)
    assert len(fake_server.requests) == 2


async def test_two_clients_sharing_store_claim_are_spaced(
    fake_server: FakeServer, tmp_path: Path
) -> None:
    """Two clients with separate limiters and database connections, as two processes would."""
    fake_server.route("/p", Reply(body=b"ok"))
    db = tmp_path / "paperbot.db"
    store_a = await Store.open(db)
    store_b = await Store.open(db)
    try:
        interval = 0.15
        client_a = make_client(
            limiter=PolitenessLimiter(
                interval, claim=functools.partial(store_a.rates.claim, "arxiv")
            )
        )
        client_b = make_client(
            limiter=PolitenessLimiter(
                interval, claim=functools.partial(store_b.rates.claim, "arxiv")
            )
        )
        async with client_a, client_b:
            calls = [c.get(fake_server.url("/p")) for c in (client_a, client_b) for _ in range(3)]
            await asyncio.gather(*calls)
    finally:
        await store_a.close()
        await store_b.close()
    times = [r.time for r in fake_server.requests]
    assert len(times) == 6
    assert min(gaps(times)) >= interval - 0.02


async def test_retry_after_holds_every_process_sharing_the_store(
    fake_server: FakeServer, tmp_path: Path
) -> None:
    """A 429 with Retry-After on one URL pauses requests to the host from another process
    (another URL, another client on the same database) until the server's time is up."""
    fake_server.script("/rss/cs.AI", Reply(status=429, headers={"Retry-After": "1"}))
    fake_server.route("/rss/cs.AI", Reply(body=b"ok"))
    fake_server.route("/rss/cs.LG", Reply(body=b"ok"))
    db = tmp_path / "paperbot.db"
    store_a, store_b = await Store.open(db), await Store.open(db)

    def limiter(store: Store) -> PolitenessLimiter:
        claim = functools.partial(store.rates.claim, "arxiv")
        return PolitenessLimiter(
            0.05, claim=claim, hold=functools.partial(store.rates.hold, "arxiv")
        )

    try:
        async with (
            make_client(limiter=limiter(store_a)) as a,
            make_client(limiter=limiter(store_b)) as b,
        ):
            first = asyncio.create_task(a.get(fake_server.url("/rss/cs.AI")))
            while not fake_server.requests:
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)  # the 429 is in; its hold is recorded
            await b.get(fake_server.url("/rss/cs.LG"))
            await first
    finally:
        await store_a.close()
        await store_b.close()
    refused = fake_server.requests[0]
    other = fake_server.requests_for("/rss/cs.LG")[0]
    assert other.time - refused.time >= 0.95
