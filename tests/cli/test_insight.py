"""``paperbot why CHANNEL ID``, ``paperbot preview … [--days N]`` and ``status``'s ledger on the
command line: one test per rule (exit codes 0 / 1 / 2), in process through ``main([...])``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LISTING_0713 = FIXTURES / "arxiv_rss_cs_ai_2026-07-14.xml"
REWARD_HACKING = "2607.09492"


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.delenv("PAPERBOT_CONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.chdir(tmp_path)
    yield


def _out(capsys: pytest.CaptureFixture[str]) -> str:
    return capsys.readouterr().out


def test_why_explains_a_posted_alert_with_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["subscribe", "console", "topic", '"reward hacking"']) == 0
    assert main(["ingest", "--alert", str(LISTING_0713)]) == 0
    _out(capsys)
    assert main(["why", "console", REWARD_HACKING]) == 0
    out = _out(capsys)
    assert '#1 topic: "reward hacking" — found "reward hacking" as reward hacking' in out
    assert "Queued as an alert, not delivered yet (queued by the cs.AI listing of Mon 13" in out


def test_why_of_a_paper_not_stored_is_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["why", "console", "2607.99999"]) == 1
    assert "2607.99999 is not stored here" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["why", "nowhere", "2607.09492"], ["why", "console", "reward"]])
def test_why_usage_and_unknown_channel_are_exit_2(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    assert capsys.readouterr().err.startswith("paperbot: ")


def test_preview_with_days_anywhere(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(LISTING_0713)]) == 0
    _out(capsys)
    assert main(["preview", "topic", "reward", "--days", "2", "-survey"]) == 0
    out = _out(capsys)
    assert "topic: reward -survey" in out
    assert "on the last announcement day would have been posted (13 Jul " in out
    assert main(["preview", "--days", "3", "author", "Kripner,", "Matej"]) == 0
    assert "Preview: 1 paper on the last announcement day" in _out(capsys)


def test_preview_takes_days_written_with_an_equals_sign(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(LISTING_0713)]) == 0
    _out(capsys)
    assert main(["preview", "topic", "reward", "--days=2", "-survey"]) == 0
    out = _out(capsys)
    assert "topic: reward -survey" in out and "--days" not in out
    assert "on the last announcement day would have been posted (13 Jul " in out


@pytest.mark.parametrize(
    "args",
    [
        ["preview", "topic", "agents", "--days", "31"],
        ["preview", "topic", "agents", "--days=31"],
        ["preview", "topic", "agents", "--days=two"],
        ["preview", "category", "cs.FOO"],
        ["preview", "topic"],
    ],
)
def test_preview_refusals_are_exit_2(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    assert capsys.readouterr().err.startswith("paperbot: ")


def test_subscribe_prints_the_preview_after_its_first_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["ingest", str(LISTING_0713)]) == 0
    _out(capsys)
    assert main(["subscribe", "console", "category", "cs.AI"]) == 0
    lines = _out(capsys).splitlines()  # the 61 replaced items were never announced
    assert lines[0] == "subscribed console #1 category: cs.AI"
    assert (
        lines[1]
        == "Preview: 116 papers on the last announcement day would have been posted (13 Jul 116)."
    )


def test_status_prints_the_ledger(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(LISTING_0713)]) == 0
    _out(capsys)
    assert main(["status"]) == 0
    out = _out(capsys)
    assert "• 2026-07-13 cs.AI: 27 new, 89 cross, 61 replaced -> 0 alerts to 0 channels" in out
