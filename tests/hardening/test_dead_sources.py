"""Dead sources and dead channels: per-source exponential back-off (capped), a source disabled
after N consecutive failures (reason in ``status``) and re-enabled by a successful ``check``; a
channel whose platform keeps refusing is paused, reported, and lifted by ``paperbot resume``."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from support.clock import FakeClock
from support.fakeweb import FakeServer, Reply
from support.hardening import LISTING, PAPERBOT, console_out, make_config, say

from bot.config import ChannelConfig
from bot.model import SubscriptionKind
from bot.runtime import check_once
from bot.sources.arxiv_parse import parse_listing

BODY = LISTING.read_bytes()
FIRST = sum(1 for i in parse_listing(BODY).items if i.announce_type.is_first_announcement)
SLACK_SECRET = "Zq8v1rT5kLmN3pXw7yB2cD4e"  # 24 characters, as Slack's


@pytest.mark.parametrize(
    ("failures", "backoff"),
    [(1, 2.0), (3, 8.0), (6, 64.0), (15, 6 * 3600.0), (19, 6 * 3600.0)],
)
async def test_backoff_is_exponential_and_capped(
    failures: int, backoff: float, fake_server: FakeServer, make_app
) -> None:
    clock = FakeClock()
    app = await make_app(fake_server.base_url, backoff_seconds=1.0, clock=clock)
    url = app.arxiv.listing_url("cs.LG")
    for _ in range(failures):
        await app.store.sources.record_failure(url, "HTTP 503", disable_after=None)
    state = await app.store.sources.get(url)
    assert state is not None and state.last_attempt is not None
    last = state.last_attempt.timestamp()
    for delta, skipped in ((1.0, True), (backoff - 1.5, True), (backoff + 1.5, False)):
        clock.advance(last + delta - clock.time())
        assert await app.poller._skip("cs.LG") is skipped, (delta, backoff)
    assert await app.poller._skip("cs.AI") is False  # never failed


async def test_scheduled_polls_skip_a_failing_source_only(
    fake_server: FakeServer, make_app
) -> None:
    fake_server.route("/rss/cs.AI", Reply(body=BODY))
    fake_server.route("/rss/cs.LG", Reply(status=503))
    app = await make_app(fake_server.base_url, backoff_seconds=60.0)
    first = await app.poller.poll_all(respect_backoff=True)
    assert [r.category for r in first.failures] == ["cs.LG"]
    again = await app.poller.poll_all(respect_backoff=True)
    assert [r.category for r in again.results] == ["cs.AI"]  # cs.LG waits out its back-off
    assert len(fake_server.requests_for("/rss/cs.LG")) == 1
    assert len(fake_server.requests_for("/rss/cs.AI")) == 2
    assert not (await say(app, "help")).error


async def test_source_disabled_after_n_failures_then_check_reenables(
    fake_server: FakeServer, make_app
) -> None:
    fake_server.route("/rss/cs.AI", Reply(body=BODY))
    fake_server.route("/rss/cs.LG", Reply(status=503))
    app = await make_app(fake_server.base_url, disable_after_failures=3)
    assert not (await say(app, "subscribe category cs.AI")).error
    for _ in range(3):
        await app.poller.poll_all()
    state = await app.store.sources.get(app.arxiv.listing_url("cs.LG"))
    assert state is not None and state.consecutive_failures == 3
    assert state.disabled_reason == "disabled after 3 consecutive failures: " + state.last_error
    status = (await say(app, "status")).text
    assert "DISABLED (disabled after 3 consecutive failures: GET " in status
    assert "HTTP 503" in status
    # The scheduler leaves a disabled source alone, even once its back-off has passed.
    requests = len(fake_server.requests_for("/rss/cs.LG"))
    report = await app.poller.poll_all(respect_backoff=True)
    assert [r.category for r in report.results] == ["cs.AI"]
    assert len(fake_server.requests_for("/rss/cs.LG")) == requests
    # arXiv is back; `paperbot check` polls every source and a success re-enables it.
    fake_server.route("/rss/cs.LG", Reply(body=BODY.replace(b"cs.AI updates", b"cs.LG updates")))
    assert await check_once(app) == 0
    state = await app.store.sources.get(app.arxiv.listing_url("cs.LG"))
    assert state is not None and state.disabled_reason is None
    assert state.consecutive_failures == 0
    assert "DISABLED" not in (await say(app, "status")).text
    assert console_out(app).count("── new paper in console ──") == FIRST


def _toml(config, path: Path) -> Path:
    lines = [f'[database]\npath = "{config.database_path}"\n']
    for c in config.channels:
        lines.append(f'[[channels]]\nname = "{c.name}"\nplatform = "{c.platform}"')
        for key, value in c.settings.items():
            lines.append(f'{key} = "{value}"')
        lines.append("")
    path.write_text("\n".join(lines))
    path.chmod(0o600)
    return path


REFUSALS = [
    ("slack-webhook", 404, "no_service"),
    ("slack-webhook", 403, "action_prohibited"),
    ("slack-webhook", 410, "channel_is_archived"),
    ("discord-webhook", 404, '{"message": "Unknown Webhook", "code": 10015}'),
    ("discord-webhook", 403, '{"message": "Missing Access", "code": 50001}'),
]


@pytest.mark.parametrize(("platform", "status", "body"), REFUSALS)
async def test_refusing_channel_paused_reported_and_resumed(
    platform: str,
    status: int,
    body: str,
    fake_server: FakeServer,
    make_app,
    tmp_path: Path,
    cli_env: dict[str, str],
) -> None:
    path = (
        f"/services/T000/B000/{SLACK_SECRET}"
        if platform == "slack-webhook"
        else f"/api/webhooks/123/{SLACK_SECRET}"
    )
    fake_server.route("/rss/cs.AI", Reply(body=BODY))
    fake_server.route(path, Reply(status=status, body=body), method="POST")
    base = make_config(tmp_path / "db.sqlite3", fake_server.base_url, categories=("cs.AI",))
    team = ChannelConfig("team", platform, {"webhook_url": fake_server.url(path)})
    config = replace(base, channels=(*base.channels, team))
    app = await make_app(fake_server.base_url, config=config, adapters=("console", platform))
    for channel in await app.store.channels.list():
        await app.store.subscriptions.add(
            channel.id, SubscriptionKind.CATEGORY, "cs.AI", "cs.ai", "test"
        )
    await app.poller.poll_all()
    report = await app.deliverer.drain(2.0)
    assert report.paused == ["team"]
    assert report.sent == FIRST  # the console channel was served meanwhile
    assert len(fake_server.requests_for(path)) == 1  # one refusal, then no hammering
    report_text = (await say(app, "status")).text
    paused = next(x for x in report_text.splitlines() if x.startswith("  Paused: "))
    assert f"HTTP {status}" in paused and paused.endswith("(`paperbot resume team`)")
    assert f"team ({platform}, instant): {FIRST} pending" in report_text  # they wait, none lost
    assert SLACK_SECRET not in report_text
    assert (await app.deliverer.drain(0.5)).sent == 0
    assert len(fake_server.requests_for(path)) == 1
    # Someone fixes the webhook and resumes the channel from the command line.
    fake_server.route(
        path, Reply(body=b"ok" if platform == "slack-webhook" else b'{"id": "9"}'), method="POST"
    )
    proc = await asyncio.create_subprocess_exec(
        *PAPERBOT,
        "--config",
        str(_toml(config, tmp_path / "paperbot.toml")),
        "resume",
        "team",
        env=cli_env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert out.decode().startswith("resumed team (was paused: ")
    assert SLACK_SECRET not in out.decode() + err.decode()
    report = await app.deliverer.drain(2.0)
    assert report.sent == FIRST and not report.paused
    assert len(fake_server.requests_for(path)) == 1 + FIRST
    assert "Paused" not in (await say(app, "status")).text
