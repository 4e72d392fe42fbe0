"""``paperbot run`` killed with SIGKILL at random moments during polling and delivery, 20 times,
restarted each time: every matched (paper, channel) is delivered at least once, and duplicates
are bounded by the kills that landed inside a send window (at most one per kill per channel).

Besides two instant channels, a digest channel (switched between daily and instant between
runs, so its held digest is assembled and sent by the process being killed) and a capped one
(5 alerts a day, the rest in overflow messages): each paper reaches a channel in exactly one
message — alert, overflow line or digest entry, never two (#14); a message may only be
repeated whole, by a kill inside its send window."""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import signal
import time
from dataclasses import dataclass, field, replace
from datetime import time as dtime
from pathlib import Path

import pytest
from aiohttp import web
from lxml import etree
from support.fakeweb import FakeServer, Reply
from support.hardening import LISTING, PAPERBOT, run_paperbot

from bot.app import App
from bot.config import load_config
from bot.model import SubscriptionKind
from bot.model.volume import Mode

KILLS = 20
CHANNELS = {
    "a": "/services/T000/B000/aaaaaaaaaaaaaaaaaaaaaaaa",
    "b": "/services/T000/B000/bbbbbbbbbbbbbbbbbbbbbbbb",
}
#: The volume-control channels the kill test adds (#14): a digest channel and a capped one.
VOLUME_CHANNELS = {
    **CHANNELS,
    "digest": "/services/T000/B000/cccccccccccccccccccccccc",
    "capped": "/services/T000/B000/dddddddddddddddddddddddd",
}
_PAPER = re.compile(r"arXiv:(\d{4}\.\d{4,5})v\d+")
#: A paper's link in a digest or overflow message (text of a paper is escaped: only our own
#: links have a literal ``<https://``).
_BUNDLE = re.compile(r"(Daily digest|Weekly digest|Digest) · |\+\d+ more today")
_LINK = re.compile(r"<https://arxiv\.org/abs/(\d{4}\.\d{4,5})\|")


@dataclass
class Post:
    channel: str
    papers: frozenset[str]
    started: float
    finished: float = float("inf")


@dataclass
class SlowWebhooks:
    """Slack webhooks that take a while to answer and remember every POST."""

    delay: float
    posts: list[Post] = field(default_factory=list)

    def handler(self, channel: str):
        async def handle(request: web.Request) -> Reply:
            payload = await request.json()
            body = json.dumps(payload)
            bundle = _BUNDLE.match(payload["blocks"][0]["text"]["text"]) is not None
            found = _LINK.findall(body) if bundle else [_PAPER.search(body).group(1)]  # type: ignore[union-attr]
            papers = frozenset(found)
            post = Post(channel, papers, time.monotonic())
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


def write_config(path: Path, server: FakeServer, hooks: dict[str, str] = CHANNELS) -> Path:
    channels = "".join(
        f'[[channels]]\nname = "{name}"\nplatform = "slack-webhook"\n'
        f'webhook_url = "{server.url(hook)}"\n'
        for name, hook in hooks.items()
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


async def set_volume(config: Path, **changes: object) -> None:
    """Change the settings of channel ``digest`` (and cap channel ``capped`` the first time)."""
    async with App.open(load_config(str(config))) as app:
        for channel in await app.store.channels.list():
            if channel.name == "digest":
                await app.store.volume.configure(channel.id, replace(channel.volume, **changes))  # type: ignore[arg-type]
            if channel.name == "capped" and channel.volume.cap is None:
                await app.store.volume.configure(channel.id, replace(channel.volume, cap=5))


async def expected_alerts(config: Path) -> dict[str, set[str]]:
    """channel name -> the papers the outbox owes it (every queued alert, all sent, and every
    digest or overflow part sent)."""
    async with App.open(load_config(str(config))) as app:
        names = {c.id: c.name for c in await app.store.channels.list()}
        owed: dict[str, set[str]] = {name: set() for name in names.values()}
        for paper, channel_id, kind, _version, state in await app.store.outbox.states():
            assert kind in ("alert", "digest", "overflow") and state == "sent", (paper, kind, state)
            if kind == "alert":
                owed[names[channel_id]].add(paper)
    return owed


def check_exactly_once(posts: list[Post]) -> None:
    """Each paper in one message only: a paper's posts all carry the same papers."""
    carriers: dict[str, set[frozenset[str]]] = {}
    for post in posts:
        for paper in post.papers:
            carriers.setdefault(paper, set()).add(post.papers)
    twice = {paper: sets for paper, sets in carriers.items() if len(sets) > 1}
    assert not twice, sorted(twice)[:5]


def read_logs(folder: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in sorted(folder.glob("run-*.log")))


@pytest.mark.slow
async def test_sigkill_during_polling_and_delivery(tmp_path: Path, cli_env: dict[str, str]) -> None:
    seed = int(os.environ.get("PAPERBOT_KILL_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    hooks = SlowWebhooks(delay=0.04)
    async with FakeServer() as server:
        for name, path in VOLUME_CHANNELS.items():
            server.route(path, hooks.handler(name), method="POST")
        config = write_config(tmp_path / "paperbot.toml", server, VOLUME_CHANNELS)
        await subscribe_channels(config)
        daily = {"mode": Mode.DAILY, "at": dtime(0, 0), "tz": "Pacific/Kiritimati"}
        await set_volume(config, **daily)
        kills: list[float] = []
        for n in range(KILLS):
            if n % 4 == 1:  # the held digest is due at once: the next run assembles and sends it
                await set_volume(config, mode=Mode.INSTANT, at=None)
            elif n % 4 == 3:
                await set_volume(config, **daily)
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
        await set_volume(config, mode=Mode.INSTANT, at=None)  # what is still held goes out
        final = await run_paperbot(
            "--config", str(config), "check", env=cli_env, workdir=tmp_path / "final", timeout=120
        )
        assert final.returncode == 0, (seed, final.err[-2000:])
        owed = await expected_alerts(config)
    logs = read_logs(tmp_path)
    assert "Traceback" not in logs and "database is locked" not in logs, seed
    for name in VOLUME_CHANNELS:
        posts = [p for p in hooks.posts if p.channel == name]
        papers = [paper for p in posts for paper in p.papers]
        assert len(owed[name]) > 100, seed
        assert set(papers) == owed[name], (seed, name)  # all delivered, nothing extra
        check_exactly_once(posts)
        duplicates = len(posts) - len({p.papers for p in posts})
        # A kill can double at most the one message the channel had in flight.
        in_window = sum(1 for k in kills if any(p.started <= k <= p.finished + 0.5 for p in posts))
        print(
            f"seed {seed} channel {name}: {len(posts)} posts of {len(set(papers))} papers, "
            f"{duplicates} duplicates, "
            f"{in_window} kills inside a send window"
        )
        assert duplicates <= in_window <= KILLS, (seed, name, duplicates, in_window)
