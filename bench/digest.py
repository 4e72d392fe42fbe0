"""Digest benchmark (#14): 100 channels in daily mode, each holding the same 2,000 papers
(matched by 1-3 of its 5 subscriptions), and each digest assembled by the real store
(``store.digests.assemble``: read the held rows, group by subscription with "also #N", order
newest first, decide full entries and title lines and the parts, write the digest, its part
rows and one entry row per paper, mark the papers carried) — no platform rendering.

Baseline, in the same run on a copy of the same database: a plain ``SELECT`` of the very rows
assembly reads (the held alerts of each channel joined to their papers), fetched in full.
Prints the median of the runs, per digest and per paper, and the ratio to the baseline; the
target is under 1 s for the 100 digests.

    python bench/digest.py [--channels 100] [--papers 2000] [--runs 5] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.model.volume import Mode, VolumeSettings
from bot.store import Store
from bot.store.held import HELD_PAPERS

SUBSCRIPTIONS = 5
#: The Slack spec's part sizes (adapters/slack/spec.py): 10 full entries or 50 titles a part.
PER_PART_FULL, PER_PART_TITLES = 10, 50
TARGET_SECONDS = 1.0


async def build(path: Path, channels: int, papers: int) -> list[int]:
    """The database: channels in daily mode, their subscriptions, the papers and one held
    digest row per (paper, channel); the channel ids."""
    rng = random.Random(7)
    store = await Store.open(path)
    ids: list[int] = []
    daily = VolumeSettings(Mode.DAILY, at=dtime(9, 0), tz="Europe/Berlin")
    for c in range(channels):
        channel = await store.channels.upsert_config(f"team-{c}", "slack-webhook")
        await store.volume.configure(channel.id, daily)
        ids.append(channel.id)
    await store.close()
    conn = sqlite3.connect(path)
    conn.executemany(
        "INSERT INTO papers(arxiv_id, version, title, authors, abstract, primary_category, "
        "categories, announced, versions, first_seen, last_seen) "
        "VALUES (?, 1, ?, 'A. B', '', 'cs.AI', 'cs.AI', ?, '[]', '', '')",
        [(f"2607.{i:05d}", f"Paper {i}", f"2026-07-{13 + i % 3:02d}") for i in range(papers)],
    )
    subs: dict[int, list[int]] = {}
    for cid in ids:
        for s in range(SUBSCRIPTIONS):
            cur = conn.execute(
                "INSERT INTO subscriptions(channel_id, kind, value, norm, created_at) "
                "VALUES (?, 'topic', ?, ?, '')",
                (cid, f"topic {s}", f"topic {s}"),
            )
            subs.setdefault(cid, []).append(int(cur.lastrowid or 0))
    rows = []
    for cid in ids:
        for i in range(papers):
            chosen = sorted(rng.sample(subs[cid], rng.randint(1, 3)))
            rows.append(
                (
                    f"2607.{i:05d}",
                    cid,
                    "\n".join(f"topic: topic {subs[cid].index(s)}" for s in chosen),
                    " ".join(map(str, chosen)),
                )
            )
    conn.executemany(
        "INSERT INTO outbox(paper_id, channel_id, kind, version, reasons, sub_ids, state, "
        "hold_reason, held_until, held_at, created_at) "
        "VALUES (?, ?, 'alert', 1, ?, ?, 'held', 'digest', 0, 0, '')",
        rows,
    )
    conn.commit()
    conn.close()
    return ids


async def assemble_all(path: Path, ids: list[int]) -> tuple[float, int]:
    store = await Store.open(path)
    try:
        start = time.perf_counter()
        papers = 0
        for cid in ids:
            made = await store.digests.assemble(
                cid,
                time.time(),
                per_part_full=PER_PART_FULL,
                per_part_titles=PER_PART_TITLES,
                thread=True,
            )
            assert made is not None
            papers += made[1]
        return time.perf_counter() - start, papers
    finally:
        await store.close()


async def select_all(path: Path, ids: list[int]) -> tuple[float, int]:
    store = await Store.open(path)
    try:
        start = time.perf_counter()
        rows = 0
        for cid in ids:
            found = await store.db.fetchall(
                HELD_PAPERS + "AND o.hold_reason = 'digest' AND o.held_until <= ? ORDER BY o.id",
                (cid, time.time()),
            )
            rows += len(found)
        return time.perf_counter() - start, rows
    finally:
        await store.close()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=100)
    parser.add_argument("--papers", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="10 channels, 3 runs")
    args = parser.parse_args()
    if args.quick:
        args.channels, args.runs = 10, 3
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.sqlite3"
        ids = await build(base, args.channels, args.papers)
        assembled: list[float] = []
        selected: list[float] = []
        for run in range(args.runs):  # interleaved, each on a fresh copy of the database
            for target, times, fn in (
                ("a", assembled, assemble_all),
                ("s", selected, select_all),
            ):
                copy = Path(tmp) / f"{target}{run}.sqlite3"
                shutil.copy(base, copy)
                seconds, count = await fn(copy, ids)
                assert count == args.channels * args.papers, count
                times.append(seconds)
        a, s = statistics.median(assembled), statistics.median(selected)
    n = args.channels * args.papers
    print(f"digests: {args.channels} channels x {args.papers} papers = {n:,} held rows")
    print(
        f"assemble (median of {args.runs}): {a * 1000:.0f} ms; "
        f"{a / args.channels * 1000:.1f} ms a digest; {a / n * 1e6:.2f} us a paper"
    )
    print(f"baseline SELECT of the same rows: {s * 1000:.0f} ms")
    print(f"ratio: {a / s:.1f}x the SELECT")
    met = a < TARGET_SECONDS
    print(
        f"target < {TARGET_SECONDS:g} s for {args.channels} digests: {'met' if met else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
