"""Shared fixtures: the fake HTTP server, fixture files, a fresh store."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakeweb import fake_server  # noqa: F401  (fixture)

from bot.store import Store

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
async def store(tmp_path: Path):
    s = await Store.open(tmp_path / "paperbot.sqlite3")
    try:
        yield s
    finally:
        await s.close()
