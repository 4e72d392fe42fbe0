"""The reading list on Slack, end to end: real slack-bolt in HTTP mode against the local fake
Slack, over a real store: the Save button, 📌 reactions (retries handled once), and BibTeX
too long for a message sent with files_upload_v2."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import pytest
from pybtex.database import parse_string
from support.adapters import adapter_context, store_commands
from support.fake_slack import TEAM_ID, FakeSlack
from support.slack_events import SECRET, block_action, event_callback, post, reaction
from support.store import ingest

from adapters.slack.bot import SlackAdapter
from adapters.slack.render import SAVE_ACTION, render_alert
from bot.config import Config
from bot.model import AnnounceType, ListingItem, MessageKind, Paper, SaveVia, Subscription
from bot.model import SubscriptionKind as Kind
from bot.model.text import build_alert
from bot.port import Destination, Outgoing
from bot.store import Store

CHANNEL = "C0PAPERS"
NAME = f"slack:{TEAM_ID}/{CHANNEL}"
PAPER_ID = "2607.00001"


@pytest.fixture
async def slack():
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def bot(slack: FakeSlack, store: Store, tmp_path: Path):
    settings = {"mode": "http", "http_port": 0, "api_url": slack.api_url}
    config = Config(database_path=tmp_path / "db.sqlite3", sections={"slack": settings})
    ctx = adapter_context(config, "slack", front=store_commands(store, config), store=store)
    adapter = SlackAdapter(
        ctx, env={"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET}
    )
    await adapter.start()
    yield adapter
    await adapter.stop()


def paper(arxiv_id: str, title: str = "") -> Paper:
    return Paper(
        arxiv_id, 1, title or f"Paper {arxiv_id}", ("Ann Lee",), "Abstract.", "cs.AI", ("cs.AI",)
    )


async def delivered_alert(bot: SlackAdapter, store: Store, arxiv_id: str = PAPER_ID) -> str:
    """An alert of ``arxiv_id`` queued by a real ingest, posted by the bot; its ``ts``."""
    channel = await store.channels.ensure_chat("slack", CHANNEL, NAME)
    subs = {channel.id: [Subscription(1, channel.id, Kind.TOPIC, "x")]}
    item = ListingItem(paper(arxiv_id), AnnounceType.NEW)
    await ingest(store, [item], announced_on=date(2026, 7, 13), matcher=lambda _p: subs)
    due = [m for m in await store.outbox.claim_due("w") if m.kind is MessageKind.ALERT]
    (message,) = [m for m in due if m.paper_id == arxiv_id]
    stored = await store.papers.get(arxiv_id)
    assert stored is not None
    alert = build_alert(stored, message.reasons)
    ts = await bot.deliver(Outgoing(message, channel, Destination(NAME, CHANNEL), alert))
    await store.outbox.mark_sent(message, ts)
    assert ts is not None
    return ts


async def saved_by(store: Store) -> list[tuple[str, str, SaveVia]]:
    channel = await store.channels.by_external("slack", CHANNEL)
    assert channel is not None
    return [
        (item.paper.arxiv_id, mark.who, mark.via)
        for item in await store.reading.list(channel.id)
        for mark in item.marks
    ]


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def settle() -> None:
    """Let bolt finish listeners it runs after acknowledging (nothing to wait for)."""
    await asyncio.sleep(0.3)


async def test_the_bots_alert_has_a_save_button_and_a_webhooks_has_none(bot, slack, store):
    await delivered_alert(bot, store)
    (posted,) = slack.calls("chat.postMessage")
    buttons = [e for b in posted["blocks"] if b["type"] == "actions" for e in b["elements"]]
    (save,) = [b for b in buttons if b["action_id"] == SAVE_ACTION]
    assert save["value"] == PAPER_ID and save["text"]["text"] == "Save"
    assert SAVE_ACTION not in json.dumps(render_alert(build_alert(paper(PAPER_ID))))


async def test_pressing_save_saves_for_the_presser(bot, slack, store) -> None:
    ts = await delivered_alert(bot, store)
    body = block_action(SAVE_ACTION, PAPER_ID, CHANNEL, ts, slack.response_url, "U0ALICE")
    assert (await post(bot.port, body))[0] == 200
    await eventually(lambda: _answered(slack))
    assert await saved_by(store) == [(PAPER_ID, "alice", SaveVia.BUTTON)]
    answer = slack.responses[0]
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    assert answer["text"] == f"Saved *{PAPER_ID}* Paper {PAPER_ID} to this channel's reading list."


async def _answered(slack: FakeSlack) -> bool:
    return bool(slack.responses)


async def test_a_pin_saves_and_taking_it_off_unsaves_retries_once(bot, slack, store) -> None:
    slack.users["U0BOB"] = {"id": "U0BOB", "name": "bob", "profile": {"display_name": "Bob"}}
    ts = await delivered_alert(bot, store)
    added = event_callback(reaction("reaction_added", CHANNEL, ts, "U0BOB"), "Ev0ADD")
    assert (await post(bot.port, added, json_body=True))[0] == 200

    async def saved() -> bool:
        return bool(await saved_by(store))

    await eventually(saved)
    assert await saved_by(store) == [(PAPER_ID, "Bob", SaveVia.REACTION)]
    removed = event_callback(reaction("reaction_removed", CHANNEL, ts, "U0BOB"), "Ev0DEL")
    await post(bot.port, removed, json_body=True)

    async def gone() -> bool:
        return not await saved_by(store)

    await eventually(gone)
    # Slack retries the first event (its ack was late): handled already, so nothing comes back.
    assert (await post(bot.port, added, json_body=True, retry=1))[0] == 200
    await settle()
    assert await saved_by(store) == []


async def test_taking_a_pin_off_keeps_a_save_made_otherwise(bot, slack, store) -> None:
    ts = await delivered_alert(bot, store)
    await post(
        bot.port, block_action(SAVE_ACTION, PAPER_ID, CHANNEL, ts, slack.response_url, "U0ALICE")
    )
    await eventually(lambda: _answered(slack))
    removed = reaction("reaction_removed", CHANNEL, ts, "U0ALICE")
    await post(bot.port, event_callback(removed), json_body=True)
    await settle()
    assert await saved_by(store) == [(PAPER_ID, "alice", SaveVia.BUTTON)]


async def test_pins_elsewhere_and_other_emoji_are_ignored(bot, slack, store) -> None:
    ts = await delivered_alert(bot, store)
    for event in (
        reaction("reaction_added", CHANNEL, ts, "U0BOB", name="thumbsup"),
        reaction("reaction_added", CHANNEL, "1700000000.000001", "U0BOB"),  # not an alert
        reaction("reaction_added", "C0OTHER", ts, "U0BOB"),  # another channel's message
    ):
        assert (await post(bot.port, event_callback(event), json_body=True))[0] == 200
    await settle()
    assert await saved_by(store) == []


def command(slack: FakeSlack, text: str) -> str:
    return urlencode(
        {
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
    )


async def test_short_bibtex_is_answered_as_a_code_block(bot, slack, store) -> None:
    await store.papers.save_looked_up([paper(PAPER_ID)])
    await post(bot.port, command(slack, f"bibtex {PAPER_ID}"))
    await eventually(lambda: _answered(slack))
    answer = slack.responses[0]
    (code,) = [
        e
        for b in answer["blocks"]
        if b["type"] == "rich_text"
        for e in b["elements"]
        if e["type"] == "rich_text_preformatted"
    ]
    entries = parse_string(code["elements"][0]["text"], "bibtex").entries
    assert [e.fields["eprint"] for e in entries.values()] == [PAPER_ID]
    assert slack.files == []


async def test_long_bibtex_goes_to_the_channel_as_a_file(bot, slack, store) -> None:
    ids = [f"2607.{n:05d}" for n in range(1, 21)]
    await store.papers.save_looked_up([paper(i, f"A long title number {i}") for i in ids])
    await post(bot.port, command(slack, "bibtex " + " ".join(ids)))
    await eventually(lambda: _answered(slack))
    assert slack.responses[0]["text"].endswith("Sent as the file paperbot.bib in this channel.")
    (shared,) = slack.files
    assert shared["channel"] == CHANNEL and shared["filename"] == "paperbot.bib"
    assert "(asked for by <@U0ALICE>)" in shared["initial_comment"]
    entries = parse_string(shared["content"], "bibtex").entries
    assert [e.fields["eprint"] for e in entries.values()] == ids


async def test_a_failed_upload_says_what_is_missing(bot, slack, store) -> None:
    ids = [f"2607.{n:05d}" for n in range(1, 21)]
    await store.papers.save_looked_up([paper(i, f"A long title number {i}") for i in ids])
    slack.fail("files.getUploadURLExternal", "missing_scope", needed="files:write")
    await post(bot.port, command(slack, "bibtex " + " ".join(ids)))
    await eventually(lambda: _answered(slack))
    text = slack.responses[0]["text"]
    assert "Could not send it as a file here (missing_scope)" in text and "files:write" in text


async def test_socket_mode_pins_and_redelivered_events(slack, store, tmp_path) -> None:
    """Socket Mode: the event comes in an ``events_api`` envelope; a redelivery (a new
    envelope, the same event_id) is handled once."""
    settings = {"mode": "socket", "api_url": slack.api_url}
    config = Config(database_path=tmp_path / "db.sqlite3", sections={"slack": settings})
    ctx = adapter_context(config, "slack", front=store_commands(store, config), store=store)
    adapter = SlackAdapter(
        ctx, env={"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test"}
    )
    await adapter.start()
    try:
        deadline = time.monotonic() + 5
        while not slack.sockets:
            assert time.monotonic() < deadline, "no socket"
            await asyncio.sleep(0.02)
        ts = await delivered_alert(adapter, store)
        added = json.loads(event_callback(reaction("reaction_added", CHANNEL, ts, "U0BOB"), "Ev1"))
        removed = json.loads(
            event_callback(reaction("reaction_removed", CHANNEL, ts, "U0BOB"), "Ev2")
        )
        await slack.send_envelope("events_api", added, "env-1")

        async def saved() -> bool:
            return bool(await saved_by(store))

        await eventually(saved)
        await slack.send_envelope("events_api", removed, "env-2")

        async def gone() -> bool:
            return not await saved_by(store)

        await eventually(gone)
        await slack.send_envelope("events_api", added, "env-3")  # redelivered
        await settle()
        assert await saved_by(store) == []
    finally:
        await adapter.stop()
