"""``authors NAME``, ``subscribe author openalex:A… | orcid:…`` and what ``subscribe`` and
``list`` say about persons, in the console chat against the fake OpenAlex."""

from __future__ import annotations

import asyncio

from support.fake_openalex import work
from support.fakeweb import Reply
from support.identity_world import GROUNDING, OTHER_ORCID, UCLA_ORCID, World

from bot.chat.people import orcid_checksum_ok, parse_orcid


def test_the_orcid_check_digit_is_validated() -> None:
    assert orcid_checksum_ok("0000-0002-1825-0097")
    assert orcid_checksum_ok("0000-0001-5109-368X")
    assert not orcid_checksum_ok("0000-0002-1825-0098")
    assert parse_orcid("https://orcid.org/0000000218250097") == "0000-0002-1825-0097"


async def test_authors_lists_both_wei_wangs_with_what_tells_them_apart(world: World) -> None:
    world.openalex.add_work(
        work("W1", GROUNDING, [("A5100000001", "Wei Wang", UCLA_ORCID)], title="Grounding")
    )
    reply = await world.chat("authors Wei Wang")
    lines = reply.splitlines()
    assert "openalex:A5100000001" in lines[1]  # the active arXiv author first
    assert "University of California, Los Angeles" in lines[1] and "900 works" in lines[1]
    assert f"ORCID {UCLA_ORCID}" in lines[1]
    assert "recent: Grounding" in lines[2]
    assert "openalex:A5100000002" in reply and "Sina Weibo" in reply
    assert len(world.openalex.requests) <= 3


async def test_authors_of_an_unknown_name_says_none(world: World) -> None:
    assert "knows no author named" in await world.chat("authors Zzyzx Qwerty")


async def test_authors_with_openalex_down_says_so_in_one_line(world: World) -> None:
    world.openalex.fail(Reply(status=503))
    reply = await world.chat("authors Wei Wang")
    assert reply.startswith("error: Cannot ask OpenAlex now") and "\n" not in reply


async def test_an_orcid_with_a_wrong_check_digit_is_refused(world: World) -> None:
    reply = await world.chat("subscribe author orcid:0000-0002-1825-0098")
    assert "check digit is wrong" in reply
    assert not world.openalex.requests


async def test_an_unknown_openalex_id_is_refused(world: World) -> None:
    assert "OpenAlex has no author A0" in await world.chat("subscribe author openalex:A0")


async def test_orcid_and_openalex_id_of_one_person_are_one_subscription(world: World) -> None:
    assert "Subscribed #1" in await world.chat(f"subscribe author orcid:{UCLA_ORCID}")
    again = await world.chat("subscribe author openalex:A5100000001")
    assert "already subscribed" in again and "#1" in again


async def test_list_shows_the_person_and_institution(world: World) -> None:
    await world.chat(f"subscribe author orcid:{OTHER_ORCID}")
    assert "#1 author: Wei Wang (Sina Weibo) — openalex:A5100000002" in await world.chat("list")


async def test_an_ambiguous_name_gets_the_candidates_and_how_to_follow_one(world: World) -> None:
    reply = await world.chat("subscribe author Wei Wang")
    assert reply.startswith("Subscribed #1 author: Wei Wang.")
    assert "Wei Wang is ambiguous: 2 people" in reply
    assert "subscribe author openalex:A…" in reply
    assert "openalex:A5100000001" in reply and "openalex:A5100000002" in reply


async def test_following_a_person_points_out_the_by_name_subscription(world: World) -> None:
    await world.chat("subscribe author Wang, Wei")
    reply = await world.chat("subscribe author openalex:A5100000001")
    assert "#1 author: Wang, Wei follows the name and still alerts on its own" in reply


async def test_following_by_id_while_openalex_is_unreachable_says_so(world: World) -> None:
    world.openalex.fail(Reply(status=503))
    reply = await world.chat("subscribe author openalex:A5100000001")
    assert "Cannot subscribe" in reply and "HTTP 503" in reply
    assert "No subscriptions" in await world.chat("list")


async def test_help_lists_authors(world: World) -> None:
    assert "authors <name>" in await world.chat("help")


async def test_the_ambiguity_check_is_bounded_and_silent(world: World) -> None:
    assert world.app.front is not None
    world.app.front.people.people.ambiguity_seconds = 0.2  # type: ignore[attr-defined]
    world.openalex.fail(Reply(delay=3.0, body="{}"))
    started = asyncio.get_running_loop().time()
    reply = await world.chat("subscribe author Wei Wang")
    assert asyncio.get_running_loop().time() - started < 2.0
    assert reply.startswith("Subscribed #1") and "ambiguous" not in reply


async def test_authors_offers_each_candidate_to_follow_as_the_command_to_type(
    world: World,
) -> None:
    reply = await world.chat("authors Wei Wang")
    assert reply.endswith(
        "Follow 1: Wei Wang → type `subscribe author openalex:A5100000001`\n"
        "Follow 2: Wei Wang → type `subscribe author openalex:A5100000002`"
    )
