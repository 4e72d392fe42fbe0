"""Look-up benchmark: a store of N papers, then look-ups by id and by title words.

    python bench/lookup.py CORPUS_DIR [--papers 1000000] [--quick] [--rebuild]

Builds (or reuses from /tmp/paperbot-bench-lookup/, keyed by N) a database holding the real
month plus generated papers with the real month's length distributions (title words, abstract
sentences and author names sampled from the corpus), written THROUGH THE REAL INGEST PATH
(``Store.ingest`` with generated ListingItems, 5,000 a batch), and reports the build rate. Then,
in a fresh process: look-ups by id through ``Lookup`` (arxiv=None) and ``Store.get_paper``;
by 2-3 title words drawn from real titles through ``Lookup`` and ``Store.search`` (FTS5, bm25);
single common words separately; the baseline ``title LIKE '%w1%' AND title LIKE '%w2%'`` scan
for a sample of the same queries. Prints p50/p99, bytes per paper and each process' peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from _common import (
    PYTHON,
    corpus_files,
    db_size,
    ingest,
    load_listings,
    percentile,
    remove_db,
    run_measured,
)

from bot.chat.lookup import Lookup, LookupFailed
from bot.model import AnnounceType, ListingItem, Paper
from bot.store import Store

WORK = Path("/tmp/paperbot-bench-lookup")
BATCH = 5_000
TARGETS = {"id_p50": 1.0, "id_p99": 5.0, "words_p50": 10.0, "words_p99": 50.0, "rss": 300.0}
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_TITLE_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]+")


class Generator:
    """Papers shaped like the real month: lengths and words drawn from it."""

    def __init__(self, real: list[Paper], seed: int = 7) -> None:
        self.rng = random.Random(seed)
        intern = sys.intern
        self.title_lengths = [len(p.title.split()) for p in real]
        self.title_words = [intern(w) for p in real for w in p.title.split()]
        self.abstract_lengths = [len(p.abstract) for p in real]
        self.sentences = [s for p in real for s in _SENTENCE.split(p.abstract) if s]
        self.author_counts = [len(p.authors) for p in real]
        self.authors = [intern(a) for p in real for a in p.authors]
        self.categories = [p.categories for p in real if p.categories]

    def paper(self, k: int) -> Paper:
        rng = self.rng
        month = k % 216  # 2008-01 .. 2025-12: never collides with the real 2606.* ids
        arxiv_id = f"{8 + month // 12:02d}{month % 12 + 1:02d}.{k // 216 + 1:05d}"
        title = " ".join(rng.choices(self.title_words, k=rng.choice(self.title_lengths)))
        want, parts, size = rng.choice(self.abstract_lengths), [], 0
        while size < want:
            sentence = rng.choice(self.sentences)
            parts.append(sentence)
            size += len(sentence) + 1
        cats = rng.choice(self.categories)
        when = datetime(2008, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(9_000_000))
        return Paper(
            arxiv_id=arxiv_id,
            version=1,
            title=title.capitalize(),
            authors=tuple(rng.choices(self.authors, k=rng.choice(self.author_counts))),
            abstract=" ".join(parts),
            primary_category=cats[0],
            categories=cats,
            published=when,
        )


async def build(corpus: str, db: Path, total: int) -> dict:
    """The store of ``total`` papers through ``Store.ingest``; returns what to cache."""
    remove_db(db)
    listings = load_listings(corpus_files(corpus))
    store = await Store.open(db)
    start = time.perf_counter()
    for listing in listings:
        await ingest(store, listing.items, announced_on=listing.pub_date)
    real = list(
        (
            await store.papers.get_many(
                [r[0] for r in await store.db.fetchall("SELECT arxiv_id FROM papers")]
            )
        ).values()
    )
    del listings
    gen = Generator(real)
    k, day = 0, date(2026, 5, 1)
    while await store.papers.count() < total:
        n = min(BATCH, total - await store.papers.count())
        items = [ListingItem(gen.paper(k + i), AnnounceType.NEW) for i in range(n)]
        k += n
        await ingest(store, items, announced_on=day)
        if k % 100_000 < BATCH:
            rate = k / (time.perf_counter() - start)
            print(f"  built {k + len(real):,} papers, {rate:,.0f}/s", file=sys.stderr, flush=True)
    seconds = time.perf_counter() - start
    count = await store.papers.count()
    await store.close()
    return {"papers": count, "build_seconds": seconds, "rate": count / seconds}


async def measure(db: Path, quick: bool) -> dict:
    rng = random.Random(11)
    store = await Store.open(db)
    lookup = Lookup(store, None)
    total = await store.papers.count()
    rowids = rng.sample(range(1, total + 1), 300 if quick else 2000)
    ids = [
        r[0]
        for r in await store.db.fetchall(
            f"SELECT arxiv_id FROM papers WHERE id IN ({','.join(map(str, rowids))})"
        )
    ]
    rng.shuffle(ids)
    t_lookup, t_get = [], []
    for i, arxiv_id in enumerate(ids):
        # Alternate which path goes first: the second would find the pages already cached.
        for path in ("lookup", "get") if i % 2 else ("get", "lookup"):
            t0 = time.perf_counter()
            if path == "lookup":
                result = await lookup(arxiv_id)
                t_lookup.append(time.perf_counter() - t0)
                assert result.papers[0].arxiv_id == arxiv_id
            else:
                assert await store.papers.get(arxiv_id) is not None
                t_get.append(time.perf_counter() - t0)
    # Real titles are the ingested month: the first rows.
    titles = [r[0] for r in await store.db.fetchall("SELECT title FROM papers WHERE id <= 15917")]
    words_queries = []
    while len(words_queries) < (100 if quick else 400):
        words = _TITLE_WORD.findall(rng.choice(titles))
        if len(words) >= 3:
            n = rng.choice((2, 3))
            i = rng.randrange(len(words) - n + 1)
            words_queries.append(" ".join(words[i : i + n]))
    common = [
        w
        for w, _ in Counter(
            w.lower() for t in titles for w in _TITLE_WORD.findall(t) if len(w) > 3
        ).most_common(15)
    ]
    w_lookup, w_search, found = await _timed_words(lookup, store, words_queries)
    c_lookup, c_search, _ = await _timed_words(lookup, store, common)
    like = await _like_baseline(store, words_queries[: 5 if quick else 12])
    await store.close()
    size = db_size(db)
    return {
        "papers": total,
        "db_bytes": size,
        "id_lookup": t_lookup,
        "id_get": t_get,
        "words_lookup": w_lookup,
        "words_search": w_search,
        "words_found": found,
        "words_n": len(words_queries),
        "common_lookup": c_lookup,
        "common_search": c_search,
        "common_words": common,
        "like": like,
    }


async def _timed_words(lookup: Lookup, store: Store, queries: list[str]):
    t_lookup, t_search, found = [], [], 0
    for i, q in enumerate(queries):
        # Alternate which path goes first: the second would find the pages already cached.
        for path in ("lookup", "search") if i % 2 else ("search", "lookup"):
            t0 = time.perf_counter()
            if path == "lookup":
                try:
                    await lookup(q)
                    found += 1
                except LookupFailed:  # nothing holds these words (rare)
                    pass
                t_lookup.append(time.perf_counter() - t0)
            else:
                await store.papers.search(q, limit=5, title_only=True)
                t_search.append(time.perf_counter() - t0)
    return t_lookup, t_search, found


async def _like_baseline(store: Store, queries: list[str]) -> list[float]:
    times = []
    for q in queries:
        words = q.split()
        sql = "SELECT id FROM papers WHERE " + " AND ".join(["title LIKE ?"] * len(words))
        t0 = time.perf_counter()
        await store.db.fetchall(sql, [f"%{w}%" for w in words])
        times.append(time.perf_counter() - t0)
    return times


def ms(values: list[float], q: float) -> float:
    return percentile(values, q) * 1000


def report(built: dict, build_rss: float | None, m: dict, rss: float) -> bool:
    n = m["papers"]
    print(
        f"\nstore: {n:,} papers, {m['db_bytes'] / 1e9:.2f} GB, "
        f"{m['db_bytes'] / n:,.0f} bytes per paper"
    )
    cached = "" if build_rss is not None else " (cached build)"
    print(
        f"build through Store.ingest: {built['build_seconds']:.0f} s, {built['rate']:,.0f} "
        f"papers/s{cached}; build peak RSS {built.get('rss_mb', float('nan')):.0f} MB"
    )
    print(f"{'query':<40}{'n':>6}{'p50 ms':>9}{'p99 ms':>9}")
    rows = [
        ("id via Lookup (arxiv=None)", m["id_lookup"]),
        ("id via Store.get_paper", m["id_get"]),
        ("2-3 title words via Lookup", m["words_lookup"]),
        ("2-3 title words via Store.search", m["words_search"]),
        ("1 common word via Lookup", m["common_lookup"]),
        ("1 common word via Store.search", m["common_search"]),
        ("baseline: title LIKE scan (same words)", m["like"]),
    ]
    for label, values in rows:
        print(f"{label:<40}{len(values):>6}{ms(values, 50):>9.3f}{ms(values, 99):>9.3f}")
    print(f"common words: {', '.join(m['common_words'])}")
    print(f"word queries answered from the store: {m['words_found']} of {m['words_n']}")
    ratio = percentile(m["like"], 50) / percentile(m["words_search"][: len(m["like"])], 50)
    print(f"FTS vs LIKE scan, median of the same {len(m['like'])} queries: {ratio:,.0f}x faster")
    print(f"peak RSS: look-up process {rss:.0f} MB (target < {TARGETS['rss']:.0f} MB)")
    checks = [
        ("id p50 < 1 ms (Lookup)", ms(m["id_lookup"], 50) < TARGETS["id_p50"]),
        ("id p99 < 5 ms (Lookup)", ms(m["id_lookup"], 99) < TARGETS["id_p99"]),
        ("words p50 < 10 ms (Lookup)", ms(m["words_lookup"], 50) < TARGETS["words_p50"]),
        ("words p99 < 50 ms (Lookup)", ms(m["words_lookup"], 99) < TARGETS["words_p99"]),
        ("peak RSS < 300 MB", rss < TARGETS["rss"] and built.get("rss_mb", 0) < TARGETS["rss"]),
    ]
    for name, ok in checks:
        print(f"target {name}: {'met' if ok else 'MISSED'}")
    return all(ok for _, ok in checks)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--papers", type=int, default=None, help="store size (default 1,000,000)")
    ap.add_argument("--quick", action="store_true", help="50,000 papers, fewer queries")
    ap.add_argument("--rebuild", action="store_true", help="ignore a cached database")
    ap.add_argument("--child", choices=["build", "measure"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    n = args.papers or (50_000 if args.quick else 1_000_000)
    WORK.mkdir(exist_ok=True)
    db, meta = WORK / f"papers-{n}.sqlite3", WORK / f"papers-{n}.json"
    if args.child == "build":
        print(json.dumps(asyncio.run(build(args.corpus, db, n))))
        return 0
    if args.child == "measure":
        print(json.dumps(asyncio.run(measure(db, args.quick))))
        return 0
    me = [PYTHON, __file__, args.corpus, "--papers", str(n)] + (["--quick"] if args.quick else [])
    build_rss = None
    if args.rebuild or not (db.exists() and meta.exists()):
        print(f"building {n:,} papers into {db} ...", flush=True)
        run = run_measured([*me, "--child", "build"], stderr_to_console=True)
        built = json.loads(run.stdout)
        built["rss_mb"] = build_rss = run.maxrss_mb
        meta.write_text(json.dumps(built))
    built = json.loads(meta.read_text())
    run = run_measured([*me, "--child", "measure"])
    ok = report(built, build_rss, json.loads(run.stdout), run.maxrss_mb)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
