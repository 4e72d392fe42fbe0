"""Nothing lost, nothing doubled where the platform lets us check (#12, items 1-3): the REAL
slack_sdk and discord.py adapters against the local fakes, through the real deliverer.

Each test names what today's main did instead (d7e86c4): Slack's temporary errors refused the
alert for good; a send whose answer never came held delivery for aiohttp's 300 s (slack_sdk
ignores its time-out when given a session, discord.py sets none) and was then sent again;
``Retry-After`` was trusted whatever it said.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route
from support.fake_discord import GOOD_TOKEN, FakeDiscord, rate_limited
from support.fake_slack import FakeSlack
from support.fakeweb import FakeServer, Reply
from support.hardening import LISTING, make_config, say

from bot.app import App
from bot.chat.services import normalize_subscription
from bot.config import ChannelConfig
from bot.model import SubscriptionKind

CHANNEL = "C0PAPERS"


@pytest.fixture(autouse=True)
def restore_discord_globals() -> Iterator[None]:
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    yield
    Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


@pytest.fixture
async def slack():
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def discord_api():
    async with FakeDiscord() as fake:
        yield fake


async def one_alert_app(
    tmp_path: Path,
    server: FakeServer,
    make_app,
    channel: ChannelConfig,
    sections: dict,
    **delivery: float,
) -> App:
    """An App serving ``channel`` only, with one alert queued for it (an author with one
    paper of the real 2026-07-14 cs.AI listing)."""
    base = make_config(tmp_path / "db.sqlite3", server.base_url, categories=("cs.AI",))
    config = replace(
        base,
        channels=(channel,),
        sections=sections,
        delivery=replace(base.delivery, backoff_max_seconds=5.0, **delivery),
    )
    app = await make_app(server.base_url, config=config, adapters=(channel.platform,))
    (row,) = await app.store.channels.list()
    value, norm = normalize_subscription(SubscriptionKind.AUTHOR, "Giorgos Flouris")
    await app.store.subscriptions.add(row.id, SubscriptionKind.AUTHOR, value, norm, "t")
    server.route("/rss/cs.AI", Reply(body=LISTING.read_bytes()))
    report = await app.poller.poll_all()
    assert report.alerts == 1
    return app


async def slack_app(tmp_path, fake_server, make_app, slack, monkeypatch, **delivery) -> App:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    channel = ChannelConfig("team", "slack", {"channel_id": CHANNEL})
    sections = {"slack": {"mode": "http", "api_url": slack.api_url}}
    return await one_alert_app(tmp_path, fake_server, make_app, channel, sections, **delivery)


def alerts_posted(slack: FakeSlack) -> list[dict]:
    return [m for m in slack.messages[CHANNEL] if "thread_ts" not in m]


async def alert_state(app: App) -> str:
    return next(s for _p, _c, kind, _v, s in await app.store.outbox.states() if kind == "alert")


@pytest.mark.parametrize(
    ("error", "posted"),
    [
        ("service_unavailable", False),
        ("request_timeout", False),
        ("rate_limited", False),
        ("ratelimited", False),
        ("internal_error", False),
        ("fatal_error", True),  # "some aspect of the operation succeeded": it was posted
    ],
)
async def test_temporary_slack_errors_are_retried_and_posted_once(
    tmp_path, fake_server, make_app, slack, monkeypatch, error, posted
) -> None:
    """HTTP 200 ``ok: false`` with a temporary error: main marked the alert failed on the
    first try (and ``check`` exited 0). Now it is retried; after ``fatal_error`` the channel
    is read first, so the copy Slack did post is recognised and not posted again."""
    app = await slack_app(tmp_path, fake_server, make_app, slack, monkeypatch)
    slack.fail("chat.postMessage", error, posted=posted)
    report = await app.deliverer.drain(5.0)
    assert report.failed == 0 and await alert_state(app) == "sent"
    assert len(alerts_posted(slack)) == 1
    if posted:
        (history,) = slack.calls("conversations.history")
        assert history["channel"] == CHANNEL and history["include_all_metadata"] in ("1", "true")


async def test_a_slack_send_whose_answer_never_comes_is_bounded_and_not_doubled(
    tmp_path, fake_server, make_app, slack, monkeypatch
) -> None:
    """Slack posts the alert but never answers: main waited aiohttp's 300 s (the session's
    default; slack_sdk's own 30 s is ignored with a session). Now the call ends after
    ``[delivery] timeout_seconds``, and the retry finds the posted copy by its metadata."""
    app = await slack_app(tmp_path, fake_server, make_app, slack, monkeypatch, timeout_seconds=0.5)
    slack.stall("chat.postMessage", 120.0, posted=True)
    started = time.monotonic()
    await asyncio.wait_for(app.deliverer.drain(5.0), 10)
    assert time.monotonic() - started < 5.0
    assert await alert_state(app) == "sent"
    (alert,) = alerts_posted(slack)
    assert alert["metadata"]["event_payload"]["key"].startswith("2607.")
    assert len([c for c in slack.calls("chat.postMessage") if "thread_ts" not in c]) == 1


async def test_where_slack_cannot_be_read_a_duplicate_is_possible_and_logged(
    tmp_path, fake_server, make_app, slack, monkeypatch, caplog
) -> None:
    """The honest window (README): without ``channels:history`` the bot cannot look, so a
    lost answer means sending again — and the log says a duplicate is possible."""
    app = await slack_app(tmp_path, fake_server, make_app, slack, monkeypatch, timeout_seconds=0.5)
    slack.stall("chat.postMessage", 120.0, posted=True)
    slack.fail("conversations.history", "missing_scope", needed="channels:history")
    await asyncio.wait_for(app.deliverer.drain(5.0), 10)
    assert await alert_state(app) == "sent"
    assert len(alerts_posted(slack)) == 2
    assert "a duplicate is possible" in caplog.text


async def test_a_discord_send_whose_answer_never_comes_is_bounded_and_deduplicated(
    tmp_path, fake_server, make_app, discord_api, monkeypatch
) -> None:
    """discord.py sets no time-out of its own: on main the send hung. Now it ends after the
    configured time-out and is re-sent with the same nonce (``enforce_nonce``), which Discord
    answers with the message it already made."""
    monkeypatch.setenv("DISCORD_BOT_TOKEN", GOOD_TOKEN)
    channel = ChannelConfig("dc", "discord", {"channel_id": "500"})
    sections = {"discord": {"api_url": discord_api.api, "gateway": False, "threads": False}}
    app = await one_alert_app(
        tmp_path, fake_server, make_app, channel, sections, timeout_seconds=0.5
    )
    discord_api.stall("POST", "/channels/500/messages", 120.0)
    await asyncio.wait_for(app.deliverer.drain(5.0), 10)
    assert await alert_state(app) == "sent"
    posts = discord_api.sent("POST", "/api/v10/channels/500/messages")
    assert len(posts) == 2 and posts[0].json["nonce"] == posts[1].json["nonce"]
    assert len(discord_api.created) == 1


@pytest.mark.parametrize("retry_after", [1e9, math.inf])
async def test_discord_retry_after_is_capped_and_status_shows_when_and_why(
    tmp_path, fake_server, make_app, discord_api, monkeypatch, retry_after
) -> None:
    """A 429 asking for 10⁹ s (or ``Infinity``) parked the alert until 2058 (or forever) on
    main. The wait is capped at ``backoff_max_seconds`` and ``status`` says when and why."""
    monkeypatch.setenv("DISCORD_BOT_TOKEN", GOOD_TOKEN)
    channel = ChannelConfig("dc", "discord", {"channel_id": "500"})
    sections = {"discord": {"api_url": discord_api.api, "gateway": False, "threads": False}}
    app = await one_alert_app(tmp_path, fake_server, make_app, channel, sections)
    discord_api.fail("POST", "/channels/500/messages", *rate_limited(retry_after))
    await app.deliverer.run_once()
    due = await app.store.outbox.next_due([c.id for c in await app.store.channels.list()])
    assert due is not None and due <= time.time() + app.config.delivery.backoff_max_seconds + 1
    line = next(x for x in (await say(app, "status")).text.splitlines() if x.startswith("• dc"))
    assert "1 pending" in line and "next due 20" in line and "rate limited" in line


@pytest.mark.parametrize("header", ["999999999", "inf", "nan", "soon"])
async def test_webhook_retry_after_capped_or_ignored(
    tmp_path, fake_server, make_app, header
) -> None:
    """Slack webhook 429s: a huge Retry-After is capped; a non-finite or unparsable one is
    treated as absent (the usual back-off applies)."""
    path = "/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX"
    channel = ChannelConfig("hook", "slack-webhook", {"webhook_url": fake_server.url(path)})
    app = await one_alert_app(tmp_path, fake_server, make_app, channel, {})
    fake_server.script(path, Reply(status=429, headers={"Retry-After": header}), method="POST")
    fake_server.route(path, Reply(body=b"ok"), method="POST")
    report = await app.deliverer.drain(10.0)
    assert report.sent == 1 and report.retried == 1
