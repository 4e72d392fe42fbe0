"""Volume-control test helpers: a store channel on a recording platform, alerts queued through
the real ingest path at a FakeClock's time, and a deliverer on the same clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from bot.config import DeliveryConfig
from bot.delivery import Deliverer
from bot.ingest.ingestor import Ingestor
from bot.model import AnnounceType, ListingItem, MessageKind, Paper, Subscription, SubscriptionKind
from bot.model.volume import VolumeSettings
from bot.port import AdapterSpec, Outgoing, Refused
from bot.store import Store
from support.clock import FakeClock

SPEC = AdapterSpec(
    "room",
    "unused:Unused",
    threads=True,
    threads_digests=True,
    pace_seconds=0.0,
    digest_entries=10,
    digest_titles=50,
)
CONFIG = DeliveryConfig(backoff_base_seconds=1, per_channel_interval_seconds=0)


def utc(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()  # type: ignore[misc]


@dataclass
class Recorder:
    """A platform that threads: records each message, answers ``m1``, ``m2``, …"""

    thread_kinds: tuple[MessageKind, ...] = ()
    posted: list[Outgoing] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # paper ids whose alerts are refused

    async def deliver(self, outgoing: Outgoing) -> str | None:
        if outgoing.message.paper_id in self.refuse:
            raise Refused("refused by the test")
        self.posted.append(outgoing)
        return f"m{len(self.posted)}"

    def kinds(self) -> list[str]:
        return [o.message.kind.value for o in self.posted]

    def papers(self) -> list[str]:
        """Every paper that reached the channel, by alert or in a part."""
        found: list[str] = []
        for o in self.posted:
            if o.digest is not None:
                found += [e.paper.arxiv_id for e in o.digest.entries]
            elif o.message.kind is MessageKind.ALERT:
                found.append(o.message.paper_id)
        return found


@dataclass
class Room:
    store: Store
    clock: FakeClock
    channel_id: int
    subs: list[Subscription]
    recorder: Recorder
    deliverer: Deliverer
    counter: int = 0

    async def configure(self, **changes: object) -> None:
        now = await self.store.volume.settings(self.channel_id)
        await self.store.volume.configure(
            self.channel_id,
            replace(now, **changes),  # type: ignore[arg-type]
            now=self.clock.time(),
        )

    async def subscribe(self, value: str) -> Subscription:
        sub = await self.store.subscriptions.add(
            self.channel_id, SubscriptionKind.TOPIC, value, value, "test"
        )
        self.subs.append(sub)
        return sub

    async def queue(
        self, n: int, subs: Sequence[Subscription] | None = None, paper: Paper | None = None
    ) -> list[str]:
        """``n`` new papers matched by ``subs`` (default: the first subscription); each a copy
        of ``paper`` (with its own id) when given."""
        chosen = list(subs) if subs is not None else self.subs[:1]
        items = []
        for _ in range(n):
            self.counter += 1
            arxiv_id = f"2607.{self.counter:05d}"
            if paper is None:
                made = Paper(arxiv_id, 1, f"Paper {self.counter}", ("A. B",), "X.")
            else:
                made = replace(paper, arxiv_id=arxiv_id)
            items.append(ListingItem(made, AnnounceType.NEW))
        await Ingestor(self.store, clock=self.clock).ingest_items(
            items,
            announced_on=date(2026, 7, 13),
            matcher=lambda _p: {self.channel_id: chosen},
            thread_channels=frozenset({self.channel_id}),
        )
        return [i.paper.arxiv_id for i in items]

    def goto(self, epoch: float) -> None:
        self.clock.advance(epoch - self.clock.time())

    async def deliver(self) -> int:
        return (await self.deliverer.run_once()).sent


async def make_room(
    store: Store, start: float, *, spec: AdapterSpec = SPEC, **settings: object
) -> Room:
    """A channel on the recording platform (part sizes and threading of ``spec``)."""
    clock = FakeClock(start)
    channel = await store.channels.upsert_config("team", "room")
    recorder = Recorder()
    specs = {"room": spec}
    deliverer = Deliverer(store, {"room": recorder}, specs, {}, CONFIG, clock=clock)  # type: ignore[dict-item]
    room = Room(store, clock, channel.id, [], recorder, deliverer)
    await room.subscribe("x")
    if settings:
        await store.volume.configure(
            channel.id,
            VolumeSettings(**settings),  # type: ignore[arg-type]
            now=clock.time(),
        )
    return room
