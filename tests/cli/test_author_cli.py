"""``paperbot author NAME``: the page on stdout, exit 1 when nothing is known, 2 for a non-name;
no request leaves the machine (Semantic Scholar is left at its real default URL here)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
GPT4 = FIXTURES / "arxiv_rss_cs_ai_2024-03-04_gpt4_replace_cross.xml"


@pytest.fixture(autouse=True)
def restore_log_levels() -> Iterator[None]:
    """main() sets logger levels; give them back for the other tests' log captures."""
    loggers = [logging.getLogger(n) for n in ("paperbot.fetch", "aiosqlite", "asyncio")]
    levels = [logger.level for logger in loggers]
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    path = tmp_path / "paperbot.toml"
    path.write_text(f'[database]\npath = "{tmp_path / "db.sqlite3"}"\n', encoding="utf-8")
    assert main(["--config", str(path), "ingest", str(GPT4)]) == 0
    return path


@pytest.mark.parametrize("name", [["Babuschkin,", "Igor"], ["Igor", "Babuschkin"]])
def test_the_page_is_printed(config: Path, capsys: pytest.CaptureFixture[str], name) -> None:
    capsys.readouterr()
    assert main(["--config", str(config), "author", *name]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "Igor Babuschkin — 1 paper known\nRecent papers\n• GPT-4 Technical Report"
    )
    assert "Collaborating authors" in out and "*" not in out


def test_nothing_known_exits_1(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["--config", str(config), "author", "Nobody,", "Anne"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().endswith("no stored paper has an author named 'Nobody, Anne'")


def test_not_a_name_exits_2(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(config), "author", "12345"]) == 2
    assert main(["--config", str(config), "author"]) == 2
