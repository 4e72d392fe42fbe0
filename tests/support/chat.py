"""Tests that read like a chat: a real App with the console channel, on the fake arXiv.

    async def test_something(chat):
        assert "Subscribed" in await chat("subscribe author Babuschkin, Igor")
        chat.serve_listing(LISTING)       # what arXiv lists next
        await chat.poll_and_deliver()
        assert "AlphaStar" in chat.alerts[0]

``chat(text)`` runs one line as the console user types it and returns the rendered reply (as
the console prints it); ``chat.alerts`` are the alerts the console printed, one string each.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bot.app import App
from bot.chat.commands import Commands
from bot.config import ArxivConfig, ChannelConfig, Config, DeliveryConfig
from bot.config.identity import OpenAlexConfig
from bot.config.scholar import SemanticScholarConfig
from bot.delivery import DrainReport
from bot.ingest.poller import PollReport
from support.fake_arxiv import FakeArxiv
from support.fakeweb import FakeServer

ALERT_MARK = "── new paper in "


def chat_config(db: Path, server: FakeServer, **arxiv: Any) -> Config:
    """One console channel; arXiv is the fake server, with no politeness wait."""
    settings: dict[str, Any] = {
        "rss_url": server.url("/rss/"),
        "api_url": server.url("/api/query"),
        "categories": ("cs.AI",),
        "min_interval_seconds": 0.0,
        "backoff_seconds": 0.05,
        "retries": 1,
        "timeout_seconds": 10,
    }
    settings.update(arxiv)
    return Config(
        database_path=db,
        arxiv=ArxivConfig(**settings),
        semantic_scholar=SemanticScholarConfig(api_url=""),  # no request leaves the machine
        delivery=DeliveryConfig(backoff_base_seconds=0.05, per_channel_interval_seconds=0),
        # OpenAlex on the same fake server (404 everywhere unless a FakeOpenAlex is attached).
        openalex=OpenAlexConfig(api_url=server.url("/openalex"), min_interval_seconds=0, retries=0),
        channels=(ChannelConfig("console", "console"),),
    )


class Chat:
    """The console channel of a running :class:`App`."""

    def __init__(self, app: App, server: FakeServer) -> None:
        self.app = app
        self.server = server
        self.arxiv = FakeArxiv(server)
        self.console: Any = app.adapters["console"]
        self.console.out = io.StringIO()

    async def __call__(self, text: str, user: str = "console") -> str:
        """Type one line as ``user``; the reply as the console prints it."""
        reply: str = await self.console.say(text, user)
        return reply

    @property
    def output(self) -> str:
        """Everything the console printed so far."""
        value: str = self.console.out.getvalue()
        return value

    @property
    def alerts(self) -> list[str]:
        """The alerts printed so far, oldest first."""
        return [ALERT_MARK + part for part in self.output.split(ALERT_MARK)[1:]]

    def serve_listing(self, path: Path, category: str = "cs.AI") -> None:
        """Make ``path`` the listing the fake arXiv serves for ``category``."""
        self.arxiv.serve_listing(category, path)

    async def poll(self) -> PollReport:
        return await self.app.poller.poll_all()

    async def deliver(self, max_wait: float = 1.0) -> DrainReport:
        return await self.app.deliverer.drain(max_wait)

    async def poll_and_deliver(self) -> DrainReport:
        report = await self.poll()
        assert not report.failures, report.failures
        return await self.deliver()


@contextlib.asynccontextmanager
async def open_chat(config: Config, server: FakeServer) -> AsyncIterator[Chat]:
    """A :class:`Chat` over ``config`` (which must have a console channel)."""
    async with App.open(config, adapters=["console"], front=Commands.from_core) as app:
        yield Chat(app, server)
