"""Subscribing to topics: stemmed duplicates, and topics refused before they are stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import FIXTURES
from support.adapters import unmarked_commands as commands_over
from support.listings import day
from support.store import ingest

from bot.chat import topics
from bot.config import Config
from bot.model import CommandContext
from bot.sources.files import parse_listing_file
from bot.store import Store


@pytest.fixture
async def commands(store: Store, tmp_path):
    await store.channels.upsert_config("console", "console")
    return commands_over(store, None, Config(database_path=tmp_path / "x.sqlite3"))


def ctx() -> CommandContext:
    return CommandContext(platform="console", channel_name="console")


async def fill_window(store: Store) -> int:
    """The real cs.AI listings of 4, 9, 11 and 12 June 2026: over 1,000 announced papers."""
    paths = sorted((FIXTURES / "corpus").glob("*.xml.gz"))
    for listing in [parse_listing_file(p) for p in paths] + [day("2026-06-12-cs-ai")]:
        await ingest(store, listing.items, announced_on=listing.pub_date)
    last = await store.papers.last_announced()
    assert last is not None
    since = last - timedelta(days=topics.WINDOW_DAYS - 1)
    return len(await store.papers.announced_texts(since))


async def test_another_inflection_of_a_subscribed_topic_is_a_duplicate(commands) -> None:
    assert not (await commands.dispatch(ctx(), 'subscribe topic "reward model"')).error
    dup = await commands.dispatch(ctx(), "subscribe topic “Reward Models”")
    assert dup.error
    assert (
        dup.text == 'This channel is already subscribed as #1 (same words): topic: "reward model".'
    )


async def test_an_exclusion_differing_only_by_inflection_is_a_duplicate(commands) -> None:
    assert not (await commands.dispatch(ctx(), "subscribe topic robots -surveys")).error
    assert "(same words)" in (await commands.dispatch(ctx(), "subscribe topic robot -survey")).text


async def test_a_phrase_and_its_words_are_different_subscriptions(commands) -> None:
    assert not (await commands.dispatch(ctx(), 'subscribe topic "reward model"')).error
    assert not (await commands.dispatch(ctx(), "subscribe topic reward model")).error
    assert not (await commands.dispatch(ctx(), "subscribe topic =reward =model")).error


async def test_a_stop_word_topic_is_refused_even_in_a_young_database(commands) -> None:
    reply = await commands.dispatch(ctx(), "subscribe topic the")
    assert reply.error and "only for common words" in reply.text


async def test_a_topic_that_can_never_match_is_refused(commands) -> None:
    reply = await commands.dispatch(ctx(), "subscribe topic x -x")
    assert reply.error and "can never match" in reply.text


async def test_a_broad_topic_is_refused_with_its_count(commands, store: Store) -> None:
    window = await fill_window(store)
    assert window >= topics.MIN_WINDOW
    reply = await commands.dispatch(ctx(), "subscribe topic model")
    assert reply.error
    assert "more than half" in reply.text and f"of the {window:,} papers" in reply.text


async def test_a_broad_topic_is_accepted_while_the_window_is_small(commands, store: Store) -> None:
    listing = day("2026-06-12-cs-ai")
    await ingest(store, listing.items, announced_on=listing.pub_date)
    assert not (await commands.dispatch(ctx(), "subscribe topic model")).error


async def test_a_narrow_topic_is_accepted_in_a_full_window(commands, store: Store) -> None:
    await fill_window(store)
    assert not (await commands.dispatch(ctx(), 'subscribe topic "reward model"')).error


async def test_help_says_words_match_their_inflections(commands) -> None:
    text = (await commands.dispatch(ctx(), "help")).text
    assert "`reinforcement` also matches" in text and "=word" in text
