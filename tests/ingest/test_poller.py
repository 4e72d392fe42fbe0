"""The poller (bot/poller.py) against the fake arXiv: conditional GET, body hash, failing
sources and their back-off, and the categories it polls."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from support.e2e import LISTING_0714, read_bytes, serve_body
from support.fake_arxiv import FakeArxiv
from support.fakeweb import Reply

from bot.app import App
from bot.chat.services import normalize_subscription
from bot.chat.status import status_text
from bot.config import ArxivConfig, ChannelConfig, Config
from bot.model import SubscriptionKind
from bot.model.text import without_marks
from bot.sources.taxonomy import expand

MONDAY = date(2026, 7, 13)  # the fixture's pubDate


def config(tmp_path, server, **arxiv) -> Config:
    a = ArxivConfig(
        rss_url=server.url("/rss/"),
        api_url=server.url("/api/query"),
        categories=("cs.AI",),
        min_interval_seconds=0.0,
        backoff_seconds=0.05,
        retries=0,
        timeout_seconds=10,
    )
    return Config(
        database_path=tmp_path / "poll.sqlite3",
        arxiv=replace(a, **arxiv),
        channels=(ChannelConfig("console", "console"),),
    )


def rss(server) -> list:
    return [r for r in server.requests if r.path.startswith("/rss/")]


async def test_conditional_get_304_does_not_ingest_and_keeps_the_listing_date(
    tmp_path, fake_server
):
    FakeArxiv(fake_server).serve_listing("cs.AI", LISTING_0714, etag='"v1"')
    async with App.open(config(tmp_path, fake_server)) as app:
        first = (await app.poller.poll_all()).results[0]
        assert first.ok and first.changed and first.counts.items == 177
        papers = await app.store.papers.count()
        second = (await app.poller.poll_all()).results[0]
        assert second.ok and not second.changed and second.counts.items == 0
        assert rss(fake_server)[1].headers.get("If-None-Match") == '"v1"'
        assert await app.store.papers.count() == papers
        state = await app.store.sources.get(app.arxiv.listing_url("cs.AI"))
        assert state.last_pub_date == MONDAY and state.etag == '"v1"'
        assert state.consecutive_failures == 0 and state.last_items == 177


async def test_same_body_without_validators_is_skipped_by_its_hash(tmp_path, fake_server):
    FakeArxiv(fake_server)
    serve_body(fake_server, "cs.AI", read_bytes(LISTING_0714))
    async with App.open(config(tmp_path, fake_server)) as app:
        assert (await app.poller.poll_category("cs.AI")).changed
        again = await app.poller.poll_category("cs.AI")
        assert again.ok and not again.changed and again.counts.items == 0
        assert "If-None-Match" not in rss(fake_server)[1].headers
        state = await app.store.sources.get(app.arxiv.listing_url("cs.AI"))
        assert state.last_pub_date == MONDAY and state.body_hash


async def test_failing_source_is_counted_then_disabled_and_status_says_so(tmp_path, fake_server):
    FakeArxiv(fake_server)
    fake_server.route("/rss/cs.AI", Reply(status=503, body="busy"))
    cfg = config(tmp_path, fake_server, disable_after_failures=3)
    async with App.open(cfg) as app:
        url = app.arxiv.listing_url("cs.AI")
        for n in (1, 2):
            report = await app.poller.poll_all()
            assert [f.category for f in report.failures] == ["cs.AI"]
            state = await app.store.sources.get(url)
            assert state.consecutive_failures == n and not state.disabled_reason
        assert "failing ×2" in await status_text(app.store, cfg)
        await app.poller.poll_all()
        state = await app.store.sources.get(url)
        assert state.disabled_reason and "3 consecutive failures" in state.disabled_reason
        assert "DISABLED (disabled after 3 consecutive failures" in without_marks(
            await status_text(app.store, cfg)
        )
        # The scheduler skips a disabled source; a manual poll tries it and re-enables it.
        before = len(rss(fake_server))
        assert (await app.poller.poll_all(respect_backoff=True)).results == []
        assert len(rss(fake_server)) == before
        serve_body(fake_server, "cs.AI", read_bytes(LISTING_0714))
        assert not (await app.poller.poll_all()).failures
        state = await app.store.sources.get(url)
        assert state.disabled_reason is None and state.consecutive_failures == 0


async def test_respect_backoff_skips_a_failing_source_until_its_backoff_passed(
    tmp_path, fake_server
):
    FakeArxiv(fake_server)
    fake_server.route("/rss/cs.AI", Reply(status=503))
    serve_body(fake_server, "cs.LG", read_bytes(LISTING_0714))
    cfg = config(tmp_path, fake_server, categories=("cs.AI", "cs.LG"), backoff_seconds=5)
    async with App.open(cfg) as app:
        assert [f.category for f in (await app.poller.poll_all()).failures] == ["cs.AI"]
        # 1 failure: back-off 5 * 2 = 10 s. Healthy sources are still polled.
        skipped = await app.poller.poll_all(respect_backoff=True)
        assert [r.category for r in skipped.results] == ["cs.LG"]
        assert [r.path for r in rss(fake_server)].count("/rss/cs.AI") == 1
        # Move the failed attempt 11 s into the past: the back-off has passed.
        past = (datetime.now(UTC) - timedelta(seconds=11)).isoformat(timespec="seconds")
        async with app.store.db.transaction() as conn:
            await conn.execute(
                "UPDATE source_state SET last_attempt=? WHERE url=?",
                (past, app.arxiv.listing_url("cs.AI")),
            )
        polled = await app.poller.poll_all(respect_backoff=True)
        assert [r.category for r in polled.results] == ["cs.AI", "cs.LG"]
        assert [r.path for r in rss(fake_server)].count("/rss/cs.AI") == 2


async def test_an_archive_subscription_expands_the_polled_categories(tmp_path, fake_server):
    FakeArxiv(fake_server)
    async with App.open(config(tmp_path, fake_server)) as app:
        assert await app.poller.categories() == ["cs.AI"]
        channel = await app.store.channels.find("console")
        for value in ("cs", "stat.ML"):
            value, norm = normalize_subscription(SubscriptionKind.CATEGORY, value)
            await app.store.subscriptions.add(
                channel.id, SubscriptionKind.CATEGORY, value, norm, "test"
            )
        polled = await app.poller.categories()
        assert polled[0] == "cs.AI" and polled.count("cs.AI") == 1  # configured first, once
        assert set(expand("cs")) <= set(polled) and "cs.CV" in polled and "cs.LG" in polled
        assert "stat.ML" in polled and "math.AG" not in polled
        assert len(polled) == len(set(expand("cs")) | {"stat.ML"})


async def test_an_unreachable_host_is_asked_once_a_round(tmp_path, fake_server, unused_tcp_port):
    dead = f"http://127.0.0.1:{unused_tcp_port}/rss/"
    cfg = config(tmp_path, fake_server, rss_url=dead, categories=("cs.AI", "cs.CL", "cs.LG"))
    async with App.open(cfg) as app:
        report = await app.poller.poll_all()
        first, *others = report.results
        assert first.unreachable and "connection refused" in (first.error or "")
        assert f"{dead}cs.AI" in (first.error or "")
        for other in others:  # not asked: the reason is the first category's
            assert other.unreachable and other.skipped and not other.ok
            assert other.error == (
                f"127.0.0.1:{unused_tcp_port} failed earlier in this poll (connection refused)"
            )
        states = [await app.store.sources.get(f"{dead}{c}") for c in ("cs.AI", "cs.CL", "cs.LG")]
        assert [s.consecutive_failures for s in states if s] == [1, 1, 1]
