"""Preview benchmark: ``preview author|topic|category VALUE --days N`` on a store holding the
real month and, before it, older months.

    python bench/preview.py CORPUS_DIR [--months 12] [--repeat 5] [--rebuild]

Builds (or reuses, under ``work_dir("preview")``) a store: the June 2026 corpus through the
real ingest path (``paperbot ingest``'s ``ingest_files``, no alerts), then ``--months`` copies
of its papers announced 1..N months earlier (copied in SQL under other ids: only the size of
the store and of the announced index matter to a preview of the last days). Then times
``Preview.run`` (median of ``--repeat``) for authors, topics and categories over 7 and 30
announcement days, next to the baseline measured in the same run: the same rule over every
stored paper read with a full scan (what a preview costs without the announced index and the
SQL narrowing).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

from _common import corpus_files, median, work_dir

from bot.chat.preview import Preview
from bot.ingest.files import ingest_files
from bot.ingest.ingestor import Ingestor
from bot.matching.explain import matching_papers
from bot.model import Subscription, SubscriptionKind
from bot.store import Store
from bot.store.papers import _COLUMNS, paper_from_row

A, T, C = SubscriptionKind.AUTHOR, SubscriptionKind.TOPIC, SubscriptionKind.CATEGORY
CASES = [
    (A, "Yang Liu"),
    (A, "Takac, Martin"),
    (T, '"language model"'),
    (T, "reinforcement learning -survey"),
    (C, "cs.LG"),
    (C, "cs"),
]
_COPY = (
    f"INSERT INTO papers ({_COLUMNS}, first_seen, last_seen) SELECT arxiv_id || '-m' || ?, "
    + ", ".join(c.strip() for c in _COLUMNS.split(",")[1:-6])
    + ", date(announced, ? || ' months'), doi, comment, journal_ref, versions, listing_kind, "
    "first_seen, last_seen FROM papers WHERE arxiv_id NOT LIKE '%-m%' AND announced IS NOT NULL"
)


async def build(corpus: Path, db: Path, months: int) -> None:
    started = time.perf_counter()
    async with await Store.open(db) as store:
        await ingest_files(Ingestor(store), corpus_files(corpus), alert=False)
        async with store.db.transaction() as conn:
            for k in range(1, months + 1):
                await conn.execute(_COPY, (str(k), f"-{k}"))
        await store.papers.index_pending()
        print(
            f"built {db.name}: {await store.papers.count():,} papers in "
            f"{time.perf_counter() - started:.1f} s"
        )


async def baseline(store: Store, kind: SubscriptionKind, value: str, days: list) -> int:
    rows = await store.db.fetchall(f"SELECT {_COLUMNS} FROM papers NOT INDEXED")
    since = days[-1].isoformat()
    papers = [paper_from_row(r) for r in rows if r["announced"] and r["announced"] >= since]
    return len(matching_papers(Subscription(1, 1, kind, value), papers))


async def measure(db: Path, repeat: int) -> None:
    async with await Store.open(db) as store:
        print(f"store: {await store.papers.count():,} papers")
        preview = Preview(store)
        print(
            f"{'case':40} {'days':>4} {'papers':>7} {'preview':>10} {'baseline':>10} {'ratio':>7}"
        )
        for days in (7, 30):
            for kind, value in CASES:
                times, base_times, found = [], [], 0
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    result = await preview.run(kind, value, days)
                    times.append(time.perf_counter() - t0)
                    found = len(result.papers)
                for _ in range(max(1, repeat // 2)):
                    t0 = time.perf_counter()
                    expected = await baseline(store, kind, value, list(result.days))
                    base_times.append(time.perf_counter() - t0)
                assert expected == found, (kind, value, days, expected, found)
                p, b = median(times), median(base_times)
                label = f"{kind.value}: {value}"
                print(
                    f"{label:40} {days:>4} {found:>7} {p * 1000:>8.1f}ms {b * 1000:>8.0f}ms "
                    f"{b / p:>6.1f}x"
                )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    folder = work_dir("preview")
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / f"store-{args.months}.sqlite3"
    if args.rebuild or not db.exists():
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        asyncio.run(build(args.corpus, db, args.months))
    asyncio.run(measure(db, args.repeat))


if __name__ == "__main__":
    main()
