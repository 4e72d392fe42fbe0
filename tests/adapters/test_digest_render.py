"""A 200-paper digest on Slack and Discord (#14): assembled by the real store with each
platform's part sizes, every part rendered within every limit (checked by the platforms' own
libraries: slack_sdk's Block Kit models, discord.py's Embed), and posted through the real
adapters to the local fakes: the first part in the channel, the others in its thread."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import date, time
from pathlib import Path
from typing import Any

import discord
import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route
from slack_sdk.models.blocks import Block
from support.adapters import adapter_context, store_commands
from support.fake_discord import GOOD_TOKEN, FakeDiscord
from support.fake_slack import FakeSlack
from support.fakeweb import Reply as FakeReply
from support.volume import make_room, utc

from adapters.discord import spec as discord_spec
from adapters.discord.bot import DiscordAdapter
from adapters.discord.render import digest_message
from adapters.discord.webhook import DiscordWebhookAdapter
from adapters.slack import spec as slack_spec
from adapters.slack.bot import SlackAdapter
from adapters.slack.render import render_digest
from adapters.slack.webhook import SlackWebhookAdapter
from bot.config import Config
from bot.model import Channel, MessageKind, OutboxMessage, Paper
from bot.model.digest import DigestPart
from bot.model.volume import Mode
from bot.port import AdapterSpec, Destination, Outgoing

PAPERS = 200
HOSTILE = Paper(
    "2607.00000",
    1,
    "<!channel> @everyone *Fish* & ~Chips~ | [x](https://evil) `code` " * 12,
    tuple(f"Author{i} Ñame-{i} <@U{i}>" for i in range(300)),
    "A sentence & <b>more</b>. " * 400,
    primary_category="cs.AI",
    categories=("cs.AI",),
    announced=date(2026, 7, 13),
)


async def digest_parts(store, spec: AdapterSpec) -> list[DigestPart]:
    """A 200-paper digest of hostile papers over three subscriptions, as stored and read back
    for delivery with ``spec``'s part sizes and threading."""
    room = await make_room(
        store,
        utc(2026, 7, 14, 10, 0),
        spec=AdapterSpec(
            "room",
            "unused:Unused",
            threads=True,
            threads_digests=True,
            pace_seconds=0.0,
            digest_entries=spec.digest_entries,
            digest_titles=spec.digest_titles,
        ),
        mode=Mode.DAILY,
        at=time(9, 0),
    )
    second = await room.subscribe("<!here> *y* & " * 30)
    third = await room.subscribe("z")
    await room.queue(PAPERS // 2, [room.subs[0], second], HOSTILE)
    await room.queue(PAPERS // 4, [second], HOSTILE)
    await room.queue(PAPERS // 4, [third], HOSTILE)
    room.goto(utc(2026, 7, 15, 9, 0))
    while await room.deliver():
        pass
    parts = [o.digest for o in room.recorder.posted]
    assert all(p is not None for p in parts)
    assert sorted(e.paper.arxiv_id for p in parts for e in p.entries) == sorted(  # type: ignore[union-attr]
        f"2607.{i:05d}" for i in range(1, PAPERS + 1)
    )
    return parts  # type: ignore[return-value]


def check_slack(message: dict[str, Any]) -> None:
    blocks = message["blocks"]
    assert 1 <= len(blocks) <= 50
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None
        block.validate_json()  # slack_sdk's own limits (section 3,000, header 150, context 10)
        if raw["type"] == "section":
            assert len(raw["text"]["text"]) <= 3000
    assert "<!channel>" not in json.dumps(message) and "<!here>" not in json.dumps(message)
    assert len(message["text"]) <= 40_000


def check_discord(message: dict[str, Any]) -> None:
    assert len(message["content"]) <= 2000
    assert message["allowed_mentions"] == {"parse": []}
    embeds = [discord.Embed.from_dict(e) for e in message["embeds"]]
    assert 1 <= len(embeds) <= 10
    assert sum(len(e) for e in embeds) <= 6000  # discord.py counts as Discord does
    for embed in embeds:
        assert len(embed.title or "") <= 256 and len(embed.description or "") <= 4096
        assert len(embed.fields) <= 25
        for field in embed.fields:
            assert 0 < len(field.name or "") <= 256 and 0 < len(field.value or "") <= 1024
        assert len(embed.footer.text or "") <= 2048
    assert "@everyone" not in json.dumps(message, ensure_ascii=False)


async def test_a_200_paper_slack_digest_fits_every_limit(store) -> None:
    parts = await digest_parts(store, slack_spec.BOT)
    assert len(parts) == 5 + 3  # 50 full entries in parts of 10, then 150 titles in 50s
    for part in parts:
        check_slack(render_digest(part))


async def test_a_200_paper_discord_digest_fits_every_limit(store) -> None:
    parts = await digest_parts(store, discord_spec.BOT)
    assert len(parts) == 10 + 8  # 50 full entries in parts of 5, then 150 titles in 20s
    for part in parts:
        check_discord(digest_message(part))


# -- through the real adapters to the fakes ---------------------------------------------------


def outgoing(part: DigestPart, index: int, parent: str | None, platform: str, ext: str):
    message = OutboxMessage(
        100 + index, "digest:1", 1, MessageKind.DIGEST, part.part, (), parent_ref=parent
    )
    channel = Channel(1, f"{platform}:T/{ext}", platform, ext)
    return Outgoing(message, channel, Destination(channel.name, ext), digest=part)


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


async def test_slack_posts_the_first_part_and_threads_the_rest(store, slack, tmp_path: Path):
    parts = await digest_parts(store, slack_spec.BOT)
    settings = {"mode": "http", "http_port": 0, "api_url": slack.api_url}
    config = Config(database_path=tmp_path / "db.sqlite3", sections={"slack": settings})
    ctx = adapter_context(config, "slack", front=store_commands(store, config), store=store)
    adapter = SlackAdapter(ctx, env={"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s"})
    await adapter.start()
    try:
        first = await adapter.deliver(outgoing(parts[0], 0, None, "slack", "C0PAPERS"))
        for i, part in enumerate(parts[1:], 1):
            await adapter.deliver(outgoing(part, i, first, "slack", "C0PAPERS"))
    finally:
        await adapter.stop()
    posts = slack.calls("chat.postMessage")
    assert len(posts) == len(parts) and "thread_ts" not in posts[0]
    assert all(p["thread_ts"] == first and p["reply_broadcast"] is False for p in posts[1:])
    for post in posts:
        check_slack(
            {
                "blocks": json.loads(post["blocks"])
                if isinstance(post["blocks"], str)
                else post["blocks"],
                "text": post["text"],
            }
        )


@pytest.fixture
def restore_discord() -> Iterator[None]:
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    yield
    Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


async def test_discord_posts_the_first_part_and_threads_the_rest(
    store, restore_discord, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = await digest_parts(store, discord_spec.BOT)
    monkeypatch.setenv("DISCORD_BOT_TOKEN", GOOD_TOKEN)
    async with FakeDiscord() as fake:
        settings = {"api_url": fake.api, "guild_ids": [900], "gateway": False}
        config = Config(database_path=Path(store.path), sections={"discord": settings})
        front = store_commands(store, config)
        adapter = DiscordAdapter(adapter_context(config, "discord", front=front, store=store))
        await adapter.start()
        try:
            first = await adapter.deliver(outgoing(parts[0], 0, None, "discord", "500"))
            assert first is not None
            for i, part in enumerate(parts[1:], 1):
                await adapter.deliver(outgoing(part, i, first, "discord", "500"))
        finally:
            await adapter.stop()
        in_channel = fake.sent("POST", "/api/v10/channels/500/messages$")
        threads = fake.sent("POST", rf"/api/v10/channels/500/messages/{first}/threads")
        in_thread = fake.sent("POST", rf"/api/v10/channels/{first}/messages")
    assert len(in_channel) == 1 and threads and len(in_thread) == len(parts) - 1
    for request in in_channel + in_thread:
        check_discord(request.json)


def test_the_ledger_line_renders_within_limits_on_both_platforms() -> None:
    part = DigestPart("digest", "Daily digest · Tue 14 Jul 2026", 1, 1, 0, (), "<!channel> " * 400)
    slack = render_digest(part)
    check_slack(slack)
    assert slack["blocks"][1]["type"] == "context"  # the line, under the header
    payload = digest_message(part)
    assert len(payload["content"]) <= 2000 and "@everyone" not in payload["content"]


async def test_webhooks_post_digest_parts_as_consecutive_messages(store, fake_server) -> None:
    """A webhook cannot thread: every part is a message of its own, within the limits."""
    parts = await digest_parts(store, discord_spec.WEBHOOK)
    json_type = {"Content-Type": "application/json"}
    fake_server.route("/discord", FakeReply(200, '{"id": "9"}', json_type), method="POST")
    fake_server.route("/slack", FakeReply(200, "ok"), method="POST")
    config = Config(database_path=Path(store.path))
    for platform, path, cls in (
        ("discord-webhook", "/discord", DiscordWebhookAdapter),
        ("slack-webhook", "/slack", SlackWebhookAdapter),
    ):
        adapter = cls(adapter_context(config, platform), timeout=5.0)
        try:
            for i, part in enumerate(parts):
                message = OutboxMessage(100 + i, "digest:1", 1, MessageKind.DIGEST, part.part, ())
                channel = Channel(1, "team", platform)
                destination = Destination("team", None, {"webhook_url": fake_server.url(path)})
                await adapter.deliver(Outgoing(message, channel, destination, digest=part))
        finally:
            await adapter.stop()
    discord_posts = fake_server.requests_for("/discord", "POST")
    slack_posts = fake_server.requests_for("/slack", "POST")
    assert len(discord_posts) == len(slack_posts) == len(parts)
    for request in discord_posts:
        check_discord(json.loads(request.body))
    for request in slack_posts:
        check_slack(json.loads(request.body))
