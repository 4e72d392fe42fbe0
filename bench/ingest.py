"""Ingest benchmark: the month's listings through ``paperbot ingest [--alert]``, as whole
processes.

    python bench/ingest.py CORPUS_DIR [--quick] [--runs N] [--subscriptions N]

Creates a fresh database with 1,000 generated subscriptions (authors drawn from the corpus,
topic phrases from its titles, a few categories) over 50 channels named in a config file, then
replays every file in date order through the real CLI, with ``--alert`` and without. In the same
run, as whole processes too: the *lxml pass* (gunzip, lxml-parse, read seven fields of every
item) and feedparser on the same files. Prints items/s, the ratios, the child's peak RSS, the
database size, and checks that every distinct id is stored once, that the alerts are those of an
in-memory replay of the alert rule, and that no (paper, channel) got two alerts.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import shutil
import sqlite3
import sys
from pathlib import Path

from _common import (
    BENCH,
    PAPERBOT,
    PYTHON,
    Mix,
    corpus_files,
    db_size,
    distinct_papers,
    generate_subscriptions,
    load_listings,
    median,
    remove_db,
    run_measured,
    work_dir,
)

from bot.chat.services import normalize_subscription
from bot.matching.index import SubscriptionIndex
from bot.model.paper import merge_paper, merged_versions
from bot.store import Store

WORK = work_dir("ingest")
CHANNELS = 50
THREAD_CHANNELS = 10  # the first ten are Slack bot channels (version notes go to threads)
TARGETS = {"lxml": 0.5, "plain": 0.7, "feedparser": 6.0, "rss_mb": 200.0}
#: Category subscriptions are firehoses (a team on cs.LG gets ~150 alerts a day): few teams.
MIX = Mix(author=0.6, topic=0.39, category=0.01)


def write_config(path: Path, db: Path) -> None:
    lines = [f'[database]\npath = "{db}"\n', '[arxiv]\ncategories = ["cs.AI", "cs.LG"]\n']
    for i in range(CHANNELS):
        if i < THREAD_CHANNELS:
            lines.append(
                f'[[channels]]\nname = "team{i}"\nplatform = "slack"\nchannel_id = "C{i:08d}"\n'
            )
        else:
            lines.append(
                f'[[channels]]\nname = "team{i}"\nplatform = "slack-webhook"\n'
                f'webhook_url = "https://hooks.example/T0/B0/x{i}"\n'
            )
    path.write_text("\n".join(lines))
    path.chmod(0o600)


async def make_template(db: Path, papers, count: int) -> None:
    """A database holding only the channels and ``count`` subscriptions."""
    remove_db(db)
    store = await Store.open(db)
    ids = []
    for i in range(CHANNELS):
        platform = "slack" if i < THREAD_CHANNELS else "slack-webhook"
        external = f"C{i:08d}" if i < THREAD_CHANNELS else None
        ids.append((await store.channels.upsert_config(f"team{i}", platform, external)).id)
    for channel, kind, value in generate_subscriptions(papers, count, channels=CHANNELS, mix=MIX):
        value, norm = normalize_subscription(kind, value)
        await store.subscriptions.add(ids[channel], kind, value, norm, "bench")
    await store.close()


def expected_alerts(listings, subscriptions) -> set[tuple[str, int]]:
    """Replay the listings in memory by the alert rule: at each new/cross item, the channels
    that match the paper as it becomes and did not match it as it stood (never announced:
    nothing)."""
    index = SubscriptionIndex(subscriptions)
    state: dict = {}
    expected: set[tuple[str, int]] = set()
    for listing in listings:
        for item in listing.items:
            paper, prior = item.paper, state.get(item.paper.arxiv_id)
            first = item.announce_type.is_first_announcement
            day = listing.pub_date if first and (prior is None or not prior.announced) else None
            if prior is None:
                after = dataclasses.replace(
                    paper, versions=merged_versions((), paper), announced=day
                )
            else:
                after = merge_paper(prior, paper, day)
            state[paper.arxiv_id] = after
            if not first:
                continue
            before = index.match(prior) if prior is not None and prior.announced else {}
            expected.update((paper.arxiv_id, ch) for ch in index.match(after) if ch not in before)
    return expected


def check(db: Path, distinct: int, expected: set[tuple[str, int]]) -> list[str]:
    """Correctness after a run; returns failures (empty when all is well)."""
    conn = sqlite3.connect(db)
    failures = []
    papers, ids = conn.execute("SELECT count(*), count(DISTINCT arxiv_id) FROM papers").fetchone()
    if papers != distinct or ids != distinct:
        failures.append(f"papers stored {papers} (distinct {ids}), expected {distinct}")
    dup = conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM outbox WHERE kind='alert' "
        "GROUP BY paper_id, channel_id HAVING count(*) > 1)"
    ).fetchone()[0]
    if dup:
        failures.append(f"{dup} (paper, channel) pairs with two alerts")
    got = set(conn.execute("SELECT paper_id, channel_id FROM outbox WHERE kind='alert'"))
    if got != expected:
        failures.append(
            f"alerts differ from the in-memory replay: {len(got - expected)} extra, "
            f"{len(expected - got)} missing"
        )
    conn.close()
    return failures


def fresh(template: Path, db: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, db)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--quick", action="store_true", help="first 6 days, 200 subscriptions")
    ap.add_argument("--runs", type=int, default=None, help="runs of ours and the lxml pass")
    ap.add_argument("--subscriptions", type=int, default=None)
    args = ap.parse_args()
    files = corpus_files(args.corpus)
    if args.quick:
        files = files[:24]
    runs = args.runs or (1 if args.quick else 5)
    subs = args.subscriptions or (200 if args.quick else 1000)
    WORK.mkdir(parents=True, exist_ok=True)
    template, db, cfg = WORK / "template.sqlite3", WORK / "run.sqlite3", WORK / "paperbot.toml"
    listings = load_listings(files)
    papers = distinct_papers(listings)
    items = sum(len(x.items) for x in listings)
    write_config(cfg, db)
    asyncio.run(make_template(template, papers, subs))
    names = [str(f) for f in files]
    cmds = {
        "alert": [PAPERBOT, "--config", str(cfg), "ingest", "--alert", *names],
        "plain": [PAPERBOT, "--config", str(cfg), "ingest", *names],
        "lxml": [PYTHON, str(BENCH / "_baselines.py"), "lxml", *names],
        "feed": [PYTHON, str(BENCH / "_baselines.py"), "feedparser", *names],
    }
    print(
        f"{len(files)} files, {items} items, {len(papers)} distinct papers, {subs} subscriptions"
        f" over {CHANNELS} channels; {runs} run(s) each, interleaved",
        flush=True,
    )
    rows: dict[str, list] = {k: [] for k in cmds}
    failures: list[str] = []
    for run in range(runs):
        for name in ("alert", "lxml", "plain", "feed"):
            if name == "feed" and run >= max(1, runs // 2):
                continue
            if name in ("alert", "plain"):
                fresh(template, db)
            rows[name].append(run_measured(cmds[name]))
            if name == "alert" and run == 0:
                subscriptions = asyncio.run(_subscriptions(db))
                failures += check(db, len(papers), expected_alerts(listings, subscriptions))
                db_bytes = db_size(db)
                summary = rows["alert"][0].stdout.strip().splitlines()[-1]  # the total line
        print(
            f"  run {run + 1}: "
            + ", ".join(f"{k} {v[-1].wall:.2f} s" for k, v in rows.items() if len(v) > run),
            flush=True,
        )
    distinct_lxml = int(rows["lxml"][0].stdout.split()[1])
    if distinct_lxml != len(papers):
        failures.append(f"lxml pass counts {distinct_lxml} distinct ids, parser {len(papers)}")
    if not args.quick and len(papers) != 15_917:
        failures.append(f"expected 15,917 distinct papers in June 2026, got {len(papers)}")
    report(items, rows, db_bytes, summary, failures)
    return 1 if failures else 0


async def _subscriptions(db: Path):
    store = await Store.open(db)
    try:
        return await store.subscriptions.list()
    finally:
        await store.close()


LABELS = {
    "alert": "paperbot ingest --alert",
    "plain": "paperbot ingest",
    "lxml": "lxml pass (7 fields)",
    "feed": "feedparser",
}


def report(items, rows, db_bytes, summary, failures) -> None:
    best = {k: min(r.wall for r in v) for k, v in rows.items()}
    med = {k: median([r.wall for r in v]) for k, v in rows.items()}
    print(f"\nours: {summary}")
    print(f"{'pass':<28}{'best s':>8}{'median s':>10}{'items/s':>10}{'CPU s':>8}{'peak RSS':>10}")
    for key, label in LABELS.items():
        rss, cpu = max(r.maxrss_mb for r in rows[key]), min(r.cpu for r in rows[key])
        print(
            f"{label:<28}{best[key]:>8.2f}{med[key]:>10.2f}{items / best[key]:>10,.0f}"
            f"{cpu:>8.2f}{rss:>8.0f} MB"
        )
    ratios = {
        "lxml": (med["lxml"] / med["alert"], best["lxml"] / best["alert"]),
        "plain": (med["lxml"] / med["plain"], best["lxml"] / best["plain"]),
        "feedparser": (med["feed"] / med["alert"], best["feed"] / best["alert"]),
    }
    for name, text in (
        ("lxml", "ingest --alert / lxml pass"),
        ("plain", "ingest (no alerts) / lxml pass"),
        ("feedparser", "ingest --alert / feedparser"),
    ):
        m, b = ratios[name]
        print(f"ratio {text:<32} (items/s): median runs {m:.2f}, best {b:.2f};"
              f" target >= {TARGETS[name]}")  # fmt: skip
    rss = max(r.maxrss_mb for r in rows["alert"])
    print(f"peak RSS of the ingest process: {rss:.0f} MB (target < {TARGETS['rss_mb']:.0f} MB)")
    print(f"database size: {db_bytes / 1e6:.1f} MB")
    for name, (m, _) in ratios.items():
        print(f"target {name} ratio: {'met' if m >= TARGETS[name] else 'MISSED'}")
    print(f"target peak RSS: {'met' if rss < TARGETS['rss_mb'] else 'MISSED'}")
    print(
        "checks:",
        "OK (each id stored once; alerts = in-memory replay of the rule; none doubled)"
        if not failures
        else "FAILED",
    )
    for failure in failures:
        print("  -", failure)


if __name__ == "__main__":
    sys.exit(main())
