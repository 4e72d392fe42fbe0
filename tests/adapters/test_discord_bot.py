"""The Discord bot adapter with the REAL discord.py against a local fake REST API.

Interactions are injected into the real CommandTree through
``client._connection.parse_interaction_create``; deliveries go through real HTTP to the fake.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route
from support.adapters import adapter_context, commands
from support.fake_discord import APP_ID, GOOD_TOKEN, FakeDiscord, interaction, rate_limited

from adapters.discord.bot import DiscordAdapter, message_nonce
from bot.chat.lookup import LookupResult
from bot.config import Config, ConfigError
from bot.model import Channel, MessageKind, OutboxMessage, Paper, SubscriptionKind
from bot.model.text import build_alert
from bot.port import (
    ChannelUnavailable,
    Destination,
    Outgoing,
    Refused,
    RetryLater,
    StartupError,
)
from bot.store import Store

MANAGE_CHANNELS = 1 << 4
PAPER = Paper(
    "2308.03526",
    1,
    "@everyone **Grok** ||spoiler||",
    ("Igor Babuschkin",),
    "An abstract. " * 50,
    categories=("cs.LG",),
    announced=date(2026, 7, 14),
)


@pytest.fixture(autouse=True)
def restore_globals() -> Iterator[None]:
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    yield
    Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


async def stub_lookup(text: str, *, limit: int = 5) -> LookupResult:
    return LookupResult(papers=(PAPER,), origin="store")


def make_adapter(store: Store, fake: FakeDiscord, **section: Any) -> DiscordAdapter:
    settings = {"api_url": fake.api, "guild_ids": [900], "gateway": False, **section}
    config = Config(database_path=Path(store.path), sections={"discord": settings})
    front = commands(store, stub_lookup, config)
    return DiscordAdapter(adapter_context(config, "discord", front=front, store=store))


@pytest.fixture
async def adapter(
    store: Store, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[DiscordAdapter]:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", GOOD_TOKEN)
    a = make_adapter(store, fake)
    await a.start()
    yield a
    await a.stop()


async def wait_for(fake: FakeDiscord, method: str, pattern: str, count: int = 1) -> list[Any]:
    for _ in range(200):
        found = fake.sent(method, pattern)
        if len(found) >= count:
            return [r.json for r in found]
        await asyncio.sleep(0.01)
    raise AssertionError(f"no {method} {pattern}; saw {[r.path for r in fake.requests]}")


def inject(a: DiscordAdapter, payload: dict[str, Any]) -> None:
    a.client._connection.parse_interaction_create(payload)  # type: ignore[arg-type]


# -- start-up ---------------------------------------------------------------------------------


async def test_start_logs_in_and_syncs_commands_to_guild(
    adapter: DiscordAdapter, fake: FakeDiscord
) -> None:
    assert fake.sent("GET", "/api/v10/users/@me")
    (synced,) = await wait_for(fake, "PUT", rf"/api/v10/applications/{APP_ID}/guilds/900/commands")
    group, menu = sorted(synced, key=lambda c: c["type"])
    assert group["name"] == "paper"
    assert (menu["name"], menu["type"]) == ("Look up paper", 3)  # a message command
    subs = {o["name"]: o for o in group["options"]}
    core = {"lookup", "subscribe", "unsubscribe", "list", "status", "help"}
    later = {"why", "preview", "authors", "author", "save", "unsave", "saved", "bibtex"}
    assert set(subs) == core | later | {"mode", "cap", "quiet", "ledger", "digest"}
    assert [o["name"] for o in subs["mode"].get("options", [])] == ["setting"]
    assert subs["mode"]["options"][0]["required"] is False  # empty: show the settings
    assert [c["value"] for c in subs["ledger"]["options"][0]["choices"]] == ["on", "off"]
    (now,) = subs["digest"]["options"]
    assert (now["name"], now["type"], now.get("required", False)) == ("now", 5, False)
    assert [o["name"] for o in subs["lookup"]["options"]] == ["query"]
    kind, value = subs["subscribe"]["options"]
    assert (kind["name"], value["name"]) == ("kind", "value")
    assert [c["value"] for c in kind["choices"]] == ["author", "topic", "category"]
    (option,) = subs["unsubscribe"]["options"]
    assert option["name"] == "subscription" and option["autocomplete"] is True
    assert not fake.sent("PUT", rf"/api/v10/applications/{APP_ID}/commands")  # not global


async def test_global_sync_without_guild_ids(
    store: Store, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", GOOD_TOKEN)
    a = make_adapter(store, fake, guild_ids=[])
    await a.start()
    await a.stop()
    assert fake.sent("PUT", rf"/api/v10/applications/{APP_ID}/commands")
    assert fake.api != Route.BASE  # stop() restored the REST base


async def test_invalid_token_is_one_clear_startup_error(
    store: Store, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", "wrong-token")
    a = make_adapter(store, fake)
    with pytest.raises(StartupError) as info:
        await a.start()
    assert fake.api != Route.BASE  # a failed start leaves nothing redirected
    assert str(info.value) == "Discord rejected DISCORD_BOT_TOKEN (401 Unauthorized)"
    assert "wrong-token" not in str(info.value)


async def test_missing_token_names_the_variable(
    store: Store, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISCORD_BOT_TOKEN", raising=False)
    with pytest.raises(StartupError, match="DISCORD_BOT_TOKEN"):
        await make_adapter(store, fake).start()
    assert fake.requests == []


async def test_gateway_url_taken_from_the_api(
    store: Store, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", GOOD_TOKEN)
    a = make_adapter(store, fake, gateway=True)
    original = DiscordWebSocket.DEFAULT_GATEWAY
    await a.start()  # the fake names ws://127.0.0.1:1/ (nothing listens): connect fails quietly
    assert str(DiscordWebSocket.DEFAULT_GATEWAY) == "ws://127.0.0.1:1/"
    await a.stop()
    assert original == DiscordWebSocket.DEFAULT_GATEWAY


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ({"manage_permission": "be_admin"}, "manage_permission"),
        ({"shards": 0}, "shards"),
        ({"guild_ids": ["abc"]}, "guild_ids"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_config_errors_name_the_key(
    store: Store, fake: FakeDiscord, section: dict[str, Any], key: str
) -> None:
    with pytest.raises(ConfigError, match=key):
        make_adapter(store, fake, **section)


def test_sharding_and_threads_options(store: Store, fake: FakeDiscord) -> None:
    import discord

    auto = make_adapter(store, fake, shards="auto")
    assert isinstance(auto.client, discord.AutoShardedClient) and auto.client.shard_count is None
    four = make_adapter(store, fake, shards=4, threads=False)
    assert isinstance(four.client, discord.AutoShardedClient) and four.client.shard_count == 4
    assert four.thread_kinds == () and auto.thread_kinds == ("abstract",)
    # No message content: guilds for slash commands, guild reactions for 📌 on alerts.
    assert auto.client.intents.value == discord.Intents(guilds=True, guild_reactions=True).value


# -- slash commands through the real CommandTree ----------------------------------------------


def subscribe_payload(permissions: int) -> dict[str, Any]:
    options = [
        {"name": "kind", "type": 3, "value": "author"},
        {"name": "value", "type": 3, "value": "Babuschkin,   Igor"},
    ]
    return interaction(sub="subscribe", options=options, permissions=permissions)


async def test_subscribe_with_manage_channels(
    adapter: DiscordAdapter, fake: FakeDiscord, store: Store
) -> None:
    inject(adapter, subscribe_payload(MANAGE_CHANNELS))
    (deferred,) = await wait_for(
        fake, "POST", r"/api/v10/interactions/\d+/itoken-subscribe/callback"
    )
    assert deferred["type"] == 5 and not (deferred.get("data") or {}).get("flags")  # public
    (answer,) = await wait_for(fake, "POST", rf"/api/v10/webhooks/{APP_ID}/itoken-subscribe")
    assert answer["content"].startswith("Subscribed #1 author: Babuschkin, Igor")
    assert answer["allowed_mentions"] == {"parse": []}
    channel = await store.channels.by_external("discord", "500")
    assert channel is not None and channel.name == "discord:900/500"
    (sub,) = await store.subscriptions.list(channel.id)
    assert (sub.kind, sub.value, sub.created_by) == (
        SubscriptionKind.AUTHOR,
        "Babuschkin, Igor",
        "igor",
    )


async def test_subscribe_refused_without_permission_but_lookup_works(
    adapter: DiscordAdapter, fake: FakeDiscord, store: Store
) -> None:
    inject(adapter, subscribe_payload(permissions=1 << 10))  # View Channel only
    # Deferred publicly (subscribe answers the channel); the error then replaces the public
    # placeholder with a private answer.
    await wait_for(
        fake, "DELETE", rf"/api/v10/webhooks/{APP_ID}/itoken-subscribe/messages/@original"
    )
    (answer,) = await wait_for(fake, "POST", rf"/api/v10/webhooks/{APP_ID}/itoken-subscribe")
    assert "permission" in answer["content"]
    assert answer["flags"] == 64  # ephemeral
    assert await store.subscriptions.list() == []

    options = [{"name": "query", "type": 3, "value": "2308.03526"}]
    inject(adapter, interaction(sub="lookup", options=options, permissions=0))
    (deferred,) = await wait_for(fake, "POST", r"/api/v10/interactions/\d+/itoken-lookup/callback")
    assert deferred["type"] == 5 and deferred["data"]["flags"] == 64
    (followup,) = await wait_for(fake, "POST", rf"/api/v10/webhooks/{APP_ID}/itoken-lookup")
    assert followup["content"].startswith("Found (store)")
    (embed,) = followup["embeds"]
    assert embed["url"] == "https://arxiv.org/abs/2308.03526"
    assert "@\u200beveryone" in embed["title"] and r"\*\*Grok\*\*" in embed["title"]
    assert followup["allowed_mentions"] == {"parse": []}
    # Defer first, follow up second.
    order = [r.path for r in fake.requests if "itoken-lookup" in r.path]
    assert order[0].endswith("/callback") and order[1].startswith("/api/v10/webhooks/")


async def test_unsubscribe_and_autocomplete(
    adapter: DiscordAdapter, fake: FakeDiscord, store: Store
) -> None:
    channel = await store.channels.ensure_chat("discord", "500", "discord:900/500")
    long_name = "Babuschkin, Igor " + "Maximilian " * 20
    for i in range(30):
        await store.subscriptions.add(
            channel.id, SubscriptionKind.TOPIC, f"{long_name}{i}", f"norm{i}", "igor"
        )
    focused = [{"name": "subscription", "type": 3, "value": "", "focused": True}]
    inject(adapter, interaction(sub="unsubscribe", options=focused, autocomplete=True))
    (answer,) = await wait_for(
        fake, "POST", r"/api/v10/interactions/\d+/itoken-unsubscribe/callback"
    )
    assert answer["type"] == 8
    choices = answer["data"]["choices"]
    assert len(choices) == 25
    assert all(1 <= len(c["name"]) <= 100 for c in choices)
    assert (
        choices[0]["name"].startswith("#1 topic: Babuschkin, Igor") and choices[0]["value"] == "1"
    )

    fake.requests.clear()
    options = [{"name": "subscription", "type": 3, "value": "1"}]
    inject(adapter, interaction(sub="unsubscribe", options=options, permissions=MANAGE_CHANNELS))
    (done,) = await wait_for(fake, "POST", rf"/api/v10/webhooks/{APP_ID}/itoken-unsubscribe")
    assert done["content"] == "Unsubscribed #1."
    assert len(await store.subscriptions.list(channel.id)) == 29


# -- delivery ---------------------------------------------------------------------------------


def outgoing(kind: str = "alert", parent_ref: str | None = None, version: int = 1) -> Outgoing:
    return Outgoing(
        message=OutboxMessage(
            7,
            PAPER.arxiv_id,
            3,
            MessageKind(kind),
            version,
            ("author: Babuschkin, Igor",),
            parent_ref=parent_ref,
        ),
        channel=Channel(3, "discord:900/500", "discord", external_id="500"),
        destination=Destination("discord:900/500", "500"),
        alert=build_alert(PAPER, ("author: Babuschkin, Igor",)),
    )


async def test_alert_payload_has_nonce_and_pings_nobody(
    adapter: DiscordAdapter, fake: FakeDiscord
) -> None:
    out = outgoing()
    ref = await adapter.deliver(out)
    (req,) = fake.sent("POST", "/api/v10/channels/500/messages")
    body = req.json
    assert ref and ref.isdigit()
    assert body["nonce"] == message_nonce(out.message.key) and body["enforce_nonce"] is True
    assert len(body["nonce"]) <= 25 and int(body["nonce"]) < 2**63
    assert body["allowed_mentions"] == {"parse": []}
    assert "@everyone" not in json.dumps(body, ensure_ascii=False)
    assert body["embeds"][0]["fields"][2]["value"] == "author: Babuschkin, Igor"


async def test_abstract_creates_thread_on_alert_and_version_posts_in_it(
    adapter: DiscordAdapter, fake: FakeDiscord
) -> None:
    assert adapter.thread_kinds == ("abstract",)
    await adapter.deliver(outgoing("abstract", parent_ref="1234"))
    (thread,) = await wait_for(fake, "POST", "/api/v10/channels/500/messages/1234/threads")
    assert 1 <= len(thread["name"]) <= 100
    (abstract,) = await wait_for(fake, "POST", "/api/v10/channels/1234/messages")
    assert abstract["embeds"][0]["description"].startswith("An abstract.")
    # A retry after the thread exists (Discord code 160004) reuses it.
    fake.fail(
        "POST",
        "/channels/500/messages/1234/threads",
        400,
        {"message": "A thread has already been created for this message", "code": 160004},
    )
    await adapter.deliver(outgoing("abstract", parent_ref="1234"))
    await adapter.deliver(outgoing("version", parent_ref="1234", version=2))
    posts = await wait_for(fake, "POST", "/api/v10/channels/1234/messages", count=3)
    assert posts[2]["content"].startswith("New version **v2**")


async def test_429_once_then_delivered(adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    fake.fail("POST", "/channels/500/messages", *rate_limited(0.05))
    assert await adapter.deliver(outgoing())
    assert len(fake.sent("POST", "/api/v10/channels/500/messages")) == 2


async def test_long_429_is_retry_later(adapter: DiscordAdapter, fake: FakeDiscord) -> None:
    fake.fail("POST", "/channels/500/messages", *rate_limited(120.0))
    with pytest.raises(RetryLater) as info:
        await adapter.deliver(outgoing())
    assert info.value.retry_after == 120.0


@pytest.mark.parametrize(
    ("status", "body", "error", "reason"),
    [
        (
            403,
            {"message": "Missing Permissions", "code": 50013},
            ChannelUnavailable,
            "Discord 50013: missing permissions",
        ),
        (
            404,
            {"message": "Unknown Channel", "code": 10003},
            ChannelUnavailable,
            "Discord 10003: unknown channel",
        ),
        (400, {"message": "Invalid Form Body", "code": 50035}, Refused, "Invalid Form Body"),
        (502, {"message": "Bad Gateway"}, RetryLater, "502"),
        # #12: Discord's JSON error codes decide before the HTTP status does.
        (403, {"message": "Missing Access", "code": 50001}, ChannelUnavailable, "50001"),
        (400, {"message": "Thread is locked", "code": 160005}, Refused, "thread is locked"),
        (400, {"message": "Slowmode rate limit", "code": 20016}, RetryLater, "slowmode"),
        (503, {"message": "Overloaded", "code": 130000}, RetryLater, "overloaded"),
    ],
)
async def test_error_mapping(
    adapter: DiscordAdapter,
    fake: FakeDiscord,
    status: int,
    body: dict[str, Any],
    error: type[Exception],
    reason: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for _ in range(5):  # discord.py retries 5xx itself; make every try fail
        fake.fail("POST", "/channels/500/messages", status, body)
    monkeypatch.setattr(asyncio, "sleep", _fast_sleep)
    with pytest.raises(error) as info:
        await adapter.deliver(outgoing())
    assert reason in info.value.reason


_real_sleep = asyncio.sleep


async def _fast_sleep(delay: float, result: Any = None) -> Any:
    return await _real_sleep(0, result)


async def test_a_refused_thread_fails_the_reply_not_the_channel(
    adapter: DiscordAdapter, fake: FakeDiscord
) -> None:
    """No permission to create threads (403) refuses that abstract reply alone: the alert went
    out, so the channel works and must not be paused."""
    fake.fail(
        "POST",
        "/channels/500/messages/1234/threads",
        403,
        {"message": "Missing Permissions", "code": 50013},
    )
    with pytest.raises(Refused) as info:
        await adapter.deliver(outgoing("abstract", parent_ref="1234"))
    assert "Discord 50013: missing permissions" in info.value.reason
    assert await adapter.deliver(outgoing())  # alerts still go to the channel


def test_no_voice_warnings_at_start(
    store: Store,
    fake: FakeDiscord,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    import discord

    # As in a fresh process: discord.py warns once about missing voice libraries.
    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)
    monkeypatch.setattr(discord.VoiceClient, "warn_dave", True)
    make_adapter(store, fake)
    assert "PyNaCl" not in caplog.text and "davey" not in caplog.text


# -- #12: deferred at once with the declared visibility, escaped echoes, scoped status ------


class SlowFront:
    """The real commands, answering only after ``delay`` seconds (a held database lock)."""

    def __init__(self, front: Any, delay: float) -> None:
        self.front = front
        self.delay = delay

    def __getattr__(self, name: str) -> Any:
        return getattr(self.front, name)

    async def dispatch(self, ctx: Any, text: str) -> Any:
        await asyncio.sleep(self.delay)
        return await self.front.dispatch(ctx, text)


async def test_every_command_is_deferred_before_it_runs(
    store: Store, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command that takes 1.5 s: main answered ``help`` and ``list`` only when done (Discord
    allows 3 s for the first response). Now the deferral goes out first."""
    monkeypatch.setenv("DISCORD_BOT_TOKEN", GOOD_TOKEN)
    settings = {"api_url": fake.api, "guild_ids": [900], "gateway": False}
    config = Config(database_path=Path(store.path), sections={"discord": settings})
    front = SlowFront(commands(store, stub_lookup, config), 1.5)
    a = DiscordAdapter(adapter_context(config, "discord", front=front, store=store))
    await a.start()
    try:
        inject(a, interaction(sub="help"))
        await asyncio.sleep(0.5)
        (deferred,) = [
            r.json for r in fake.sent("POST", r"/api/v10/interactions/\d+/itoken-help/callback")
        ]
        assert deferred["type"] == 5 and deferred["data"]["flags"] == 64  # private, up front
        assert not fake.sent("POST", rf"/api/v10/webhooks/{APP_ID}/itoken-help")
        (answer,) = await wait_for(fake, "POST", rf"/api/v10/webhooks/{APP_ID}/itoken-help")
    finally:
        await a.stop()
    assert "/paper lookup" in answer["content"]


async def test_an_echoed_value_is_markdown_escaped(
    adapter: DiscordAdapter, fake: FakeDiscord
) -> None:
    """Main posted ``subscribe topic [Security notice](https://evil.example/login)`` back as a
    live masked link; now every echoed value is escaped."""
    options = [
        {"name": "kind", "type": 3, "value": "topic"},
        {"name": "value", "type": 3, "value": "[Security notice](https://evil.example/login) *b*"},
    ]
    inject(adapter, interaction(sub="subscribe", options=options, permissions=MANAGE_CHANNELS))
    (answer,) = await wait_for(fake, "POST", rf"/api/v10/webhooks/{APP_ID}/itoken-subscribe")
    assert r"\[Security notice\]\(https://evil.example/login\) \*b\*" in answer["content"]
    assert "[Security notice](" not in answer["content"]


async def test_chat_status_shows_only_the_askers_guild(
    adapter: DiscordAdapter, fake: FakeDiscord, store: Store
) -> None:
    await store.channels.ensure_chat("discord", "501", "discord:900/501")
    await store.channels.ensure_chat("discord", "601", "discord:999/601")
    inject(adapter, interaction(sub="status"))
    (answer,) = await wait_for(fake, "POST", rf"/api/v10/webhooks/{APP_ID}/itoken-status")
    assert "discord:900/501" in answer["content"] and "discord:999/601" not in answer["content"]


async def test_mode_subcommand_sets_the_channel_digest_through_the_command_tree(
    adapter: DiscordAdapter, fake: FakeDiscord, store: Store
) -> None:
    options = [{"name": "setting", "type": 3, "value": "daily 09:00 Europe/Berlin"}]
    inject(adapter, interaction(sub="mode", options=options, permissions=MANAGE_CHANNELS))
    (answer,) = await wait_for(fake, "POST", rf"/api/v10/webhooks/{APP_ID}/itoken-mode")
    assert answer["content"].startswith("Mode of this channel: daily 09:00 Europe/Berlin.")
    channel = await store.channels.by_external("discord", "500")
    assert channel is not None and channel.volume.tz == "Europe/Berlin"
