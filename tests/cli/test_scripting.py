"""The CLI as scripts use it (#13): one test per rule. In process through ``main([...])``
unless a real process is the point (SIGPIPE, ``check`` printing the console's alerts)."""

from __future__ import annotations

import asyncio
import gzip
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from support.e2e import LISTING_0714, add_subscriptions, cli, write_config
from support.fake_arxiv import FakeArxiv
from support.fakeweb import FakeServer
from support.terminal import Terminal

from bot.app import App
from bot.cli import main
from bot.cli.args import split_value
from bot.cli.errors import CliError
from bot.config import load_config
from bot.model import SubscriptionKind

REPO = Path(__file__).resolve().parent.parent.parent
FIXTURES = REPO / "tests" / "fixtures"
RDF = FIXTURES / "arxiv_rss_cs_ai_2023-12-21_rdf.xml"
HOLIDAY = FIXTURES / "arxiv_rss_cs_ai_empty_holiday_2025-12-31.xml"


pytestmark = pytest.mark.usefixtures("isolated_cli")


def out_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_subscribe_twice_is_exit_0_already_subscribed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    offline = tmp_path / "offline.toml"  # no index asked whether the name is ambiguous
    offline.write_text('[openalex]\napi_url = ""\n[semantic_scholar]\napi_url = ""\n')
    config = ["--config", str(offline)]
    assert main([*config, "subscribe", "console", "author", "Babuschkin,", "Igor"]) == 0
    assert out_lines(capsys)[0] == "subscribed console #1 author: Babuschkin, Igor"
    assert main([*config, "subscribe", "console", "author", "Igor", "Babuschkin"]) == 0
    assert out_lines(capsys)[0] == "already subscribed as #1"


def test_a_refused_subscription_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["subscribe", "console", "category", "cs.NOPE"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("paperbot: cannot subscribe:")


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_anywhere_in_a_value_shows_help(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["subscribe", "console", "topic", "transformer", flag]) == 0
    assert capsys.readouterr().out.startswith("usage: paperbot subscribe")
    assert main(["subscriptions"]) == 0
    assert out_lines(capsys) == ["no subscriptions"]


def test_after_double_dash_a_dash_word_is_the_value(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["subscribe", "console", "topic", "transformer", "--", "--help"]) == 0
    assert out_lines(capsys)[0] == "subscribed console #1 topic: transformer --help"


def test_lookup_help_is_help_not_a_query(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lookup", "attention", "--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: paperbot lookup")


def test_value_options_are_only_those_the_command_declares() -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="paperbot digest")
    words = ["robots", "-survey", "--days", "3", "--all", "--", "--saved"]
    value = split_value(parser, words, allowed=("--days", "--all"))
    assert (value.text, value.options) == ("robots -survey --saved", {"days": 3, "all": True})
    assert split_value(parser, words).text == "robots -survey --days 3 --all --saved"
    with pytest.raises(CliError, match="--days needs a number"):
        split_value(parser, ["x", "--days", "soon"], allowed=("--days",))


def test_ingest_a_folder_takes_its_listing_files_sorted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "listings"
    (folder / "nested").mkdir(parents=True)
    (folder / "b.xml").write_bytes(HOLIDAY.read_bytes())
    (folder / "a.xml.gz").write_bytes(gzip.compress(LISTING_0714.read_bytes()))
    (folder / "c.xml").write_bytes(RDF.read_bytes())
    (folder / "notes.txt").write_text("not a listing")
    (folder / "nested" / "d.xml").write_bytes(RDF.read_bytes())  # not recursive
    assert main(["ingest", str(folder)]) == 0
    lines = out_lines(capsys)
    assert [line.partition(":")[0] for line in lines[:-1]] == [
        str(folder / "a.xml.gz"),
        str(folder / "b.xml"),
        str(folder / "c.xml"),
    ]
    assert lines[-1].startswith("ingested 344 items from 3 file(s): ")


def test_a_bad_file_does_not_stop_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<rss><channel><item>")
    missing = tmp_path / "missing.xml"
    assert main(["ingest", str(LISTING_0714), str(bad), str(missing), str(RDF)]) == 2
    captured = capsys.readouterr()
    out, err = captured.out.splitlines(), captured.err.splitlines()
    assert out[0] == f"{LISTING_0714}: 177 items, 177 new papers, 0 new versions"
    assert out[1].startswith(f"{RDF}: 167 items, ")
    assert out[2].startswith("ingested 344 items from 2 file(s): ") and out[2].endswith(
        "; 2 failed"
    )
    assert err[0] == f"paperbot: {missing}: no such file"
    assert err[1].startswith(f"paperbot: {bad}: ") and len(err) == 2


async def test_resume_a_channel_that_is_not_paused(capsys: pytest.CaptureFixture[str]) -> None:
    assert await asyncio.to_thread(main, ["resume", "console"]) == 0
    assert out_lines(capsys) == ["console was not paused"]
    async with App.open(load_config()) as app:
        channel = await app.store.channels.find("console")
        assert channel is not None
        await app.store.channels.pause(channel.id, "HTTP 404 (webhook gone)")
    assert await asyncio.to_thread(main, ["resume", "console"]) == 0
    assert out_lines(capsys) == ["resumed console (was paused: HTTP 404 (webhook gone))"]


def test_subscriptions_has_a_header_row(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["subscribe", "console", "category", "cs.LG"]) == 0
    capsys.readouterr()
    assert main(["subscriptions"]) == 0
    header, row = out_lines(capsys)
    assert header.split("\t") == ["ID", "CHANNEL", "KIND", "VALUE", "BY", "CREATED"]
    assert row.split("\t")[:4] == ["#1", "console", "category", "cs.LG"]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert out_lines(capsys) == [f"paperbot {version('paperbot')}"]


async def test_a_reader_that_goes_away_is_no_traceback(tmp_path: Path) -> None:
    async with App.open(load_config()) as app:
        channel = await app.store.channels.find("console")
        assert channel is not None
        for n in range(3000):  # well over a pipe's buffer
            await app.store.subscriptions.add(
                channel.id, SubscriptionKind.TOPIC, f"word{n}", f"word{n}", "test"
            )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for command in ("subscriptions", "status"):
        shell = f"{sys.executable} -m bot {command} | head -1"
        done = await asyncio.to_thread(
            subprocess.run, shell, shell=True, capture_output=True, text=True, env=env, timeout=60
        )
        assert done.stderr == "", done.stderr
        assert len(done.stdout.splitlines()) == 1


async def test_status_shows_only_the_sources_of_this_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "paperbot.toml"
    config.write_text('[arxiv]\ncategories = ["cs.LG"]\n', encoding="utf-8")
    async with App.open(load_config(str(config))) as app:
        for url in ("https://rss.arxiv.org/rss/cs.LG", "https://rss.arxiv.org/rss/cs.CV"):
            await app.store.sources.record_success(
                url, etag=None, last_modified=None, body_hash=None, pub_date=None
            )
        await app.store.sources.record_success(
            "http://127.0.0.1:9/rss/cs.LG",
            etag=None,
            last_modified=None,
            body_hash=None,
            pub_date=None,
        )
    assert await asyncio.to_thread(main, ["status"]) == 0
    sources = [line for line in out_lines(capsys) if line.startswith("• ") and "/rss/" in line]
    assert len(sources) == 1
    assert sources[0].startswith("• cs.LG (https://rss.arxiv.org/rss/cs.LG):")


async def test_check_prints_the_console_alerts_of_a_config_without_channels(
    tmp_path: Path, fake_server: FakeServer
) -> None:
    FakeArxiv(fake_server).serve_listing("cs.AI", LISTING_0714)
    config = write_config(tmp_path, fake_server, channels=())
    await add_subscriptions(config, [("console", "author", "Arana-Catania, Miguel")])
    done = await cli(config, "check")
    assert done.rc == 0, done.err
    assert done.out.count("── new paper in console ──") == 2
    assert "matched author: Arana-Catania, Miguel" in done.out
    assert "wait for the console adapter" not in done.err
    assert done.out.splitlines()[-1].endswith("2 message(s) delivered")


def test_progress_bar_only_on_a_terminal(tmp_path: Path) -> None:
    folder = tmp_path / "listings"
    folder.mkdir()
    for name in ("a.xml", "b.xml", "c.xml"):
        (folder / name).write_bytes(LISTING_0714.read_bytes())
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path / "home")}
    piped = subprocess.run(
        [sys.executable, "-m", "bot", "ingest", str(folder)],
        env={**env, "PYTHONPATH": str(REPO)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert piped.returncode == 0 and piped.stderr == ""
    assert len(piped.stdout.splitlines()) == 4  # one line a file, and the total
    term = Terminal.spawn(["ingest", str(folder)], env=env, cwd=tmp_path)
    assert term.wait_exit() == 0
    assert "━" in term.drawn and "3/3" in term.drawn  # the bar was drawn, then cleared
    lines = term.text().splitlines()
    assert lines[-1].startswith("ingested 531 items from 3 file(s)") and len(lines) == 4
