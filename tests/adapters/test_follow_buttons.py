"""The Follow buttons of ``authors NAME`` with the REAL slack-bolt and discord.py against the
local fakes: each candidate gets a button; a press runs ``subscribe author openalex:A…``
through the core as the presser, with ``subscribe``'s permission check.

The OpenAlex side of ``authors`` is tested against the fake OpenAlex in tests/identity; here
its answer is the real :func:`candidates_text` / :func:`follow_actions` over two records, and
the followed person is stored (fresh) so ``subscribe`` needs no request."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route
from support.adapters import adapter_context, store_commands
from support.fake_discord import APP_ID, BOT_ID, GOOD_TOKEN, FakeDiscord, interaction, user
from support.fake_slack import TEAM_ID, FakeSlack
from support.identity_world import other_wei_wang, ucla_wei_wang
from support.slack_events import SECRET, block_action, post

from adapters.discord.bot import DiscordAdapter
from adapters.slack.actions import ACTION_PREFIX
from adapters.slack.bot import SlackAdapter
from bot.chat.commands import Commands
from bot.chat.people import Candidate
from bot.chat.people_commands import candidates_text, follow_actions
from bot.config import Config
from bot.model import CommandContext, Reply
from bot.sources.openalex_parse import parse_author
from bot.store import Store

UCLA = "subscribe author openalex:A5100000001"
MANAGE_CHANNELS = 1 << 4


@dataclass
class AuthorsFront:
    """The real commands, ``authors`` answered from two stored records (see the docstring)."""

    front: Commands

    def __getattr__(self, name: str) -> Any:
        return getattr(self.front, name)

    async def dispatch(self, ctx: CommandContext, text: str) -> Reply:
        if not text.startswith("authors "):
            return await self.front.dispatch(ctx, text)
        found = [Candidate(r, 3, 0) for r in map(parse_author, (ucla_wei_wang(), other_wei_wang()))]
        return Reply(candidates_text("Wei Wang", found), actions=follow_actions(found))


async def front_over(store: Store, config: Config) -> AuthorsFront:
    record = parse_author(ucla_wei_wang())
    assert record is not None
    await store.identity.save_person(record, time.time())
    return AuthorsFront(store_commands(store, config))


async def until(check: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


# -- Slack ------------------------------------------------------------------------------------

CHANNEL = "C0PAPERS"


@pytest.fixture
async def slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def slack_bot(slack: FakeSlack, store: Store, tmp_path: Path) -> AsyncIterator[SlackAdapter]:
    settings = {"mode": "http", "http_port": 0, "api_url": slack.api_url, "manage": ["U0BOSS"]}
    config = Config(database_path=tmp_path / "db.sqlite3", sections={"slack": settings})
    front = await front_over(store, config)
    ctx = adapter_context(config, "slack", front=front, store=store)
    adapter = SlackAdapter(
        ctx, env={"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET}
    )
    await adapter.start()
    yield adapter
    await adapter.stop()


def slash(slack: FakeSlack, text: str) -> str:
    fields = {
        "token": "x",
        "team_id": TEAM_ID,
        "channel_id": CHANNEL,
        "user_id": "U0ALICE",
        "user_name": "alice",
        "command": "/paper",
        "text": text,
        "response_url": slack.response_url,
        "trigger_id": "1.2.3",
        "api_app_id": "A0APP",
    }
    return urlencode(fields)


async def test_slack_authors_has_a_follow_button_per_candidate(slack_bot, slack) -> None:
    assert (await post(slack_bot.port, slash(slack, "authors Wei Wang")))[0] == 200
    await until(lambda: slack.responses)
    blocks = slack.responses[0]["blocks"]
    buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert [(b["text"]["text"], b["value"]) for b in buttons] == [
        ("Follow 1: Wei Wang", UCLA),
        ("Follow 2: Wei Wang", "subscribe author openalex:A5100000002"),
    ]
    assert all(b["action_id"].startswith(ACTION_PREFIX) for b in buttons)


@pytest.mark.parametrize(("who", "subscribed"), [("U0BOSS", True), ("U0ALICE", False)])
async def test_slack_follow_press_subscribes_with_the_permission_check(
    slack_bot, slack, store: Store, who: str, subscribed: bool
) -> None:
    body = block_action(f"{ACTION_PREFIX}0", UCLA, CHANNEL, "1.0", slack.response_url, who)
    assert (await post(slack_bot.port, body))[0] == 200
    await until(lambda: slack.responses)
    answer = slack.responses[0]
    subs = await store.subscriptions.list()
    if subscribed:
        assert answer["text"].startswith("Subscribed #1 author: openalex:A5100000001")
        assert [s.value for s in subs] == ["openalex:A5100000001"]
    else:
        assert "permission" in answer["text"] and answer["response_type"] == "ephemeral"
        assert subs == []


# -- Discord ----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def restore_globals() -> Iterator[None]:
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    yield
    Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


@pytest.fixture
async def discord_bot(
    store: Store, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[DiscordAdapter]:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", GOOD_TOKEN)
    settings = {"api_url": fake.api, "guild_ids": [900], "gateway": False}
    config = Config(database_path=Path(store.path), sections={"discord": settings})
    front = await front_over(store, config)
    adapter = DiscordAdapter(adapter_context(config, "discord", front=front, store=store))
    await adapter.start()
    yield adapter
    await adapter.stop()


async def sent(fake: FakeDiscord, method: str, pattern: str) -> list[Any]:
    for _ in range(300):
        if found := fake.sent(method, pattern):
            return [r.json for r in found]
        await asyncio.sleep(0.01)
    raise AssertionError(f"no {method} {pattern}")


def press(components: list[Any], custom_id: str, permissions: int) -> dict[str, Any]:
    """A raw INTERACTION_CREATE for a button press (type 3) on the bot's answer."""
    payload = interaction(sub="follow", permissions=permissions)
    payload["type"] = 3
    payload["data"] = {"custom_id": custom_id, "component_type": 2}
    payload["message"] = {
        "id": "1400000000000000001",
        "channel_id": "500",
        "type": 0,
        "content": "",
        "embeds": [],
        "attachments": [],
        "components": components,
        "author": user(BOT_ID, "paperbot", bot=True),
        "timestamp": "2026-07-14T00:00:00+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "pinned": False,
        "flags": 64,
    }
    return payload


async def discord_buttons(bot: DiscordAdapter, fake: FakeDiscord) -> list[Any]:
    options = [{"name": "name", "type": 3, "value": "Wei Wang"}]
    bot.client._connection.parse_interaction_create(  # type: ignore[arg-type]
        interaction(sub="authors", options=options)
    )
    (answer,) = await sent(fake, "POST", rf"/api/v10/webhooks/{APP_ID}/itoken-authors")
    return answer["components"]


async def test_discord_authors_has_a_follow_button_per_candidate(discord_bot, fake) -> None:
    (row,) = await discord_buttons(discord_bot, fake)
    assert [(b["label"], b["custom_id"]) for b in row["components"]] == [
        ("Follow 1: Wei Wang", f"paperbot:run:{UCLA}"),
        ("Follow 2: Wei Wang", "paperbot:run:subscribe author openalex:A5100000002"),
    ]


@pytest.mark.parametrize(("permissions", "subscribed"), [(MANAGE_CHANNELS, True), (1 << 10, False)])
async def test_discord_follow_press_subscribes_with_the_permission_check(
    discord_bot, fake, store: Store, permissions: int, subscribed: bool
) -> None:
    components = await discord_buttons(discord_bot, fake)
    discord_bot.client._connection.parse_interaction_create(  # type: ignore[arg-type]
        press(components, f"paperbot:run:{UCLA}", permissions)
    )
    (answer,) = await sent(fake, "POST", rf"/api/v10/webhooks/{APP_ID}/itoken-follow")
    subs = await store.subscriptions.list()
    if subscribed:
        assert answer["content"].startswith("Subscribed #1 author: openalex:A5100000001")
        assert [s.value for s in subs] == ["openalex:A5100000001"]
    else:
        assert "permission" in answer["content"] and answer["flags"] == 64
        assert subs == []


async def test_discord_follow_press_needs_no_state_from_the_answer(
    discord_bot, fake, store: Store
) -> None:
    """A press on an answer this process never sent (one sent before a restart) still runs."""
    custom_id = f"paperbot:run:{UCLA}"
    button = {"type": 2, "style": 1, "label": "Follow 1: Wei Wang", "custom_id": custom_id}
    discord_bot.client._connection.parse_interaction_create(  # type: ignore[arg-type]
        press([{"type": 1, "components": [button]}], custom_id, MANAGE_CHANNELS)
    )
    (answer,) = await sent(fake, "POST", rf"/api/v10/webhooks/{APP_ID}/itoken-follow")
    assert answer["content"].startswith("Subscribed #1 author: openalex:A5100000001")
