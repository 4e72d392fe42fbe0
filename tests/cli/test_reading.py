"""``paperbot save / unsave / saved / bibtex`` in process (``main`` in a thread, so the fake
arXiv keeps serving on the test's loop): one test per rule."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pybtex.database import parse_string
from support.fake_arxiv import FakeArxiv
from support.fakeweb import FakeServer

from bot.cli import main

ALPHA = "2308.03526"
OTHER = "2202.12139"
MISSING = "2312.99999"
TITLE = "AlphaStar Unplugged: Large-Scale Offline Reinforcement Learning"


pytestmark = pytest.mark.usefixtures("isolated_cli")


@pytest.fixture
async def config(tmp_path: Path, fake_server: FakeServer) -> AsyncIterator[str]:
    fake = FakeArxiv(fake_server)
    path = tmp_path / "paperbot.toml"
    path.write_text(
        f'[arxiv]\napi_url = "{fake.api_url}"\nrss_url = "{fake.rss_url}"\n'
        "min_interval_seconds = 0.0\nretries = 0\ntimeout_seconds = 5\n",
        encoding="utf-8",
    )
    yield str(path)


async def run(config: str, *args: str) -> int:
    return await asyncio.to_thread(main, ["--config", config, *args])


async def test_save_then_saved_lists_it_with_who(config: str, capsys) -> None:
    assert await run(config, "save", "console", ALPHA) == 0
    assert capsys.readouterr().out == f"saved console {ALPHA} {TITLE}\n"
    assert await run(config, "saved", "console") == 0
    header, row = capsys.readouterr().out.splitlines()
    assert header.split("\t") == ["ID", "TITLE", "SAVED BY", "SAVED"]
    fields = row.split("\t")
    assert fields[:2] == [ALPHA, TITLE]
    assert fields[2].startswith("cli:") and fields[2].endswith(" (command)")


async def test_saving_twice_is_exit_0_already_saved(config: str, capsys) -> None:
    assert await run(config, "save", "console", ALPHA) == 0
    assert await run(config, "save", "console", f"https://arxiv.org/abs/{ALPHA}v1") == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("already saved console")


async def test_unsave_of_a_paper_not_saved_is_exit_0(config: str, capsys) -> None:
    assert await run(config, "save", "console", ALPHA) == 0
    assert await run(config, "unsave", "console", ALPHA) == 0
    assert await run(config, "unsave", "console", ALPHA) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        f"unsaved console {ALPHA}",
        f"{ALPHA} was not saved",
    ]
    assert await run(config, "saved", "console") == 0
    assert capsys.readouterr().out == "no saved papers\n"


async def test_save_of_an_unknown_paper_is_exit_1(config: str, capsys) -> None:
    assert await run(config, "save", "console", MISSING) == 1
    assert capsys.readouterr().err.strip() == (
        f"paperbot: no paper {MISSING} (not stored, and arXiv has none)"
    )


async def test_an_unknown_channel_is_exit_2(config: str, capsys) -> None:
    assert await run(config, "save", "nowhere", ALPHA) == 2
    assert "unknown channel 'nowhere'" in capsys.readouterr().err


async def test_bibtex_prints_entries_on_stdout(config: str, capsys) -> None:
    assert await run(config, "bibtex", ALPHA, OTHER) == 0
    entries = parse_string(capsys.readouterr().out, "bibtex").entries
    assert [e.fields["eprint"] for e in entries.values()] == [ALPHA, OTHER]


async def test_bibtex_with_an_unknown_id_prints_the_rest_and_exits_1(config: str, capsys) -> None:
    assert await run(config, "bibtex", ALPHA, MISSING) == 1
    captured = capsys.readouterr()
    assert len(parse_string(captured.out, "bibtex").entries) == 1
    assert captured.err.strip() == f"paperbot: not found: {MISSING}"


@pytest.mark.parametrize("args", [["--saved", "console"], ["console", "--saved"]])
async def test_bibtex_saved_takes_the_channel(config: str, capsys, args: list[str]) -> None:
    assert await run(config, "save", "console", ALPHA) == 0
    capsys.readouterr()
    assert await run(config, "bibtex", *args) == 0
    assert "@misc{" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args",
    [
        ["bibtex"],
        ["bibtex", "--saved"],
        ["bibtex", "--saved", "console", ALPHA],
        ["bibtex", ALPHA, "--saved", "console"],
        ["bibtex", "x"],
    ],
)
async def test_bibtex_usage_errors_are_exit_2(config: str, capsys, args: list[str]) -> None:
    assert await run(config, *args) == 2
    assert capsys.readouterr().err.splitlines()[-1].startswith("paperbot: bibtex: ")


def arxiv_down(tmp_path: Path) -> str:
    path = tmp_path / "down.toml"  # nothing listens on port 1
    path.write_text(
        '[arxiv]\napi_url = "http://127.0.0.1:1/api/query"\nrss_url = "http://127.0.0.1:1/rss"\n'
        "min_interval_seconds = 0.0\nretries = 0\ntimeout_seconds = 2\n",
        encoding="utf-8",
    )
    return str(path)


@pytest.mark.parametrize("command", ["save", "bibtex"])
async def test_arxiv_unreachable_is_exit_3(tmp_path: Path, capsys, command: str) -> None:
    path = arxiv_down(tmp_path)
    args = ["save", "console", ALPHA] if command == "save" else ["bibtex", ALPHA]
    assert await run(str(path), *args) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith(f"paperbot: could not reach arXiv for {ALPHA}")


async def test_bibtex_with_arxiv_unreachable_prints_the_stored_entries_then_exits_3(
    config: str, tmp_path: Path, capsys
) -> None:
    assert await run(config, "bibtex", ALPHA) == 0  # stored by the look-up
    capsys.readouterr()
    assert await run(arxiv_down(tmp_path), "bibtex", ALPHA, MISSING, OTHER) == 3
    captured = capsys.readouterr()
    entries = parse_string(captured.out, "bibtex").entries
    assert [e.fields["eprint"] for e in entries.values()] == [ALPHA]
    [err] = captured.err.strip().splitlines()
    assert err.startswith(f"paperbot: could not reach arXiv for {MISSING}: ")
    assert err.endswith(f" (not fetched either: {OTHER})")


async def test_bibtex_of_more_than_500_ids_is_exit_2(config: str, capsys) -> None:
    ids = [f"2401.{n:05d}" for n in range(501)]
    assert await run(config, "bibtex", *ids) == 2
    [err] = capsys.readouterr().err.strip().splitlines()
    assert err == "paperbot: too many papers at once (501; at most 500)"
