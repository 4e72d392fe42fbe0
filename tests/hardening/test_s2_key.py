"""``$S2_API_KEY`` goes to Semantic Scholar in the ``x-api-key`` header and nowhere else: not
in a URL, a log line (at DEBUG), a look-up's answer, ``status`` or the database, also when S2
fails."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest
from support.chat import chat_config, open_chat
from support.fake_arxiv import ALPHASTAR_ID
from support.fake_s2 import FakeS2
from support.fakeweb import FakeServer, Reply
from support.hardening import dump_database

from bot.config.scholar import SemanticScholarConfig

KEY = "SeCrEtS2aPiKeYaBcDeF0123456789"


async def test_the_key_is_sent_as_a_header_and_never_shown(
    tmp_path: Path,
    fake_server: FakeServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("S2_API_KEY", KEY)
    caplog.set_level(logging.DEBUG)
    fake = FakeS2(fake_server)
    fake.add_paper(ALPHASTAR_ID, "AlphaStar Unplugged", tldr={"text": "Short."})
    fake.server.script("/graph/v1/paper/batch", Reply(503), Reply(503), Reply(503), method="POST")
    config = chat_config(tmp_path / "db.sqlite3", fake_server)
    s2 = SemanticScholarConfig(api_url=fake.api_url, min_interval_seconds=0.0)
    config = dataclasses.replace(config, semantic_scholar=s2)
    async with open_chat(config, fake_server) as chat:
        failed = await chat(ALPHASTAR_ID)  # S2 failing: its error is shown, the key is not
        await chat.app.store.db.fetchall("DELETE FROM index_records")
        answered = await chat(ALPHASTAR_ID)
        status = await chat("status")
    assert "HTTP 503" in failed and "Short." in answered
    requests = fake.batch_requests()
    assert requests and all(r.headers.get("x-api-key") == KEY for r in requests)
    assert all(KEY not in str(r.query) for r in fake.server.requests)
    shown = "\n".join([failed, answered, status, chat.output, caplog.text])
    assert KEY not in shown and KEY not in dump_database(tmp_path / "db.sqlite3")
