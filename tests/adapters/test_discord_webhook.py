"""Discord webhook adapter against a local fake: payload, status mapping, secrets kept out."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import pytest
from support.adapters import adapter_context
from support.fakeweb import FakeServer, Reply

from adapters.discord.webhook import DiscordWebhookAdapter
from bot.config import Config
from bot.model import Channel, MessageKind, OutboxMessage, Paper
from bot.model.text import build_alert
from bot.port import ChannelUnavailable, Destination, Outgoing, Refused, RetryLater

SECRET = "S3cretWebhookTokenAbcdefghijklmnopqrstuvwxyz_0123456789"
PATH = f"/api/webhooks/123456/{SECRET}"
JSON = {"Content-Type": "application/json"}


def our_logs(caplog: pytest.LogCaptureFixture) -> str:
    """Client-side log text (the fake server's own access log prints the path, as Discord's
    would)."""
    return "\n".join(r.getMessage() for r in caplog.records if r.name != "aiohttp.access")


def make_adapter() -> DiscordWebhookAdapter:
    config = Config(database_path=Path("/nonexistent"))
    return DiscordWebhookAdapter(adapter_context(config, "discord-webhook"), timeout=2.0)


def outgoing(server: FakeServer, kind: str = "alert") -> Outgoing:
    paper = Paper(
        "2401.00001",
        1,
        "@everyone **Big** <@1> news",
        ("A. Person",),
        "Abstract.",
        announced=date(2026, 7, 14),
    )
    return Outgoing(
        message=OutboxMessage(1, paper.arxiv_id, 1, MessageKind(kind), 1, ("topic: big",)),
        channel=Channel(1, "team", "discord-webhook"),
        destination=Destination("team", None, {"webhook_url": server.url(PATH)}),
        alert=build_alert(paper, ("topic: big",)),
    )


async def test_posts_embeds_without_mentions_and_returns_id(fake_server: FakeServer) -> None:
    fake_server.route(PATH, Reply(200, json.dumps({"id": "777"}), JSON), method="POST")
    adapter = make_adapter()
    try:
        ref = await adapter.deliver(outgoing(fake_server))
    finally:
        await adapter.stop()
    assert ref == "777"
    (req,) = fake_server.requests
    assert req.query == {"wait": "true"}
    body = json.loads(req.body)
    assert body["allowed_mentions"] == {"parse": []}
    assert set(body) == {"content", "embeds", "allowed_mentions"}
    title = body["embeds"][0]["title"]
    assert "@\u200beveryone" in title and r"\*\*Big\*\*" in title and "<@1>" not in title


@pytest.mark.parametrize(
    ("reply", "error", "reason", "retry_after"),
    [
        (Reply(429, '{"retry_after": 2.5, "global": false}', JSON), RetryLater, "429", 2.5),
        (Reply(429, "{}", {**JSON, "Retry-After": "7"}), RetryLater, "429", 7.0),
        (Reply(500, "oops"), RetryLater, "500", None),
        (
            Reply(400, '{"message": "Invalid Form Body", "code": 50035}', JSON),
            Refused,
            "Invalid Form Body",
            None,
        ),
        (
            Reply(404, '{"message": "Unknown Webhook", "code": 10015}', JSON),
            ChannelUnavailable,
            "webhook gone (HTTP 404)",
            None,
        ),
        (Reply(401, "{}", JSON), ChannelUnavailable, "HTTP 401", None),
    ],
)
async def test_status_mapping(
    fake_server: FakeServer,
    reply: Reply,
    error: type[Exception],
    reason: str,
    retry_after: float | None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_server.route(PATH, reply, method="POST")
    adapter = make_adapter()
    caplog.set_level(logging.DEBUG)
    try:
        with pytest.raises(error) as info:
            await adapter.deliver(outgoing(fake_server))
    finally:
        await adapter.stop()
    assert reason in info.value.reason
    assert SECRET not in info.value.reason and SECRET not in our_logs(caplog)
    if retry_after is not None:
        assert info.value.retry_after == retry_after  # type: ignore[attr-defined]


async def test_connection_error_is_retry_later_without_url(
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = FakeServer()
    await server.start()
    out = outgoing(server)
    await server.close()  # nothing listens on that port any more
    adapter = make_adapter()
    caplog.set_level(logging.DEBUG)
    try:
        with pytest.raises(RetryLater) as info:
            await adapter.deliver(out)
    finally:
        await adapter.stop()
    assert SECRET not in info.value.reason and SECRET not in our_logs(caplog)


async def test_thread_kinds_refused(fake_server: FakeServer) -> None:
    adapter = make_adapter()
    assert adapter.thread_kinds == ()
    with pytest.raises(Refused):
        await adapter.deliver(outgoing(fake_server, kind="abstract"))
    assert fake_server.requests == []
