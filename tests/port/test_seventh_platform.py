"""Adding a platform touches only ``adapters/`` and ``pyproject.toml``: a platform that exists
only in the tests (``support.room_adapter``) is configured, commanded, polled for and delivered
to through the unchanged core, from nothing but its spec."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import room_adapter
from support.e2e import LISTING_0714
from support.fake_arxiv import FakeArxiv

from bot.app import App
from bot.chat.commands import Commands
from bot.config import ConfigError, installed_specs, parse_config
from bot.model import MessageKind

SPECS = {**installed_specs(), "room": room_adapter.SPEC}


def config_for(tmp_path: Path, server, channels: list[dict[str, str]]):
    data = {
        "database": {"path": str(tmp_path / "db.sqlite3")},
        "arxiv": {
            "rss_url": server.url("/rss/"),
            "api_url": server.url("/api/query"),
            "categories": ["cs.AI"],
            "min_interval_seconds": 0,
            "retries": 0,
        },
        "delivery": {"per_channel_interval_seconds": 0},
        "room": {"greeting": "hello"},
        "channels": channels,
    }
    return parse_config(data, tmp_path / "paperbot.toml", SPECS)


def test_its_config_keys_are_checked_like_any_platforms(tmp_path: Path, fake_server) -> None:
    with pytest.raises(ConfigError, match="a room channel needs a room_id"):
        config_for(tmp_path, fake_server, [{"name": "lab", "platform": "room"}])
    with pytest.raises(ConfigError, match="unknown key 'webhook_url'"):
        config_for(
            tmp_path,
            fake_server,
            [{"name": "lab", "platform": "room", "room_id": "R1", "webhook_url": "http://x/y"}],
        )


async def test_a_platform_the_core_never_heard_of(tmp_path: Path, fake_server) -> None:
    FakeArxiv(fake_server).serve_listing("cs.AI", LISTING_0714)
    config = config_for(
        tmp_path, fake_server, [{"name": "lab", "platform": "room", "room_id": "R1"}]
    )
    assert config.sections["room"] == {"greeting": "hello"}
    async with App.open(config, adapters=["room"], front=Commands.from_core) as app:
        adapter = app.adapters["room"]
        assert isinstance(adapter, room_adapter.RoomAdapter) and adapter.greeting == "hello"
        # Commands in a room: its own prefix, its own channel (created from the room id).
        assert "`!paper subscribe author|topic|category <value>`" in await adapter.type(
            "R9", "help"
        )
        assert (await adapter.type("R9", "subscribe topic agents")).startswith("Subscribed #1")
        lab = await app.store.channels.find("lab")
        assert lab is not None and lab.external_id == "R1"
        await app.store.subscriptions.add(lab.id, *_category("cs.AI"), "test")
        # A poll queues alerts for both rooms; delivery goes through the room adapter.
        report = await app.poller.poll_all()
        assert not report.failures and report.alerts > 0
        drained = await app.deliverer.drain(2.0)
        assert drained.sent == len(adapter.posted) > 0
        rooms = {o.destination.external_id for o in adapter.posted}
        assert rooms == {"R1", "R9"}
        # Its alerts have threads: each accepted alert got its abstract reply.
        kinds = [o.message.kind for o in adapter.posted]
        assert kinds.count(MessageKind.ALERT) == kinds.count(MessageKind.ABSTRACT)


def _category(value: str):
    from bot.chat.services import normalize_subscription
    from bot.model import SubscriptionKind

    kind = SubscriptionKind.CATEGORY
    stored, norm = normalize_subscription(kind, value)
    return kind, stored, norm
