"""The deliverer's bounds (#12 item 2, 4): every send ends within the time-out, a claim outlasts
every send it covers, and a database that cannot be written never causes a second post.

Real store, a small real adapter (no mocks of our own code), an injected clock.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import date

import pytest
from support.clock import FakeClock
from support.store import ingest

from bot.config import DeliveryConfig
from bot.delivery import Deliverer
from bot.delivery.deliverer import CLAIM_PER_CHANNEL
from bot.model import AnnounceType, ListingItem, Paper, Subscription, SubscriptionKind
from bot.port import AdapterSpec, Outgoing
from bot.store import Store

SPECS = {"console": AdapterSpec("console", "unused:Unused", pace_seconds=0.0)}


def config(**kw: float) -> DeliveryConfig:
    return DeliveryConfig(backoff_base_seconds=0.01, per_channel_interval_seconds=0, **kw)


async def queue(store: Store, n: int = 1) -> int:
    channel = await store.channels.upsert_config("team", "console")
    subs = {channel.id: [Subscription(1, channel.id, SubscriptionKind.TOPIC, "x")]}
    items = [
        ListingItem(Paper(f"2607.{i:05d}", 1, f"P{i}", ("A B",), "Abs.", "cs.AI"), AnnounceType.NEW)
        for i in range(n)
    ]
    await ingest(store, items, announced_on=date(2026, 7, 13), matcher=lambda _p: subs)
    return channel.id


class Hanging:
    """Accepts each message but answers only when ``release`` is set (or never)."""

    thread_kinds: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.posted: list[str] = []

    async def deliver(self, outgoing: Outgoing) -> str | None:
        self.posted.append(outgoing.message.key)
        self.entered.set()
        await self.release.wait()
        return "ref"


class Recording:
    thread_kinds: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.posted: list[str] = []

    async def deliver(self, outgoing: Outgoing) -> str | None:
        self.posted.append(outgoing.message.key)
        return f"ref{len(self.posted)}"


async def test_a_send_that_never_answers_ends_at_the_time_out_with_an_unknown_outcome(store):
    """On main nothing bounded a send (the adapters' own clients were trusted, and slack_sdk
    and discord.py do not bound theirs): this round never ended."""
    await queue(store)
    adapter = Hanging()
    d = Deliverer(store, {"console": adapter}, SPECS, {}, config(timeout_seconds=0.2))
    started = time.monotonic()
    report = await asyncio.wait_for(d.run_once(), 5)
    assert time.monotonic() - started < 2 and report.retried == 1
    (row,) = await store.db.fetchall("SELECT state, check_from, last_error FROM outbox")
    assert row["state"] == "pending" and row["check_from"] is not None
    assert "no answer from the platform within 0.2 s" in row["last_error"]


async def test_the_claim_outlasts_every_send_it_covers(store):
    """The lease covers a channel's whole share, each message taking a check and a send of the
    full time-out; another worker cannot take a message that is still being sent. On main the
    lease was a constant (680 s) whatever the time-out."""
    await queue(store)
    adapter = Hanging()
    cfg = config(timeout_seconds=100.0)
    first = Deliverer(store, {"console": adapter}, SPECS, {}, cfg)
    assert first.lease() >= CLAIM_PER_CHANNEL * 2 * cfg.timeout_seconds
    task = asyncio.create_task(first.run_once())
    await asyncio.wait_for(adapter.entered.wait(), 5)
    (row,) = await store.db.fetchall("SELECT claimed_until FROM outbox")
    assert row["claimed_until"] - time.time() >= CLAIM_PER_CHANNEL * 2 * cfg.timeout_seconds
    other = Deliverer(store, {"console": Recording()}, SPECS, {}, cfg, worker_id="other:1:x")
    assert (await other.run_once()).sent == 0
    adapter.release.set()
    assert (await task).sent == 1


async def test_a_lost_claim_is_checked_before_it_is_sent_again(store):
    """A process that died mid-send leaves its claim to expire; the next attempt carries
    ``check_from`` (the time the lost claim began), which an adapter with ``find_sent`` uses
    to look for the copy already posted."""
    await queue(store)
    clock = FakeClock()
    assert await store.outbox.claim_due("dead:1:x", now=clock.time(), lease=10)
    clock.advance(11)
    (message,) = await store.outbox.claim_due("w", now=clock.time(), lease=10)
    assert message.check_from == pytest.approx(clock.time() - 11)


async def test_an_accepted_message_whose_record_fails_is_never_posted_twice(store):
    """The platform accepted it but the database refused the record (a full disk, simulated
    with a real SQLite trigger on this connection). Main left it claimed and, once the lease
    ran out, posted it again; now the process remembers it and records it when it can."""
    await queue(store)
    clock = FakeClock()
    adapter = Recording()
    d = Deliverer(store, {"console": adapter}, SPECS, {}, config(), clock=clock)
    await store.db.fetchall(
        "CREATE TEMP TRIGGER full_disk BEFORE UPDATE OF state ON outbox WHEN NEW.state = 'sent' "
        "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
    )
    with pytest.raises(Exception, match="database or disk is full"):
        await d.run_once()
    assert len(adapter.posted) == 1
    await store.db.fetchall("DROP TRIGGER temp.full_disk")
    clock.advance(d.lease() + 1)  # the claim has run out meanwhile
    await d.run_once()
    assert len(adapter.posted) == 1
    assert [s for *_x, s in await store.outbox.states()] == ["sent"]


async def test_a_read_only_database_keeps_everything_pending_and_says_so_in_one_line(store, caplog):
    """``run`` on a database that cannot be written: main logged a traceback every round
    ("delivery round failed"). Now one line names the database error and what it means; no
    message is sent, all stay pending, and delivery resumes when writing works again."""
    await queue(store, 2)
    adapter = Recording()
    d = Deliverer(store, {"console": adapter}, SPECS, {}, config(poll_seconds=0.01))
    await store.db.fetchall("PRAGMA query_only = 1")
    stop = asyncio.Event()
    caplog.set_level(logging.WARNING, logger="paperbot.delivery")
    task = asyncio.create_task(d.run_forever(stop))
    await asyncio.sleep(0.3)
    assert adapter.posted == []
    records = [r for r in caplog.records if "database error" in r.getMessage()]
    assert records and all(r.exc_info is None for r in records)
    assert "stays pending" in records[0].getMessage()
    await store.db.fetchall("PRAGMA query_only = 0")
    for _ in range(200):
        if len(adapter.posted) == 2:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert len(adapter.posted) == 2
