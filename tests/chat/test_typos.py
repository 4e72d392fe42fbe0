"""Typos of command names: suggested at once, without a look-up, by the rules of #13."""

from __future__ import annotations

import pytest
from support.adapters import unmarked_commands as commands_over

from bot.chat.lookup import LookupResult
from bot.chat.typos import nearest_command
from bot.config import Config
from bot.model import CommandContext, Paper

NAMES = ("lookup", "subscribe", "unsubscribe", "list", "status", "help")


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("lsit", "list"),  # a swap of neighbours is one edit (Damerau)
        ("LSIT", "list"),
        ("hlep", "help"),
        ("stauts", "status"),
        ("statsu", "status"),
        ("subscirbe", "subscribe"),  # 9 letters: up to 2 edits
        ("subscrbie", "subscribe"),
        ("unsubscrbe", "unsubscribe"),
        ("lookpu", "lookup"),
        ("lst", None),  # under 4 letters: never
        ("hep", None),
        ("lisst", "list"),
        ("liist", "list"),
        ("lists", "list"),
        ("listen", None),  # 6 letters, 2 edits from list: a word
        ("statistics", None),
        ("attention", None),
        ("list", None),  # a command is not its own typo
    ],
)
def test_nearest_command(word: str, expected: str | None) -> None:
    assert nearest_command(word, NAMES) == expected


class Recorder:
    def __init__(self) -> None:
        self.queries: list[str] = []

    async def __call__(self, text: str, *, limit: int = 5) -> LookupResult:
        self.queries.append(text)
        return LookupResult((Paper("2308.03526", 1, "AlphaStar Unplugged"),), "store")


@pytest.fixture
async def setup(store, tmp_path):
    config = Config(database_path=tmp_path / "x.sqlite3")
    lookup = Recorder()
    await store.channels.upsert_config("console", "console")
    return commands_over(store, lookup, config), lookup


def console() -> CommandContext:
    return CommandContext(platform="console", channel_name="console")


async def test_a_typo_alone_is_answered_at_once_without_a_lookup(setup) -> None:
    commands, lookup = setup
    assert not commands.may_fetch("lsit")  # nothing to defer for: no network
    reply = await commands.dispatch(console(), "lsit")
    assert reply.text == "Did you mean `list`?" and not reply.papers
    assert lookup.queries == []


async def test_a_typo_whose_rest_is_that_commands_arguments_is_suggested_whole(setup) -> None:
    commands, lookup = setup
    reply = await commands.dispatch(console(), "subscirbe author Foo, Bar")
    assert reply.text == "Did you mean `subscribe author Foo, Bar`?"
    reply = await commands.dispatch(console(), "unsubscrbe 3")
    assert reply.text == "Did you mean `unsubscribe 3`?"
    assert lookup.queries == []
    assert await commands.services.subscriptions() == []


async def test_a_typo_followed_by_other_words_runs_the_lookup_and_hints(setup) -> None:
    commands, lookup = setup
    reply = await commands.dispatch(console(), "lsit decoding of codes")
    assert lookup.queries == ["lsit decoding of codes"]
    assert reply.papers and reply.text.endswith("(did you mean `list`?)")


async def test_the_hint_uses_the_platforms_prefix(setup) -> None:
    commands, _ = setup
    slack = CommandContext(platform="slack", channel_name="slack:T1/C1")
    assert (await commands.dispatch(slack, "hlep")).text == "Did you mean `/paper help`?"


async def test_a_short_word_is_a_lookup(setup) -> None:
    commands, lookup = setup
    reply = await commands.dispatch(console(), "lst")
    assert lookup.queries == ["lst"] and "did you mean" not in reply.text


@pytest.mark.parametrize("typed", ["/paper help", "/PAPER help", "/help", "  /paper   help "])
async def test_a_command_after_a_slash_runs_it(setup, typed: str) -> None:
    commands, lookup = setup
    reply = await commands.dispatch(console(), typed)
    assert reply.text.startswith("`lookup <arXiv id") and lookup.queries == []


async def test_the_prefix_then_a_command_line_runs_that_line(setup) -> None:
    commands, lookup = setup
    reply = await commands.dispatch(console(), "/paper subscribe topic robots -survey")
    assert reply.text.startswith("Subscribed #1 topic: robots -survey")
    assert (await commands.dispatch(console(), "/paper 2308.03526")).papers
    assert lookup.queries == ["2308.03526"]
