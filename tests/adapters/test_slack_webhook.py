"""Slack incoming-webhook adapter against a local fake webhook endpoint."""

from __future__ import annotations

import json
import socket
from datetime import date
from pathlib import Path

import pytest
from support.adapters import adapter_context
from support.fakeweb import FakeServer, Reply

from adapters.slack.webhook import SlackWebhookAdapter
from bot.config import Config
from bot.model import Channel, MessageKind, OutboxMessage, Paper
from bot.model.text import build_alert
from bot.port import AdapterContext, ChannelUnavailable, Destination, Outgoing, Refused, RetryLater

HOOK = "/services/T0AAA/B0BBB/abcdefghijklmnopqrstuvwx"
SECRET = "abcdefghijklmnopqrstuvwx"


def ctx(tmp_path: Path) -> AdapterContext:
    return adapter_context(Config(database_path=tmp_path / "db"), "slack-webhook")


def outgoing(url: str, kind: str = "alert", title: str = "A & B <!channel>") -> Outgoing:
    paper = Paper(
        "2308.03526",
        1,
        title,
        ("Igor Babuschkin",),
        "Abstract.",
        categories=("cs.AI",),
        announced=date(2024, 3, 4),
    )
    msg = OutboxMessage(1, paper.arxiv_id, 1, MessageKind(kind), 1, ("author: Babuschkin, Igor",))
    return Outgoing(
        message=msg,
        channel=Channel(1, "team", "slack-webhook"),
        destination=Destination("team", None, {"webhook_url": url}),
        alert=build_alert(paper, msg.reasons),
    )


@pytest.fixture
async def adapter(tmp_path: Path):
    a = SlackWebhookAdapter(ctx(tmp_path), timeout=2.0)
    await a.start()
    yield a
    await a.stop()


async def test_posts_escaped_text_and_blocks(adapter, fake_server: FakeServer) -> None:
    fake_server.route(HOOK, Reply(body="ok"), method="POST")
    assert await adapter.deliver(outgoing(fake_server.url(HOOK))) is None
    (req,) = fake_server.requests_for(HOOK)
    body = json.loads(req.body)
    assert set(body) >= {"text", "blocks"}
    assert body["unfurl_links"] is False
    assert "<!channel>" not in req.body.decode()
    assert body["blocks"][0]["text"]["text"] == "A &amp; B &lt;!channel&gt;"
    assert adapter.thread_kinds == ()


@pytest.mark.parametrize(
    ("reply", "error", "reason"),
    [
        (Reply(429, "", {"Retry-After": "12"}), RetryLater, "429"),
        (Reply(500, "boom"), RetryLater, "HTTP 500"),
        (Reply(400, "invalid_blocks"), Refused, "invalid_blocks"),
        (Reply(404, "no_service"), ChannelUnavailable, "webhook gone (HTTP 404)"),
        (Reply(403, "action_prohibited"), ChannelUnavailable, "webhook gone (HTTP 403)"),
        (Reply(410, "channel_is_archived"), ChannelUnavailable, "HTTP 410"),
    ],
)
async def test_status_mapping(adapter, fake_server: FakeServer, reply, error, reason) -> None:
    fake_server.route(HOOK, reply, method="POST")
    with pytest.raises(error) as info:
        await adapter.deliver(outgoing(fake_server.url(HOOK)))
    assert reason in info.value.reason
    assert SECRET not in info.value.reason
    if reply.status == 429:
        assert info.value.retry_after == 12.0


async def test_connection_refused_and_timeout_retry_later(adapter, fake_server) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RetryLater) as info:
        await adapter.deliver(outgoing(f"http://127.0.0.1:{port}{HOOK}"))
    assert SECRET not in info.value.reason
    fake_server.route(HOOK, Reply(body="ok", delay=5), method="POST")
    with pytest.raises(RetryLater) as info:
        await adapter.deliver(outgoing(fake_server.url(HOOK)))
    assert "time-out" in info.value.reason and SECRET not in info.value.reason


async def test_thread_kinds_are_refused(adapter, fake_server: FakeServer) -> None:
    fake_server.route(HOOK, Reply(body="ok"), method="POST")
    for kind in ("abstract", "version"):
        with pytest.raises(Refused):
            await adapter.deliver(outgoing(fake_server.url(HOOK), kind=kind))
    assert fake_server.requests_for(HOOK) == []
