"""Ingest into a big store: the month through ``paperbot ingest --alert`` into a store that
already holds N papers, against the same into an empty store, whole processes.

    python bench/ingest_store.py CORPUS_DIR [--papers 1000000] [--runs 3] [--rebuild]

The big store holds the channels and 1,000 subscriptions of ``bench/ingest.py`` and N papers
generated like ``bench/lookup.py``'s (titles, abstracts and authors drawn from the real month,
ids ``bench/0000001`` ... so that none is an id the month lists, even as a replacement of an
old paper), written through the real ingest path (5,000 a
listing) and their abstract index brought up to date; it is cached in the bench folder, keyed
by N. Each run copies it (and the empty template) afresh; the runs are interleaved. Prints both
times, the ratio (target <= 1.2) and checks that the month's alerts are the same in both.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import shutil
import sqlite3
import sys
import time
from datetime import date
from pathlib import Path

from _common import (
    PAPERBOT,
    corpus_files,
    distinct_papers,
    ingest,
    load_listings,
    median,
    remove_db,
    run_measured,
    work_dir,
)
from ingest import make_template, write_config
from lookup import BATCH, Generator

from bot.model import AnnounceType, ListingItem
from bot.store import Store

WORK = work_dir("ingest-store")
TARGET = 1.2
SUBSCRIPTIONS = 1000


async def build(corpus: str, db: Path, total: int) -> dict:
    """Channels, subscriptions and ``total`` generated papers; returns what to cache."""
    listings = load_listings(corpus_files(corpus))
    real = distinct_papers(listings)
    await make_template(db, real, SUBSCRIPTIONS)
    gen = Generator(real)
    del listings
    store = await Store.open(db)
    start, k = time.perf_counter(), 0
    while k < total:
        n = min(BATCH, total - k)
        papers = [
            dataclasses.replace(gen.paper(k + i), arxiv_id=f"bench/{k + i:07d}") for i in range(n)
        ]
        await ingest(
            store,
            [ListingItem(p, AnnounceType.NEW) for p in papers],
            announced_on=date(2026, 5, 1),
        )
        k += n
        if k % 100_000 < BATCH:
            print(f"  built {k:,} papers", file=sys.stderr, flush=True)
    indexed = await store.papers.index_pending()
    await store.close()
    return {"papers": k, "indexed": indexed, "build_seconds": time.perf_counter() - start}


def copy(src: Path, dst: Path) -> None:
    remove_db(dst)
    shutil.copyfile(src, dst)


def alerts(db: Path) -> set[tuple[str, int]]:
    conn = sqlite3.connect(db)
    try:
        return set(conn.execute("SELECT paper_id, channel_id FROM outbox WHERE kind='alert'"))
    finally:
        conn.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--papers", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rebuild", action="store_true")
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    big, meta = WORK / f"big-{args.papers}.sqlite3", WORK / f"big-{args.papers}.json"
    small, db, cfg = WORK / "empty.sqlite3", WORK / "run.sqlite3", WORK / "paperbot.toml"
    if args.rebuild or not meta.exists():
        built = asyncio.run(build(args.corpus, big, args.papers))
        meta.write_text(json.dumps(built))
    built = json.loads(meta.read_text())
    asyncio.run(
        make_template(
            small, distinct_papers(load_listings(corpus_files(args.corpus))), SUBSCRIPTIONS
        )
    )
    write_config(cfg, db)
    cmd = [
        PAPERBOT,
        "--config",
        str(cfg),
        "ingest",
        "--alert",
        *map(str, corpus_files(args.corpus)),
    ]
    print(
        f"big store: {built['papers']:,} papers (built in {built['build_seconds']:.0f} s); "
        f"{args.runs} interleaved runs of the month, --alert, {SUBSCRIPTIONS} subscriptions"
    )
    times: dict[str, list[float]] = {"empty": [], "big": []}
    found: dict[str, set[tuple[str, int]]] = {}
    for run in range(args.runs):
        for name, template in (("empty", small), ("big", big)):
            copy(template, db)
            times[name].append(run_measured(cmd).wall)
            found.setdefault(name, alerts(db))
        print(
            f"  run {run + 1}: empty {times['empty'][-1]:.2f} s, big {times['big'][-1]:.2f} s",
            flush=True,
        )
    ratio = median(times["big"]) / median(times["empty"])
    print(
        f"\nmedian: empty {median(times['empty']):.2f} s, {built['papers']:,} papers "
        f"{median(times['big']):.2f} s; ratio {ratio:.2f} (target <= {TARGET}): "
        f"{'met' if ratio <= TARGET else 'MISSED'}"
    )
    same = found["empty"] == found["big"]
    print(f"checks: {'OK' if same else 'FAILED'} (the same {len(found['empty']):,} alerts)")
    remove_db(db)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
