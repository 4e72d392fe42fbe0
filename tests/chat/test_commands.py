"""The chat grammar and its handlers (bot/commands.py), on a real store with a stub look-up."""

from __future__ import annotations

from dataclasses import replace

import pytest
from support.adapters import commands as commands_over
from support.adapters import unmarked_commands

from bot.chat.commands import Parsed, UserRateLimiter
from bot.chat.lookup import LookupFailed, LookupResult
from bot.config import Config, LimitsConfig
from bot.model import CommandContext, Paper
from bot.store import Store


class StubLookup:
    """Records queries; answers one paper, or LookupFailed for "nothing"."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    async def __call__(self, text: str, *, limit: int = 5) -> LookupResult:
        self.queries.append(text)
        if text == "nothing":
            raise LookupFailed("no paper matches 'nothing'")
        return LookupResult((Paper("2308.03526", 1, "AlphaStar Unplugged"),), "store")


@pytest.fixture
async def setup(store, tmp_path):
    config = Config(database_path=tmp_path / "x.sqlite3")
    lookup = StubLookup()
    commands = unmarked_commands(store, lookup, config)
    for name in ("console", "other"):
        await store.channels.upsert_config(name, "console")
    return commands, lookup


def ctx(channel: str = "console", platform: str = "console", **kw) -> CommandContext:
    return CommandContext(platform=platform, channel_name=channel, **kw)


async def test_first_word_picks_the_subcommand_anything_else_is_a_lookup(setup):
    commands, lookup = setup
    assert commands.parse("subscribe author Babuschkin, Igor").command.name == "subscribe"
    assert commands.parse("  SUBSCRIBE   author X ").args == "author X"
    assert commands.parse("2308.03526") == Parsed(commands.registry["lookup"], "2308.03526")
    assert commands.parse("attention is all you need").args == "attention is all you need"
    assert commands.parse("lister").command.name == "lookup"  # a prefix is not a command
    a = await commands.dispatch(ctx(), "lookup 2308.03526")
    b = await commands.dispatch(ctx(), "2308.03526")
    assert a == b and lookup.queries == ["2308.03526", "2308.03526"]
    assert a.papers[0].arxiv_id == "2308.03526"
    assert commands.may_fetch("2308.03526") and not commands.may_fetch("list")
    failed = await commands.dispatch(ctx(), "nothing")
    assert failed.error and failed.text == "No paper matches 'nothing'"
    empty = await commands.dispatch(ctx(), "lookup")
    assert empty.error and empty.text.startswith("Usage: `lookup")


async def test_usage_lines_carry_the_chat_prefix(store, tmp_path):
    commands = commands_over(store, StubLookup(), Config(database_path=tmp_path / "x"))
    reply = await commands.dispatch(ctx(platform="slack"), "subscribe")
    assert reply.error and reply.text == "Usage: `/paper subscribe author|topic|category <value>`"


async def test_managing_needs_permission_reading_does_not(setup, store):
    commands, _ = setup
    refused = await commands.dispatch(ctx(can_manage=False), "subscribe author Babuschkin, Igor")
    assert refused.error and "permission" in refused.text
    assert await store.subscriptions.list() == []
    assert (await commands.dispatch(ctx(can_manage=False), "unsubscribe 1")).error
    assert not (await commands.dispatch(ctx(can_manage=False), "list")).error
    assert not (await commands.dispatch(ctx(can_manage=False), "help")).error


async def test_unsubscribe_only_within_the_channel(setup, store):
    commands, _ = setup
    theirs = await commands.dispatch(ctx("other"), "subscribe topic diffusion")
    assert theirs.text.startswith("Subscribed #1 topic: diffusion")
    refused = await commands.dispatch(ctx("console"), "unsubscribe #1")
    assert refused.error and refused.text.startswith("This channel has no subscription #1")
    assert len(await store.subscriptions.list()) == 1
    assert (await commands.dispatch(ctx("other"), "unsubscribe #1")).text == "Unsubscribed #1."
    assert await store.subscriptions.list() == []
    usage = await commands.dispatch(ctx(), "unsubscribe one")
    assert usage.error and "Usage: `unsubscribe <id>`" in usage.text


async def test_a_chat_channel_is_created_on_first_subscribe(setup, store):
    commands, _ = setup
    chat = CommandContext(
        platform="slack",
        channel_name="slack:T1/C1",
        external_id="C1",
        user_id="U1",
        user_name="ada",
    )
    listed = await commands.dispatch(chat, "list")
    assert "No subscriptions here yet" in listed.text
    assert await store.channels.find("slack:T1/C1") is None  # list does not create it
    reply = await commands.dispatch(chat, "subscribe category cs.LG")
    assert not reply.error and not reply.ephemeral  # the channel sees who subscribed to what
    channel = await store.channels.find("slack:T1/C1")
    assert channel is not None and channel.platform == "slack" and channel.external_id == "C1"
    (sub,) = await store.subscriptions.list(channel.id)
    assert sub.value == "cs.LG" and sub.created_by == "ada"
    assert "#1 category: cs.LG" in (await commands.dispatch(chat, "list")).text
    # The same Slack channel id under a new name (renamed workspace path) keeps its row.
    renamed = replace(chat, channel_name="slack:T1/C1-renamed")
    assert "#1 category: cs.LG" in (await commands.dispatch(renamed, "list")).text


async def test_per_user_rate_limit(store, tmp_path):
    config = Config(database_path=tmp_path / "x", limits=LimitsConfig(commands_per_minute=3))
    commands = commands_over(store, StubLookup(), config)
    now = [1000.0]
    commands.limiter = UserRateLimiter(3, clock=lambda: now[0])

    def user(name: str) -> CommandContext:
        return ctx(platform="slack", user_id=name)

    for _ in range(3):
        assert not (await commands.dispatch(user("u1"), "help")).error
    slow = await commands.dispatch(user("u1"), "help")
    assert slow.error and slow.text == "Slow down: too many commands. Try again in 60 s."
    assert not (await commands.dispatch(user("u2"), "help")).error  # per user
    now[0] += 30
    assert "Try again in 30 s" in (await commands.dispatch(user("u1"), "help")).text
    now[0] += 30
    assert not (await commands.dispatch(user("u1"), "help")).error


async def test_the_local_console_is_not_rate_limited(store, tmp_path):
    config = Config(database_path=tmp_path / "x", limits=LimitsConfig(commands_per_minute=3))
    commands = commands_over(store, StubLookup(), config)
    commands.limiter = UserRateLimiter(3, clock=lambda: 1000.0)
    replies = [await commands.dispatch(ctx(), "help") for _ in range(30)]
    assert not any(r.error for r in replies)


async def test_query_length_limit(store, tmp_path):
    config = Config(database_path=tmp_path / "x", limits=LimitsConfig(max_query_length=20))
    lookup = StubLookup()
    commands = commands_over(store, lookup, config)
    reply = await commands.dispatch(ctx(), "lookup " + "x" * 21)
    assert reply.error and reply.text == "That is too long (21 characters; at most 20)."
    assert lookup.queries == []
    assert not (await commands.dispatch(ctx(), "x" * 20)).error


async def test_duplicate_subscription_message(setup):
    commands, _ = setup
    assert not (await commands.dispatch(ctx(), "subscribe author Babuschkin, Igor")).error
    for same, shown in (
        ("Igor Babuschkin", "Igor Babuschkin"),
        ("IGOR  BABUSCHKIN", "IGOR BABUSCHKIN"),
    ):
        dup = await commands.dispatch(ctx(), f"subscribe author {same}")
        assert dup.error
        assert dup.text == f"This channel is already subscribed to author: {shown} (#1)."
    other = await commands.dispatch(ctx(), "subscribe author Ivan Babuschkin")
    assert not other.error  # another person


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-survey", "Cannot subscribe: Each OR alternative needs a word"),
        ('"unclosed', "Cannot subscribe: Unbalanced quote"),
        ("a OR", "Cannot subscribe: Dangling OR"),
    ],
)
async def test_invalid_topic_gives_a_clear_error(setup, store, value, message):
    commands, _ = setup
    reply = await commands.dispatch(ctx(), f"subscribe topic {value}")
    assert reply.error and reply.text.startswith(message)
    assert await store.subscriptions.list() == []


async def test_categories_and_archives(setup, store):
    commands, _ = setup
    assert (await commands.dispatch(ctx(), "subscribe category cs")).text.startswith(
        "Subscribed #1 category: cs"
    )
    assert (await commands.dispatch(ctx(), "subscribe category CS.lg")).text.startswith(
        "Subscribed #2 category: cs.LG"
    )
    bad = await commands.dispatch(ctx(), "subscribe category foo.BAR")
    assert bad.error and "Unknown arXiv archive 'foo'" in bad.text
    usage = await commands.dispatch(ctx(), "subscribe colour blue")
    assert usage.error and usage.text.startswith("Usage: `subscribe")
    notname = await commands.dispatch(ctx(), "subscribe author ,,,")
    assert notname.error and notname.text.startswith("Cannot subscribe:")


@pytest.mark.parametrize("text", ["unsubscribe 99999999999999999999999", "unsubscribe ²"])
async def test_unsubscribe_with_an_impossible_id_is_a_usage_error(setup, text) -> None:
    commands, _ = setup
    reply = await commands.dispatch(ctx(), text)
    assert reply.error and "Usage" in reply.text


async def test_a_failing_command_answers_instead_of_raising(tmp_path) -> None:
    broken = await Store.open(tmp_path / "db.sqlite3")
    commands = commands_over(broken, StubLookup(), Config(database_path=tmp_path / "x"))
    await broken.close()  # every query now fails inside the handler
    reply = await commands.dispatch(ctx("c"), "list")
    assert reply.error and "failed on our side" in reply.text
