"""Shared fixtures: the fake HTTP server, fixture files, a fresh store, a chat on a real App."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from support.chat import Chat, chat_config, open_chat
from support.fakeweb import FakeServer, fake_server  # noqa: F401  (fixture)
from support.nonet import Guard

from bot.store import Store

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def no_network() -> Iterator[Guard]:
    """Every test runs offline: a connection to (or a name lookup of) any host but this
    machine fails at once, and the test fails if it tried one (:mod:`support.nonet`)."""
    guard = Guard()
    guard.install()
    try:
        yield guard
    finally:
        guard.uninstall()
    if guard.attempts:
        pytest.fail(f"the test tried to reach {sorted(set(guard.attempts))}: use a local fake")


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    s = await Store.open(tmp_path / "paperbot.sqlite3")
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture
async def chat(tmp_path: Path, fake_server: FakeServer) -> AsyncIterator[Chat]:  # noqa: F811
    """The console channel of a real App whose arXiv is the fake server."""
    async with open_chat(chat_config(tmp_path / "chat.sqlite3", fake_server), fake_server) as c:
        yield c
