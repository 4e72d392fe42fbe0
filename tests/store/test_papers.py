"""Store: schema, bulk ingest of real listings, announcement rules, alerts, FTS search, DOI."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path

import pytest
from support.store import ingest

from bot.model import (
    AnnounceType,
    Listing,
    ListingItem,
    Paper,
    Subscription,
    SubscriptionKind,
    Version,
)
from bot.sources.arxiv_parse import parse_api, parse_listing
from bot.store import Store
from bot.store.migrations import MIGRATIONS

HOSTILE = [
    '"',
    "*",
    "NEAR(",
    "title:",
    "'; DROP TABLE papers; --",
    "AND OR NOT",
    '"unbalanced',
    "a* OR b^ -c (d",
    "Żołna Gómez 量子 🤖",
    "",
    "   ",
    "\x00",
]


@pytest.fixture(scope="module")
def listing(fixtures: Path) -> Listing:
    return parse_listing((fixtures / "arxiv_rss_cs_ai_2026-07-14.xml").read_bytes())


@pytest.fixture(scope="module")
def fixtures() -> Path:  # module-scoped copy of conftest's for module-scoped parses
    return Path(__file__).resolve().parent.parent / "fixtures"


def item(arxiv_id: str, version: int, kind: AnnounceType, title: str = "A paper") -> ListingItem:
    paper = Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        authors=("Ada Lovelace", "Alan Turing"),
        abstract=f"An abstract for {title}.",
        primary_category="cs.AI",
        categories=("cs.AI",),
    )
    return ListingItem(paper, kind)


def sub(sub_id: int, channel_id: int, value: str) -> Subscription:
    return Subscription(sub_id, channel_id, SubscriptionKind.TOPIC, value)


def matcher_for(table: Mapping[str, Mapping[int, Sequence[Subscription]]]):
    """A matcher answering from a table keyed by arXiv id; records every paper asked about."""
    asked: list[str] = []

    def match(paper: Paper) -> Mapping[int, Sequence[Subscription]]:
        asked.append(paper.arxiv_id)
        return table.get(paper.arxiv_id, {})

    match.asked = asked  # type: ignore[attr-defined]
    return match


async def count_rows(store: Store, table: str) -> int:
    row = await store.db.fetchone(f"SELECT count(*) FROM {table}")
    assert row is not None
    return int(row[0])


# --- schema -------------------------------------------------------------------------------------


async def test_migrations_set_user_version_and_reopen_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "db.sqlite3"
    store = await Store.open(path)
    assert await store.db.schema_version() == len(MIGRATIONS)
    await ingest(store, [item("2401.00001", 1, AnnounceType.NEW)], announced_on=date(2024, 1, 2))
    await store.close()
    for _ in range(2):
        again = await Store.open(path)
        assert await again.db.schema_version() == len(MIGRATIONS)
        assert await again.papers.count() == 1
        await again.close()


async def test_wal_mode_is_on(store: Store) -> None:
    row = await store.db.fetchone("PRAGMA journal_mode")
    assert row is not None and row[0].lower() == "wal"


# --- ingest -------------------------------------------------------------------------------------


async def test_ingest_real_listing_stores_each_id_once(store: Store, listing: Listing) -> None:
    ids = {i.paper.arxiv_id for i in listing.items}
    firsts = sum(1 for i in listing.items if i.announce_type.is_first_announcement)
    counts = await ingest(store, listing.items, announced_on=listing.pub_date)
    assert counts.items == len(listing.items) == 177
    assert counts.new_papers == len(ids)
    assert counts.new_versions == 0
    assert counts.announced == firsts == 27 + 89
    assert await store.papers.count() == len(ids)
    announced = await store.db.fetchall("SELECT announced, count(*) FROM papers GROUP BY announced")
    by_day = {r[0]: r[1] for r in announced}
    assert by_day == {"2026-07-13": firsts, None: len(ids) - firsts}
    first = listing.items[0].paper
    stored = await store.papers.get(first.arxiv_id)
    assert stored is not None
    assert stored.title == first.title and stored.authors == first.authors
    assert stored.authors_raw == first.authors_raw
    assert stored.categories == first.categories


async def test_reingest_is_a_no_op(store: Store, listing: Listing) -> None:
    await ingest(store, listing.items, announced_on=listing.pub_date)
    before = await store.db.fetchall("SELECT * FROM papers ORDER BY id")
    counts = await ingest(store, listing.items, announced_on=listing.pub_date)
    assert (counts.new_papers, counts.new_versions, counts.announced, counts.alerts) == (0, 0, 0, 0)
    after = await store.db.fetchall("SELECT * FROM papers ORDER BY id")
    # Only last_seen may differ; nothing else is rewritten.
    strip = [tuple(r)[:-1] for r in before]
    assert strip == [tuple(r)[:-1] for r in after]


async def test_bumped_versions_update_metadata_and_keep_history(
    store: Store, listing: Listing
) -> None:
    await ingest(store, listing.items, announced_on=listing.pub_date)
    new_items = [i for i in listing.items if i.announce_type == AnnounceType.NEW][:3]
    bumped = [
        ListingItem(
            dataclasses.replace(
                i.paper,
                version=i.paper.version + 1,
                title=i.paper.title + " (revised)",
                announced=None,
                updated=datetime(2026, 7, 20, 12, 0),
            ),
            AnnounceType.REPLACE,
        )
        for i in new_items
    ]
    counts = await ingest(store, bumped, announced_on=date(2026, 7, 21))
    assert counts.new_versions == 3
    assert counts.new_papers == 0 and counts.announced == 0
    for old, _new in zip(new_items, bumped, strict=True):
        stored = await store.papers.get(old.paper.arxiv_id)
        assert stored is not None
        assert stored.version == old.paper.version + 1
        assert stored.title.endswith("(revised)")
        assert stored.announced == date(2026, 7, 13)  # unchanged by a revision
        numbers = [v.number for v in stored.versions]
        assert numbers == [old.paper.version, old.paper.version + 1]
        assert stored.versions[-1].date == datetime(2026, 7, 20, 12, 0)
    # The FTS index follows the title update.
    hits = await store.papers.search(new_items[0].paper.title + " revised", title_only=True)
    assert hits and hits[0].arxiv_id == new_items[0].paper.arxiv_id
    # An older version served later does not roll the paper back.
    await ingest(store, new_items)
    stored = await store.papers.get(new_items[0].paper.arxiv_id)
    assert stored is not None and stored.title.endswith("(revised)")


async def test_cross_of_unseen_announces_and_replace_of_unseen_does_not(store: Store) -> None:
    day = date(2026, 7, 13)
    counts = await ingest(
        store,
        [
            item("2607.00001", 1, AnnounceType.CROSS),
            item("2401.00002", 3, AnnounceType.REPLACE),
            item("2401.00003", 2, AnnounceType.REPLACE_CROSS),
        ],
        announced_on=day,
    )
    assert counts.new_papers == 3 and counts.announced == 1
    cross = await store.papers.get("2607.00001")
    replaced = await store.papers.get("2401.00002")
    replaced_cross = await store.papers.get("2401.00003")
    assert cross is not None and cross.announced == day
    assert replaced is not None and replaced.announced is None and replaced.version == 3
    assert replaced_cross is not None and replaced_cross.announced is None


async def test_looked_up_paper_is_unannounced_until_a_new_item(store: Store) -> None:
    channel = await store.channels.upsert_config("team", "console")
    looked = item("2308.03526", 1, AnnounceType.NEW, "AlphaStar Unplugged").paper
    await store.papers.save_looked_up([looked])
    stored = await store.papers.get("2308.03526")
    assert stored is not None and stored.announced is None
    match = matcher_for({"2308.03526": {channel.id: [sub(1, channel.id, "alphastar")]}})
    counts = await ingest(
        store,
        [item("2308.03526", 1, AnnounceType.NEW, "AlphaStar Unplugged")],
        announced_on=date(2023, 8, 8),
        matcher=match,
    )
    assert counts.new_papers == 0 and counts.announced == 1 and counts.alerts == 1
    assert counts.alerted == [("2308.03526", channel.id)]
    stored = await store.papers.get("2308.03526")
    assert stored is not None and stored.announced == date(2023, 8, 8)
    assert await store.outbox.states() == [("2308.03526", channel.id, "alert", 1, "pending")]


async def test_alerts_once_per_paper_and_channel(store: Store) -> None:
    a = await store.channels.upsert_config("a", "console")
    b = await store.channels.upsert_config("b", "console")
    table = {
        "2607.00010": {
            a.id: [sub(1, a.id, "agents"), sub(2, a.id, "planning")],
            b.id: [sub(3, b.id, "agents")],
        },
        "2607.00011": {b.id: [sub(3, b.id, "agents")]},
    }
    match = matcher_for(table)
    first = [
        item("2607.00010", 1, AnnounceType.NEW),
        item("2607.00011", 1, AnnounceType.CROSS),
        item("2607.00012", 1, AnnounceType.NEW),
    ]
    counts = await ingest(store, first, announced_on=date(2026, 7, 13), matcher=match)
    assert counts.alerts == 3
    assert sorted(counts.alerted) == [
        ("2607.00010", a.id),
        ("2607.00010", b.id),
        ("2607.00011", b.id),
    ]
    claimed = await store.outbox.claim_due("w")
    by_key = {(m.paper_id, m.channel_id): m for m in claimed}
    assert by_key[("2607.00010", a.id)].reasons == ("topic: agents", "topic: planning")
    assert by_key[("2607.00010", b.id)].reasons == ("topic: agents",)
    # Re-served listing, a revision, a cross-list, a replace-cross: no new alert, ever.
    again = [
        *first,
        item("2607.00010", 2, AnnounceType.REPLACE),
        item("2607.00010", 2, AnnounceType.CROSS),
        item("2607.00011", 3, AnnounceType.REPLACE_CROSS),
        item("2607.00011", 3, AnnounceType.NEW),
    ]
    for _ in range(2):
        counts = await ingest(store, again, announced_on=date(2026, 7, 14), matcher=match)
        assert counts.alerts == 0 and counts.alerted == [] and counts.announced == 0
    assert await count_rows(store, "outbox") == 3


async def test_same_paper_twice_in_one_listing_alerts_once(store: Store) -> None:
    ch = await store.channels.upsert_config("a", "console")
    match = matcher_for({"2607.00020": {ch.id: [sub(1, ch.id, "x")]}})
    items = [item("2607.00020", 1, AnnounceType.NEW), item("2607.00020", 1, AnnounceType.CROSS)]
    counts = await ingest(store, items, announced_on=date(2026, 7, 13), matcher=match)
    assert counts.new_papers == 1 and counts.announced == 1 and counts.alerts == 1
    assert await count_rows(store, "outbox") == 1


# --- search and DOI -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
async def test_search_survives_hostile_strings(store: Store, text: str) -> None:
    await ingest(store, [item("2607.00030", 1, AnnounceType.NEW, "Near title drop table")])
    for title_only in (False, True):
        result = await store.papers.search(text, title_only=title_only)
        assert isinstance(result, list)
    assert await store.papers.count() == 1
    assert await count_rows(store, "papers_fts") == 1


async def test_search_operators_are_plain_words(store: Store) -> None:
    await ingest(store, [item("2607.00031", 1, AnnounceType.NEW, "NEAR fields OR planning")])
    hits = await store.papers.search("NEAR( OR")
    assert [p.arxiv_id for p in hits] == ["2607.00031"]
    assert await store.papers.search("planning NOT") == []  # implicit AND, NOT is just a word


async def test_bm25_ranks_title_match_first(store: Store) -> None:
    body_only = item("2607.00040", 1, AnnounceType.NEW, "Something else entirely")
    body_only = ListingItem(
        dataclasses.replace(
            body_only.paper, abstract="Transformers transformers transformers everywhere."
        ),
        AnnounceType.NEW,
    )
    in_title = item("2607.00041", 1, AnnounceType.NEW, "Transformers for graphs")
    await ingest(store, [body_only, in_title])
    hits = await store.papers.search("transformers")
    assert [p.arxiv_id for p in hits] == ["2607.00041", "2607.00040"]
    title_hits = await store.papers.search("transformers", title_only=True)
    assert [p.arxiv_id for p in title_hits] == ["2607.00041"]


async def test_search_matches_without_diacritics(store: Store) -> None:
    paper = item("2607.00042", 1, AnnounceType.NEW, "Why Gómez matters").paper
    await store.papers.save_looked_up([paper])
    hits = await store.papers.search("gomez")
    assert [p.arxiv_id for p in hits] == ["2607.00042"]


async def test_find_by_doi_is_case_insensitive(store: Store, fixtures: Path) -> None:
    api = parse_api((fixtures / "arxiv_api_query_recorded_2026.body.xml").read_bytes())
    await store.papers.save_looked_up([i.paper for i in api.items])
    found = await store.papers.by_doi("10.1109/icstw55395.2022.00035")
    assert found is not None and found.arxiv_id == "2202.12139"
    assert found.doi == "10.1109/ICSTW55395.2022.00035"
    assert await store.papers.by_doi("10.1000/nothing") is None


async def test_save_looked_up_leaves_an_announced_papers_new_version_to_the_listing(
    store: Store,
) -> None:
    """A look-up that fetched v2 of an announced paper does not store it: the listing that
    announces v2 does, and only then is the version noted in the alert's thread."""
    await ingest(store, [item("2607.00050", 1, AnnounceType.NEW)], announced_on=date(2026, 7, 13))
    newer = dataclasses.replace(
        item("2607.00050", 2, AnnounceType.NEW, "New title").paper,
        versions=(Version(1, None), Version(2, datetime(2026, 7, 20))),
    )
    await store.papers.save_looked_up([newer])
    stored = await store.papers.get("2607.00050")
    assert stored is not None
    assert stored.version == 1 and stored.announced == date(2026, 7, 13)
    counts = await ingest(store, [item("2607.00050", 2, AnnounceType.REPLACE)])
    assert counts.new_versions == 1 and counts.announced == 0


async def test_save_looked_up_takes_a_newer_version_of_an_unannounced_paper(store: Store) -> None:
    await ingest(store, [item("2607.00051", 1, AnnounceType.REPLACE)])
    newer = dataclasses.replace(
        item("2607.00051", 2, AnnounceType.NEW, "New title").paper,
        versions=(Version(1, None), Version(2, datetime(2026, 7, 20))),
    )
    await store.papers.save_looked_up([newer])
    stored = await store.papers.get("2607.00051")
    assert stored is not None
    assert stored.version == 2 and stored.title == "New title" and stored.announced is None
    assert [v.number for v in stored.versions] == [1, 2]


# --- rate slots ---------------------------------------------------------------------------------


async def test_claim_rate_slot_spaces_claims(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    one, two = await Store.open(path), await Store.open(path)
    try:
        before = time.time()
        first = await one.rates.claim("arxiv", 0.5)
        second = await two.rates.claim("arxiv", 0.5)
        third = await one.rates.claim("arxiv", 0.5)
        assert first >= before - 0.01
        assert second >= first + 0.5 - 1e-6
        assert third >= second + 0.5 - 1e-6
        other = await one.rates.claim("other", 0.5)
        assert other < first + 0.5  # keys are independent
    finally:
        await one.close()
        await two.close()


async def test_a_first_announcement_without_a_date_is_still_announced(store: Store) -> None:
    """An item with no announcement date (an API file, an RSS file without pubDate) that
    alerts marks the paper announced: the same file again alerts no later subscription."""
    one = await store.channels.upsert_config("one", "console")
    two = await store.channels.upsert_config("two", "console")
    a, b = sub(1, one.id, "x"), sub(2, two.id, "x")
    counts = await ingest(
        store,
        [item("2607.00060", 1, AnnounceType.NEW)],
        matcher=matcher_for({"2607.00060": {one.id: [a]}}),
    )
    assert counts.alerted == [("2607.00060", one.id)]
    stored = await store.papers.get("2607.00060")
    assert stored is not None and stored.announced is not None
    again = await ingest(
        store,
        [item("2607.00060", 1, AnnounceType.NEW)],
        matcher=matcher_for({"2607.00060": {one.id: [a], two.id: [b]}}),
    )
    assert again.alerted == []
