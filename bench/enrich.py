"""Look-up enrichment and author-page benchmark on the real month.

    python bench/enrich.py CORPUS_DIR [--quick]

Stores the month (every listing through the real ingest path), then measures, in one process:

* a look-up by id through the chat services without enrichment (the baseline), and the same
  look-up plus :meth:`Services.enrich` with Semantic Scholar's record cached (a cache hit: no
  request) and with none cached and S2 off (one cache read that finds nothing);
* the author page (``author NAME``) for the month's most frequent author names and for a
  name with one paper, through :class:`AuthorPages` (store and cache only), with the abstract
  index up to date (as ``run``/``check`` leave it after each poll).

Prints p50/p99 and the ratios against the baseline measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

from _common import corpus_files, ingest, load_listings, percentile

from bot.chat.author import AuthorPages
from bot.chat.services import Services
from bot.config import Config
from bot.model.scholarly import SEMANTIC_SCHOLAR, PaperRecord
from bot.store import Store


async def timed(calls, runs: int) -> list[float]:
    out = []
    for i in range(runs):
        started = time.perf_counter()
        await calls(i)
        out.append(time.perf_counter() - started)
    return out


def line(label: str, values: list[float], base: float | None = None) -> str:
    p50, p99 = percentile(values, 50) * 1000, percentile(values, 99) * 1000
    ratio = f"  ({p50 / (base * 1000):.2f}x baseline p50)" if base else ""
    return f"{label:<48} p50 {p50:7.3f} ms  p99 {p99:7.3f} ms{ratio}"


async def main(corpus: str, quick: bool) -> None:
    files = corpus_files(corpus)[: 20 if quick else None]
    runs = 200 if quick else 2000
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(Path(tmp) / "bench.sqlite3")
        listings = load_listings(files)
        for listing in listings:
            await ingest(store, listing.items, announced_on=listing.pub_date)
        await store.papers.index_pending()  # as run/check do after each poll
        ids = [r["arxiv_id"] for r in await store.db.fetchall("SELECT arxiv_id FROM papers")]
        rng = random.Random(7)
        sample = [rng.choice(ids) for _ in range(runs)]
        cached = sample[: runs // 2]
        records = [
            PaperRecord(i, SEMANTIC_SCHOLAR, journal="J", citations=3, tldr="T.") for i in cached
        ]
        await store.index_records.put(records, now=time.time(), ttl_seconds=86_400)
        services = Services.over(store, Config(database_path=Path(tmp) / "x"), None)

        async def plain(i: int) -> None:
            await services.lookup(sample[i % len(sample)])

        async def hit(i: int) -> None:
            await services.enrich(await services.lookup(cached[i % len(cached)]))

        async def miss(i: int) -> None:
            await services.enrich(await services.lookup(sample[runs // 2 + i % (runs // 2)]))

        base = await timed(plain, runs)
        hits = await timed(hit, runs)
        misses = await timed(miss, runs)
        b50 = percentile(base, 50)
        print(f"{len(ids):,} papers stored from {len(files)} listings")
        print(line("look-up by id (baseline, no enrichment)", base))
        print(line("look-up by id + enrichment, S2 record cached", hits, b50))
        print(line("look-up by id + enrichment, nothing cached, S2 off", misses, b50))
        counts: Counter[str] = Counter()
        for listing in listings:
            for item in listing.items:
                counts.update(item.paper.authors)
        pages = AuthorPages(store)
        frequent = [name for name, _ in counts.most_common(20)]
        rare = [name for name, n in counts.items() if n == 1][:20]
        for label, names in (
            ("author page, 20 most frequent names", frequent),
            ("author page, 20 names with one paper", rare),
        ):

            async def page(i: int, names=names) -> None:
                await pages.page(names[i % len(names)])

            print(line(label, await timed(page, max(40, runs // 20)), b50))
        top = await pages.page(frequent[0])
        print(
            f"most frequent: {frequent[0]!r}, {top.total} papers, "
            f"{len(top.collaborators)} collaborators"
        )
        await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.corpus, args.quick))
