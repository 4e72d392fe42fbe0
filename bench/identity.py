"""Identity benchmark: verifying one day's candidates for 10,000 person subscriptions.

    python bench/identity.py CORPUS_DIR [--day 2026-06-02] [--persons 10000] [--quick]

10,000 people are followed (by OpenAlex id) over 100 channels; their names are drawn from the
month's author lists (a third from the day's own, so the day has candidates). The day's listings
go through the real ingest (``Ingestor``: alerts of person-only matches are held), then one real
``IdentityVerifier`` pass asks a fake OpenAlex on 127.0.0.1 (``tests/support/fake_openalex.py``,
the real payload shapes) about every candidate. The fake holds 80% of the day's papers; in a
held paper it credits a followed name to the followed record 70% of the time, else to a
namesake record; papers with more than 100 authors come truncated in lists.

Checked: list requests <= ceil(distinct candidate papers / 50), plus at most one single-work
request per truncated work. Baseline in the same run: one single-work request per candidate
paper (how a verifier without batches would ask). Both without a limiter (their own cost);
the wall time OpenAlex's politeness adds at ``min_interval_seconds = 0.1`` is printed beside.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from _common import corpus_files, distinct_papers, load_listings  # noqa: E402
from support.fake_openalex import FakeOpenAlex, work  # noqa: E402
from support.fakeweb import FakeServer  # noqa: E402

from bot.config.identity import IdentityConfig  # noqa: E402
from bot.ingest.identity import IdentityVerifier, person_ids  # noqa: E402
from bot.ingest.ingestor import Ingestor  # noqa: E402
from bot.matching.names import parse_person  # noqa: E402
from bot.model import Listing, Paper, SubscriptionKind  # noqa: E402
from bot.model.identity import AuthorRecord  # noqa: E402
from bot.sources.http import HttpClient  # noqa: E402
from bot.sources.openalex import OpenAlexClient, arxiv_doi  # noqa: E402
from bot.store import Store  # noqa: E402

CHANNELS = 100
POLITE = 0.1


def pick_names(day: list[Paper], month: list[Paper], count: int, rng: random.Random) -> list[str]:
    """Distinct parseable author names: a third from the day's papers, the rest the month's."""

    def names(papers: list[Paper]) -> list[str]:
        found = {a for p in papers for a in p.authors if parse_person(a) is not None}
        return sorted(found)

    own, pool = names(day), names(month)
    rng.shuffle(own)
    rng.shuffle(pool)
    chosen = dict.fromkeys(own[: count // 3])
    for name in pool:
        if len(chosen) >= count:
            break
        chosen.setdefault(name)
    return list(chosen)


async def follow(store: Store, names: list[str]) -> dict[str, str]:
    """Subscribe the channels to one person per name; name -> author id."""
    ids: dict[str, str] = {}
    for i, name in enumerate(names):
        ident = f"A{7_000_000 + i}"
        ids[name] = ident
        await store.identity.save_person(AuthorRecord(ident, name), time.time())
    for n in range(CHANNELS):
        await store.channels.upsert_config(f"c{n}", "console")
    channels = [c.id for c in await store.channels.list()]
    for i, name in enumerate(names):
        value = f"openalex:{ids[name]}"
        await store.subscriptions.add(
            channels[i % CHANNELS], SubscriptionKind.AUTHOR, value, value, None
        )
    return ids


def index(fake: FakeOpenAlex, papers: list[Paper], ids: dict[str, str], rng: random.Random) -> None:
    """The fake's works: 80% of the day's papers, followed names credited 70% to the person."""
    for n, paper in enumerate(papers):
        if rng.random() >= 0.8:
            continue
        authors: list[tuple[str | None, str, str | None]] = []
        for k, name in enumerate(paper.authors):
            ident = ids.get(name)
            if ident is None or rng.random() >= 0.7:
                ident = f"A{9_000_000 + n * 1000 + k}"
            authors.append((ident, name, None))
        if rng.random() < 0.03:  # a large collaboration: the real authors come after 150 others
            authors = [
                (f"A{8_000_000 + n * 200 + k}", f"Member Number{k}", None) for k in range(150)
            ] + authors
        fake.add_work(work(f"W{n + 1}", paper.arxiv_id, authors, title=paper.title))


async def baseline(client: OpenAlexClient, papers: list[str]) -> tuple[float, int]:
    start, before = time.perf_counter(), client.requests
    for paper in papers:
        await client.work(f"doi:{arxiv_doi(paper)}")
    return time.perf_counter() - start, client.requests - before


async def run(listings: list[Listing], month: list[Paper], persons: int) -> int:
    rng = random.Random(15)
    day = distinct_papers(listings)
    names = pick_names(day, month, persons, rng)
    with tempfile.TemporaryDirectory(prefix="paperbot-bench-identity-") as tmp:
        async with await Store.open(Path(tmp) / "b.sqlite3") as store, FakeServer() as server:
            ids = await follow(store, names)
            fake = FakeOpenAlex(server)
            index(fake, day, ids, rng)
            ingestor = Ingestor(store)
            for listing in listings:
                await ingestor.ingest(listing.items, announced_on=listing.pub_date)
            held = await store.outbox.identity_held(limit=10**9)
            papers = sorted({h.paper_id for h in held})
            big = {
                w["doi"].rsplit("arxiv.", 1)[-1]
                for w in fake.works.values()
                if len(w["authorships"]) > 100
            }
            truncated = sum(1 for p in papers if p in big)
            print(
                f"{len(names):,} persons followed over {CHANNELS} channels; {len(day):,} papers "
                f"that day; {len(held):,} held alerts on {len(papers):,} candidate papers "
                f"({truncated} indexed with more than 100 authors)",
                flush=True,
            )
            async with HttpClient(retries=0) as http:
                client = OpenAlexClient(http, fake.url)
                verifier = IdentityVerifier(store, client, IdentityConfig())
                sent = len(fake.requests)
                start = time.perf_counter()
                report = await verifier.run()
                took = time.perf_counter() - start
                lists = len(fake.list_requests())
                singles = len(fake.requests) - sent - lists
                base_time, base_requests = await baseline(client, papers)
    bound = math.ceil(len(papers) / 50)
    print(
        f"verified {report.verified:,}, held out (another record) {report.contradicted:,}, "
        f"unknown (still held) {report.held - report.verified - report.contradicted:,}"
    )
    print(f"{'':28}{'requests':>10}{'time':>10}{'+ politeness at 0.1 s':>24}")
    row("batched (50 a request)", lists + singles, took)
    row("baseline: one per paper", base_requests, base_time)
    print(
        f"list requests {lists} <= ceil({len(papers)}/50) = {bound}; single works {singles} <= "
        f"truncated {truncated}; requests {((lists + singles) / max(base_requests, 1)):.3f}x "
        f"the baseline, time {took / max(base_time, 1e-9):.2f}x"
    )
    ok = lists <= bound and singles <= truncated and all(person_ids(h.reasons) for h in held)
    print("OK" if ok else "FAILED: more requests than the bound")
    return 0 if ok else 1


def row(label: str, requests: int, seconds: float) -> None:
    print(f"{label:28}{requests:>10}{seconds:>9.2f}s{requests * POLITE:>23.1f}s")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--day", default="2026-06-02")
    ap.add_argument("--persons", type=int, default=10_000)
    ap.add_argument("--quick", action="store_true", help="one listing, 1,000 persons")
    args = ap.parse_args()
    files = corpus_files(args.corpus)
    day_files = [f for f in files if f.name.startswith(args.day)][: 1 if args.quick else None]
    month = files[:20] if args.quick else files
    listings = load_listings(day_files)
    persons = 1_000 if args.quick else args.persons
    return asyncio.run(run(listings, distinct_papers(load_listings(month)), persons))


if __name__ == "__main__":
    sys.exit(main())
