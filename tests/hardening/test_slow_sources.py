"""Slow and dead sources end ``check`` quickly (#12 item 5): a refused connection or a failed
DNS look-up is not retried in the same poll, a time-out is retried once, and a host found dead
is not asked again for the other categories of that poll (reported as skipped, with why).

The figures with default settings (a refusing arXiv, a trickling one) are measured by
``bench/slow_sources.py``; these tests check the rules, with small time-outs.
"""

from __future__ import annotations

import asyncio
import time

from aiohttp import web
from support.fakeweb import Reply
from support.hardening import PAPERBOT, free_port, say

from bot.sources.http import HttpClient
from bot.sources.limiter import PolitenessLimiter

CATEGORIES = ("cs.AI", "cs.CL", "cs.LG")


async def test_check_with_defaults_ends_fast_when_arxiv_refuses(tmp_path, cli_env) -> None:
    """Default settings, three categories, nothing listening: main tried every category four
    times with 5/10/20 s pauses (over 100 s). Now one refusal, the rest skipped: well within
    20 s, exit 3, one line per source."""
    dead = f"http://127.0.0.1:{free_port()}"
    config = tmp_path / "paperbot.toml"
    config.write_text(
        f'[database]\npath = "{tmp_path / "db.sqlite3"}"\n'
        '[semantic_scholar]\napi_url = ""\n'
        f'[arxiv]\nrss_url = "{dead}/rss/"\napi_url = "{dead}/api/query"\n'
    )
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        *PAPERBOT, "--config", str(config), "check", env=cli_env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _out, err = await asyncio.wait_for(proc.communicate(), 30)
    elapsed = time.monotonic() - started
    lines = [x for x in err.decode().splitlines() if x.startswith("paperbot: source ")]
    assert proc.returncode == 3 and elapsed < 20, (elapsed, err.decode()[-1500:])
    assert len(lines) == 3, lines
    assert lines[0].startswith("paperbot: source cs.AI failed: ") and "refused" in lines[0]
    for line in lines[1:]:
        assert " skipped: " in line and "failed earlier in this poll (connection refused)" in line


async def trickle(request: web.Request) -> web.StreamResponse:
    """Headers at once, then one byte every half second: never idle, never done."""
    resp = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
    resp.content_length = 10_000
    await resp.prepare(request)
    for _ in range(10_000):
        await resp.write(b" ")
        await asyncio.sleep(0.5)
    return resp


async def test_a_trickling_host_is_timed_out_twice_then_skipped(fake_server, make_app) -> None:
    """A listing that trickles bytes: main let each category time out ``retries + 1`` times.
    Now the first category times out, is retried once, and the host counts as dead for the
    rest of the poll."""
    for category in CATEGORIES:
        fake_server.route(f"/rss/{category}", trickle)
    app = await make_app(
        fake_server.base_url, categories=CATEGORIES, timeout_seconds=1.0, retries=3
    )
    started = time.monotonic()
    report = await asyncio.wait_for(app.poller.poll_all(), 20)
    assert time.monotonic() - started < 4.0
    first, *rest = report.results
    assert not first.ok and "timed out" in (first.error or "") and not first.skipped
    assert all(
        r.skipped and "failed earlier in this poll (timed out" in (r.error or "") for r in rest
    )
    assert len(fake_server.requests_for("/rss/cs.AI")) == 2
    assert not fake_server.requests_for("/rss/cs.CL") and not fake_server.requests_for("/rss/cs.LG")
    status = (await say(app, "status")).text
    assert "skipped: " in status  # each skipped source says so, with the reason


async def test_a_dead_host_is_asked_again_by_the_next_poll(fake_server, make_app) -> None:
    """Dead for the rest of one poll only: the next poll asks again."""
    dead_port = free_port()
    app = await make_app(f"http://127.0.0.1:{dead_port}", categories=CATEGORIES, retries=3)
    for _ in range(2):
        report = await app.poller.poll_all()
        assert [r.skipped for r in report.results] == [False, True, True]


async def test_source_retry_after_beyond_the_hold_gives_up_at_once(fake_server) -> None:
    """A source's Retry-After is held at most 60 s across every process; beyond it the source
    gives up for this poll (main waited up to 600 s)."""
    fake_server.route("/rss/cs.AI", Reply(status=503, headers={"Retry-After": "120"}))
    async with HttpClient(limiter=PolitenessLimiter(0.0), retries=3) as client:
        started = time.monotonic()
        try:
            await asyncio.wait_for(client.get(fake_server.url("/rss/cs.AI")), 10)
        except Exception as exc:  # the FetchError, with why
            error = str(exc)
    assert time.monotonic() - started < 2 and "Retry-After 120s exceeds 60s" in error


async def test_a_look_up_is_not_retried_after_a_time_out(fake_server, make_app) -> None:
    """A look-up held the console for ``retries + 1`` time-outs on main; the user can ask
    again, so one time-out ends it (and the stored paper or "unreachable" answers)."""
    fake_server.route("/api/query", Reply(body=b"", delay=30))
    app = await make_app(fake_server.base_url, timeout_seconds=1.0, retries=3)
    started = time.monotonic()
    reply = await asyncio.wait_for(say(app, "2308.03526"), 20)
    assert time.monotonic() - started < 2.5
    assert reply.error and "timed out" in reply.text
