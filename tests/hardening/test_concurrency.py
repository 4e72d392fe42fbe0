"""``run`` and the CLI at the same time on one database: no "database is locked" anywhere, and
two ``check`` processes plus a ``run`` draining the same outbox never send an alert twice."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from support.fakeweb import FakeServer, Reply
from support.hardening import LISTING, run_paperbot
from test_kill_restart import (
    CHANNELS,
    SlowWebhooks,
    expected_alerts,
    subscribe_channels,
    write_config,
)


@pytest.mark.slow
async def test_run_and_cli_share_the_database(tmp_path: Path, cli_env: dict[str, str]) -> None:
    hooks = SlowWebhooks(delay=0.02)
    async with FakeServer() as server:
        for name, path in CHANNELS.items():
            server.route(path, hooks.handler(name), method="POST")
        server.route("/rss/cs.AI", Reply(body=LISTING.read_bytes()))
        config = write_config(tmp_path / "paperbot.toml", server)
        await subscribe_channels(config)
        logs = tmp_path / "logs"

        def cli(*args: str, **kw) -> asyncio.Task:
            coro = run_paperbot("--config", str(config), *args, env=cli_env, workdir=logs, **kw)
            return asyncio.ensure_future(coro)

        run = cli("-v", "run", stop_after=14.0)
        await asyncio.sleep(0.3)
        others = [cli("-v", "check"), cli("-v", "check")]
        for n in range(4):
            others += [
                cli("subscribe", "a", "topic", f"concurrency{n}"),
                cli("subscribe", "b", "author", f"Tester{n}, Ada"),
                cli("lookup", "2607.08773"),
                cli("lookup", "lattice", "traversal"),
                cli("status"),
                cli("subscriptions"),
            ]
            await asyncio.sleep(0.4)
        done = await asyncio.gather(*others)
        finished = await run
        # Whatever is left (all should be sent), one last check settles it.
        last = await run_paperbot("--config", str(config), "check", env=cli_env, workdir=logs)
        owed = await expected_alerts(config)
    everything = [*done, finished, last]
    for result in everything:
        assert "locked" not in result.text.lower(), result.text[-2000:]
        assert "Traceback" not in result.text, result.text[-2000:]
    assert finished.returncode == 0
    assert last.returncode == 0, last.err
    for result in done:
        assert result.returncode in (0, 1, 3), result.text  # 1: a look-up not found yet
    subscribed = [r for r in done if r.out.startswith("subscribed ")]
    assert len(subscribed) == 8
    for name in CHANNELS:
        papers = [paper for p in hooks.posts if p.channel == name for paper in p.papers]
        assert len(owed[name]) > 100
        assert sorted(papers) == sorted(owed[name]), name  # each exactly once


async def test_reads_interleaved_with_writes_never_lock(tmp_path: Path) -> None:
    """One connection serving reads and writes from several tasks while another process writes:
    a read must never hold a snapshot across steps (regression: "database is locked" at once)."""
    from bot.store import Store

    a = await Store.open(tmp_path / "db.sqlite3")
    b = await Store.open(tmp_path / "db.sqlite3")
    try:
        for n in range(50):
            await a.channels.upsert_config(f"c{n}", "console")

        async def read() -> None:
            for _ in range(200):
                assert len(await a.channels.list()) == 50
                await a.sources.get("nowhere")

        async def write(store: Store, key: str) -> None:
            for n in range(200):
                await store.rates.hold(key, float(n))

        async def value(store: Store, key: str) -> str:
            row = await store.db.fetchone("SELECT next_at FROM rate_slots WHERE key = ?", (key,))
            return f"{row['next_at']:.0f}" if row else ""

        await asyncio.gather(read(), read(), read(), write(a, "a"), write(b, "b"))
        assert await value(a, "b") == "199" and await value(b, "a") == "199"
    finally:
        await a.close()
        await b.close()
