"""The reading list on Discord with the REAL discord.py against the local fake REST API: the
persistent Save button on the bot's alerts (a press after a restart still works), 📌
reactions, the reading-list subcommands, and BibTeX as text or as an attachment.

Gateway events are fed to the real client as Discord sends them
(``client._connection.parse_*``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route
from pybtex.database import parse_string
from support.adapters import adapter_context, store_commands
from support.fake_discord import APP_ID, BOT_ID, GOOD_TOKEN, FakeDiscord, interaction, user
from support.store import ingest

from adapters.discord.bot import DiscordAdapter
from bot.config import Config
from bot.model import AnnounceType, ListingItem, MessageKind, Paper, SaveVia, Subscription
from bot.model import SubscriptionKind as Kind
from bot.model.text import build_alert
from bot.port import Destination, Outgoing
from bot.store import Store

GUILD, CHANNEL = 900, 500
NAME = f"discord:{GUILD}/{CHANNEL}"
PAPER_ID = "2607.00001"
PIN = "\N{PUSHPIN}"


@pytest.fixture(autouse=True)
def restore_globals() -> Iterator[None]:
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    yield
    Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


def make_adapter(store: Store, fake: FakeDiscord) -> DiscordAdapter:
    settings = {"api_url": fake.api, "guild_ids": [GUILD], "gateway": False}
    config = Config(database_path=Path(store.path), sections={"discord": settings})
    front = store_commands(store, config)
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


def paper(arxiv_id: str, title: str = "") -> Paper:
    return Paper(arxiv_id, 1, title or f"Paper {arxiv_id}", ("Ann Lee",), "Abstract.", "cs.AI")


async def delivered_alert(a: DiscordAdapter, store: Store) -> dict[str, Any]:
    """An alert queued by a real ingest and posted by the bot; the message Discord made."""
    channel = await store.channels.ensure_chat("discord", str(CHANNEL), NAME)
    subs = {channel.id: [Subscription(1, channel.id, Kind.TOPIC, "x")]}
    item = ListingItem(paper(PAPER_ID), AnnounceType.NEW)
    await ingest(store, [item], announced_on=date(2026, 7, 13), matcher=lambda _p: subs)
    (message,) = [m for m in await store.outbox.claim_due("w") if m.kind is MessageKind.ALERT]
    stored = await store.papers.get(PAPER_ID)
    assert stored is not None
    alert = build_alert(stored, message.reasons)
    ref = await a.deliver(Outgoing(message, channel, Destination(NAME, str(CHANNEL)), alert))
    await store.outbox.mark_sent(message, ref)
    assert ref is not None
    return {"id": ref}


async def saved_by(store: Store) -> list[tuple[str, str, SaveVia]]:
    channel = await store.channels.by_external("discord", str(CHANNEL))
    assert channel is not None
    return [
        (i.paper.arxiv_id, m.who, m.via)
        for i in await store.reading.list(channel.id)
        for m in i.marks
    ]


async def eventually_saved(store: Store, expected: list[Any]) -> None:
    for _ in range(300):
        if await saved_by(store) == expected:
            return
        await asyncio.sleep(0.01)
    assert await saved_by(store) == expected


def press(message: dict[str, Any], custom_id: str, token: str = "itoken-save") -> dict[str, Any]:
    """A raw INTERACTION_CREATE for a button press (type 3) on ``message``."""
    payload = interaction(sub="x")
    payload["type"] = 3
    payload["token"] = token
    payload["data"] = {"custom_id": custom_id, "component_type": 2}
    payload["message"] = {
        "id": message["id"],
        "channel_id": str(CHANNEL),
        "type": 0,
        "content": "",
        "embeds": [],
        "attachments": [],
        "components": message["components"],
        "author": user(BOT_ID, "paperbot", bot=True),
        "timestamp": "2026-07-14T00:00:00+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "pinned": False,
        "flags": 0,
    }
    return payload


def reaction(message_id: str, user_id: int, emoji: str = PIN, *, member: bool = True) -> dict:
    data: dict[str, Any] = {
        "user_id": str(user_id),
        "channel_id": str(CHANNEL),
        "message_id": message_id,
        "guild_id": str(GUILD),
        "emoji": {"id": None, "name": emoji},
        "burst": False,
        "type": 0,
    }
    if member:
        data["member"] = {
            "user": user(user_id, "bob"),
            "roles": [],
            "joined_at": "2026-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
        }
        data["message_author_id"] = str(BOT_ID)
    return data


async def test_alerts_carry_a_save_button_pressed_after_a_restart_too(
    adapter: DiscordAdapter, fake: FakeDiscord, store: Store
) -> None:
    message = await delivered_alert(adapter, store)
    (posted,) = [r.json for r in fake.sent("POST", rf"/api/v10/channels/{CHANNEL}/messages")]
    (row,) = posted["components"]
    (button,) = row["components"]
    assert button["custom_id"] == f"paperbot:save:{PAPER_ID}" and button["label"] == "Save"
    await adapter.stop()

    restarted = make_adapter(store, fake)
    await restarted.start()
    try:
        restarted.client._connection.parse_interaction_create(  # type: ignore[arg-type]
            press({**message, "components": posted["components"]}, button["custom_id"])
        )
        await eventually_saved(store, [(PAPER_ID, "igor", SaveVia.BUTTON)])
        for _ in range(300):
            if fake.sent("POST", r"/api/v10/interactions/\d+/itoken-save/callback"):
                break
            await asyncio.sleep(0.01)
        (answer,) = [
            r.json for r in fake.sent("POST", r"/api/v10/interactions/\d+/itoken-save/callback")
        ]
        assert answer["data"]["flags"] == 64  # private
        assert answer["data"]["content"].startswith(f"Saved *{PAPER_ID}* Paper {PAPER_ID}")
    finally:
        await restarted.stop()


async def test_a_pin_saves_and_taking_it_off_unsaves(adapter: DiscordAdapter, store: Store) -> None:
    message = await delivered_alert(adapter, store)
    state = adapter.client._connection
    state.parse_message_reaction_add(reaction(message["id"], 77))  # type: ignore[arg-type]
    await eventually_saved(store, [(PAPER_ID, "77", SaveVia.REACTION)])  # no guild cached
    state.parse_message_reaction_remove(  # type: ignore[arg-type]
        reaction(message["id"], 77, member=False)
    )
    await eventually_saved(store, [])


async def test_other_emoji_other_messages_and_own_pins_are_ignored(
    adapter: DiscordAdapter, store: Store
) -> None:
    message = await delivered_alert(adapter, store)
    state = adapter.client._connection
    for data in (
        reaction(message["id"], 77, "\N{THUMBS UP SIGN}"),
        reaction("1299999999999999999", 77),  # not an alert of the bot's
        reaction(message["id"], BOT_ID),
    ):
        state.parse_message_reaction_add(data)  # type: ignore[arg-type]
    await asyncio.sleep(0.2)
    assert await saved_by(store) == []


async def run(a: DiscordAdapter, fake: FakeDiscord, sub: str, value: str) -> Any:
    options = [{"name": "papers", "type": 3, "value": value}]
    a.client._connection.parse_interaction_create(  # type: ignore[arg-type]
        interaction(sub=sub, options=options)
    )
    for _ in range(300):
        found = fake.sent("POST", rf"/api/v10/webhooks/{APP_ID}/itoken-{sub}")
        if found:
            return found[0]
        await asyncio.sleep(0.01)
    raise AssertionError("no answer")


async def test_bibtex_fits_as_text_or_goes_as_a_file(
    adapter: DiscordAdapter, fake: FakeDiscord, store: Store
) -> None:
    ids = [f"2607.{n:05d}" for n in range(1, 21)]
    await store.papers.save_looked_up([paper(i, f"A long title number {i}") for i in ids])
    short = await run(adapter, fake, "bibtex", ids[0])
    assert short.json["content"].startswith("BibTeX of 1 paper:\n```\n@misc{")
    assert short.files == {}
    fake.requests.clear()
    long = await run(adapter, fake, "bibtex", " ".join(ids))
    assert long.json["content"] == "BibTeX of 20 papers:"
    entries = parse_string(long.files["paperbot.bib"].decode(), "bibtex").entries
    assert [e.fields["eprint"] for e in entries.values()] == ids


async def test_a_press_in_the_same_process_is_handled_once(
    adapter: DiscordAdapter, fake: FakeDiscord, store: Store
) -> None:
    message = await delivered_alert(adapter, store)
    (posted,) = [r.json for r in fake.sent("POST", rf"/api/v10/channels/{CHANNEL}/messages")]
    custom_id = f"paperbot:save:{PAPER_ID}"
    adapter.client._connection.parse_interaction_create(  # type: ignore[arg-type]
        press({**message, "components": posted["components"]}, custom_id)
    )
    await eventually_saved(store, [(PAPER_ID, "igor", SaveVia.BUTTON)])
    await asyncio.sleep(0.2)
    callbacks = fake.sent("POST", r"/api/v10/interactions/\d+/itoken-save/callback")
    assert len(callbacks) == 1  # the view sent with the alert does not answer it a second time


async def test_save_saved_and_unsave_subcommands(
    adapter: DiscordAdapter, fake: FakeDiscord, store: Store
) -> None:
    await store.papers.save_looked_up([paper(PAPER_ID)])
    for sub in ("save", "unsave"):
        options = [{"name": "paper", "type": 3, "value": PAPER_ID}]
        adapter.client._connection.parse_interaction_create(  # type: ignore[arg-type]
            interaction(sub=sub, options=options)
        )
        for _ in range(300):
            if fake.sent("POST", rf"/api/v10/webhooks/{APP_ID}/itoken-{sub}"):
                break
            await asyncio.sleep(0.01)
        if sub == "save":
            await eventually_saved(store, [(PAPER_ID, "igor", SaveVia.COMMAND)])
    (answer,) = fake.sent("POST", rf"/api/v10/webhooks/{APP_ID}/itoken-unsave")
    assert answer.json["content"] == f"Took *{PAPER_ID}* off this channel's reading list."
    assert await saved_by(store) == []
