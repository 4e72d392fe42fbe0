"""Following one person: two different Wei Wangs in one real listing, verified /
contradicted / unknown, and the unknown paper verified later or posted after the wait."""

from __future__ import annotations

from pathlib import Path

from support.fake_openalex import work
from support.fakeweb import FakeServer
from support.identity_world import (
    GROUNDING,
    KAIROS,
    LISTING,
    UCLA_ORCID,
    VIBETHINKER,
    World,
    open_world,
)

from bot.config.identity import IdentityConfig

UCLA = ("A5100000001", "Wei Wang", UCLA_ORCID)
OTHER = ("A5100000002", "Wei Wang", None)


def index_both(world: World) -> None:
    """OpenAlex credits the grounding paper to the UCLA Wei Wang, VibeThinker to the other;
    Kairos is not indexed yet."""
    world.openalex.add_work(work("W1", GROUNDING, [(None, "Junkai Zhang", None), UCLA]))
    world.openalex.add_work(work("W2", VIBETHINKER, [(None, "Sen Xu", None), OTHER]))


async def rows(world: World) -> dict[str, tuple[str, str | None, str | None]]:
    found = await world.app.store.db.fetchall(
        "SELECT paper_id, state, hold_reason, drop_reason FROM outbox WHERE kind='alert'"
    )
    return {r["paper_id"]: (r["state"], r["hold_reason"], r["drop_reason"]) for r in found}


async def test_only_the_followed_wei_wang_alerts_verified(world: World) -> None:
    await world.chat(f"subscribe author orcid:{UCLA_ORCID}")
    index_both(world)
    world.chat.serve_listing(LISTING)
    await world.chat.poll_and_deliver()
    (alert,) = world.chat.alerts
    assert "Thinking with Visual Grounding" in alert
    assert "Wei Wang (openalex:A5100000001), verified" in alert
    state = await rows(world)
    assert state[VIBETHINKER] == (
        "dropped",
        "identity",
        "held out: the index credits another Wei Wang (openalex:A5100000002)",
    )
    assert state[KAIROS][:2] == ("held", "identity")


async def test_an_unknown_paper_is_verified_on_a_later_poll(world: World) -> None:
    await world.chat("subscribe author openalex:A5100000001")
    index_both(world)
    world.chat.serve_listing(LISTING)
    await world.chat.poll_and_deliver()
    world.clock.advance(6 * 3600)
    world.openalex.add_work(work("W3", KAIROS, [(None, "Fei Wang", None), UCLA]))
    await world.chat.poll_and_deliver()
    assert len(world.chat.alerts) == 2
    assert "Kairos" in world.chat.alerts[1] and "verified" in world.chat.alerts[1]


async def test_an_unknown_paper_is_posted_by_name_after_the_wait(world: World) -> None:
    await world.chat("subscribe author openalex:A5100000001")
    index_both(world)
    world.chat.serve_listing(LISTING)
    await world.chat.poll_and_deliver()  # 16 Jun 06:00 UTC; announced 16 Jun (from 00:00 UTC)
    world.clock.advance(41 * 3600)  # 17 Jun 23:00: 47 h after the announcement
    await world.chat.poll_and_deliver()
    assert len(world.chat.alerts) == 1  # still waiting
    world.clock.advance(2 * 3600)  # 18 Jun 01:00: past the 48 h
    await world.chat.poll_and_deliver()
    assert "Kairos" in world.chat.alerts[1]
    assert "by name, not yet verified" in world.chat.alerts[1]


async def test_unverified_drop_drops_after_the_wait(
    tmp_path: Path, fake_server: FakeServer
) -> None:
    async for world in open_world(tmp_path, fake_server, IdentityConfig(unverified="drop")):
        await world.chat("subscribe author openalex:A5100000001")
        index_both(world)
        world.chat.serve_listing(LISTING)
        await world.chat.poll_and_deliver()
        world.clock.advance(49 * 3600)
        await world.chat.poll_and_deliver()
        assert len(world.chat.alerts) == 1
        state, _, why = (await rows(world))[KAIROS]
        assert state == "dropped" and why == "not verified by the index within 48 h"


async def test_other_record_post_posts_the_namesake_marked(
    tmp_path: Path, fake_server: FakeServer
) -> None:
    async for w in open_world(tmp_path, fake_server, IdentityConfig(other_record="post")):
        await w.chat("subscribe author openalex:A5100000001")
        index_both(w)
        w.chat.serve_listing(LISTING)
        await w.chat.poll_and_deliver()
        (other,) = [a for a in w.chat.alerts if "VibeThinker" in a]
        assert "the index credits another Wei Wang (openalex:A5100000002)" in other


async def test_a_paper_another_subscription_matches_is_not_held(world: World) -> None:
    await world.chat("subscribe author openalex:A5100000001")
    await world.chat('subscribe topic "world model"')
    world.chat.serve_listing(LISTING)
    await world.chat.poll_and_deliver()  # OpenAlex holds none of them
    (kairos,) = [a for a in world.chat.alerts if "Kairos" in a]
    assert 'author: Wei Wang (openalex:A5100000001), topic: "world model"' in kairos
    assert not [a for a in world.chat.alerts if "VibeThinker" in a]


async def test_openalex_down_never_stops_polling_or_delivery(world: World) -> None:
    from support.fakeweb import Reply

    await world.chat("subscribe author openalex:A5100000001")
    await world.chat("subscribe topic grounding")
    world.openalex.fail(*[Reply(status=503)] * 10)
    world.chat.serve_listing(LISTING)
    await world.chat.poll_and_deliver()
    assert [a for a in world.chat.alerts if "Visual Grounding" in a]
    assert "OpenAlex (author identity" in await world.chat("status")
    assert "failing" in await world.chat("status")


async def test_a_held_paper_survives_a_restart_and_is_verified_after_it(
    tmp_path: Path, fake_server: FakeServer
) -> None:
    async for w in open_world(tmp_path, fake_server):
        await w.chat("subscribe author openalex:A5100000001")
        index_both(w)
        w.chat.serve_listing(LISTING)
        await w.chat.poll_and_deliver()
        assert len(w.chat.alerts) == 1
    async for w in open_world(tmp_path, fake_server):  # the same database, a new process
        w.openalex.add_work(work("W3", KAIROS, [(None, "Fei Wang", None), UCLA]))
        await w.chat.poll_and_deliver()
        (alert,) = w.chat.alerts
        assert "Kairos" in alert and "verified" in alert


async def test_a_429_parks_the_checks_until_midnight_and_status_says_so(world: World) -> None:
    from support.fakeweb import Reply

    await world.chat("subscribe author openalex:A5100000001")
    world.chat.serve_listing(LISTING)
    world.openalex.fail(Reply(status=429))
    await world.chat.poll_and_deliver()
    assert "parked until 2026-06-17 00:00:00 UTC" in await world.chat("status")
    sent = len(world.openalex.requests)
    await world.chat.poll_and_deliver()
    assert len(world.openalex.requests) == sent  # parked: no request before midnight
    world.clock.advance(18 * 3600 + 1)  # past 00:00 UTC
    index_both(world)
    await world.chat.poll_and_deliver()
    assert len(world.openalex.requests) > sent
    assert [a for a in world.chat.alerts if "verified" in a]


async def test_unsubscribing_drops_what_waited_for_the_check(world: World) -> None:
    await world.chat("subscribe author openalex:A5100000001")
    world.chat.serve_listing(LISTING)
    await world.chat.poll_and_deliver()  # OpenAlex holds none: all three wait
    await world.chat("unsubscribe 1")
    index_both(world)
    await world.chat.poll_and_deliver()
    assert world.chat.alerts == []
    assert {s for s, _, _ in (await rows(world)).values()} == {"dropped"}


async def test_why_explains_a_followed_person_by_the_names_the_index_knows(world: World) -> None:
    await world.chat("subscribe author openalex:A5100000001")
    index_both(world)
    world.chat.serve_listing(LISTING)
    await world.chat.poll_and_deliver()
    posted = await world.chat(f"why {GROUNDING}")
    assert "Matched here by:" in posted and "#1 author: openalex:A5100000001" in posted
    assert "Wei Wang" in posted and "No subscription here matches it now" not in posted
    held_out = await world.chat(f"why {VIBETHINKER}")
    assert "Matched here by:" in held_out
    assert "held out: the index credits another Wei Wang (openalex:A5100000002)" in held_out


async def test_preview_of_a_person_by_id_counts_the_papers_of_their_names(world: World) -> None:
    world.chat.serve_listing(LISTING)
    await world.chat.poll_and_deliver()
    by_id = await world.chat("preview author openalex:A5100000001")
    by_name = await world.chat("preview author Wei Wang")
    assert by_id.splitlines()[0] == "author: openalex:A5100000001 (Wei Wang, by name)"
    assert by_id.splitlines()[1:] == by_name.splitlines()[1:]  # the papers of that name
    assert "3 papers" in by_id  # the listing's three Wei Wang papers
    bad = await world.chat("preview author orcid:0000-0002-1825-0098")
    assert "Cannot preview" in bad and "check" in bad.lower()


async def test_status_counts_the_one_paper_held_for_a_check_in_the_singular(world: World) -> None:
    await world.chat("subscribe author openalex:A5100000001")
    index_both(world)
    world.chat.serve_listing(LISTING)
    await world.chat.poll_and_deliver()  # Kairos alone waits: OpenAlex does not know it yet
    assert "; 1 paper held for an identity check" in await world.chat("status")
