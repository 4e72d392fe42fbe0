"""``paperbot ingest`` of files: parsed and matched in a worker process, with the same result."""

from __future__ import annotations

from bot.ingest.files import FileResult, ingest_files
from bot.ingest.ingestor import Ingestor
from bot.ingest.plan import IngestCounts
from bot.matching.index import SubscriptionIndex
from bot.model import Subscription, SubscriptionKind
from bot.sources.files import parse_listing_file
from bot.store import Store

A, T, C = SubscriptionKind.AUTHOR, SubscriptionKind.TOPIC, SubscriptionKind.CATEGORY
SUBS = [(A, "Yang Liu"), (T, '"language model"'), (T, "agents -survey"), (C, "cs.LG")]


async def subscribe(store: Store) -> None:
    channel = await store.channels.upsert_config("team", "console")
    for kind, value in SUBS:
        await store.subscriptions.add(channel.id, kind, value, value, "test")


def total(results: list[FileResult]) -> IngestCounts:
    counts = IngestCounts()
    for result in results:
        assert result.counts is not None, result.error
        counts.add(result.counts)
    return counts


async def test_a_worker_process_gives_the_alerts_of_matching_here(tmp_path, fixtures) -> None:
    paths = sorted((fixtures / "corpus").glob("*.xml.gz"))  # 4 files: a worker process
    async with await Store.open(tmp_path / "worker.sqlite3") as store:
        await subscribe(store)
        counts = total(await ingest_files(Ingestor(store), paths, alert=True))
        assert counts.items == sum(len(parse_listing_file(p).items) for p in paths)
        with_worker = set(counts.alerted)
    async with await Store.open(tmp_path / "here.sqlite3") as store:
        await subscribe(store)
        here: set[tuple[str, int]] = set()
        for path in paths:  # one file at a time: parsed and matched in this process
            here |= set(total(await ingest_files(Ingestor(store), [path], alert=True)).alerted)
    assert with_worker and with_worker == here


async def test_a_bad_file_read_by_the_worker_is_named(tmp_path, fixtures) -> None:
    paths = sorted((fixtures / "corpus").glob("*.xml.gz"))[:2]
    bad = tmp_path / "broken.xml"
    bad.write_bytes(b"<rss><channel><item>")
    async with await Store.open(tmp_path / "db.sqlite3") as store:
        *good, broken = await ingest_files(Ingestor(store), [*paths, bad], alert=False)
        assert broken.counts is None and broken.error and "broken.xml" in broken.error
        assert all(r.counts and r.counts.items for r in good)
        assert await store.papers.count() > 0  # the files before it are stored


def test_seeded_results_are_the_indexs_own(fixtures) -> None:
    papers = [
        i.paper for i in parse_listing_file(fixtures / "corpus/2026-06-11-cs-ai.xml.gz").items
    ]
    subs = [Subscription(i, 1 + i % 2, k, v) for i, (k, v) in enumerate(SUBS, start=1)]
    worker, here = SubscriptionIndex(subs), SubscriptionIndex(subs)
    here.seed(papers, worker.text_matches(papers))
    fresh = SubscriptionIndex(subs)
    assert [here.match(p) for p in papers] == [fresh.match(p) for p in papers]
