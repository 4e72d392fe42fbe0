"""Author identity meets volume control: an alert held for its identity check is never routed
(nor posted) before the check settles it, and once verified it goes where any fresh alert of
the channel goes — into the channel's digest, not straight out."""

from __future__ import annotations

from datetime import date, time

from support.volume import make_room, utc

from bot.ingest.ingestor import Ingestor
from bot.model import AnnounceType, ListingItem, Paper
from bot.model.volume import Mode
from bot.store import QueuedAlert
from bot.store.outbox import queue_alerts

REASON = "author: Wei Wang (openalex:A5100000001)"


async def held_for_identity(room, arxiv_id: str = "2607.09001") -> int:
    """A stored paper whose alert waits for the identity check; the held row's id."""
    paper = Paper(arxiv_id, 1, "Kairos: A Native World Model Stack", ("Wei Wang",), "X.")
    await Ingestor(room.store, clock=room.clock).ingest_items(
        [ListingItem(paper, AnnounceType.NEW)],
        announced_on=date(2026, 7, 13),
        matcher=lambda _p: {},
        thread_channels=frozenset(),
    )
    alert = QueuedAlert(
        arxiv_id, room.channel_id, 1, (REASON,), (room.subs[0].id,), hold="identity"
    )
    async with room.store.db.transaction() as conn:
        await queue_alerts(conn, [alert], now=room.clock.time())
    (row,) = await room.store.outbox.identity_held()
    return row.id


async def test_a_held_alert_past_its_deadline_is_left_to_the_identity_check(store):
    room = await make_room(store, utc(2026, 7, 14, 10, 0), mode=Mode.DAILY, at=time(9, 0))
    row = await held_for_identity(room)
    await store.outbox.settle_identity(deadlines=[(row, room.clock.time() - 1)])
    assert await store.volume.due(room.clock.time()) == []  # routing never takes it
    room.goto(utc(2026, 7, 15, 9, 0))
    assert await room.deliver() == 0 and room.recorder.posted == []
    assert [r.id for r in await store.outbox.identity_held()] == [row]


async def test_a_verified_alert_of_a_digest_channel_goes_into_the_next_digest(store):
    room = await make_room(store, utc(2026, 7, 14, 10, 0), mode=Mode.DAILY, at=time(9, 0))
    row = await held_for_identity(room)
    verified = f"{REASON}, verified"
    await store.outbox.settle_identity(released=[(row, verified)], now=room.clock.time())
    assert await store.outbox.claim_due("w", now=2e9) == []  # not straight out
    assert await room.deliver() == 0  # routed: held for the digest
    room.goto(utc(2026, 7, 15, 9, 0))
    assert await room.deliver() == 1
    [part] = room.recorder.posted
    assert [e.paper.arxiv_id for e in part.digest.entries] == ["2607.09001"]


async def test_a_verified_alert_of_an_instant_channel_is_posted_at_once(store):
    room = await make_room(store, utc(2026, 7, 14, 10, 0))
    row = await held_for_identity(room)
    await store.outbox.settle_identity(released=[(row, f"{REASON}, verified")])
    assert await room.deliver() == 1
    [alert] = room.recorder.posted
    assert alert.card.reasons == (f"{REASON}, verified",)
