"""The abstract index is filled after the batch, and a search is never answered from a stale
index."""

from __future__ import annotations

import dataclasses

from support.listings import day
from support.store import ingest

from bot.store import Store


async def test_listings_queue_their_papers_for_the_abstract_index(store: Store) -> None:
    listing = day("2026-06-12-cs-ai")
    await ingest(store, listing.items, announced_on=listing.pub_date)
    assert await store.papers.pending_index() == await store.papers.count() > 100


async def test_an_abstract_search_right_after_ingest_finds_the_new_paper(store: Store) -> None:
    listing = day("2026-06-10-cs-ai")  # 2606.07988: "... for Personalized Reward Modeling"
    await ingest(store, listing.items, announced_on=listing.pub_date)
    abstract_words = "imbalanced user preference data"
    found = await store.papers.search(abstract_words)
    assert [p.arxiv_id for p in found] == ["2606.07988"]
    assert await store.papers.pending_index() == 0


async def test_index_pending_indexes_each_paper_once(store: Store) -> None:
    listing = day("2026-06-12-cs-ai")
    await ingest(store, listing.items, announced_on=listing.pub_date)
    total = await store.papers.count()
    assert await store.papers.index_pending() == total
    assert await store.papers.index_pending() == 0
    row = await store.db.fetchone("SELECT count(*) AS n FROM papers_fts")
    assert row is not None and row["n"] == total


async def test_a_changed_abstract_is_searched_by_its_new_text_only(store: Store) -> None:
    listing = day("2026-06-10-cs-ai")
    await ingest(store, listing.items, announced_on=listing.pub_date)
    await store.papers.index_pending()
    old = listing.items[0].paper
    new = dataclasses.replace(old, version=old.version + 1, abstract="Quorblewug zantiphor.")
    await ingest(store, [dataclasses.replace(listing.items[0], paper=new)])
    assert [p.arxiv_id for p in await store.papers.search("quorblewug")] == [old.arxiv_id]
    assert await store.papers.search("imbalanced user preference data") == []


async def test_a_title_search_needs_no_pending_index(store: Store) -> None:
    listing = day("2026-06-10-cs-ai")
    await ingest(store, listing.items, announced_on=listing.pub_date)
    hits = await store.papers.search("Pareto Fairness Optimization", title_only=True)
    assert [p.arxiv_id for p in hits] == ["2606.07988"]
    assert await store.papers.pending_index() == 1  # titles are indexed with the listing
