"""The Slack bot adapter end to end: real slack-bolt / slack_sdk against a local fake Slack.

HTTP mode is served on a real 127.0.0.1 socket; slash commands and button presses are signed
with the real algorithm, so the request-verification middleware runs for real.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import socket
import time
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from support.adapters import adapter_context, store_commands
from support.fake_slack import TEAM_ID, FakeSlack

from adapters.slack.bot import SlackAdapter
from adapters.slack.render import SHARE_ACTION
from bot.config import Config
from bot.model import Channel, MessageKind, OutboxMessage, Paper
from bot.model.text import build_alert
from bot.port import ChannelUnavailable, Destination, Outgoing, Refused, RetryLater, StartupError

SECRET = "test-signing-secret-0123456789"
CHANNEL = "C0PAPERS"
PAPER = Paper(
    "2308.03526",
    2,
    "AgentSims <!channel> & <@U123>",
    ("Igor Babuschkin",),
    "We present a sandbox.",
    categories=("cs.AI",),
    announced=date(2023, 8, 8),
)


def sign(body: str, timestamp: int, secret: str = SECRET) -> str:
    """Slack's request signature: v0= + hex HMAC-SHA256 over ``v0:{ts}:{body}``."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def test_published_signing_vector() -> None:
    secret = "8f742231b10e8888abcd99yyyzzz85a5"
    ts = 1531420618
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
        "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
        "&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2F"
        "commands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert sign(body, ts, secret) == expected

    class Clock:
        def now(self) -> float:
            return ts + 10

    verifier = SignatureVerifier(secret, clock=Clock())
    assert verifier.is_valid(body, ts, expected)
    assert not verifier.is_valid(body + "x", ts, expected)
    assert not SignatureVerifier(secret).is_valid(body, ts, expected)  # years stale


@pytest.fixture
async def slack():
    async with FakeSlack() as fake:
        yield fake


def make_adapter(slack: FakeSlack, store, tmp_path: Path, **section) -> SlackAdapter:
    settings = {"mode": "http", "http_port": 0, "api_url": slack.api_url, **section}
    config = Config(database_path=tmp_path / "db.sqlite3", sections={"slack": settings})
    ctx = adapter_context(config, "slack", front=store_commands(store, config), store=store)
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET}
    return SlackAdapter(ctx, env=env)


@pytest.fixture
async def bot(slack, store, tmp_path):
    adapter = make_adapter(slack, store, tmp_path)
    await adapter.start()
    yield adapter
    await adapter.stop()


async def post(adapter: SlackAdapter, body: str, *, ts: int | None = None, sig: str | None = None):
    ts = int(time.time()) if ts is None else ts
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sig or sign(body, ts),
    }
    url = f"http://127.0.0.1:{adapter.port}/slack/events"
    async with aiohttp.ClientSession() as s, s.post(url, data=body, headers=headers) as resp:
        return resp.status, await resp.text()


def command(slack: FakeSlack, text: str, user: str = "U0ALICE") -> str:
    return urlencode(
        {
            "token": "x",
            "team_id": TEAM_ID,
            "team_domain": "test",
            "channel_id": CHANNEL,
            "channel_name": "papers",
            "user_id": user,
            "user_name": "alice",
            "command": "/paper",
            "text": text,
            "response_url": slack.response_url,
            "trigger_id": "1.2.3",
            "api_app_id": "A0APP",
        }
    )


async def wait_for(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def answer(adapter: SlackAdapter, slack: FakeSlack, text: str, user: str = "U0ALICE"):
    """Run ``/paper text``: Slack gets an empty acknowledgement, the answer comes through the
    response_url."""
    before = len(slack.responses)
    status, body = await post(adapter, command(slack, text, user))
    assert (status, body) == (200, "")
    await wait_for(lambda: len(slack.responses) > before)
    return slack.responses[before]


async def test_help_and_subscribe_over_http(bot: SlackAdapter, slack: FakeSlack, store) -> None:
    reply = await answer(bot, slack, "help")
    assert reply["response_type"] == "ephemeral"
    assert "/paper subscribe author|topic|category" in reply["text"]

    reply = await answer(bot, slack, "subscribe author Babuschkin, Igor")
    assert reply["response_type"] == "in_channel"
    assert "Subscribed #" in reply["text"] and "author: Babuschkin, Igor" in reply["text"]
    channel = await store.channels.by_external("slack", CHANNEL)
    assert channel is not None and channel.name == f"slack:{TEAM_ID}/{CHANNEL}"
    subs = await store.subscriptions.list(channel.id)
    assert [s.label for s in subs] == ["author: Babuschkin, Igor"]

    reply = await answer(bot, slack, "subscribe")
    assert reply["text"].startswith("Usage: `/paper subscribe")


async def test_bad_and_stale_signatures_are_rejected(bot: SlackAdapter, slack, store) -> None:
    body = command(slack, "subscribe author Babuschkin, Igor")
    status, _ = await post(bot, body, sig=sign(body, int(time.time()), "wrong-secret"))
    assert status == 401
    stale = int(time.time()) - 6 * 60
    status, _ = await post(bot, body, ts=stale, sig=sign(body, stale))
    assert status == 401
    assert await store.channels.by_external("slack", CHANNEL) is None


async def test_lookup_acks_then_responds_with_share_button(bot, slack, store) -> None:
    await store.papers.save_looked_up([PAPER])
    status, body = await post(bot, command(slack, "2308.03526"))
    assert status == 200 and body == ""  # the empty ack; the answer comes via response_url
    await wait_for(lambda: slack.responses)
    answer = slack.responses[0]
    assert answer["response_type"] == "ephemeral"
    dump = json.dumps(answer)
    assert "<!channel>" not in dump and "&lt;!channel&gt;" in dump
    share = [
        e
        for b in answer["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e.get("action_id") == SHARE_ACTION
    ]
    assert share[0]["value"] == "2308.03526"

    payload = {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": "U0ALICE"},
        "api_app_id": "A0APP",
        "token": "x",
        "trigger_id": "1.2.3",
        "channel": {"id": CHANNEL},
        "container": {"type": "message"},
        "response_url": slack.response_url,
        "actions": [
            {
                "type": "button",
                "action_id": SHARE_ACTION,
                "block_id": "b1",
                "value": "2308.03526",
                "action_ts": "1.0",
            }
        ],
    }
    status, _ = await post(bot, urlencode({"payload": json.dumps(payload)}))
    assert status == 200
    await wait_for(lambda: len(slack.responses) == 2)
    shared = slack.responses[1]
    assert shared["response_type"] == "in_channel"
    assert shared["blocks"][0]["text"]["text"].startswith("AgentSims &lt;!channel&gt;")
    assert "Shared by <@U0ALICE>" in json.dumps(shared)


async def test_admins_policy_uses_users_info(slack, store, tmp_path) -> None:
    slack.users["U0BOSS"] = {"id": "U0BOSS", "is_admin": True}
    adapter = make_adapter(slack, store, tmp_path, manage="admins")
    await adapter.start()
    try:
        reply = await answer(adapter, slack, "subscribe category cs.LG", "U0ALICE")
        assert "do not have permission" in reply["text"]
        reply = await answer(adapter, slack, "subscribe category cs.LG", "U0BOSS")
        assert "Subscribed #" in reply["text"]
        reply = await answer(adapter, slack, "unsubscribe 99", "U0BOSS")
        assert "no subscription #99" in reply["text"]
        await answer(adapter, slack, "list", "U0CAROL")  # changes nothing: nobody is asked
    finally:
        await adapter.stop()
    asked = [c["user"] for c in slack.calls("users.info")]
    assert asked == ["U0ALICE", "U0BOSS"]  # the second U0BOSS command used the cache


async def test_list_policy(slack, store, tmp_path) -> None:
    adapter = make_adapter(slack, store, tmp_path, manage=["U0BOSS"])
    assert await adapter.can_manage("U0BOSS") and not await adapter.can_manage("U0ALICE")


def outgoing(kind: str, parent: str | None = None, version: int = 2) -> Outgoing:
    msg = OutboxMessage(
        7,
        PAPER.arxiv_id,
        1,
        MessageKind(kind),
        version,
        ("author: Babuschkin, Igor",),
        parent_ref=parent,
    )
    name = f"slack:{TEAM_ID}/{CHANNEL}"
    channel = Channel(1, name, "slack", CHANNEL)
    return Outgoing(msg, channel, Destination(name, CHANNEL), build_alert(PAPER, msg.reasons))


async def test_delivery_alert_abstract_version(bot: SlackAdapter, slack: FakeSlack) -> None:
    ts = await bot.deliver(outgoing("alert"))
    assert ts == slack.messages[CHANNEL][0]["ts"]
    assert bot.thread_kinds == ("abstract",)
    await bot.deliver(outgoing("abstract", parent=ts))
    await bot.deliver(outgoing("version", parent=ts, version=3))
    alert, abstract, version = slack.calls("chat.postMessage")
    assert alert["channel"] == CHANNEL and "thread_ts" not in alert
    assert alert["unfurl_links"] is False and alert["unfurl_media"] is False
    dump = json.dumps(alert)
    assert "<!channel>" not in dump and "<@U123>" not in dump and "&amp;" in dump
    assert abstract["thread_ts"] == ts and "We present a sandbox." in json.dumps(abstract)
    assert version["thread_ts"] == ts and version["reply_broadcast"] is False
    assert version["text"].startswith("New version v3: AgentSims &lt;!channel&gt;")
    with pytest.raises(Refused):
        await bot.deliver(outgoing("abstract", parent=None))


@pytest.mark.parametrize(
    ("status", "error", "headers", "outcome", "reason"),
    [
        (429, "ratelimited", {"Retry-After": "7"}, RetryLater, "429"),
        (200, "channel_not_found", {}, ChannelUnavailable, "channel_not_found"),
        (200, "not_in_channel", {}, ChannelUnavailable, "invite the bot"),
        (200, "is_archived", {}, ChannelUnavailable, "archived"),
        (200, "token_revoked", {}, ChannelUnavailable, "token_revoked"),
        (200, "invalid_blocks", {}, Refused, "invalid_blocks"),
        (200, "msg_too_long", {}, Refused, "msg_too_long"),
        (500, "internal_error", {}, RetryLater, "HTTP 500"),
    ],
)
async def test_delivery_errors(bot, slack, status, error, headers, outcome, reason) -> None:
    slack.fail("chat.postMessage", error, status=status, headers=headers)
    with pytest.raises(outcome) as info:
        await bot.deliver(outgoing("alert"))
    assert reason in info.value.reason
    if status == 429:
        assert info.value.retry_after == 7.0
    assert len(slack.calls("chat.postMessage")) == 1  # slack_sdk did not retry on its own
    assert await bot.deliver(outgoing("alert"))  # the next one goes through


async def test_missing_scope_names_the_scope(bot, slack) -> None:
    slack.fail("chat.postMessage", "missing_scope", needed="chat:write")
    with pytest.raises(ChannelUnavailable, match="chat:write"):
        await bot.deliver(outgoing("alert"))


async def test_connection_error_is_retry_later(bot) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    bot.client = AsyncWebClient(
        token="xoxb-test", base_url=f"http://127.0.0.1:{port}/api/", retry_handlers=[]
    )
    with pytest.raises(RetryLater):
        await bot.deliver(outgoing("alert"))


async def test_startup_errors_are_one_clear_line(slack, store, tmp_path) -> None:
    adapter = make_adapter(slack, store, tmp_path)
    adapter.env = {"SLACK_BOT_TOKEN": "xoxb-wrong", "SLACK_SIGNING_SECRET": SECRET}
    with pytest.raises(StartupError) as info:
        await adapter.start()
    assert str(info.value) == "Slack rejected SLACK_BOT_TOKEN (invalid_auth)"
    adapter.env = {"SLACK_BOT_TOKEN": "xoxb-test"}
    with pytest.raises(StartupError, match="SLACK_SIGNING_SECRET"):
        await adapter.start()
    socket_mode = make_adapter(slack, store, tmp_path, mode="socket")
    socket_mode.env = {"SLACK_BOT_TOKEN": "xoxb-test"}
    with pytest.raises(StartupError, match="SLACK_APP_TOKEN"):
        await socket_mode.start()
    socket_mode.env = {}
    with pytest.raises(StartupError, match="SLACK_BOT_TOKEN"):
        await socket_mode.start()
    with pytest.raises(StartupError, match="mode"):
        make_adapter(slack, store, tmp_path, mode="pigeon")
    with pytest.raises(StartupError, match="manage"):
        make_adapter(slack, store, tmp_path, manage="boss")
    with pytest.raises(StartupError, match="colour"):
        make_adapter(slack, store, tmp_path, colour="red")


async def test_socket_mode_acks_then_answers_through_response_url(slack, store, tmp_path) -> None:
    adapter = make_adapter(slack, store, tmp_path, mode="socket")
    adapter.env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test"}
    await adapter.start()
    try:
        await wait_for(lambda: slack.sockets)
        payload = dict(parse_qsl(command(slack, "list")))
        await slack.send_envelope("slash_commands", payload, "env-1")
        ack = await asyncio.wait_for(slack.socket_messages.get(), 5)
        await wait_for(lambda: slack.responses)
    finally:
        await adapter.stop()
    assert ack["envelope_id"] == "env-1" and not ack.get("payload")
    assert slack.responses[0]["text"].startswith("Settings: mode instant UTC")
    assert "No subscriptions here yet" in slack.responses[0]["text"]
    opened = [c for c in slack.log if c.method == "apps.connections.open"]
    assert opened and opened[0].headers["Authorization"] == "Bearer xapp-test"


async def test_no_bolt_warning_about_an_unused_token_at_start(
    slack, store, tmp_path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # slack-bolt reads SLACK_BOT_TOKEN from the environment by itself, as in a real run.
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    adapter = make_adapter(slack, store, tmp_path)
    with caplog.at_level(logging.WARNING):
        await adapter.start()
    await adapter.stop()
    assert "will be unused" not in caplog.text


# -- #12: acknowledged at once, permissions that cannot be checked, escaping, scope ---------


async def timed_ack(adapter: SlackAdapter, slack: FakeSlack, text: str, user: str = "U0ALICE"):
    started = time.monotonic()
    status, body = await post(adapter, command(slack, text, user))
    return time.monotonic() - started, status, body


async def test_a_slow_users_info_does_not_delay_the_acknowledgement(slack, store, tmp_path):
    """``users.info`` taking 3.2 s: main acknowledged only after it (Slack shows "unhandled
    request" past 3 s, although the subscription was made). Now the ack is immediate and the
    answer follows through the response_url."""
    slack.users["U0BOSS"] = {"id": "U0BOSS", "is_admin": True}
    slack.stall("users.info", 3.2, posted=False)
    adapter = make_adapter(slack, store, tmp_path, manage="admins")
    await adapter.start()
    try:
        elapsed, status, body = await timed_ack(
            adapter, slack, "subscribe category cs.LG", "U0BOSS"
        )
        assert (status, body) == (200, "") and elapsed < 1.0
        await wait_for(lambda: slack.responses, timeout=10)
    finally:
        await adapter.stop()
    assert "Subscribed #" in slack.responses[0]["text"]


async def test_a_held_write_lock_does_not_delay_the_acknowledgement(bot, slack, store) -> None:
    """Another process holds the database's write lock for 3.2 s: the ack does not wait for
    it (main answered in the ack, after the lock)."""
    import sqlite3

    other = sqlite3.connect(store.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        elapsed, status, body = await timed_ack(bot, slack, "subscribe author Babuschkin, Igor")
        assert (status, body) == (200, "") and elapsed < 1.0
        await asyncio.sleep(3.2)
    finally:
        other.execute("ROLLBACK")
        other.close()
    await wait_for(lambda: slack.responses, timeout=10)
    assert "Subscribed #" in slack.responses[0]["text"]


async def test_a_failing_users_info_says_the_permission_could_not_be_checked(
    slack, store, tmp_path
) -> None:
    """Main answered "you do not have permission" when Slack did not answer users.info."""
    slack.fail("users.info", "internal_error", status=500)
    adapter = make_adapter(slack, store, tmp_path, manage="admins")
    await adapter.start()
    try:
        reply = await answer(adapter, slack, "subscribe category cs.LG", "U0BOSS")
    finally:
        await adapter.stop()
    assert reply["text"].startswith("Could not check your permission")
    assert reply["response_type"] == "ephemeral"


def mrkdwn_texts(message: dict) -> list[str]:
    """Every mrkdwn text of a message (what Slack would parse as markup)."""
    found = []
    for block in message["blocks"]:
        for obj in [block.get("text"), *block.get("fields", []), *block.get("elements", [])]:
            if isinstance(obj, dict) and obj.get("type") == "mrkdwn":
                found.append(obj["text"])
    return found


async def test_an_echoed_value_is_plain_text_never_mrkdwn(bot, slack) -> None:
    """Slack cannot escape mrkdwn: main echoed the topic into a mrkdwn section, where
    ``*bold*`` and backticks took effect. Now it is a rich_text text element, shown as typed."""
    evil = "[Security notice](https://evil.example/login) *bold* `code`"
    reply = await answer(bot, slack, f"subscribe topic {evil}")
    assert reply["response_type"] == "in_channel"
    assert not any("evil.example" in t for t in mrkdwn_texts(reply))
    elements = [e for b in reply["blocks"] for s in b["elements"] for e in s["elements"]]
    (echo,) = [e for e in elements if "evil.example" in e["text"]]
    assert echo == {"type": "text", "text": evil}


async def test_chat_status_shows_only_the_askers_workspace(bot, slack, store) -> None:
    """Main's ``/paper status`` listed every channel of every workspace and guild, with
    their pause reasons and refused paper ids. Now only this workspace's, and this channel."""
    mine = await store.channels.ensure_chat("slack", "C0OTHER", f"slack:{TEAM_ID}/C0OTHER")
    theirs = await store.channels.ensure_chat("slack", "C0ELSE", "slack:T0ELSEWHERE/C0ELSE")
    guild = await store.channels.ensure_chat("discord", "77", "discord:900/77")
    await store.channels.pause(theirs.id, "secret reason of another team")
    here = await store.channels.upsert_config("team-papers", "slack", CHANNEL)
    reply = await answer(bot, slack, "status")
    text = reply["text"]
    assert mine.name in text and here.name in text
    assert theirs.name not in text and guild.name not in text
    assert "secret reason" not in text


async def test_find_sent_reads_the_channel_or_the_alerts_thread(bot, slack) -> None:
    """The copy of a lost send is looked for where it would be: an alert in the channel
    (``conversations.history``), a thread reply in its alert's thread
    (``conversations.replies``); only a message carrying this outbox key counts."""
    from dataclasses import replace as copy

    since = time.time() - 5
    alert = outgoing("alert")
    assert await bot.find_sent(copy(alert, message=copy(alert.message, check_from=since))) is None
    ts = await bot.deliver(alert)
    found = await bot.find_sent(copy(alert, message=copy(alert.message, check_from=since)))
    assert found == ts
    reply = outgoing("abstract", parent=ts)
    checked = copy(reply, message=copy(reply.message, check_from=since))
    assert await bot.find_sent(checked) is None  # the thread holds only the alert so far
    reply_ts = await bot.deliver(reply)
    assert await bot.find_sent(checked) == reply_ts
    assert slack.calls("conversations.replies")[-1]["ts"] == ts
