"""The per-channel alert rule (README "What alerts, exactly") on real June 2026 listings.

At an announcement A of paper P, P alerts channel C when one of C's subscriptions matches P as
updated by A and none matched P as it stood before A; never twice; never for a replacement.
"""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.listings import day, item

from bot.ingest.ingestor import Ingestor
from bot.matching.index import SubscriptionIndex
from bot.model import AnnounceType, Listing, ListingItem, SubscriptionKind
from bot.store import Store

A, T, C = SubscriptionKind.AUTHOR, SubscriptionKind.TOPIC, SubscriptionKind.CATEGORY


async def subscribe(store: Store, *subs: tuple[str, SubscriptionKind, str]) -> dict[str, int]:
    """One console channel per name, with the given subscriptions; name -> channel id."""
    ids: dict[str, int] = {}
    for name, kind, value in subs:
        if name not in ids:
            ids[name] = (await store.channels.upsert_config(name, "console")).id
        await store.subscriptions.add(ids[name], kind, value, f"{kind}:{value}", "test")
    return ids


async def feed(store: Store, *listings: Listing | tuple[ListingItem, ...]) -> list[tuple[str, int]]:
    """Ingest listings in order with the current subscriptions; the (paper, channel) alerts."""
    alerted: list[tuple[str, int]] = []
    ingestor = Ingestor(store)
    for listing in listings:
        items = listing.items if isinstance(listing, Listing) else listing
        announced = listing.pub_date if isinstance(listing, Listing) else None
        counts = await ingestor.ingest(items, announced_on=announced)
        alerted += counts.alerted
    return alerted


async def test_a_same_version_cross_listing_days_later_alerts_the_new_categorys_channel(store):
    ids = await subscribe(store, ("cv", C, "cs.CV"), ("lg", C, "cs.LG"))
    # 2606.00188 v1: cross-listed in cs.LG on 2 June, then cs.CV added on 3 June (same version).
    assert await feed(store, day("2026-06-02-cs-lg")) == [
        ("2606.02437", ids["lg"]),
        ("2606.00188", ids["lg"]),
    ]
    assert await feed(store, day("2026-06-03-cs-cv")) == [("2606.00188", ids["cv"])]
    stored = await store.papers.get("2606.00188")
    assert stored is not None and stored.categories == ("cs.GR", "cs.LG", "cs.CV")


async def test_a_paper_cross_listed_days_later_alerts_that_category_once(store):
    ids = await subscribe(store, ("ai", C, "cs.AI"), ("cl", C, "cs.CL"))
    assert ("2606.06464", ids["cl"]) in await feed(store, day("2026-06-06-cs-cl"))
    later = await feed(store, day("2026-06-08-cs-ai"))
    assert ("2606.06464", ids["ai"]) in later and ("2606.06464", ids["cl"]) not in later
    stored = await store.papers.get("2606.06464")
    assert stored is not None and stored.announced is not None
    assert stored.announced.isoformat() == "2026-06-05"  # the first announcement's day stays


async def test_a_channel_that_matched_before_the_cross_listing_gets_nothing_new(store):
    await subscribe(store, ("topic", T, "exploration"))  # matches 2606.06464 from the start
    assert len(await feed(store, day("2026-06-06-cs-cl"))) == 1
    assert await feed(store, day("2026-06-08-cs-ai")) == []


async def test_a_replacement_that_adds_a_category_never_alerts(store):
    ids = await subscribe(store, ("ai", C, "cs.AI"))
    first = item("2026-06-06-cs-cl", "2606.06464")
    await feed(store, (first,))
    paper = dataclasses.replace(first.paper, version=2, categories=("cs.CL", "cs.AI"))
    assert await feed(store, (ListingItem(paper, AnnounceType.REPLACE_CROSS),)) == []
    stored = await store.papers.get("2606.06464")
    assert stored is not None and "cs.AI" in stored.categories
    # Its cs.AI cross-listing afterwards: cs.AI already matched before it, so no alert either.
    assert ("2606.06464", ids["ai"]) not in await feed(store, day("2026-06-08-cs-ai"))


async def test_a_same_version_correction_of_the_authors_alerts_the_corrected_author(store):
    ids = await subscribe(store, ("yao", A, "Wenfang Yao"))
    real = item("2026-06-06-cs-cl", "2606.06464")
    typo = dataclasses.replace(real.paper, authors=(*real.paper.authors, "Wenfang Ya"))
    assert await feed(store, (ListingItem(typo, AnnounceType.NEW),)) == []
    fixed = dataclasses.replace(real.paper, authors=(*real.paper.authors, "Wenfang Yao"))
    assert await feed(store, (ListingItem(fixed, AnnounceType.CROSS),)) == [
        ("2606.06464", ids["yao"])
    ]
    stored = await store.papers.get("2606.06464")
    assert stored is not None and stored.authors[-1] == "Wenfang Yao"


async def test_a_same_version_listing_updates_the_primary_category(store):
    real = item("2026-06-06-cs-cl", "2606.06464")
    await feed(store, (real,))
    moved = dataclasses.replace(real.paper, primary_category="cs.AI", categories=("cs.AI",))
    await feed(store, (ListingItem(moved, AnnounceType.CROSS),))
    stored = await store.papers.get("2606.06464")
    assert stored is not None and stored.primary_category == "cs.AI"
    assert stored.categories == ("cs.AI", "cs.CL")  # categories accumulate


async def test_a_paper_first_seen_as_a_replacement_alerts_at_its_first_announcement(store):
    ids = await subscribe(store, ("ai", C, "cs.AI"))
    real = item("2026-06-08-cs-ai", "2606.06464")
    replaced = ListingItem(real.paper, AnnounceType.REPLACE)
    assert await feed(store, (replaced,)) == []  # stored, never announced: it matched nothing
    assert await feed(store, (real,)) == [("2606.06464", ids["ai"])]


async def test_new_version_of_an_announced_paper_keeps_v1_published_date(store):
    v1 = item("2026-06-01-cs-cl", "2605.30947")
    await feed(store, day("2026-06-01-cs-cl"), day("2026-06-03-cs-cl"))
    stored = await store.papers.get("2605.30947")
    assert stored is not None and stored.version == 2
    assert stored.published is None  # listings carry no v1 date; never a later version's
    assert stored.announced == v1.paper.announced
    assert stored.affiliations == ()  # v2 lists the authors without affiliations


_KINDS = st.sampled_from(list(AnnounceType))
_STEPS = st.lists(
    st.tuples(
        _KINDS, st.integers(1, 3), st.sampled_from(["cs.AI", "cs.CL", "cs.LG"]), st.booleans()
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=_STEPS)
async def test_the_rule_never_alerts_a_paper_twice_in_a_channel(tmp_path_factory, steps):
    """Any sequence of items of one paper (any kind, version, category, author present or
    not) alerts each channel at most once, and only at a new or cross item."""
    base = item("2026-06-06-cs-cl", "2606.06464").paper
    async with await Store.open(tmp_path_factory.mktemp("rule") / "db.sqlite3") as store:
        ids = await subscribe(
            store, ("ai", C, "cs.AI"), ("lg", C, "cs.LG"), ("who", A, "Eunice Yiu")
        )
        index = SubscriptionIndex(await store.subscriptions.list())
        alerted: list[tuple[str, int]] = []
        for kind, version, category, with_author in steps:
            authors = base.authors if with_author else ("Someone Else",)
            paper = dataclasses.replace(
                base,
                version=version,
                categories=(category,),
                primary_category=category,
                authors=authors,
            )
            counts = await Ingestor(store).ingest_items(
                [ListingItem(paper, kind)],
                announced_on=None,
                matcher=index.match,
                thread_channels=frozenset(),
            )
            if not kind.is_first_announcement:
                assert counts.alerts == 0
            alerted += [pair for pair in counts.alerted if pair[1] in ids.values()]
        rows = [s for s in await store.outbox.states() if s[2] == "alert"]
        assert len(rows) == len({(p, c) for p, c, *_ in rows})
        assert {(p, c) for p, c, *_ in rows} <= set(alerted)
