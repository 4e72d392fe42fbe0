"""A chat on a real App whose arXiv and OpenAlex are fakes on one server, on a FakeClock, and
two different Wei Wangs: the UCLA one (followed in the tests) and another."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App
from bot.chat.commands import Commands
from bot.config.identity import IdentityConfig
from support.chat import Chat, chat_config
from support.clock import FakeClock
from support.fake_openalex import FakeOpenAlex, author
from support.fakeweb import FakeServer

LISTING = Path(__file__).parent.parent / "fixtures" / "listings" / "2026-06-16-cs-ai.trimmed.xml"
#: The three papers of that real listing with an author "Wei Wang".
GROUNDING, VIBETHINKER, KAIROS = "2606.16122", "2606.16140", "2606.16533"
UCLA_ORCID = "0000-0002-1825-0097"
OTHER_ORCID = "0000-0003-4412-7719"


def ucla_wei_wang() -> dict[str, object]:
    return author(
        "A5100000001",
        "Wei Wang",
        orcid=UCLA_ORCID,
        institution="University of California, Los Angeles",
        alternatives=("Wei Wang", "W. Wang", "Wang, Wei"),
        works_by_year={2026: 40, 2025: 60, 2024: 55},
        works_count=900,
    )


def other_wei_wang() -> dict[str, object]:
    return author(
        "A5100000002",
        "Wei Wang",
        orcid=OTHER_ORCID,
        institution="Sina Weibo",
        works_by_year={2026: 3, 2025: 5},
        works_count=45,
    )


@dataclass
class World:
    chat: Chat
    openalex: FakeOpenAlex
    clock: FakeClock
    app: App


async def open_world(
    tmp_path: Path, server: FakeServer, identity: IdentityConfig | None = None
) -> AsyncIterator[World]:
    from dataclasses import replace

    clock = FakeClock(datetime(2026, 6, 16, 6, 0, tzinfo=UTC).timestamp())
    config = chat_config(tmp_path / "identity.sqlite3", server)
    if identity is not None:
        config = replace(config, identity=identity)
    openalex = FakeOpenAlex(server)
    openalex.add_author(ucla_wei_wang())
    openalex.add_author(other_wei_wang())
    async with App.open(config, adapters=["console"], front=Commands.from_core, clock=clock) as app:
        yield World(Chat(app, server), openalex, clock, app)


@pytest.fixture
async def world(tmp_path: Path, fake_server: FakeServer) -> AsyncIterator[World]:
    async for w in open_world(tmp_path, fake_server):
        yield w
