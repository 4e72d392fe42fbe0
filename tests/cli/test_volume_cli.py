"""The CLI of volume control (#14), in process through ``main([...])``: ``paperbot mode|cap|
quiet|ledger CHANNEL …`` and ``paperbot digest CHANNEL [--show]``, their exit codes."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.ingest.ingestor import Ingestor
from bot.model import AnnounceType, ListingItem, Paper, SubscriptionKind
from bot.store import Store

LISTING = Path(__file__).parent.parent / "fixtures" / "arxiv_rss_cs_ai_2026-07-14.xml"


pytestmark = pytest.mark.usefixtures("isolated_cli")


def hold_papers(tmp_path: Path, n: int) -> None:
    """``n`` papers matched in the console channel (a digest channel by now: they are held)."""

    async def run() -> None:
        async with await Store.open(tmp_path / "xdg-data" / "paperbot" / "paperbot.sqlite3") as s:
            [channel] = await s.channels.list()
            sub = await s.subscriptions.add(channel.id, SubscriptionKind.TOPIC, "x", "x", "test")
            items = [
                ListingItem(
                    Paper(f"2607.{i:05d}", 1, f"Held paper {i}", ("A. B",)), AnnounceType.NEW
                )
                for i in range(n)
            ]
            await Ingestor(s).ingest_items(
                items,
                announced_on=date(2026, 7, 13),
                matcher=lambda _p: {channel.id: [sub]},
                thread_channels=frozenset(),
            )
            await s.volume.route(channel.id, time.time(), thread=False, per_part_titles=50)

    asyncio.run(run())


def test_mode_cap_quiet_set_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mode", "console", "weekly", "mon", "09:00", "Europe/Berlin"]) == 0
    assert main(["cap", "console", "5"]) == 0
    assert main(["quiet", "console", "22:00-07:00"]) == 0
    capsys.readouterr()
    assert main(["mode", "console"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "console: mode weekly Mon 09:00 Europe/Berlin; cap 5 (instant mode only); "
        "quiet 22:00-07:00 (instant mode only); ledger off"
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["mode", "console", "daily", "9am"],
        ["cap", "console", "-3"],
        ["quiet", "console", "late"],
        ["ledger", "console", "on"],  # instant mode: no digest to put it in
        ["mode", "nowhere", "instant"],
        ["digest", "nowhere"],
    ],
)
def test_bad_settings_and_unknown_channels_exit_2_in_one_line(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("paperbot: ") and "Traceback" not in err[0]


def test_digest_show_lists_what_is_held_and_digest_sends_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["mode", "console", "daily", "09:00"]) == 0
    hold_papers(tmp_path, 3)
    capsys.readouterr()
    assert main(["digest", "console", "--show"]) == 0
    shown = capsys.readouterr().out
    assert "Held for the next digest" in shown and "3 papers" in shown
    assert "Held paper 2" in shown
    assert main(["digest", "console"]) == 0
    out = capsys.readouterr().out
    assert "Digest · " in out and out.count("Held paper") == 3
    assert "digest 1 of 3 paper(s) queued; sent" in out
    assert main(["digest", "console"]) == 0  # nothing left: nothing sent, still exit 0
    assert "nothing is held" in capsys.readouterr().out


def test_digest_delivers_only_that_channels_messages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "paperbot.toml").write_text(
        '[[channels]]\nname = "console"\nplatform = "console"\n\n'
        '[[channels]]\nname = "c2"\nplatform = "console"\n',
        encoding="utf-8",
    )
    assert main(["subscribe", "c2", "topic", "reinforcement", "learning"]) == 0
    assert main(["subscribe", "console", "category", "cs.AI"]) == 0
    assert main(["mode", "c2", "daily", "09:00", "America/New_York"]) == 0
    assert main(["ingest", str(LISTING), "--alert"]) == 0
    capsys.readouterr()
    assert main(["digest", "c2"]) == 0
    out = capsys.readouterr().out
    assert "Digest · " in out and "matched category: cs.AI" not in out
    with sqlite3.connect(tmp_path / "xdg-data" / "paperbot" / "paperbot.sqlite3") as db:
        [(pending,)] = db.execute(
            "SELECT count(*) FROM outbox o JOIN channels c ON c.id = o.channel_id "
            "WHERE c.name = 'console' AND o.state = 'pending'"
        )
    assert pending == 116  # the console's alerts wait for `run` or `check`


@pytest.mark.parametrize(
    "argv",
    [
        ["mode", "console", "-h"],
        ["quiet", "console", "--help"],
        ["cap", "console", "5", "-h"],
        ["ledger", "console", "-h"],
        ["mode", "nowhere", "daily", "--help"],  # help first: no channel is looked up
    ],
)
def test_help_after_the_channel_prints_the_commands_help(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith(f"usage: paperbot {argv[0]} ") and captured.err == ""


def test_help_after_a_double_dash_is_a_setting_word(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mode", "console", "daily", "--", "-h"]) == 2
    assert "'-h' is not a time of day" in capsys.readouterr().err
