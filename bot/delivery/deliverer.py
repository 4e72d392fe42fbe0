"""Delivering the outbox: claim, render through the channel's adapter, record the outcome.

At least once: a message is marked sent only after the platform accepted it, so the only
duplicate is a process dying between the platform's acceptance and our record of it. Each
channel is paced (the platform's own pace, else ``per_channel_interval_seconds``) and channels
are served concurrently.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.config import ChannelConfig, DeliveryConfig
from bot.delivery.outcome import Failed, Outcome, Paused, Retry, Sent
from bot.delivery.scrub import scrub
from bot.model import Channel, MessageKind, OutboxMessage, Paper
from bot.model.adapter import AdapterSpec
from bot.model.clock import SYSTEM_CLOCK, Clock
from bot.model.text import build_alert
from bot.port import Adapter, ChannelUnavailable, Destination, Outgoing, Refused, RetryLater
from bot.store import Store

log = logging.getLogger("paperbot.delivery")

#: Messages claimed per round (across channels), and at most this many of one channel.
CLAIM_BATCH = 200
CLAIM_PER_CHANNEL = 20
#: The longest one send may take (the adapters' HTTP time-out, discord.py's 429 sleeps).
SEND_TIMEOUT = 30.0


def new_worker_id() -> str:
    """``host:pid:nonce`` — lets a restarted process recognise claims of dead processes."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class DrainReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    paused: list[str] = field(default_factory=list)

    def add(self, other: DrainReport) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.paused.extend(other.paused)


class Deliverer:
    """Drains the outbox through the adapters (by the channel's platform)."""

    def __init__(
        self,
        store: Store,
        adapters: Mapping[str, Adapter],
        specs: Mapping[str, AdapterSpec],
        channel_configs: Mapping[str, ChannelConfig],
        config: DeliveryConfig,
        *,
        clock: Clock = SYSTEM_CLOCK,
        worker_id: str | None = None,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.store = store
        self.adapters = adapters
        self.specs = specs
        self.channel_configs = channel_configs
        self.config = config
        self.clock = clock
        self.worker_id = worker_id or new_worker_id()
        self.rng = rng
        self._last_sent: dict[int, float] = {}
        self.wake = asyncio.Event()

    async def release_dead_claims(self) -> int:
        """Hand back messages claimed by paperbot processes on this host that have died."""
        host = socket.gethostname()
        dead = []
        for owner in await self.store.outbox.claim_owners():
            parts = owner.split(":")
            mine = len(parts) == 3 and parts[0] == host and parts[1].isdigit()
            if mine and (owner == self.worker_id or not _pid_alive(int(parts[1]))):
                dead.append(owner)
        released = await self.store.outbox.release_claims_of(dead)
        if released:
            log.info("re-queued %d message(s) claimed by stopped processes", released)
        return released

    def backoff(self, attempts: int, retry_after: float | None) -> float:
        """Exponential back-off with jitter; ``Retry-After`` wins when the platform sent one."""
        if retry_after is not None:
            return retry_after + self.rng() * min(1.0, retry_after * 0.1)
        base = self.config.backoff_base_seconds * 2.0 ** max(attempts - 1, 0)
        return min(self.config.backoff_max_seconds, base) * (0.5 + self.rng())

    async def usable_channels(self) -> set[int]:
        """Channels whose platform this process has an adapter for."""
        return {c.id for c in await self.store.channels.list() if c.platform in self.adapters}

    async def run_once(self) -> DrainReport:
        """Claim what is due for the platforms we have adapters for, and deliver it."""
        report = DrainReport()
        channels = {c.id: c for c in await self.store.channels.list()}
        usable = {cid for cid, c in channels.items() if c.platform in self.adapters}
        # The lease outlasts pacing a channel's whole share, each send taking its full time-out.
        per_send = self.config.per_channel_interval_seconds + SEND_TIMEOUT
        messages = await self.store.outbox.claim_due(
            self.worker_id,
            now=self.clock.time(),
            limit=CLAIM_BATCH,
            per_channel=CLAIM_PER_CHANNEL,
            lease=60.0 + CLAIM_PER_CHANNEL * per_send,
            channel_ids=usable,
        )
        if not messages:
            return report
        papers = await self.store.papers.get_many(sorted({m.paper_id for m in messages}))
        aliases = await self.store.channels.aliases()
        by_channel: dict[int, list[OutboxMessage]] = defaultdict(list)
        for m in messages:
            by_channel[m.channel_id].append(m)
        await asyncio.gather(
            *(
                self._deliver_channel(channels[cid], msgs, papers, aliases.get(cid), report)
                for cid, msgs in by_channel.items()
            )
        )
        return report

    def _destination(self, channel: Channel, alias: str | None) -> Destination:
        entry = self.channel_configs.get(alias or channel.name)
        settings = entry.settings if entry is not None else {}
        return Destination(channel.name, channel.external_id, settings)

    async def _deliver_channel(
        self,
        channel: Channel,
        messages: list[OutboxMessage],
        papers: dict[str, Paper],
        alias: str | None,
        report: DrainReport,
    ) -> None:
        """Send one channel's share in order; stop at a retry (the rest wait as long) or a
        pause. Cancelled (shutdown), the unsent rest goes back to the queue at once."""
        adapter = self.adapters[channel.platform]
        destination = self._destination(channel, alias)
        for index, message in enumerate(messages):
            try:
                outcome = await self._deliver_one(channel, adapter, destination, message, papers)
            except asyncio.CancelledError:
                await self.store.outbox.release([m.id for m in messages[index:]])
                raise
            if isinstance(outcome, Sent):
                await self.store.outbox.mark_sent(message, outcome.ref, _replies(adapter, message))
                report.sent += 1
            elif isinstance(outcome, Failed):
                await self.store.outbox.mark_failed(message.id, outcome.reason)
                report.failed += 1
            elif isinstance(outcome, Paused):
                await self.store.channels.pause(channel.id, outcome.reason)
                report.paused.append(channel.name)
                return  # pausing handed the rest back
            else:
                until = self.clock.time() + outcome.delay
                rest = [m.id for m in messages[index:]]
                await self.store.outbox.retry_later(rest, until, outcome.reason)
                report.retried += 1
                return

    async def _deliver_one(
        self,
        channel: Channel,
        adapter: Adapter,
        destination: Destination,
        message: OutboxMessage,
        papers: dict[str, Paper],
    ) -> Outcome:
        """Send one message through its adapter; what became of it (recorded by the caller)."""
        paper = papers.get(message.paper_id)
        if paper is None:
            return Failed("paper missing from the store")
        await self._pace(channel)
        outgoing = Outgoing(message, channel, destination, build_alert(paper, message.reasons))
        secrets = self._secrets(channel, destination)
        try:
            try:
                ref = await adapter.deliver(outgoing)
            finally:
                # Pace from the platform's answer, not our request: the platform counts
                # arrivals, and ours may be delayed on the way.
                self._last_sent[channel.id] = self.clock.monotonic()
        except RetryLater as exc:
            reason = scrub(exc.reason, secrets)  # before it is logged or stored
            delay = self.backoff(message.attempts, exc.retry_after)
            log.warning(
                "%s: %s for %s; retrying in %.1fs", channel.name, reason, message.key, delay
            )
            return Retry(delay, reason)
        except Refused as exc:
            reason = scrub(exc.reason, secrets)
            log.error("%s refused %s: %s", channel.name, message.key, reason)
            return Failed(reason)
        except ChannelUnavailable as exc:
            reason = scrub(exc.reason, secrets)
            log.error("pausing %s: %s", channel.name, reason)
            return Paused(reason)
        except Exception as exc:  # an adapter bug must not lose or stall the message
            log.exception("%s: delivering %s failed unexpectedly", channel.name, message.key)
            reason = scrub(f"internal error: {exc!r}", secrets)
            return Retry(self.backoff(message.attempts, None), reason)
        return Sent(ref)

    def _secrets(self, channel: Channel, destination: Destination) -> list[str]:
        spec = self.specs.get(channel.platform)
        keys = spec.secret_keys if spec is not None else frozenset()
        return [v for k, v in destination.settings.items() if k in keys and v]

    async def _pace(self, channel: Channel) -> None:
        spec = self.specs.get(channel.platform)
        interval = spec.pace_seconds if spec is not None else None
        if interval is None:
            interval = self.config.per_channel_interval_seconds
        last = self._last_sent.get(channel.id)
        if last is not None:
            wait = last + interval - self.clock.monotonic()
            if wait > 0:
                await self.clock.sleep(wait)

    async def drain(self, max_wait: float) -> DrainReport:
        """Deliver until nothing is due, waiting up to ``max_wait`` seconds for retries."""
        total = DrainReport()
        deadline = self.clock.monotonic() + max_wait
        while True:
            report = await self.run_once()
            total.add(report)
            if report.sent or report.failed:
                continue
            usable = await self.usable_channels()
            next_due = await self.store.outbox.next_due(usable)
            if next_due is None:
                # Messages another process is sending are still owed: wait for its outcome.
                in_flight = await self.store.outbox.in_flight(usable, now=self.clock.time())
                if not in_flight or self.clock.monotonic() > deadline:
                    return total
                await self.clock.sleep(0.2)
                continue
            wait = max(next_due - self.clock.time(), 0.0)
            if self.clock.monotonic() + wait > deadline:
                return total
            await self.clock.sleep(min(wait, 1.0) if wait > 0 else 0.05)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Drain continuously; wake early when an ingest queued something (``wake``)."""
        while not stop.is_set():
            try:
                report = await self.run_once()
            except Exception:  # keep delivering whatever one bad batch did
                log.exception("delivery round failed")
                report = DrainReport()
            if report.sent or report.failed:
                continue
            self.wake.clear()
            next_due = await self.store.outbox.next_due(await self.usable_channels())
            timeout = self.config.poll_seconds
            if next_due is not None:
                timeout = min(timeout, max(next_due - self.clock.time(), 0.05))
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            for w in waiters:
                w.cancel()


def _replies(adapter: Adapter, message: OutboxMessage) -> tuple[MessageKind, ...]:
    return tuple(adapter.thread_kinds) if message.kind == MessageKind.ALERT else ()
