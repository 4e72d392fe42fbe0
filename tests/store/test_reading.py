"""Store: the reading list (one mark per person), the bot's alerts named by their platform id,
and the platform events already handled (bounded)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from support.store import ingest

from bot.model import AnnounceType, ListingItem, MessageKind, Paper, SaveVia, Subscription
from bot.model import SubscriptionKind as Kind
from bot.store import Store
from bot.store.reading import SEEN_EVENTS_MAX

T0 = datetime(2026, 7, 14, 9, 0, tzinfo=UTC)


async def alerted(store: Store, ids: list[str], channel_id: int) -> None:
    """Store ``ids`` through a real ingest that queues an alert of each to the channel."""
    subs = {channel_id: [Subscription(1, channel_id, Kind.TOPIC, "x")]}
    items = [
        ListingItem(
            Paper(i, 1, f"Paper {i}", ("A. Author",), "Abstract.", "cs.AI"), AnnounceType.NEW
        )
        for i in ids
    ]
    await ingest(store, items, announced_on=date(2026, 7, 13), matcher=lambda _p: subs)


async def sent_all(
    store: Store, refs: dict[str, str], replies: tuple[MessageKind, ...] = ()
) -> None:
    """Claim every due message and record it sent as ``refs[paper_id]`` (the platform's id)."""
    for message in await store.outbox.claim_due("w", limit=1000):
        ref = refs.get(message.paper_id)
        if message.kind is not MessageKind.ALERT:
            ref = f"reply-{message.paper_id}"
        await store.outbox.mark_sent(message, ref, replies)


@pytest.fixture
async def channel(store: Store) -> int:
    return (await store.channels.upsert_config("team", "slack", "C1")).id


async def test_one_mark_per_person_listed_newest_first(store: Store, channel: int) -> None:
    await alerted(store, ["2607.00001", "2607.00002"], channel)
    reading = store.reading
    assert await reading.save(channel, "2607.00001", "U1", "alice", SaveVia.COMMAND, T0)
    assert await reading.save(
        channel, "2607.00002", "U2", "bob", SaveVia.BUTTON, T0 + timedelta(minutes=1)
    )
    later = T0 + timedelta(minutes=2)
    assert await reading.save(channel, "2607.00001", "U2", "", SaveVia.REACTION, later)
    assert not await reading.save(channel, "2607.00001", "U1", "alice", SaveVia.BUTTON, later)
    listed = await reading.list(channel)
    assert [s.paper.arxiv_id for s in listed] == ["2607.00001", "2607.00002"]
    assert [(m.who, m.via) for m in listed[0].marks] == [
        ("U2", SaveVia.REACTION),
        ("alice", SaveVia.COMMAND),
    ]


async def test_unmark_removes_only_what_that_way_made(store: Store, channel: int) -> None:
    await alerted(store, ["2607.00001"], channel)
    await store.reading.save(channel, "2607.00001", "U1", "a", SaveVia.BUTTON, T0)
    assert not await store.reading.unmark(channel, "2607.00001", "U1", SaveVia.REACTION)
    assert await store.reading.unmark(channel, "2607.00001", "U1", SaveVia.BUTTON)
    assert await store.reading.list(channel) == []


async def test_unsave_removes_every_mark(store: Store, channel: int) -> None:
    await alerted(store, ["2607.00001"], channel)
    for user in ("U1", "U2"):
        await store.reading.save(channel, "2607.00001", user, "", SaveVia.COMMAND, T0)
    assert await store.reading.unsave(channel, "2607.00001") == 2
    assert await store.reading.unsave(channel, "2607.00001") == 0


async def test_alert_at_names_only_the_bots_alerts(store: Store, channel: int) -> None:
    await alerted(store, ["2607.00001", "2607.00002"], channel)
    await sent_all(store, {"2607.00001": "111.1"}, (MessageKind.ABSTRACT,))
    await sent_all(store, {})  # the abstract reply of 2607.00001
    assert await store.reading.alert_at(channel, "111.1") == "2607.00001"
    assert await store.reading.alert_at(channel, "reply-2607.00001") is None  # a thread reply
    assert await store.reading.alert_at(channel, "999.9") is None
    other = (await store.channels.upsert_config("other", "slack", "C2")).id
    assert await store.reading.alert_at(other, "111.1") is None


async def test_a_button_names_its_paper_when_the_ref_was_not_recorded(
    store: Store, channel: int
) -> None:
    await alerted(store, ["2607.00002"], channel)
    await sent_all(store, {})  # sent, its answer (the ref) lost
    assert await store.reading.alert_at(channel, "222.2", "2607.00002") == "2607.00002"
    assert await store.reading.alert_at(channel, "222.2", "2607.00009") is None


async def test_seen_events_are_told_apart_and_bounded(store: Store) -> None:
    events = store.events
    assert await events.first_time("slack", "Ev1", 1000.0)
    assert not await events.first_time("slack", "Ev1", 1001.0)
    assert await events.first_time("discord", "Ev1", 1001.0)
    assert await events.first_time("slack", "Ev2", 1000.0 + 86_401)  # a day later: Ev1 forgotten
    assert await events.first_time("slack", "Ev1", 1000.0 + 86_402)
    assert events.keep == SEEN_EVENTS_MAX
    events.keep = 100
    for n in range(150):
        await events.first_time("slack", f"flood{n}", 90_000.0)
    assert await events.count() == 100
    assert not await events.first_time("slack", "flood149", 90_000.0)
