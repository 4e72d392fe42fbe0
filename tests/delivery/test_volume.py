"""Volume control at delivery time, on an injected clock: digests at the channel's local time
(DST-correct), caps with one overflow message, quiet hours, and the state changes of #14."""

from __future__ import annotations

from datetime import date, time

from support.volume import make_room, utc

from bot.ingest.ingestor import Ingestor
from bot.model import AnnounceType, ListingItem, MessageKind, Paper
from bot.model.volume import Mode, VolumeSettings
from bot.port import OutcomeUnknown

BERLIN = "Europe/Berlin"


async def test_daily_digest_goes_out_at_the_local_time_on_the_day_clocks_go_forward(store):
    # Saturday 28 March 2026, 10:00 UTC; Berlin moves to CEST (UTC+2) at 01:00 UTC on the 29th.
    room = await make_room(
        store, utc(2026, 3, 28, 10, 0), mode=Mode.DAILY, at=time(9, 0), tz=BERLIN
    )
    await room.queue(3)
    assert await room.deliver() == 0  # held for the digest
    room.goto(utc(2026, 3, 29, 6, 59))  # 08:59 CEST
    assert await room.deliver() == 0
    room.goto(utc(2026, 3, 29, 7, 0))  # 09:00 CEST
    assert await room.deliver() == 1
    [part] = room.recorder.posted
    assert part.message.kind is MessageKind.DIGEST and len(part.digest.entries) == 3
    assert part.digest.title.startswith("Daily digest · Sun 29 Mar 2026")


async def test_digest_time_that_does_not_exist_fires_at_the_next_valid_minute(store):
    room = await make_room(
        store, utc(2026, 3, 28, 12, 0), mode=Mode.DAILY, at=time(2, 30), tz=BERLIN
    )
    await room.queue(1)
    await room.deliver()
    [entry] = await store.digests.held(room.channel_id)
    assert entry.until == utc(2026, 3, 29, 1, 0)  # 03:00 CEST: 02:30 does not exist that day


async def test_ambiguous_digest_time_fires_at_its_first_occurrence(store):
    # 25 October 2026: Berlin's 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET).
    room = await make_room(
        store, utc(2026, 10, 24, 12, 0), mode=Mode.DAILY, at=time(2, 30), tz=BERLIN
    )
    await room.queue(1)
    await room.deliver()
    [entry] = await store.digests.held(room.channel_id)
    assert entry.until == utc(2026, 10, 25, 0, 30)


async def test_weekly_digest_waits_for_its_day(store):
    # Tuesday 14 July 2026; weekly on Monday 09:00 UTC: the next is Monday 20 July.
    room = await make_room(
        store, utc(2026, 7, 14, 10, 0), mode=Mode.WEEKLY, at=time(9, 0), day=0, tz="UTC"
    )
    await room.queue(2)
    await room.deliver()
    [a, _] = await store.digests.held(room.channel_id)
    assert a.until == utc(2026, 7, 20, 9, 0)


async def test_cap_lets_n_alerts_through_and_one_overflow_threaded_under_the_last(store):
    room = await make_room(store, utc(2026, 7, 14, 10, 0), cap=2)
    papers = await room.queue(5)
    for _ in range(3):
        await room.deliver()
    assert room.recorder.kinds() == ["alert", "alert", "overflow"]
    overflow = room.recorder.posted[2]
    assert overflow.digest.title == "+3 more today"
    assert overflow.message.parent_ref == "m2"  # the batch's last alert
    assert room.recorder.papers() == papers  # each once: 2 alerts, 3 overflow lines


async def test_cap_counts_the_local_day_and_a_new_day_starts_over(store):
    # 23:30 in Berlin (21:30 UTC in summer): the local day ends in 30 minutes.
    room = await make_room(store, utc(2026, 7, 14, 21, 30), cap=1, tz=BERLIN)
    await room.queue(1)
    await room.deliver()
    await room.queue(1)
    await room.deliver()
    await room.deliver()
    assert room.recorder.kinds() == ["alert", "overflow"]
    room.goto(utc(2026, 7, 14, 22, 0))  # midnight in Berlin
    await room.queue(1)
    await room.deliver()
    assert room.recorder.kinds() == ["alert", "overflow", "alert"]


async def test_quiet_hours_across_midnight_hold_instant_alerts_until_they_end(store):
    room = await make_room(
        store, utc(2026, 7, 14, 21, 0), quiet=(time(22, 0), time(7, 0)), tz=BERLIN
    )
    await room.queue(2)  # 23:00 in Berlin: quiet
    assert await room.deliver() == 0
    [entry, _] = await store.digests.held(room.channel_id)
    assert entry.reason == "quiet" and entry.until == utc(2026, 7, 15, 5, 0)  # 07:00 CEST
    room.goto(utc(2026, 7, 15, 5, 0))
    await room.deliver()
    assert room.recorder.kinds() == ["alert", "alert"]


async def test_quiet_hours_never_delay_a_digest(store):
    room = await make_room(
        store,
        utc(2026, 7, 14, 10, 0),
        mode=Mode.DAILY,
        at=time(23, 0),
        tz="UTC",
        quiet=(time(22, 0), time(7, 0)),
    )
    await room.queue(1)
    await room.deliver()
    room.goto(utc(2026, 7, 14, 23, 0))
    assert await room.deliver() == 1


async def test_a_paper_of_two_subscriptions_appears_once_under_the_lowest_id(store):
    room = await make_room(store, utc(2026, 7, 14, 10, 0), mode=Mode.DAILY, at=time(9, 0))
    second = await room.subscribe("y")
    await room.queue(1, [room.subs[0], second])
    await room.queue(1, [second])
    room.goto(utc(2026, 7, 15, 9, 0))
    await room.deliver()
    entries = room.recorder.posted[0].digest.entries
    assert [(e.group.split()[0], e.also) for e in entries] == [
        (f"#{room.subs[0].id}", (second.id,)),
        (f"#{second.id}", ()),
    ]


async def test_a_long_digest_has_full_entries_first_then_titles_in_thread_replies(store):
    room = await make_room(store, utc(2026, 7, 14, 10, 0), mode=Mode.DAILY, at=time(9, 0))
    papers = await room.queue(120)
    room.goto(utc(2026, 7, 15, 9, 0))
    while await room.deliver():
        pass
    parts = [o.digest for o in room.recorder.posted]
    # 50 full entries in parts of 10, then 70 title lines in parts of 50.
    assert [len(p.entries) for p in parts] == [10, 10, 10, 10, 10, 50, 20]
    assert all(e.full for p in parts[:5] for e in p.entries)
    assert not any(e.full for p in parts[5:] for e in p.entries)
    assert [o.message.parent_ref for o in room.recorder.posted] == [None] + ["m1"] * 6
    assert sorted(room.recorder.papers()) == sorted(papers)
    assert room.recorder.papers()[0] == papers[-1]  # newest first


async def test_switching_a_digest_channel_to_instant_sends_the_held_digest(store):
    room = await make_room(store, utc(2026, 7, 14, 10, 0), mode=Mode.DAILY, at=time(9, 0))
    await room.queue(2)
    await room.deliver()
    await room.configure(mode=Mode.INSTANT, at=None)
    await room.deliver()
    assert room.recorder.kinds() == ["digest"]
    assert room.recorder.posted[0].digest.title.startswith("Digest · ")
    await room.queue(1)
    await room.deliver()
    assert room.recorder.kinds() == ["digest", "alert"]


async def test_unsubscribe_drops_held_papers_nothing_else_matches(store):
    room = await make_room(store, utc(2026, 7, 14, 10, 0), mode=Mode.DAILY, at=time(9, 0))
    second = await room.subscribe("y")
    only_first = await room.queue(1)
    both = await room.queue(1, [room.subs[0], second])
    await room.deliver()
    assert await store.subscriptions.remove(room.subs[0].id, room.channel_id)
    room.goto(utc(2026, 7, 15, 9, 0))
    await room.deliver()
    entries = room.recorder.posted[0].digest.entries
    assert [e.paper.arxiv_id for e in entries] == both
    assert entries[0].group.startswith(f"#{second.id}")
    states = {p: s for p, _c, _k, _v, s in await store.outbox.states()}
    assert states[only_first[0]] == "dropped"


async def test_a_channel_paused_at_digest_time_sends_after_resume(store):
    room = await make_room(store, utc(2026, 7, 14, 10, 0), mode=Mode.DAILY, at=time(9, 0))
    await room.queue(2)
    await room.deliver()
    await store.channels.pause(room.channel_id, "not in channel")
    room.goto(utc(2026, 7, 15, 9, 0))
    assert await room.deliver() == 0
    await store.channels.resume(room.channel_id)
    assert await room.deliver() == 1
    assert len(room.recorder.posted[0].digest.entries) == 2


async def test_an_empty_digest_posts_nothing(store):
    room = await make_room(store, utc(2026, 7, 14, 10, 0), mode=Mode.DAILY, at=time(9, 0))
    room.goto(utc(2026, 7, 15, 9, 0))
    assert await room.deliver() == 0
    assert room.recorder.posted == []


async def test_a_paper_sent_in_a_digest_gets_no_version_note(store):
    room = await make_room(store, utc(2026, 7, 14, 10, 0), mode=Mode.DAILY, at=time(9, 0))
    [paper] = await room.queue(1)
    room.goto(utc(2026, 7, 15, 9, 0))
    await room.deliver()
    v2 = ListingItem(Paper(paper, 2, "Paper 1 (v2)", ("A. B",), "X."), AnnounceType.REPLACE)
    await Ingestor(store, clock=room.clock).ingest_items(
        [v2],
        announced_on=date(2026, 7, 14),
        matcher=lambda _p: {room.channel_id: room.subs},
        thread_channels=frozenset({room.channel_id}),
    )
    kinds = [k for _p, _c, k, _v, _s in await store.outbox.states()]
    assert "version" not in kinds


async def test_settings_survive_a_reopen_of_the_store(store, tmp_path):
    room = await make_room(store, utc(2026, 7, 14, 10, 0))
    settings = VolumeSettings(Mode.WEEKLY, time(8, 15), 4, BERLIN, 7, (time(22, 0), time(6, 0)))
    await store.volume.configure(room.channel_id, settings)
    [channel] = await store.channels.list()
    assert channel.volume == settings


async def test_a_ledger_line_goes_under_the_first_heading_and_posts_an_empty_digest(store):
    """The hook the daily ledger plugs into: with ``ledger on`` the digest carries its line,
    and a digest with no papers is still posted (the line alone)."""
    room = await make_room(
        store, utc(2026, 7, 14, 10, 0), mode=Mode.DAILY, at=time(9, 0), ledger=True
    )

    async def line(channel_id: int, now: float) -> str:
        assert channel_id == room.channel_id
        return "2026-07-14 cs.AI: 27 new, 89 cross -> 0 here"

    room.deliverer.settler.ledger_line = line
    made = await room.deliverer.settler.send_now(room.channel_id, "room", room.clock.time())
    assert made is not None and made[1] == 0
    assert await room.deliver() == 1
    [part] = room.recorder.posted
    assert part.digest.note == "2026-07-14 cs.AI: 27 new, 89 cross -> 0 here"
    assert part.digest.entries == ()


async def test_an_overflow_whose_alert_was_refused_is_posted_on_its_own(store):
    room = await make_room(store, utc(2026, 7, 14, 10, 0), cap=1)
    first, *rest = await room.queue(3)
    room.recorder.refuse.add(first)
    for _ in range(3):
        await room.deliver()
    [overflow] = room.recorder.posted
    assert overflow.message.kind is MessageKind.OVERFLOW and overflow.message.parent_ref is None
    assert [e.paper.arxiv_id for e in overflow.digest.entries] == rest


async def test_the_carrier_of_a_paper_names_the_digest_that_posted_it(store):
    room = await make_room(store, utc(2026, 7, 14, 10, 0), mode=Mode.DAILY, at=time(9, 0))
    [paper] = await room.queue(1)
    assert await store.digests.carrier(paper, room.channel_id) is None  # held, in no part yet
    room.goto(utc(2026, 7, 15, 9, 0))
    await room.deliver()
    carrier = await store.digests.carrier(paper, room.channel_id)
    assert carrier is not None and (carrier.kind, carrier.state) == ("digest", "sent")
    assert carrier.local_date == date(2026, 7, 15)
    states = {p: s for p, _c, _k, _v, s in await store.outbox.states()}
    assert states[paper] == "sent"  # the alert row is sent with the part that carried it


async def test_with_the_ledger_on_each_digest_slot_posts_its_line_once_even_when_empty(store):
    room = await make_room(store, utc(2026, 7, 14, 10, 0), mode=Mode.DAILY, at=time(9, 0))
    await store.volume.set_ledger(room.channel_id, True, now=room.clock.time())

    async def line(channel_id: int, now: float) -> str:
        return "cs.AI: 27 new, 89 cross -> 0 here"

    room.deliverer.settler.ledger_line = line
    assert await room.deliver() == 0  # 09:00 today passed before the ledger was on
    room.goto(utc(2026, 7, 15, 9, 0))
    assert await room.deliver() == 1
    assert await room.deliver() == 0  # once a slot
    await room.queue(2)  # held for the next digest, which carries the line too
    await room.deliver()
    room.goto(utc(2026, 7, 16, 9, 0))
    await room.deliver()
    assert await room.deliver() == 0
    notes = [(o.digest.note, len(o.digest.entries)) for o in room.recorder.posted]
    assert notes == [
        ("cs.AI: 27 new, 89 cross -> 0 here", 0),
        ("cs.AI: 27 new, 89 cross -> 0 here", 2),
    ]


async def test_the_ledger_line_by_default_is_the_stored_ledger_of_the_day_before(store):
    """Wired to the daily ledger: with nothing stored in the 24 hours before the digest, the
    line says so (never silence that looks like "no papers today")."""
    room = await make_room(
        store, utc(2026, 7, 14, 10, 0), mode=Mode.DAILY, at=time(9, 0), ledger=True
    )
    room.goto(utc(2026, 7, 15, 9, 0))
    assert await room.deliver() == 1
    [part] = room.recorder.posted
    assert part.digest.note == (
        "Ledger: no listing was stored in this period (arXiv not polled, or failing)."
    )


async def test_without_the_ledger_on_an_empty_digest_slot_posts_nothing(store):
    room = await make_room(store, utc(2026, 7, 14, 10, 0), mode=Mode.DAILY, at=time(9, 0))
    room.goto(utc(2026, 7, 15, 9, 0))
    assert await room.deliver() == 0 and room.recorder.posted == []


class LosesFirstAnswer:
    """Posts everything, but the answer to the first digest part is lost (the platform has
    it); ``find_sent`` finds what was posted, as the Slack and Discord adapters do."""

    thread_kinds: tuple[MessageKind, ...] = ()

    def __init__(self) -> None:
        self.posted: dict[str, str] = {}
        self.posts: list[str] = []  # every post's key, repeats included
        self.lost = False

    async def deliver(self, outgoing):
        ref = f"m{len(self.posts) + 1}"
        self.posts.append(outgoing.message.key)
        self.posted[outgoing.message.key] = ref
        if outgoing.message.kind is MessageKind.DIGEST and not self.lost:
            self.lost = True
            raise OutcomeUnknown("no answer from the platform within 10 s")
        return ref

    async def find_sent(self, outgoing):
        return self.posted.get(outgoing.message.key)


async def test_a_digest_part_whose_answer_was_lost_is_found_not_posted_again(store):
    room = await make_room(store, utc(2026, 7, 14, 10, 0), mode=Mode.DAILY, at=time(9, 0))
    platform = LosesFirstAnswer()
    room.deliverer.adapters = {"room": platform}  # type: ignore[assignment]
    await room.queue(15)  # two parts on the room's spec (10 full entries a part)
    room.goto(utc(2026, 7, 15, 9, 0))
    for _ in range(4):
        await room.deliver()
        room.clock.advance(60)  # past the retry's back-off
    assert len(platform.posts) == len(set(platform.posts)) == 2  # each part posted once
    states = [s for _p, _c, _k, _v, s in await store.outbox.states()]
    assert set(states) == {"sent"}
