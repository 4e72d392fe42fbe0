"""``author openalex:A…`` / ``author orcid:…``: a person's page from the store's papers of
their names and one page of their OpenAlex works, against the fake OpenAlex."""

from __future__ import annotations

from support.fake_openalex import work
from support.fakeweb import Reply
from support.identity_world import GROUNDING, LISTING, UCLA_ORCID, World

UCLA = ("A5100000001", "Wei Wang", UCLA_ORCID)
JOURNAL_ABSTRACT = "We measure open access. It is growing fast. A third sentence follows."


def index_works(world: World) -> None:
    """The grounding paper (held by the store), a journal article and an arXiv paper the store
    does not hold, all by the UCLA Wei Wang, two with Junkai Zhang."""
    zhang = (None, "Junkai Zhang", None)
    world.openalex.add_work(work("W1", GROUNDING, [zhang, UCLA], title="Thinking with Grounding"))
    world.openalex.add_work(
        work(
            "W7",
            None,
            [UCLA, zhang, (None, "Heather Piwowar", None)],
            title="The state of OA",
            date="2026-03-01",
            abstract=JOURNAL_ABSTRACT,
        )
    )
    world.openalex.add_work(
        work("W8", "2605.00042", [UCLA], title="Older preprint", date="2026-05-02")
    )


async def stored_listing(world: World) -> None:
    world.chat.serve_listing(LISTING)
    await world.chat.poll_and_deliver()


async def test_the_page_merges_the_store_and_openalex_in_two_requests(world: World) -> None:
    await stored_listing(world)
    index_works(world)
    before = len(world.openalex.requests)
    text = await world.chat("author openalex:A5100000001")
    assert len(world.openalex.requests) - before <= 2
    assert text.count("Thinking with Visual Grounding") == 1  # the store's copy, once
    assert "Thinking with Grounding" not in text
    assert "arXiv · cs.AI · 2026 · arXiv:2606.16122" in text
    assert (
        "• The state of OA\n  PeerJ · 2026\n  We measure open access. It is growing fast." in text
    )
    assert "• Older preprint\n  arXiv · 2026 · arXiv:2605.00042" in text
    assert "Collaborating authors\nJunkai Zhang (2), " in text  # the store's and OpenAlex's
    assert "OpenAlex: openalex:A5100000001, University of California, Los Angeles" in text


async def test_the_page_by_orcid_is_the_same_person(world: World) -> None:
    index_works(world)
    text = await world.chat(f"author orcid:{UCLA_ORCID}")
    assert text.startswith("Wei Wang — 3 papers known")
    assert "The state of OA" in text and "Older preprint" in text


async def test_the_person_page_asks_for_one_page_of_at_most_50_works(world: World) -> None:
    await world.chat("author openalex:A5100000001")
    (listed,) = [r for r in world.openalex.list_requests() if r.path.endswith("/works")]
    assert int(listed.query["per-page"]) <= 50
    assert "author.id:A5100000001" in listed.query["filter"]


async def test_a_malformed_orcid_is_refused_without_asking(world: World) -> None:
    reply = await world.chat("author orcid:0000-0002-1825-0098")
    assert reply.startswith("error:") and "check digit is wrong" in reply
    assert not world.openalex.requests


async def test_an_unknown_id_says_so(world: World) -> None:
    reply = await world.chat("author openalex:A0")
    assert reply.startswith("error:") and "OpenAlex has no author A0" in reply


async def test_openalex_down_is_one_line(world: World) -> None:
    world.openalex.fail(Reply(status=503))
    reply = await world.chat("author openalex:A5100000001")
    assert reply.startswith("error: Cannot ask OpenAlex now") and "\n" not in reply
