"""Shared helpers of the hardening tests (the fixtures are re-exported by conftest): an
in-process App on a local fake arXiv with a captured console channel, and CLI helpers."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import os
import signal
import socket
import sqlite3
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.app import App
from bot.chat.commands import Commands
from bot.config import ArxivConfig, ChannelConfig, Config, DeliveryConfig, LimitsConfig
from bot.config.identity import OpenAlexConfig
from bot.config.scholar import SemanticScholarConfig
from bot.model import CommandContext, Reply
from bot.model.clock import SYSTEM_CLOCK, Clock
from bot.model.text import without_marks

FIXTURES = Path(__file__).parent.parent / "fixtures"
LISTING = FIXTURES / "arxiv_rss_cs_ai_2026-07-14.xml"
#: ``paperbot`` as a subprocess command (the module form works in any venv).
PAPERBOT = [sys.executable, "-m", "bot"]

MakeApp = Callable[..., Awaitable[App]]


def free_port() -> int:
    """A 127.0.0.1 port where nothing listens (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_config(db: Path, base_url: str, **arxiv: Any) -> Config:
    """A config on the fake server: two categories, no politeness wait, fast retries."""
    settings: dict[str, Any] = {
        "rss_url": base_url + "/rss/",
        "api_url": base_url + "/api/query",
        "categories": ("cs.AI", "cs.LG"),
        "min_interval_seconds": 0.0,
        "timeout_seconds": 2.0,
        "retries": 0,
        "backoff_seconds": 0.05,
    }
    settings.update(arxiv)
    return Config(
        database_path=db,
        arxiv=ArxivConfig(**settings),
        semantic_scholar=SemanticScholarConfig(api_url=""),  # no request leaves the machine
        delivery=DeliveryConfig(
            max_wait_seconds=2.0, backoff_base_seconds=0.05, per_channel_interval_seconds=0.0
        ),
        limits=LimitsConfig(),
        openalex=OpenAlexConfig(api_url=base_url + "/openalex", min_interval_seconds=0, retries=0),
        channels=(ChannelConfig("console", "console"),),
    )


def console_ctx(user: str = "alice") -> CommandContext:
    return CommandContext(platform="console", channel_name="console", user_id=user, user_name=user)


async def say(app: App, text: str, user: str = "alice") -> Reply:
    """Run one chat command as a console user (the literal marks around echoed values
    removed, as the console shows them)."""
    assert app.front is not None
    reply = await app.front.dispatch(console_ctx(user), text)
    return dataclasses.replace(reply, text=without_marks(reply.text))


def console_out(app: App) -> str:
    """Everything the console channel printed (alerts)."""
    out = app.adapters["console"].out  # type: ignore[attr-defined]
    return out.getvalue()


def dump_database(path: Path) -> str:
    """Every text value of every table, for "this string is nowhere in the store" checks."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        parts = []
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                parts.extend(str(v) for v in row)
        return "\n".join(parts)
    finally:
        conn.close()


async def poll_with_commands(app: App) -> tuple[object, float]:
    """Poll everything while a user runs commands; returns the poll report and how long the
    slowest command took."""
    poll = asyncio.create_task(app.poller.poll_all())
    started = time.monotonic()
    replies = await asyncio.gather(say(app, "help"), say(app, "list"), say(app, "status"))
    slowest = time.monotonic() - started
    assert not any(r.error for r in replies)
    assert "category: cs.AI" in replies[1].text
    return await poll, slowest


@pytest_asyncio.fixture
async def make_app(tmp_path: Path) -> AsyncIterator[MakeApp]:
    """``await make_app(base_url, **arxiv_overrides)``: an App serving ``adapters`` (the
    console by default, its output captured), closed when the test ends."""
    async with contextlib.AsyncExitStack() as stack:
        count = 0

        async def make(
            base_url: str,
            *,
            config: Config | None = None,
            adapters: Sequence[str] = ("console",),
            clock: Clock = SYSTEM_CLOCK,
            **arxiv: Any,
        ) -> App:
            nonlocal count
            cfg = config or make_config(tmp_path / f"db{count}.sqlite3", base_url, **arxiv)
            count += 1
            app = await stack.enter_async_context(
                App.open(cfg, adapters=adapters, front=Commands.from_core, clock=clock)
            )
            if "console" in app.adapters:
                app.adapters["console"].out = io.StringIO()  # type: ignore[attr-defined]
            return app

        yield make


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """An environment for ``paperbot`` subprocesses: no inherited tokens or config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env.pop("PAPERBOT_CONFIG", None)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg-data")
    env["PYTHONUNBUFFERED"] = "1"
    return env


class Completed:
    """A finished ``paperbot`` subprocess: exit code and both outputs as text."""

    def __init__(self, returncode: int, out: str, err: str) -> None:
        self.returncode = returncode
        self.out = out
        self.err = err

    @property
    def text(self) -> str:
        return self.out + self.err


def _output_paths(workdir: Path) -> tuple[Path, Path]:
    workdir.mkdir(parents=True, exist_ok=True)
    n = len(list(workdir.glob("out-*")))
    return workdir / f"out-{n}", workdir / f"err-{n}"


async def run_paperbot(
    *args: str,
    env: dict[str, str],
    workdir: Path,
    timeout: float = 60.0,
    stop_after: float | None = None,
) -> Completed:
    """Run ``paperbot ARGS``; with ``stop_after``, send SIGTERM after that many seconds.

    Output goes to files, so nothing written before a stop or a time-out is lost.
    """
    out_path, err_path = _output_paths(workdir)
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = await asyncio.create_subprocess_exec(
            *PAPERBOT, *args, env=env, stdout=out, stderr=err
        )
        try:
            if stop_after is not None:
                try:
                    await asyncio.wait_for(proc.wait(), stop_after)
                except TimeoutError:
                    proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), timeout)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    return Completed(proc.returncode or 0, out_path.read_text(), err_path.read_text())
