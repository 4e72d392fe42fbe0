"""``paperbot run`` killed with SIGKILL at random moments during polling and delivery, 20 times,
restarted each time: every matched (paper, channel) is delivered at least once, and duplicates
are bounded by the kills that landed inside a send window (at most one per kill per channel)."""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiohttp import web
from lxml import etree
from support.fakeweb import FakeServer, Reply
from support.hardening import LISTING, PAPERBOT, run_paperbot

from bot.app import App
from bot.config import load_config
from bot.model import SubscriptionKind

KILLS = 20
CHANNELS = {
    "a": "/services/T000/B000/aaaaaaaaaaaaaaaaaaaaaaaa",
    "b": "/services/T000/B000/bbbbbbbbbbbbbbbbbbbbbbbb",
}
_PAPER = re.compile(r"arXiv:(\d{4}\.\d{4,5})v\d+")


@dataclass
class Post:
    channel: str
    paper: str
    started: float
    finished: float = float("inf")


@dataclass
class SlowWebhooks:
    """Slack webhooks that take a while to answer and remember every POST."""

    delay: float
    posts: list[Post] = field(default_factory=list)

    def handler(self, channel: str):
        async def handle(request: web.Request) -> Reply:
            body = json.dumps(await request.json())
            post = Post(channel, _PAPER.search(body).group(1), time.monotonic())  # type: ignore[union-attr]
            self.posts.append(post)
            await asyncio.sleep(self.delay)
            post.finished = time.monotonic()
            return Reply(body=b"ok")

        return handle


def listing_prefix(count: int) -> bytes:
    """The real listing cut to its first ``count`` items (a listing that grows between polls)."""
    root = etree.fromstring(LISTING.read_bytes())
    channel = root.find("channel")
    for item in channel.findall("item")[count:]:
        channel.remove(item)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def write_config(path: Path, server: FakeServer) -> Path:
    channels = "".join(
        f'[[channels]]\nname = "{name}"\nplatform = "slack-webhook"\n'
        f'webhook_url = "{server.url(hook)}"\n'
        for name, hook in CHANNELS.items()
    )
    path.write_text(
        f'[database]\npath = "{path.parent / "db.sqlite3"}"\n'
        '[semantic_scholar]\napi_url = ""\n'
        f'[arxiv]\nrss_url = "{server.url("/rss/")}"\napi_url = "{server.url("/api/query")}"\n'
        'categories = ["cs.AI"]\nmin_interval_seconds = 0\npoll_interval_seconds = 0.5\n'
        "timeout_seconds = 5\nretries = 0\n"
        "[delivery]\nper_channel_interval_seconds = 0\nbackoff_base_seconds = 0.1\n"
        "max_wait_seconds = 60\npoll_seconds = 0.2\n" + channels
    )
    path.chmod(0o600)
    return path


async def subscribe_channels(config: Path, value: str = "cs.AI") -> None:
    async with App.open(load_config(str(config))) as app:
        for channel in await app.store.channels.list():
            await app.store.subscriptions.add(
                channel.id, SubscriptionKind.CATEGORY, value, value.casefold(), "test"
            )


async def expected_alerts(config: Path) -> dict[str, set[str]]:
    """channel name -> the papers the outbox owes it (every queued alert)."""
    async with App.open(load_config(str(config))) as app:
        names = {c.id: c.name for c in await app.store.channels.list()}
        owed: dict[str, set[str]] = {name: set() for name in names.values()}
        for paper, channel_id, kind, _version, state in await app.store.outbox.states():
            assert kind == "alert" and state == "sent", (paper, kind, state)
            owed[names[channel_id]].add(paper)
    return owed


def read_logs(folder: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in sorted(folder.glob("run-*.log")))


@pytest.mark.slow
async def test_sigkill_during_polling_and_delivery(tmp_path: Path, cli_env: dict[str, str]) -> None:
    seed = int(os.environ.get("PAPERBOT_KILL_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    hooks = SlowWebhooks(delay=0.04)
    async with FakeServer() as server:
        for name, path in CHANNELS.items():
            server.route(path, hooks.handler(name), method="POST")
        config = write_config(tmp_path / "paperbot.toml", server)
        await subscribe_channels(config)
        kills: list[float] = []
        for n in range(KILLS):
            # The listing grows run after run, so kills land in polls and ingests as well.
            server.route("/rss/cs.AI", Reply(body=listing_prefix(60 + 6 * n)))
            log = (tmp_path / f"run-{n}.log").open("wb")
            proc = await asyncio.create_subprocess_exec(
                *PAPERBOT, "--config", str(config), "run", env=cli_env, stdout=log, stderr=log
            )
            await asyncio.sleep(rng.uniform(0.4, 2.2))
            proc.send_signal(signal.SIGKILL)
            kills.append(time.monotonic())
            await proc.wait()
            log.close()
            assert proc.returncode == -signal.SIGKILL, (seed, n, proc.returncode)
        server.route("/rss/cs.AI", Reply(body=LISTING.read_bytes()))
        final = await run_paperbot(
            "--config", str(config), "check", env=cli_env, workdir=tmp_path / "final", timeout=120
        )
        assert final.returncode == 0, (seed, final.err[-2000:])
        owed = await expected_alerts(config)
    logs = read_logs(tmp_path)
    assert "Traceback" not in logs and "database is locked" not in logs, seed
    for name in CHANNELS:
        posts = [p for p in hooks.posts if p.channel == name]
        papers = [p.paper for p in posts]
        assert len(owed[name]) > 100, seed
        assert set(papers) == owed[name], (seed, name)  # all delivered, nothing extra
        duplicates = len(papers) - len(set(papers))
        # A kill can double at most the one message the channel had in flight.
        in_window = sum(1 for k in kills if any(p.started <= k <= p.finished + 0.5 for p in posts))
        print(
            f"seed {seed} channel {name}: {len(papers)} posts, {duplicates} duplicates, "
            f"{in_window} kills inside a send window"
        )
        assert duplicates <= in_window <= KILLS, (seed, name, duplicates, in_window)
