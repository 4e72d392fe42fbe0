"""CLI: ``paperbot ingest`` and ``paperbot lookup`` in-process and as real subprocesses.

Every run points ``HOME``/``XDG_*`` into ``tmp_path`` and arXiv at the fake server, so nothing
touches the real home or the network.
"""

from __future__ import annotations

import asyncio
import gzip
import logging
import os
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from support import fake_arxiv
from support.fake_arxiv import FakeArxiv
from support.fakeweb import FakeServer

from bot.cli import main

REPO = Path(__file__).resolve().parent.parent.parent
FIXTURES = REPO / "tests" / "fixtures"
LISTING = FIXTURES / "arxiv_rss_cs_ai_2026-07-14.xml"


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PAPERBOT_CONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def restore_log_levels() -> Iterator[None]:
    """main() sets logger levels; give them back so other tests' log captures are unaffected."""
    loggers = [logging.getLogger(n) for n in ("paperbot.fetch", "aiosqlite", "asyncio")]
    levels = [logger.level for logger in loggers]
    yield
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def write_config(
    tmp_path: Path, api_url: str = "http://127.0.0.1:9/api/query", extra: str = ""
) -> Path:
    path = tmp_path / "paperbot.toml"
    path.write_text(
        f"""
[database]
path = "data/paperbot.sqlite3"

[semantic_scholar]
api_url = ""

[openalex]
api_url = ""

[arxiv]
api_url = "{api_url}"
rss_url = "http://127.0.0.1:9/rss/"
min_interval_seconds = 0.0
retries = 0
backoff_seconds = 0.0
timeout_seconds = 5
{extra}
""",
        encoding="utf-8",
    )
    path.chmod(0o600)
    return path


@pytest.fixture
async def fake(fake_server: FakeServer) -> AsyncIterator[FakeArxiv]:
    yield FakeArxiv(fake_server)


def err_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# --- in-process ---------------------------------------------------------------------------------


def test_ingest_prints_final_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    assert main(["--config", str(config), "ingest", str(LISTING)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        f"{LISTING}: 177 items, 177 new papers, 0 new versions",
        "ingested 177 items from 1 file(s): 177 new papers, 0 new versions",
    ]
    assert (tmp_path / "data" / "paperbot.sqlite3").is_file()
    # Again: nothing new.
    assert main(["--config", str(config), "ingest", str(LISTING)]) == 0
    assert "0 new papers, 0 new versions" in capsys.readouterr().out


def test_ingest_several_files_and_gzip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path)
    gz = tmp_path / "listing.xml.gz"
    gz.write_bytes(gzip.compress(LISTING.read_bytes()))
    rdf = FIXTURES / "arxiv_rss_cs_ai_2023-12-21_rdf.xml"
    holiday = FIXTURES / "arxiv_rss_cs_ai_empty_holiday_2025-12-31.xml"
    code = main(["--config", str(config), "ingest", str(gz), str(rdf), str(holiday)])
    assert code == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"{gz}: 177 items, 177 new papers, 0 new versions"
    assert out.splitlines()[-1].startswith("ingested 344 items from 3 file(s): ")
    assert "177+" not in out and " new papers, " in out


def test_ingest_with_alert_reports_queued_alerts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    assert main(["--config", str(config), "ingest", "--alert", str(LISTING)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(line.endswith(", 0 alerts queued") for line in lines)


def test_ingest_missing_file_is_exit_2_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    code = main(["--config", str(config), "ingest", str(LISTING), str(tmp_path / "nope.xml")])
    assert code == 2
    err = capsys.readouterr().err
    assert err_lines(err) == [f"paperbot: {tmp_path / 'nope.xml'}: no such file"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("broken.xml", b"<rss><channel><item>"),
        ("broken.xml.gz", b"not gzip at all"),
        ("page.xml", b"<html><body>503 Service Unavailable</body></html>"),
    ],
)
def test_ingest_malformed_file_is_exit_2_naming_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes
) -> None:
    config = write_config(tmp_path)
    bad = tmp_path / name
    bad.write_bytes(content)
    assert main(["--config", str(config), "ingest", str(bad)]) == 2
    captured = capsys.readouterr()
    lines = err_lines(captured.err)
    assert len(lines) == 1 and lines[0].startswith(f"paperbot: {bad}: ")
    assert "Traceback" not in captured.err
    assert (
        captured.out == "ingested 0 items from 0 file(s): 0 new papers, 0 new versions; 1 failed\n"
    )


@pytest.mark.parametrize(
    ("extra", "key"),
    [("colour = 'blue'\n", "colour"), ("min_interval_seconds = 'fast'\n", "min_interval_seconds")],
)
def test_bad_config_is_exit_2_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: str, key: str
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(f"[arxiv]\n{extra}", encoding="utf-8")
    assert main(["--config", str(config), "ingest", str(LISTING)]) == 2
    err = capsys.readouterr().err
    lines = err_lines(err)
    assert len(lines) == 1 and key in lines[0] and lines[0].startswith("paperbot: config error:")
    assert "Traceback" not in err


def test_debug_shows_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[arxiv]\ncolour = 'blue'\n", encoding="utf-8")
    assert main(["--debug", "--config", str(config), "ingest", str(LISTING)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "ConfigError" in err
    assert err.rstrip().splitlines()[-1].startswith("paperbot: config error:")


def test_usage_error_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    assert main([]) == 2
    assert "Traceback" not in capsys.readouterr().err


async def test_lookup_in_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fake: FakeArxiv
) -> None:
    config = str(write_config(tmp_path, fake.api_url))
    # main() runs its own event loop: run it in a thread while the fake serves in ours.
    assert await asyncio.to_thread(main, ["--config", config, "lookup", "2308.03526"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == fake_arxiv.ALPHASTAR_TITLE
    assert "arXiv:2308.03526v1" in out and "https://arxiv.org/abs/2308.03526" in out
    assert await asyncio.to_thread(main, ["--config", config, "lookup", "AlphaStar"]) == 0
    assert fake_arxiv.ALPHASTAR_TITLE in capsys.readouterr().out
    assert len(fake.api_requests) == 1
    assert await asyncio.to_thread(main, ["--config", config, "lookup", "2312.99999"]) == 1
    captured = capsys.readouterr()
    assert err_lines(captured.err) == ["paperbot: not found: arXiv has no paper 2312.99999"]
    assert captured.out == ""


# --- subprocesses -------------------------------------------------------------------------------


async def run_cli(tmp_path: Path, *args: str, timeout: float = 30.0) -> tuple[int, str, str]:
    """``python -m bot ARGS`` in ``tmp_path`` with a sandboxed environment."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(REPO),
        "HOME": str(tmp_path / "home"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "LC_ALL": "C.UTF-8",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_subprocess_lookup_prints_card_and_second_run_uses_store(
    tmp_path: Path, fake: FakeArxiv
) -> None:
    write_config(tmp_path, fake.api_url)  # found as ./paperbot.toml
    code, out, err = await run_cli(tmp_path, "lookup", "2308.03526")
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "AlphaStar Unplugged: Large-Scale Offline Reinforcement Learning"
    assert "Michaël Mathieu" in out and "arXiv:2308.03526v1" in out
    assert "https://arxiv.org/abs/2308.03526" in out
    assert len(fake.api_requests) == 1
    assert fake.api_requests[0].headers["User-Agent"].startswith("paperbot")
    code, out2, _ = await run_cli(tmp_path, "lookup", "https://arxiv.org/abs/2308.03526v1")
    assert code == 0 and out2 == out
    assert len(fake.api_requests) == 1
    assert (tmp_path / "data" / "paperbot.sqlite3").is_file()
    assert not (tmp_path / "home").exists()


async def test_subprocess_lookup_unknown_and_malformed(tmp_path: Path, fake: FakeArxiv) -> None:
    write_config(tmp_path, fake.api_url)
    code, out, err = await run_cli(tmp_path, "lookup", "2312.99999")
    assert code == 1 and out == ""
    assert err_lines(err) == ["paperbot: not found: arXiv has no paper 2312.99999"]
    code, out, err = await run_cli(tmp_path, "lookup", "9999.99999")
    assert code == 1 and out == ""
    (line,) = err_lines(err)
    assert "9999.99999" in line and "not a valid arXiv id" in line


async def test_subprocess_ingest_and_bad_config(tmp_path: Path) -> None:
    write_config(tmp_path)
    code, out, err = await run_cli(tmp_path, "ingest", str(LISTING))
    assert code == 0 and err == ""
    assert out.splitlines()[-1].startswith("ingested 177 items from 1 file(s): 177 new papers")
    bad = tmp_path / "bad.toml"
    bad.write_text("[arxiv]\nmin_interval_seconds = 'soon'\n", encoding="utf-8")
    code, out, err = await run_cli(tmp_path, "--config", str(bad), "lookup", "x")
    assert code == 2 and out == ""
    (line,) = err_lines(err)
    assert "min_interval_seconds" in line and "Traceback" not in err
    code, _out, err = await run_cli(tmp_path, "--debug", "--config", str(bad), "lookup", "x")
    assert code == 2 and "Traceback" in err


async def test_subprocess_unreachable_arxiv_is_one_line(
    tmp_path: Path, unused_tcp_port: int
) -> None:
    write_config(tmp_path, f"http://127.0.0.1:{unused_tcp_port}/api/query")
    code, out, err = await run_cli(tmp_path, "lookup", "2308.03526")
    assert code != 0 and out == ""
    assert "Traceback" not in err
    (line,) = err_lines(err)
    assert line.startswith("paperbot: could not reach arXiv") and "connection refused" in line


async def test_subprocess_warns_about_world_readable_webhook_config(tmp_path: Path) -> None:
    secret = "https://hooks.slack.com/services/T0/B0/sekrit"
    channel = f'name = "team"\nplatform = "slack-webhook"\nwebhook_url = "{secret}"\n'
    config = write_config(tmp_path, extra="\n[[channels]]\n" + channel)
    config.chmod(0o644)
    code, out, err = await run_cli(tmp_path, "ingest", str(LISTING))
    assert code == 0 and out.splitlines()[-1].startswith("ingested 177 items")
    assert "chmod 600" in err and "sekrit" not in err
    config.chmod(0o600)
    code, _out, err = await run_cli(tmp_path, "ingest", str(LISTING))
    assert code == 0 and err == ""


@pytest.mark.parametrize(
    ("words", "stored"),
    [
        (["robots", "-survey"], "robots -survey"),
        (["--", "-survey", "robots"], "-survey robots"),
        (["Babuschkin,", "Igor"], "Babuschkin, Igor"),
    ],
)
def test_subscribe_takes_a_value_of_several_words(
    words: list[str], stored: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kind = "author" if "Igor" in words else "topic"
    config = ["--config", str(write_config(tmp_path))]  # every service on a closed local port
    assert main([*config, "subscribe", "console", kind, *words]) == 0
    assert f"{kind}: {stored}" in capsys.readouterr().out
    assert main([*config, "subscriptions", "console"]) == 0
    assert f"console\t{kind}\t{stored}\t" in capsys.readouterr().out


def test_subscribe_errors_are_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["subscribe", "console", "topic"]) == 2
    assert main(["subscribe", "nowhere", "author", "Igor", "Babuschkin"]) == 2
    assert main(["subscribe", "console", "topic", "-survey"]) == 2
    err = capsys.readouterr().err
    assert "give a VALUE" in err and "unknown channel 'nowhere'" in err and "-exclusions" in err
    assert "Traceback" not in err and "paperbot: paperbot:" not in err
