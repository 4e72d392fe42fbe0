"""Delivering the outbox: claim, render through the channel's adapter, record the outcome.

At least once: a message is marked sent only after the platform accepted it, so the only
duplicate is a process dying between the platform's acceptance and our record of it. Each
channel is paced (``per_channel_interval_seconds``) and channels are served concurrently.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.config import ChannelConfig, DeliveryConfig
from bot.model import Channel, OutboxMessage, Paper
from bot.model.text import build_alert
from bot.port import Adapter, ChannelUnavailable, DeliveryError, Outgoing, Refused, RetryLater
from bot.sources.redact import redact_text, redact_url
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


class Deliverer:
    """Drains the outbox through the adapters (by the channel's platform)."""

    def __init__(
        self,
        store: Store,
        adapters: Mapping[str, Adapter],
        channel_configs: Mapping[str, ChannelConfig],
        config: DeliveryConfig,
        *,
        worker_id: str | None = None,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.store = store
        self.adapters = adapters
        self.channel_configs = channel_configs
        self.config = config
        self.worker_id = worker_id or new_worker_id()
        self.rng = rng
        self._last_sent: dict[int, float] = {}
        self.wake = asyncio.Event()

    async def release_dead_claims(self) -> int:
        """Hand back messages claimed by paperbot processes on this host that have died."""
        host = socket.gethostname()
        dead = []
        for owner in await self.store.claim_owners():
            parts = owner.split(":")
            mine = len(parts) == 3 and parts[0] == host and parts[1].isdigit()
            if mine and (owner == self.worker_id or not _pid_alive(int(parts[1]))):
                dead.append(owner)
        released = await self.store.release_claims_of(dead)
        if released:
            log.info("re-queued %d message(s) claimed by stopped processes", released)
        return released

    def backoff(self, attempts: int, retry_after: float | None) -> float:
        """Exponential back-off with jitter; ``Retry-After`` wins when the platform sent one."""
        if retry_after is not None:
            return retry_after + self.rng() * min(1.0, retry_after * 0.1)
        base = self.config.backoff_base_seconds * (2 ** max(attempts - 1, 0))
        return min(self.config.backoff_max_seconds, base) * (0.5 + self.rng())

    async def run_once(self) -> DrainReport:
        """Claim what is due for the platforms we have adapters for, and deliver it."""
        report = DrainReport()
        channels = {c.id: c for c in await self.store.list_channels()}
        usable = {cid for cid, c in channels.items() if c.platform in self.adapters}
        # The lease outlasts pacing a channel's whole share, each send taking its full time-out.
        per_send = self.config.per_channel_interval_seconds + SEND_TIMEOUT
        messages = await self.store.claim_due(
            self.worker_id,
            limit=CLAIM_BATCH,
            per_channel=CLAIM_PER_CHANNEL,
            lease=60.0 + CLAIM_PER_CHANNEL * per_send,
            channel_ids=usable,
        )
        if not messages:
            return report
        papers = await self.store.get_papers(sorted({m.paper_id for m in messages}))
        aliases = await self.store.channel_aliases()
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
        target = self.channel_configs.get(alias or channel.name)
        for index, message in enumerate(messages):
            try:
                retry = await self._deliver_one(channel, adapter, target, message, papers, report)
            except asyncio.CancelledError:
                await self.store.release([m.id for m in messages[index:]])
                raise
            if retry is ChannelUnavailable:
                return  # pause_channel handed the rest back
            if retry is not None:
                delay, reason = retry
                await self.store.retry_later([m.id for m in messages[index:]], delay, reason)
                report.retried += 1
                return

    async def _deliver_one(
        self,
        channel: Channel,
        adapter: Adapter,
        target: ChannelConfig | None,
        message: OutboxMessage,
        papers: dict[str, Paper],
        report: DrainReport,
    ) -> tuple[float, str] | type[ChannelUnavailable] | None:
        """Deliver one message and record the outcome; a retry's (delay, reason), or
        ChannelUnavailable when the channel was paused."""
        paper = papers.get(message.paper_id)
        if paper is None:
            await self.store.mark_failed(message.id, "paper missing from the store")
            report.failed += 1
            return None
        await self._pace(channel.id, adapter)
        outgoing = Outgoing(message, channel, target, build_alert(paper, message.reasons))
        try:
            try:
                ref = await adapter.deliver(outgoing)
            except DeliveryError as exc:
                exc.reason = scrub(exc.reason, target)  # before it is logged or stored
                raise
            finally:
                # Pace from the platform's answer, not our request: the platform counts
                # arrivals, and ours may be delayed on the way.
                self._last_sent[channel.id] = time.monotonic()
        except RetryLater as exc:
            delay = self.backoff(message.attempts, exc.retry_after)
            log.warning("%s: %s for %s; retrying in %.1fs", channel.name, exc.reason,
                        message.key, delay)  # fmt: skip
            return delay, exc.reason
        except Refused as exc:
            log.error("%s refused %s: %s", channel.name, message.key, exc.reason)
            await self.store.mark_failed(message.id, exc.reason)
            report.failed += 1
            return None
        except ChannelUnavailable as exc:
            log.error("pausing %s: %s", channel.name, exc.reason)
            await self.store.pause_channel(channel.id, exc.reason)
            report.paused.append(channel.name)
            return ChannelUnavailable
        except Exception as exc:  # an adapter bug must not lose or stall the message
            log.exception("%s: delivering %s failed unexpectedly", channel.name, message.key)
            return self.backoff(message.attempts, None), scrub(f"internal error: {exc!r}", target)
        await self.store.mark_sent(message, ref, _replies(adapter, message))
        report.sent += 1
        return None

    async def _pace(self, channel_id: int, adapter: Adapter) -> None:
        # An adapter may set its own pace (the console needs none); else the configured one.
        interval = getattr(adapter, "pace_seconds", None)
        if interval is None:
            interval = self.config.per_channel_interval_seconds
        last = self._last_sent.get(channel_id)
        if last is not None:
            wait = last + interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)

    async def _usable_channels(self) -> set[int]:
        return {c.id for c in await self.store.list_channels() if c.platform in self.adapters}

    async def drain(self, max_wait: float) -> DrainReport:
        """Deliver until nothing is due, waiting up to ``max_wait`` seconds for retries."""
        total = DrainReport()
        deadline = time.monotonic() + max_wait
        while True:
            report = await self.run_once()
            total.sent += report.sent
            total.retried += report.retried
            total.failed += report.failed
            total.paused.extend(report.paused)
            if report.sent or report.failed:
                continue
            usable = await self._usable_channels()
            next_due = await self.store.next_due(usable)
            if next_due is None:
                # Messages another process is sending are still owed: wait for its outcome.
                if not await self.store.in_flight(usable) or time.monotonic() > deadline:
                    return total
                await asyncio.sleep(0.2)
                continue
            wait = max(next_due - time.time(), 0.0)
            if time.monotonic() + wait > deadline:
                return total
            await asyncio.sleep(min(wait, 1.0) if wait > 0 else 0.05)

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
            next_due = await self.store.next_due(await self._usable_channels())
            timeout = self.config.poll_seconds
            if next_due is not None:
                timeout = min(timeout, max(next_due - time.time(), 0.05))
            waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            for w in waiters:
                w.cancel()


def scrub(reason: str, target: ChannelConfig | None) -> str:
    """``reason`` without the channel's webhook URL or its secret part, however a platform (or
    a proxy in front of it) echoed them back: reasons are logged, stored and shown in status."""
    url = target.webhook_url if target else None
    if not url:
        return reason
    reason = reason.replace(url, redact_url(url))
    return redact_text(reason, [url.rstrip("/").rsplit("/", 1)[-1]])


def _replies(adapter: Adapter, message: OutboxMessage) -> tuple[str, ...]:
    return tuple(adapter.thread_kinds) if message.kind == "alert" else ()
