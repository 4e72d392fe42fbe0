"""The outbox deliverer (bot/delivery.py): back-off, dead claims, and each delivery outcome."""

from __future__ import annotations

import math
import os
import random
import socket
import subprocess
import sys
import time
from datetime import date

import pytest
from support.store import ingest

from bot.config import DeliveryConfig
from bot.delivery import Deliverer
from bot.model import AnnounceType, ListingItem, Paper, Subscription, SubscriptionKind
from bot.port import AdapterSpec, ChannelUnavailable, Outgoing, Refused, RetryLater
from bot.store import Store

CONFIG = DeliveryConfig(
    backoff_base_seconds=2, backoff_max_seconds=900, per_channel_interval_seconds=0
)
#: The deliverer paces each channel by its platform's spec; these tests pace none.
SPECS = {"console": AdapterSpec("console", "unused:Unused", pace_seconds=0.0)}


def deliverer(store=None, adapters=None, rng=lambda: 0.0, **kw) -> Deliverer:
    return Deliverer(store, adapters or {}, SPECS, {}, CONFIG, rng=rng, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("retry_after", [0.0, 0.5, 1.0, 30.0, 900.0])
@pytest.mark.parametrize("attempts", [1, 5, 40])
def test_retry_after_wins_with_at_most_a_small_jitter(retry_after, attempts):
    low = deliverer(rng=lambda: 0.0).backoff(attempts, retry_after)
    high = deliverer(rng=lambda: 0.999999).backoff(attempts, retry_after)
    assert low == retry_after  # never earlier than the platform asked
    assert retry_after <= high <= retry_after + min(1.0, retry_after * 0.1) + 1e-9


@pytest.mark.parametrize("retry_after", [901.0, 3600.0, 999_999_999.0])
def test_retry_after_is_capped_at_backoff_max(retry_after):
    """#12: ``Retry-After: 999999999`` parked an alert until 2058 (main waited whatever the
    platform said); the wait is now at most ``[delivery] backoff_max_seconds``."""
    low = deliverer(rng=lambda: 0.0).backoff(1, retry_after)
    high = deliverer(rng=lambda: 0.999999).backoff(1, retry_after)
    assert low == CONFIG.backoff_max_seconds and high <= CONFIG.backoff_max_seconds + 1.0


@pytest.mark.parametrize("retry_after", [math.inf, -math.inf, math.nan, -5.0])
def test_non_finite_or_negative_retry_after_is_absent(retry_after):
    """#12: ``inf`` parked a message forever and ``nan`` broke the database write on main."""
    assert deliverer().backoff(3, retry_after) == deliverer().backoff(3, None)


@pytest.mark.parametrize(
    ("attempts", "base"),
    [(0, 2), (1, 2), (2, 4), (3, 8), (6, 64), (9, 512), (10, 900), (60, 900)],
)
def test_exponential_backoff_with_jitter_bounds(attempts, base):
    low = deliverer(rng=lambda: 0.0).backoff(attempts, None)
    high = deliverer(rng=lambda: 0.999999).backoff(attempts, None)
    assert low == pytest.approx(base * 0.5)
    assert high == pytest.approx(base * 1.5, rel=1e-5)
    rng = random.Random(7)
    for _ in range(200):
        assert base * 0.5 <= deliverer(rng=rng.random).backoff(attempts, None) < base * 1.5


async def _queue(store: Store, channel_ids: list[int], n: int) -> None:
    subs = {c: [Subscription(1, c, SubscriptionKind.TOPIC, "x")] for c in channel_ids}
    items = [
        ListingItem(
            Paper(f"2607.{i:05d}", 1, f"Paper {i}", ("A. Author",), "Abs.", "cs.AI"),
            AnnounceType.NEW,
        )
        for i in range(n)
    ]
    await ingest(store, items, announced_on=date(2026, 7, 13), matcher=lambda _p: subs)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


async def test_release_dead_claims_returns_claims_of_a_dead_pid_on_this_host(store):
    ch = await store.channels.upsert_config("team", "console")
    await _queue(store, [ch.id], 4)
    host = socket.gethostname()
    dead = f"{host}:{_dead_pid()}:abcd1234"
    alive = f"{host}:{os.getppid()}:abcd1234"  # our parent is alive
    elsewhere = f"another-host:{_dead_pid()}:abcd1234"  # cannot be checked from here
    for owner in (dead, alive, elsewhere):
        assert len(await store.outbox.claim_due(owner, limit=1)) == 1
    me = deliverer(store, worker_id=f"{host}:{os.getpid()}:ffff0000")
    assert (
        len(await store.outbox.claim_due(me.worker_id, limit=1)) == 1
    )  # ours, from before a restart
    assert await me.release_dead_claims() == 2
    assert sorted(await store.outbox.claim_owners()) == sorted([alive, elsewhere])
    again = await store.outbox.claim_due("w", limit=10)
    assert len(again) == 2


class ScriptedAdapter:
    """Answers each deliver() with the next scripted outcome (None = accepted)."""

    thread_kinds: tuple[str, ...] = ()

    def __init__(self, *outcomes) -> None:
        self.outcomes = list(outcomes)
        self.seen: list[str] = []

    async def deliver(self, outgoing: Outgoing) -> str | None:
        self.seen.append(outgoing.message.paper_id)
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


async def _states(store) -> dict[str, str]:
    return {p: s for p, _c, _k, _v, s in await store.outbox.states()}


async def test_retry_later_requeues_the_rest_of_the_channel_after_retry_after(store):
    ch = await store.channels.upsert_config("team", "console")
    await _queue(store, [ch.id], 3)
    adapter = ScriptedAdapter(None, RetryLater("HTTP 429", retry_after=30))
    d = deliverer(store, {"console": adapter})
    report = await d.run_once()
    assert (report.sent, report.retried) == (1, 1)
    assert list((await _states(store)).values()) == ["sent", "pending", "pending"]
    due = await store.outbox.next_due({ch.id})
    assert due == pytest.approx(time.time() + 30, abs=2)
    assert (await d.run_once()).sent == 0  # not due yet


async def test_refused_fails_one_message_and_delivery_goes_on(store):
    ch = await store.channels.upsert_config("team", "console")
    await _queue(store, [ch.id], 3)
    adapter = ScriptedAdapter(None, Refused("invalid_blocks"))
    report = await deliverer(store, {"console": adapter}).run_once()
    assert (report.sent, report.failed) == (2, 1)
    assert list((await _states(store)).values()) == ["sent", "failed", "sent"]
    summary = await store.outbox.summary()
    assert summary.failed == [(ch.id, "2607.00001", "alert", "invalid_blocks")]


async def test_channel_unavailable_pauses_only_that_channel(store):
    one = await store.channels.upsert_config("one", "console")
    two = await store.channels.upsert_config("two", "slack-webhook")
    await _queue(store, [one.id, two.id], 2)
    bad = ScriptedAdapter(ChannelUnavailable("webhook gone (HTTP 404)"))
    good = ScriptedAdapter()
    d = deliverer(store, {"console": good, "slack-webhook": bad})
    report = await d.run_once()
    assert report.paused == ["two"] and report.sent == 2
    assert (await store.channels.get(two.id)).paused_reason == "webhook gone (HTTP 404)"
    assert await d.run_once() == type(report)()  # nothing due: the paused channel waits
    assert (await store.outbox.summary()).pending == {two.id: 2}  # kept, not lost


async def test_an_adapter_bug_requeues_instead_of_losing(store):
    ch = await store.channels.upsert_config("team", "console")
    await _queue(store, [ch.id], 2)
    report = await deliverer(store, {"console": ScriptedAdapter(KeyError("x"))}).run_once()
    assert report.retried == 1
    assert list((await _states(store)).values()) == ["pending", "pending"]


async def test_drain_waits_for_retries_within_max_wait(store):
    ch = await store.channels.upsert_config("team", "console")
    await _queue(store, [ch.id], 2)
    adapter = ScriptedAdapter(RetryLater("503", retry_after=0.2), RetryLater("503", 0.2))
    started = time.monotonic()
    report = await deliverer(store, {"console": adapter}).drain(5)
    assert report.sent == 2 and report.retried == 2
    assert time.monotonic() - started >= 0.4
    quick = ScriptedAdapter(RetryLater("503", retry_after=30))
    await _queue(store, [ch.id], 3)  # one more paper (2607.00002)
    started = time.monotonic()
    report = await deliverer(store, {"console": quick}).drain(1)
    assert report.sent == 0 and time.monotonic() - started < 1  # 30 s is past max_wait


async def test_drain_waits_for_messages_another_process_is_sending(store):
    """``check`` beside ``run``: claims of a live worker are still owed, so drain waits for
    their outcome (here the lease runs out and drain delivers them itself)."""
    ch = await store.channels.upsert_config("team", "console")
    await _queue(store, [ch.id], 2)
    assert len(await store.outbox.claim_due("other-process", lease=0.5)) == 2
    adapter = ScriptedAdapter()
    started = time.monotonic()
    report = await deliverer(store, {"console": adapter}).drain(5)
    assert report.sent == 2 and sorted(adapter.seen) == ["2607.00000", "2607.00001"]
    assert 0.4 <= time.monotonic() - started < 3


async def test_drain_does_not_wait_for_a_paused_channel(store):
    ch = await store.channels.upsert_config("team", "console")
    await _queue(store, [ch.id], 1)
    await store.channels.pause(ch.id, "webhook gone (HTTP 404)")
    started = time.monotonic()
    report = await deliverer(store, {"console": ScriptedAdapter()}).drain(5)
    assert report.sent == 0 and time.monotonic() - started < 0.5
