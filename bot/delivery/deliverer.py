"""Delivering the outbox: claim, render through the channel's adapter, record the outcome.

At least once: a message is marked sent only after the platform accepted it. Every send is
bounded by ``[delivery] timeout_seconds``; a send whose answer never came (or that the platform
says may have gone through) is retried, and where the adapter can look (``find_sent``) it looks
for the copy already posted before sending again. The claim's lease outlasts the whole claimed
share, each message taking a check and a send of the full time-out, so no other process takes
over a message that is still being sent. What remains: a process dying, or its record failing,
after the platform accepted (then the next attempt checks where it can), and a lost answer
where the platform offers no way to look (webhooks). Each channel is paced (the platform's own
pace, else ``per_channel_interval_seconds``) and channels are served concurrently.

When the database cannot be written (a full disk), nothing is sent that could not be recorded:
claiming fails first; a message accepted just before is remembered in memory and recorded as
soon as writing works again, and never re-sent by this process meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Collection, Mapping

from bot.config import ChannelConfig, DeliveryConfig
from bot.delivery.claims import DrainReport, dead_owners, new_worker_id
from bot.delivery.outcome import Failed, Outcome, Paused, Retry, Sent
from bot.delivery.scrub import scrub
from bot.delivery.volume import Settler, bundle_part
from bot.model import Channel, MessageKind, OutboxMessage, Paper
from bot.model.adapter import AdapterSpec
from bot.model.clock import SYSTEM_CLOCK, Clock
from bot.model.scholarly import SEMANTIC_SCHOLAR, PaperRecord
from bot.model.text import build_alert
from bot.port import (
    Adapter,
    ChannelUnavailable,
    Destination,
    OutcomeUnknown,
    Outgoing,
    Refused,
    RetryLater,
)
from bot.store import Store

#: A paper to deliver and what Semantic Scholar's cache holds of it.
Card = tuple[Paper, PaperRecord | None]

log = logging.getLogger("paperbot.delivery")

#: Messages claimed per round (across channels), and at most this many of one channel.
CLAIM_BATCH = 200
CLAIM_PER_CHANNEL = 20
#: Added to every lease: the time between claiming and the first send.
LEASE_MARGIN = 60.0


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
        #: Accepted by the platform but not yet recorded (the database failed): id -> record.
        self._unrecorded: dict[int, tuple[OutboxMessage, str | None, tuple[MessageKind, ...]]] = {}
        self.wake = asyncio.Event()
        self.settler = Settler(store, specs)

    async def release_dead_claims(self) -> int:
        """Hand back messages claimed by paperbot processes on this host that have died (their
        next attempt checks the platform first, where it can)."""
        dead = dead_owners(await self.store.outbox.claim_owners(), self.worker_id)
        released = await self.store.outbox.release_claims_of(dead)
        if released:
            log.info("re-queued %d message(s) claimed by stopped processes", released)
        return released

    def backoff(self, attempts: int, retry_after: float | None) -> float:
        """Exponential back-off with jitter; the platform's ``Retry-After`` wins when it sent
        one, capped at ``backoff_max_seconds`` (a non-finite or negative one is ignored)."""
        cap = self.config.backoff_max_seconds
        if retry_after is not None and math.isfinite(retry_after) and retry_after >= 0:
            wait = min(retry_after, cap)
            return wait + self.rng() * min(1.0, wait * 0.1)
        base = self.config.backoff_base_seconds * 2.0 ** max(attempts - 1, 0)
        return min(cap, base) * (0.5 + self.rng())

    def lease(self) -> float:
        """How long a claim lasts: a channel's whole share, each message paced and taking a
        check and a send of the full time-out, plus a margin (so it outlasts any send)."""
        paces = [s.pace_seconds or 0.0 for s in self.specs.values()]
        pace = max([self.config.per_channel_interval_seconds, *paces])
        return LEASE_MARGIN + CLAIM_PER_CHANNEL * (pace + 2 * self.config.timeout_seconds)

    async def usable_channels(self, only: Collection[int] | None = None) -> set[int]:
        """Channels whose platform this process has an adapter for (of ``only``, if given)."""
        usable = {c.id for c in await self.store.channels.list() if c.platform in self.adapters}
        return usable if only is None else usable & set(only)

    async def run_once(self, only: Collection[int] | None = None) -> DrainReport:
        """Claim what is due for the platforms we have adapters for (in the channels ``only``
        names, if given: ``paperbot digest CHANNEL`` sends that channel's), and deliver it."""
        report = DrainReport()
        await self._record_unrecorded()
        await self.settler.settle(self.clock.time())
        channels = {c.id: c for c in await self.store.channels.list()}
        usable = {i for i, c in channels.items() if c.platform in self.adapters}
        usable = usable if only is None else usable & set(only)
        messages = await self.store.outbox.claim_due(
            self.worker_id,
            now=self.clock.time(),
            limit=CLAIM_BATCH,
            per_channel=CLAIM_PER_CHANNEL,
            lease=self.lease(),
            channel_ids=usable,
        )
        if not messages:
            return report
        ids = sorted({m.paper_id for m in messages})
        papers = await self.store.papers.get_many(ids)
        # An alert's summary is S2's TL;DR only when it is already cached: delivery never
        # waits for an index.
        records = await self.store.index_records.get_many(SEMANTIC_SCHOLAR, ids)
        cards = {i: (p, records.get(i)) for i, p in papers.items()}
        aliases = await self.store.channels.aliases()
        by_channel: dict[int, list[OutboxMessage]] = defaultdict(list)
        for m in messages:
            by_channel[m.channel_id].append(m)
        results = await asyncio.gather(
            *(
                self._deliver_channel(channels[cid], msgs, cards, aliases.get(cid), report)
                for cid, msgs in by_channel.items()
            ),
            return_exceptions=True,
        )
        for result in results:  # every channel finished its share; now report the first error
            if isinstance(result, BaseException):
                raise result
        return report

    async def _record_unrecorded(self) -> None:
        """Record what the platform accepted while the database could not be written."""
        for message_id, (message, ref, replies) in list(self._unrecorded.items()):
            await self.store.outbox.mark_sent(message, ref, replies)
            del self._unrecorded[message_id]
            log.info("recorded %s as sent (the database can be written again)", message.key)

    async def _record_sent(
        self, channel: Channel, adapter: Adapter, message: OutboxMessage, ref: str | None
    ) -> None:
        replies = _replies(adapter, message)
        try:
            await self.store.outbox.mark_sent(message, ref, replies)
        except sqlite3.Error as exc:
            self._unrecorded[message.id] = (message, ref, replies)
            log.error(
                "%s: %s was posted but cannot be recorded (database error: %s); it is recorded "
                "once the database can be written, and not sent again by this process",
                channel.name,
                message.key,
                exc,
            )
            raise

    def _destination(self, channel: Channel, alias: str | None) -> Destination:
        entry = self.channel_configs.get(alias or channel.name)
        settings = entry.settings if entry is not None else {}
        return Destination(channel.name, channel.external_id, settings)

    async def _deliver_channel(
        self,
        channel: Channel,
        messages: list[OutboxMessage],
        cards: dict[str, Card],
        alias: str | None,
        report: DrainReport,
    ) -> None:
        """Send one channel's share in order; stop at a retry (the rest wait as long) or a
        pause. Cancelled (shutdown), the unsent rest goes back to the queue at once."""
        adapter = self.adapters[channel.platform]
        destination = self._destination(channel, alias)
        for index, message in enumerate(messages):
            if message.id in self._unrecorded:  # accepted earlier: never post it twice
                await self._record_unrecorded()
                continue
            try:
                outcome = await self._deliver_one(channel, adapter, destination, message, cards)
            except asyncio.CancelledError:
                await self.store.outbox.release([m.id for m in messages[index:]])
                raise
            if isinstance(outcome, Sent):
                await self._record_sent(channel, adapter, message, outcome.ref)
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
                unknown = message.id if outcome.unknown else None
                await self.store.outbox.retry_later(rest, until, outcome.reason, unknown=unknown)
                report.retried += 1
                return

    async def _deliver_one(
        self,
        channel: Channel,
        adapter: Adapter,
        destination: Destination,
        message: OutboxMessage,
        cards: dict[str, Card],
    ) -> Outcome:
        """Send one message through its adapter; what became of it (recorded by the caller)."""
        if message.kind.bundle:
            part = await bundle_part(self.store, message)
            if part is None:
                return Failed("digest part missing from the store")
            outgoing = Outgoing(message, channel, destination, digest=part)
        else:
            if message.paper_id not in cards:
                return Failed("paper missing from the store")
            paper, record = cards[message.paper_id]
            alert = build_alert(paper, message.reasons, record=record)
            outgoing = Outgoing(message, channel, destination, alert)
        await self._pace(channel)
        secrets = self._secrets(channel, destination)
        try:
            try:
                ref = await self._send(channel, adapter, outgoing)
            finally:
                # Pace from the platform's answer, not our request: the platform counts
                # arrivals, and ours may be delayed on the way.
                self._last_sent[channel.id] = self.clock.monotonic()
        except RetryLater as exc:
            reason = scrub(exc.reason, secrets)  # before it is logged or stored
            delay = self.backoff(message.attempts, exc.retry_after)
            unknown = isinstance(exc, OutcomeUnknown)
            hint = " (it may have been posted: checking first where the platform allows)"
            hint = hint if unknown else ""
            log.warning(
                "%s: %s for %s%s; retrying in %.1fs", channel.name, reason, message.key, hint, delay
            )
            return Retry(delay, reason, unknown=unknown)
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

    async def _send(self, channel: Channel, adapter: Adapter, outgoing: Outgoing) -> str | None:
        """Look for an earlier copy first when an attempt's outcome is unknown, then send;
        each step bounded by the time-out (a send that outlives it has an unknown outcome)."""
        timeout = self.config.timeout_seconds
        message = outgoing.message
        finder = getattr(adapter, "find_sent", None)
        if message.check_from is not None and finder is not None:
            try:
                async with asyncio.timeout(timeout):
                    found: str | None = await finder(outgoing)
            except TimeoutError:
                raise RetryLater(f"no answer within {timeout:g} s while checking") from None
            if found is not None:
                log.info(
                    "%s: %s was already posted; not sending it again", channel.name, message.key
                )
                return found
        elif message.check_from is not None and not self._checks(channel):
            log.warning(
                "%s: an earlier attempt at %s may have been posted and %s offers no way to "
                "check; sending again (a duplicate is possible)",
                channel.name,
                message.key,
                channel.platform,
            )
        try:
            async with asyncio.timeout(timeout):
                return await adapter.deliver(outgoing)
        except TimeoutError:
            raise OutcomeUnknown(f"no answer from the platform within {timeout:g} s") from None

    def _checks(self, channel: Channel) -> bool:
        """Whether the platform itself recognises a repeat (Discord's nonce)."""
        spec = self.specs.get(channel.platform)
        return spec is not None and spec.checks_unknown_outcome

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

    async def drain(self, max_wait: float, only: Collection[int] | None = None) -> DrainReport:
        """Deliver until nothing is due, waiting up to ``max_wait`` seconds for retries; with
        ``only``, in those channels alone (the others' messages stay queued)."""
        total = DrainReport()
        deadline = self.clock.monotonic() + max_wait
        while True:
            report = await self.run_once(only)
            total.add(report)
            if report.sent or report.failed:
                continue
            usable = await self.usable_channels(only)
            next_due = await self.store.outbox.next_due(usable, unheld_at=self.clock.time())
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
        failures = 0
        while not stop.is_set():
            try:
                report = await self.run_once()
                failures = 0
            except sqlite3.Error as exc:  # a full disk: say so once a round, without traceback
                failures += 1
                log.error(
                    "delivery waits: database error: %s; every owed message stays pending "
                    "(nothing is sent that cannot be recorded); retrying",
                    exc,
                )
                await _wait(stop, min(self.config.poll_seconds * 2.0**failures, 60.0))
                continue
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


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def _replies(adapter: Adapter, message: OutboxMessage) -> tuple[MessageKind, ...]:
    return tuple(adapter.thread_kinds) if message.kind == MessageKind.ALERT else ()
