"""Volume control in chat: ``mode``, ``cap``, ``quiet``, ``ledger``, ``digest`` (#14), on a real
store; the permission rule; ``list``'s first line."""

from __future__ import annotations

import time as pytime
from datetime import date, time

import pytest
from support.adapters import unmarked_commands

from bot.config import Config
from bot.ingest.ingestor import Ingestor
from bot.model import AnnounceType, CommandContext, ListingItem, Paper, SubscriptionKind
from bot.model.volume import Mode


class NoLookup:
    async def __call__(self, text: str, *, limit: int = 5):  # pragma: no cover - never asked
        raise AssertionError(text)


@pytest.fixture
async def commands(store, tmp_path):
    await store.channels.upsert_config("console", "console")
    return unmarked_commands(store, NoLookup(), Config(database_path=tmp_path / "x.sqlite3"))


def ctx(**kw) -> CommandContext:
    return CommandContext(platform="console", channel_name="console", **kw)


async def settings(store):
    [channel] = await store.channels.list()
    return channel.volume


async def test_mode_daily_in_a_time_zone_is_stored_and_shown(commands, store):
    reply = await commands.dispatch(ctx(), "mode daily 09:00 Europe/Berlin")
    assert not reply.error and "daily 09:00 Europe/Berlin" in reply.text
    s = await settings(store)
    assert (s.mode, s.at, s.tz) == (Mode.DAILY, time(9, 0), "Europe/Berlin")
    shown = await commands.dispatch(ctx(), "mode")
    assert "mode daily 09:00 Europe/Berlin; cap off; quiet off; ledger off" in shown.text
    assert "Next digest" in shown.text


async def test_mode_weekly_takes_a_day_name_in_any_case_and_its_short_form(commands, store):
    for day in ("Wednesday", "WED", "wed"):
        assert not (await commands.dispatch(ctx(), f"mode weekly {day} 18:30")).error
        s = await settings(store)
        assert (s.mode, s.day, s.at, s.tz) == (Mode.WEEKLY, 2, time(18, 30), "UTC")


async def test_mode_instant_with_a_zone_sets_the_zone_caps_and_quiet_hours_use(commands, store):
    assert not (await commands.dispatch(ctx(), "mode instant America/New_York")).error
    assert (await settings(store)).tz == "America/New_York"


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("mode hourly", "'hourly' is not a mode"),
        ("mode daily 25:00", "'25:00' is not a time of day"),
        ("mode daily 09:00 Mars/Olympus", "Unknown time zone 'Mars/Olympus'"),
        ("mode weekly Funday 09:00", "'Funday' is not a day"),
        ("mode daily", "Mode daily needs a time: daily HH:MM [TZ]"),
        ("cap lots", "'lots' is not a cap"),
        ("cap 0", "'0' is not a cap"),
        ("quiet 22:00", "'22:00' is not a range"),
        ("quiet 07:00-07:00", "is an empty range"),
        ("ledger maybe", "Give on or off"),
    ],
)
async def test_a_bad_setting_is_refused_naming_what_is_wrong(commands, store, line, named):
    reply = await commands.dispatch(ctx(), line)
    assert reply.error and named in reply.text, reply.text
    assert (await settings(store)).plain


async def test_cap_and_quiet_are_stored_and_switched_off(commands, store):
    assert "at most 5 instant alerts a day" in (await commands.dispatch(ctx(), "cap 5")).text
    assert not (await commands.dispatch(ctx(), "quiet 22:00-07:00")).error
    s = await settings(store)
    assert s.cap == 5 and s.quiet == (time(22, 0), time(7, 0))
    await commands.dispatch(ctx(), "cap off")
    await commands.dispatch(ctx(), "quiet off")
    assert (await settings(store)).plain


async def test_ledger_is_for_digest_modes_only(commands, store):
    refused = await commands.dispatch(ctx(), "ledger on")
    assert refused.error and "mode daily" in refused.text
    await commands.dispatch(ctx(), "mode daily 09:00")
    assert not (await commands.dispatch(ctx(), "ledger on")).error
    assert (await settings(store)).ledger


async def test_changing_needs_permission_reading_does_not(commands, store):
    for line in ("mode daily 09:00", "cap 3", "quiet 22:00-07:00", "ledger off", "digest now"):
        reply = await commands.dispatch(ctx(can_manage=False), line)
        assert reply.error and "permission" in reply.text, line
        assert commands.manages(line), line
    for line in ("mode", "digest"):
        assert not (await commands.dispatch(ctx(can_manage=False), line)).error, line
        assert not commands.manages(line), line
    assert (await settings(store)).plain


async def test_the_first_line_of_list_shows_the_settings(commands):
    await commands.dispatch(ctx(), "mode daily 09:00 Europe/Berlin")
    await commands.dispatch(ctx(), "cap 4")
    listed = await commands.dispatch(ctx(), "list")
    first = listed.text.splitlines()[0]
    assert first == (
        "Settings: mode daily 09:00 Europe/Berlin; cap 4 (instant mode only); quiet off; ledger off"
    )


async def test_digest_shows_nothing_held_and_digest_now_sends_nothing(commands):
    assert "Nothing is held here" in (await commands.dispatch(ctx(), "digest")).text
    assert "no digest sent" in (await commands.dispatch(ctx(), "digest now")).text


async def test_help_lists_the_volume_commands(commands):
    text = (await commands.dispatch(ctx(), "help")).text
    for usage in ("`mode [instant [TZ]", "`cap <N> | off`", "`quiet HH:MM-HH:MM | off`"):
        assert usage in text
    assert "`digest [now]`" in text and "`ledger on | off`" in text


@pytest.mark.parametrize(
    ("n", "said"),
    [(1, "The 1 held paper goes out now"), (2, "The 2 held papers go out now")],
)
async def test_switching_to_instant_says_the_held_papers_go_out_now(commands, store, n, said):
    assert not (await commands.dispatch(ctx(), "mode daily 09:00")).error
    [channel] = await store.channels.list()
    sub = await store.subscriptions.add(channel.id, SubscriptionKind.TOPIC, "x", "x", "test")
    items = [
        ListingItem(Paper(f"2607.{i:05d}", 1, f"P{i}", ("A. B",)), AnnounceType.NEW)
        for i in range(n)
    ]
    await Ingestor(store).ingest_items(
        items,
        announced_on=date(2026, 7, 13),
        matcher=lambda _p: {channel.id: [sub]},
        thread_channels=frozenset(),
    )
    await store.volume.route(channel.id, pytime.time(), thread=False, per_part_titles=50)
    assert said in (await commands.dispatch(ctx(), "mode instant")).text
