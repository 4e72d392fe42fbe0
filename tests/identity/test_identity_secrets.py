"""``$OPENALEX_API_KEY`` goes to OpenAlex as the ``api_key`` parameter and nowhere else: not
in a log line at DEBUG (failures included), not in the database, not in ``status``."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from support.fakeweb import FakeServer, Reply
from support.identity_world import LISTING, open_world

KEY = "SeCrEtOpEnAlExKeY0123456789"


async def test_the_key_is_sent_and_never_logged_or_stored(
    tmp_path: Path,
    fake_server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("OPENALEX_API_KEY", KEY)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="paperbot.fetch")
    async for w in open_world(tmp_path, fake_server):
        await w.chat("subscribe author openalex:A5100000001")
        await w.chat("authors Wei Wang")
        w.chat.serve_listing(LISTING)
        w.openalex.fail(Reply(status=500), Reply(status=403), Reply(status=429))
        await w.chat.poll_and_deliver()
        status = await w.chat("status")
    assert all(r.query.get("api_key") == KEY for r in w.openalex.requests)
    # The fake server's own access log (aiohttp.access) is not the bot's.
    ours = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("aiohttp"))
    assert "api_key=***" in ours  # the request URLs are logged, redacted
    assert KEY not in ours and KEY not in status
    conn = sqlite3.connect(tmp_path / "identity.sqlite3")
    try:
        dump = "\n".join(conn.iterdump())
    finally:
        conn.close()
    assert KEY not in dump
