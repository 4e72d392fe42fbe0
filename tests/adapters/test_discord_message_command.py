"""The message command "Look up paper" through the REAL discord.py CommandTree, against the
local fake Discord: the papers a message names are looked up and shown in one private reply."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route
from support.adapters import adapter_context, commands
from support.fake_discord import APP_ID, GOOD_TOKEN, FakeDiscord, message_interaction

from adapters.discord.bot import DiscordAdapter
from bot.chat.lookup import LookupFailed, LookupResult
from bot.config import Config
from bot.model import Paper
from bot.store import Store


class Lookups:
    """A look-up that knows every id but 2201.00009 and records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    async def __call__(self, text: str, *, limit: int = 5) -> LookupResult:
        self.asked.append(text)
        if text.startswith("2201.00009"):
            raise LookupFailed(f"not found: arXiv has no paper {text}")
        arxiv_id = text.partition("v")[0] if text[:1].isdigit() else "2308.03526"
        return LookupResult((Paper(arxiv_id, 1, f"Paper {arxiv_id}"),), "store")


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
def lookups() -> Lookups:
    return Lookups()


@pytest.fixture
async def adapter(
    store: Store, fake: FakeDiscord, lookups: Lookups, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[DiscordAdapter]:
    monkeypatch.setenv("DISCORD_BOT_TOKEN", GOOD_TOKEN)
    settings = {"api_url": fake.api, "guild_ids": [900], "gateway": False}
    config = Config(database_path=Path(store.path), sections={"discord": settings})
    ctx = adapter_context(config, "discord", front=commands(store, lookups, config), store=store)
    a = DiscordAdapter(ctx)
    await a.start()
    yield a
    await a.stop()


async def answers(fake: FakeDiscord, count: int) -> list[Any]:
    for _ in range(300):
        found = [r for r in fake.requests if "itoken-message" in r.path]
        if len(found) >= count:
            return [r.json for r in found]
        await asyncio.sleep(0.01)
    raise AssertionError(f"no answer; saw {[r.path for r in fake.requests]}")


def inject(a: DiscordAdapter, payload: dict[str, Any]) -> None:
    a.client._connection.parse_interaction_create(payload)  # type: ignore[arg-type]


async def test_shows_the_first_five_distinct_papers_of_a_message(
    adapter: DiscordAdapter, fake: FakeDiscord, lookups: Lookups
) -> None:
    content = (
        "Read https://arxiv.org/abs/2303.08774v4 (= arXiv:2303.08774, "
        "doi:10.48550/arXiv.2303.08774) then 2201.00001, 2201.00002, 2201.00003 and "
        "2201.00004; 2201.00005 is one too many."
    )
    inject(adapter, message_interaction(content))
    deferred, followup = await answers(fake, 2)
    assert deferred["type"] == 5 and deferred["data"]["flags"] == 64  # thinking…, private
    assert lookups.asked == ["2303.08774v4", "2201.00001", "2201.00002", "2201.00003", "2201.00004"]
    assert followup["content"] == "Found 5 papers in this message."
    urls = [embed["url"] for embed in followup["embeds"]]
    assert urls[0] == "https://arxiv.org/abs/2303.08774" and len(urls) == 5
    assert followup["allowed_mentions"] == {"parse": []}


async def test_a_reference_not_found_is_named_beside_the_others(
    adapter: DiscordAdapter, fake: FakeDiscord
) -> None:
    inject(adapter, message_interaction("2201.00009 and https://arxiv.org/pdf/2201.00001v2"))
    _deferred, followup = await answers(fake, 2)
    lines = followup["content"].splitlines()
    assert lines[0] == "Found 1 paper in this message."
    assert lines[1].startswith("`2201.00009`: Not found")
    assert [e["url"] for e in followup["embeds"]] == ["https://arxiv.org/abs/2201.00001"]


async def test_a_message_naming_no_paper_gets_one_line(
    adapter: DiscordAdapter, fake: FakeDiscord, lookups: Lookups
) -> None:
    inject(adapter, message_interaction("lunch at 12.30? see you"))
    (answer,) = await answers(fake, 1)
    assert answer["type"] == 4 and answer["data"]["flags"] == 64
    assert answer["data"]["content"] == "No arXiv id, DOI or arxiv.org link in this message."
    assert lookups.asked == []
    assert not fake.sent("POST", rf"/api/v10/webhooks/{APP_ID}/itoken-message")
