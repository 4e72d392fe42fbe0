"""``paperbot authors NAME`` and ``paperbot subscribe CHANNEL author openalex:A…`` exit codes:
0 found, 1 none, 3 OpenAlex unreachable."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.fake_openalex import FakeOpenAlex, work
from support.fakeweb import FakeServer
from support.identity_world import other_wei_wang, ucla_wei_wang

from bot.cli import main


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PAPERBOT_CONFIG", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.chdir(tmp_path)


def write_config(tmp_path: Path, openalex_url: str) -> str:
    path = tmp_path / "paperbot.toml"
    path.write_text(
        '[arxiv]\napi_url = "http://127.0.0.1:9/api/query"\nrss_url = "http://127.0.0.1:9/rss/"\n'
        f'\n[openalex]\napi_url = "{openalex_url}"\nmin_interval_seconds = 0\nretries = 0\n'
        '\n[semantic_scholar]\napi_url = ""\n',  # no request leaves the machine
        encoding="utf-8",
    )
    return str(path)


@pytest.fixture(autouse=True)
def restore_log_levels() -> Iterator[None]:
    """main() sets logger levels; give them back so other tests' log captures are unaffected."""
    loggers = [logging.getLogger(n) for n in ("paperbot.fetch", "aiosqlite", "asyncio")]
    levels = [logger.level for logger in loggers]
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


@pytest.fixture
def openalex(fake_server: FakeServer) -> FakeOpenAlex:
    fake = FakeOpenAlex(fake_server)
    fake.add_author(ucla_wei_wang())
    fake.add_author(other_wei_wang())
    return fake


async def test_authors_prints_the_candidates(
    tmp_path: Path, openalex: FakeOpenAlex, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, openalex.url)
    assert await asyncio.to_thread(main, ["--config", config, "authors", "Wei", "Wang"]) == 0
    out = capsys.readouterr().out
    assert "1. Wei Wang · University of California, Los Angeles" in out
    assert "openalex:A5100000002" in out


async def test_authors_of_nobody_exits_1(
    tmp_path: Path, openalex: FakeOpenAlex, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, openalex.url)
    assert await asyncio.to_thread(main, ["--config", config, "authors", "Zzyzx"]) == 1
    assert "knows no author named 'Zzyzx'" in capsys.readouterr().err


async def test_authors_with_openalex_unreachable_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, "http://127.0.0.1:9/openalex")
    assert await asyncio.to_thread(main, ["--config", config, "authors", "Wei Wang"]) == 3
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("paperbot: cannot ask OpenAlex:")


async def test_subscribe_by_id_with_openalex_unreachable_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, "http://127.0.0.1:9/openalex")
    args = ["--config", config, "subscribe", "console", "author", "openalex:A5100000001"]
    assert await asyncio.to_thread(main, args) == 3
    assert "cannot subscribe" in capsys.readouterr().err


async def test_subscribe_by_orcid_prints_the_person(
    tmp_path: Path, openalex: FakeOpenAlex, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, openalex.url)
    args = ["--config", config, "subscribe", "console", "author", "orcid:0000-0002-1825-0097"]
    assert await asyncio.to_thread(main, args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "subscribed console #1 author: openalex:A5100000001"
    assert lines[1].startswith("Preview: ") and "by the name Wei Wang" in lines[1]
    assert lines[2].startswith("Following Wei Wang (University of California, Los Angeles)")


async def test_author_page_of_a_person_prints_their_openalex_works(
    tmp_path: Path, openalex: FakeOpenAlex, capsys: pytest.CaptureFixture[str]
) -> None:
    openalex.add_work(work("W7", None, [("A5100000001", "Wei Wang", None)], title="OA state"))
    config = write_config(tmp_path, openalex.url)
    assert (
        await asyncio.to_thread(main, ["--config", config, "author", "openalex:A5100000001"]) == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("Wei Wang — 1 paper known") and "OA state\n  PeerJ · 2026" in out


@pytest.mark.parametrize(
    ("value", "code"), [("openalex:A0", 1), ("orcid:0000-0002-1825-0098", 2), ("openalex:x", 2)]
)
async def test_author_page_of_a_bad_id_exits_1_or_2(
    tmp_path: Path,
    openalex: FakeOpenAlex,
    capsys: pytest.CaptureFixture[str],
    value: str,
    code: int,
) -> None:
    config = write_config(tmp_path, openalex.url)
    assert await asyncio.to_thread(main, ["--config", config, "author", value]) == code
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


async def test_author_page_with_openalex_unreachable_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, "http://127.0.0.1:9/openalex")
    assert (
        await asyncio.to_thread(main, ["--config", config, "author", "openalex:A5100000001"]) == 3
    )
    assert capsys.readouterr().err.startswith("paperbot: cannot ask OpenAlex:")
