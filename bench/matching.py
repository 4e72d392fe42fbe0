"""Matching benchmark: SubscriptionIndex vs every matcher on every paper, one day's listing.

    python bench/matching.py CORPUS_DIR [--quick] [--day 2026-06-02] [--max 1000000]

S = 100, 1,000, 10,000, 100,000, 1,000,000 generated subscriptions (authors drawn from the
corpus, topic phrases from its titles; a second series up to 100,000 adds categories) against
the union of one day's four listings, stemming on. Baseline in the same run:
``bot.matching.subscription_matches`` for every (subscription, paper) pair, timed on a sample of
papers and extrapolated to all of them. Prints build and match times, the index's memory (the
process' resident memory grown while building it, after collection), time per subscription
and per match, and the ratio to the baseline. Name and result caches are cleared before each
timed pass (new papers bring new names and texts); the stem cache is not (a day's words are
mostly words of earlier days; its cold cost is printed once).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time

from _common import Mix, as_subscriptions, corpus_files, distinct_papers, load_listings

from bot.matching.index import SubscriptionIndex, _name_words, _person_entry, subscription_matches

TARGET_S, TARGET_SECONDS, TARGET_RATIO = 10_000, 0.2, 50.0
BIG_S, BIG_SECONDS, BIG_MB = 1_000_000, 5.0, 1500.0
AUTHOR_TOPIC = Mix(author=0.6, topic=0.4, category=0.0)
WITH_CATEGORIES = Mix(author=0.6, topic=0.37, category=0.03)


def rss_mb() -> float:
    """This process' resident memory now (Linux)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def best_of(fn, repeats: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def match_all(index: SubscriptionIndex, papers) -> int:
    # New papers bring new author strings and texts: cold name and result caches every time.
    _person_entry.cache_clear()
    _name_words.cache_clear()
    index.clear_caches()
    return sum(len(s) for paper in papers for s in index.match(paper).values())


def baseline(subs, papers, index, budget: float, rng: random.Random) -> tuple[float, int, bool]:
    """Seconds for every matcher on every paper, extrapolated from a sample of papers that
    fits in ``budget`` seconds; also whether the index agreed on the sample."""
    sample, spent, agree = [], 0.0, True
    order = list(papers)
    rng.shuffle(order)
    for paper in order:
        start = time.perf_counter()
        hits = {s.id for s in subs if subscription_matches(s, paper)}
        spent += time.perf_counter() - start
        sample.append(paper)
        indexed = {s.id for group in index.match(paper).values() for s in group}
        agree = agree and hits == indexed
        if spent >= budget:
            break
    return spent / len(sample) * len(papers), len(sample), agree


def stem_cache_cost(papers) -> tuple[float, float]:
    """Seconds to prepare every paper's text with a cold stem cache, then a warm one."""
    from bot.matching import stems

    stems._STEMS.clear()
    stems._STEMS[stems.SEPARATOR] = stems.SEPARATOR
    timings = []
    for _ in range(2):
        start = time.perf_counter()
        for p in papers:
            stems.TextDoc.of(p.title, p.abstract)
        timings.append(time.perf_counter() - start)
    return timings[0], timings[1]


def series(papers, pool, mix: Mix, sizes, repeats: int, budget: float) -> list[dict]:
    from _common import generate_subscriptions

    rows = []
    for size in sizes:
        generated = generate_subscriptions(pool, size, channels=max(1, size // 20), mix=mix)
        subs = as_subscriptions(generated)
        del generated
        gc.collect()
        before = rss_mb()
        build, index = best_of(lambda subs=subs: SubscriptionIndex(subs), 1)
        gc.collect()
        memory = rss_mb() - before
        runs = repeats if size <= 100_000 else 2
        seconds, matches = best_of(lambda index=index: match_all(index, papers), runs)
        row = {"S": size, "build": build, "match": seconds, "matches": matches, "mb": memory}
        row["first"] = mix is AUTHOR_TOPIC
        if size <= TARGET_S:
            row["base"], row["sampled"], row["agree"] = baseline(
                subs, papers, index, budget, random.Random(size)
            )
        else:  # beyond 10,000: the baseline grows with S; scale the 10,000 figure
            prev = next(r for r in rows if r["S"] == TARGET_S)
            row["base"], row["sampled"], row["agree"] = prev["base"] * size / TARGET_S, 0, None
        rows.append(row)
        print(
            f"  S={size:>9,}: build {build:.1f} s, index {memory:,.0f} MB, match {seconds:.3f} s, "
            f"{matches:,} matches",
            flush=True,
        )
    return rows


def memory_text(row: dict) -> str:
    """The index's memory; only the first series measures it (the second reuses freed pages)."""
    return f"{row['mb']:,.0f}" if row.get("first") else "-"


def print_table(title: str, rows: list[dict], n: int) -> None:
    print(f"\n{title} x {n:,} papers")
    print(
        f"{'S':>10}{'build s':>9}{'index MB':>9}{'match s':>9}{'us/S':>8}{'us/match':>10}"
        f"{'matches':>11}{'baseline s':>12}{'ratio':>8}  baseline sample"
    )
    for r in rows:
        per_match = r["match"] / r["matches"] * 1e6 if r["matches"] else float("nan")
        sample = (
            f"{r['sampled']} papers, agree={r['agree']}"
            if r["sampled"]
            else "extrapolated from S=10,000"
        )
        print(
            f"{r['S']:>10,}{r['build']:>9.1f}{memory_text(r):>9}{r['match']:>9.3f}"
            f"{r['match'] / r['S'] * 1e6:>8.2f}{per_match:>10.2f}{r['matches']:>11,}"
            f"{r['base']:>12.1f}{r['base'] / r['match']:>8.0f}  {sample}"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--quick", action="store_true", help="S up to 10,000, shorter baseline")
    ap.add_argument("--day", default="2026-06-02")
    ap.add_argument("--max", type=int, default=BIG_S, help="the largest S (full runs)")
    args = ap.parse_args()
    files = corpus_files(args.corpus)
    day = [f for f in files if f.name.startswith(args.day)]
    papers = distinct_papers(load_listings(day))
    pool = distinct_papers(load_listings(files))  # subscriptions drawn from the whole month
    sizes = [100, 1_000, 10_000] if args.quick else [100, 1_000, 10_000, 100_000, args.max]
    sizes = sorted({s for s in sizes if s <= max(args.max, 10_000)})
    repeats, budget = (2, 0.5) if args.quick else (5, 3.0)
    print(
        f"{len(day)} files of {args.day}: {len(papers)} distinct papers; subscriptions drawn "
        f"from {len(pool):,} papers of the month",
        flush=True,
    )
    cold, warm = stem_cache_cost(papers)
    print(f"texts prepared (tokens, stems): {cold:.3f} s with a cold stem cache, {warm:.3f} s warm")
    print("author + topic subscriptions:")
    at = series(papers, pool, AUTHOR_TOPIC, sizes, repeats, budget)
    print("with 3% category subscriptions:")
    cat = series(papers, pool, WITH_CATEGORIES, [s for s in sizes if s <= 100_000], repeats, budget)
    print_table("author + topic (60/40)", at, len(papers))
    print_table("authors/topics/categories (60/37/3)", cat, len(papers))
    target = next(r for r in at if r["S"] == TARGET_S)
    ok_time = target["match"] < TARGET_SECONDS
    ok_ratio = target["base"] / target["match"] >= TARGET_RATIO
    print(
        f"\ntarget {TARGET_S:,} author+topic x {len(papers):,} papers < {TARGET_SECONDS} s: "
        f"{target['match']:.3f} s -> {'met' if ok_time else 'MISSED'}"
    )
    print(
        f"target >= {TARGET_RATIO:.0f}x baseline at {TARGET_S:,}: "
        f"{target['base'] / target['match']:.0f}x -> {'met' if ok_ratio else 'MISSED'}"
    )
    big = next((r for r in at if r["S"] == BIG_S), None)
    if big is not None:
        print(
            f"target {BIG_S:,} x {len(papers):,} < {BIG_SECONDS} s: {big['match']:.2f} s -> "
            f"{'met' if big['match'] < BIG_SECONDS else 'MISSED'}; index memory < {BIG_MB:,.0f} "
            f"MB: {big['mb']:,.0f} MB -> {'met' if big['mb'] < BIG_MB else 'MISSED'}"
        )
    growth = at[-1]["match"] / at[0]["match"]
    work = (at[-1]["S"] + at[-1]["matches"]) / (at[0]["S"] + at[0]["matches"])
    print(
        f"growth S={at[0]['S']:,} -> {at[-1]['S']:,}: time x{growth:.1f} for S + matches "
        f"x{work:.1f} ({'sub-linear' if growth <= work else 'SUPER-linear'})"
    )
    disagree = [r for r in at + cat if r["agree"] is False]
    if disagree:
        print(
            "CHECK FAILED: the index and the baseline disagree at S =", [r["S"] for r in disagree]
        )
    return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main())
