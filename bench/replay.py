"""Replay check: the real bot's alerts over the month against the reference of issue #11.

    python bench/replay.py CORPUS_DIR [--paperbot PATH] [--examples N]

1. Parses the corpus with ``bench/replay_reference.py`` (which imports nothing from ``bot/``)
   and picks 14 channels, one subscription each, from the data (printed at start):

   - 5 authors listed at least once with a comma inside their parenthesised affiliation in
     ``dc:creator`` (``Martin Tak\\'a\\v{c} (Mohamed bin Zayed University of Artificial
     Intelligence, Abu Dhabi, UAE)``): the 4 with the most papers in the month, plus the most
     prolific such author whose name carries an accent;
   - 5 ordinary prolific authors (never listed with an affiliation): the 4 with the most
     papers, plus the most prolific one whose name carries an accent (TeX or Unicode);
   - authors are subscribed alternately as ``Given Surname`` and ``Surname, Given``, with TeX
     accents decoded to Unicode (the corpus spells them ``Sch\\"olkopf``);
   - the 2 categories (of cs.AI, cs.CL, cs.CV, cs.LG) whose listings hold the most distinct
     papers as ``cross`` items;
   - 2 topic phrases whose inflected forms occur in the month: ``"reward model"`` (reward
     models, reward modeling) and ``"multi-agent system"`` (multi-agent systems, and the
     compounds multiagent system(s)); the script prints how many papers match only that way.

   On June 2026 this picks Hao Wang, Yan Wang, Jun Wang, Salman Khan, Martin Takáč (comma in
   affiliation); Yang Liu, Wei Wang, Xiang Li, Yi Yang, Bernhard Schölkopf (ordinary); cs.AI
   and cs.LG; the two phrases above.
2. Computes the expected alerts with the reference: {channel: {arXiv id: day}}.
3. Runs the real bot through its CLI in a temporary directory: a config with one console
   ``[[channels]]`` per subscription and ``[database] path`` there, ``paperbot subscribe`` for
   each, then one ``paperbot ingest --alert`` per day with that day's files in category order.
   After each day it reads the SQLite database directly (``outbox`` rows of kind ``alert``,
   joined to ``channels``) to learn which alerts that day added.
4. Prints per channel: expected, got, missing (expected, never alerted), wrong (alerted but not
   expected, or on another day), duplicated (a (paper, channel) alerted twice), a total line,
   and example ids for each non-zero count with the paper's listing history and the cause:
   which known bot shortcoming (``affiliations``: dc:creator split at every comma;
   ``stemming``: no inflections or compounds; ``later-listings``: only a paper's first
   announcement alerts; ``surname-only-author``: an author listed without given names, such
   as the garbled ``Zifan (Sail),  Wang``, matches every subscription with that surname)
   reproduces the bot's outcome when the reference is run with it.

Exit 0 only when missing, wrong and duplicated are all 0 (the current bot is expected to fail).
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from replay_reference import (
    PARTICLES,
    Channel,
    ListingFile,
    Rules,
    decode_tex,
    fold,
    iter_listings,
    replay,
    split_creators,
    tokens,
)

TOPICS = ('"reward model"', '"multi-agent system"')
CORPUS_CATEGORIES = ("cs.AI", "cs.CL", "cs.CV", "cs.LG")
#: The bot's known shortcomings, each as the reference rule that emulates it.
SHORTCOMINGS: dict[str, Rules] = {
    "affiliations": Rules(affiliations=False),
    "stemming": Rules(stemming=False),
    "later-listings": Rules(later_listings=False),
    "surname-only-author": Rules(given_names_required=False),
}
ALL_SHORTCOMINGS = Rules(
    affiliations=False, stemming=False, later_listings=False, given_names_required=False
)


# --------------------------------------------------------------------------- channel choice


@dataclass
class AuthorStats:
    papers: set[str] = field(default_factory=set)
    comma_affiliation: set[str] = field(default_factory=set)
    any_affiliation: set[str] = field(default_factory=set)
    spellings: Counter[str] = field(default_factory=Counter)

    @property
    def accented(self) -> bool:
        return any("\\" in s or not s.isascii() for s in self.spellings)

    @property
    def display(self) -> str:
        """The most frequent spelling, TeX accents decoded (accented spellings first)."""
        ranked = sorted(self.spellings.items(), key=lambda kv: (-("\\" in kv[0]), -kv[1], kv[0]))
        return " ".join(decode_tex(ranked[0][0]).split())


def author_stats(listings: Sequence[ListingFile]) -> dict[tuple[str, ...], AuthorStats]:
    stats: dict[tuple[str, ...], AuthorStats] = defaultdict(AuthorStats)
    for listing in listings:
        for item in listing.items:
            for name, affiliation in split_creators(item.creator):
                key = tokens(name)
                if len(key) < 2 or not all(t.isalpha() for t in key):
                    continue
                s = stats[key]
                s.papers.add(item.arxiv_id)
                s.spellings[name] += 1
                if affiliation:
                    s.any_affiliation.add(item.arxiv_id)
                if "," in affiliation:
                    s.comma_affiliation.add(item.arxiv_id)
    return stats


def _pick(candidates: dict[tuple[str, ...], AuthorStats], n: int) -> list[AuthorStats]:
    """The n-1 most prolific, plus the most prolific accented one (or the n-th)."""
    ranked = sorted(candidates, key=lambda k: (-len(candidates[k].papers), k))
    chosen = ranked[: n - 1]
    accented = [k for k in ranked if candidates[k].accented]
    if not any(candidates[k].accented for k in chosen) and accented:
        chosen.append(accented[0])
    else:
        chosen = ranked[:n]
    return [candidates[k] for k in chosen]


def surname_first(display: str) -> str:
    """``Luc Van Gool`` -> ``Van Gool, Luc`` (surname: last word and the particles before)."""
    words = display.split()
    start = len(words) - 1
    while start > 1 and fold(words[start - 1]) in PARTICLES:
        start -= 1
    return f"{' '.join(words[start:])}, {' '.join(words[:start])}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def choose_channels(listings: Sequence[ListingFile]) -> tuple[list[Channel], list[str]]:
    """The channel set described in the module docstring, and lines explaining the choice."""
    stats = author_stats(listings)
    notes: list[str] = []
    channels: list[Channel] = []
    comma = {k: s for k, s in stats.items() if s.comma_affiliation}
    ordinary = {k: s for k, s in stats.items() if not s.any_affiliation}
    groups = (("comma in affiliation", comma), ("ordinary", ordinary))
    for label, pool in groups:
        for s in _pick(pool, 5):
            value = s.display if len(channels) % 2 == 0 else surname_first(s.display)
            channels.append(Channel(f"author-{_slug(s.display)}", "author", value))
            spellings = ", ".join(f"{k!r} x{v}" for k, v in s.spellings.most_common(3))
            notes.append(
                f"author ({label}) {value!r}: {len(s.papers)} papers, "
                f"{len(s.comma_affiliation)} with a comma in the affiliation; spelled {spellings}"
            )
    crossed: dict[str, set[str]] = defaultdict(set)
    for listing in listings:
        if listing.category in CORPUS_CATEGORIES:
            crossed[listing.category].update(
                i.arxiv_id for i in listing.items if i.announce_type == "cross"
            )
    ranked = sorted(crossed, key=lambda c: (-len(crossed[c]), c))
    notes.append("papers listed as cross: " + ", ".join(f"{c} {len(crossed[c])}" for c in ranked))
    for cat in sorted(ranked[:2]):
        channels.append(Channel(f"category-{_slug(cat)}", "category", cat))
    for query in TOPICS:
        channels.append(Channel(f"topic-{_slug(query)}", "topic", query))
    return channels, notes


def topic_notes(listings: Sequence[ListingFile], channels: Sequence[Channel]) -> list[str]:
    """How many papers each topic matches only through inflections or compounds."""
    topics = [c for c in channels if c.kind == "topic"]
    full = replay(listings, topics)
    exact = replay(listings, topics, SHORTCOMINGS["stemming"])
    notes = []
    for ch in topics:
        only = sorted(set(full[ch.name]) - set(exact[ch.name]))
        notes.append(
            f"topic {ch.value}: {len(full[ch.name])} papers alert, {len(only)} of them only "
            f"through inflections or compounds (e.g. {', '.join(only[:3])})"
        )
        if not only:
            raise SystemExit(f"topic {ch.value}: no inflected form in this corpus, pick another")
    return notes


# --------------------------------------------------------------------------- the real bot


def write_config(path: Path, db: Path, channels: Sequence[Channel]) -> None:
    lines = [f"[database]\npath = {json.dumps(str(db))}\n"]
    for ch in channels:
        lines.append(f'[[channels]]\nname = {json.dumps(ch.name)}\nplatform = "console"\n')
    path.write_text("\n".join(lines))


def _run(argv: Sequence[str]) -> str:
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:5])} ... exited {proc.returncode}:\n{proc.stderr}")
    return proc.stdout


@dataclass
class BotAlerts:
    """What the bot queued: {channel: {paper: [day, ...]}} (a list, to see doubles)."""

    days: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    unknown_channels: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


def run_bot(
    paperbot: str, listings: Sequence[ListingFile], channels: Sequence[Channel]
) -> BotAlerts:
    """Subscribe, then ingest day by day; after each day, the alerts that day added."""
    by_day: dict[str, list[Path]] = defaultdict(list)
    for listing in listings:  # already in date, then category order
        by_day[listing.day].append(listing.path)
    names = {ch.name for ch in channels}
    result = BotAlerts(days={ch.name: defaultdict(list) for ch in channels})
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="paperbot-replay-") as tmp:
        cfg, db = Path(tmp) / "paperbot.toml", Path(tmp) / "paperbot.sqlite3"
        write_config(cfg, db, channels)
        base = [paperbot, "--config", str(cfg)]
        for ch in channels:
            _run([*base, "subscribe", ch.name, ch.kind, ch.value])
        seen: set[int] = set()
        for day, paths in by_day.items():
            _run([*base, "ingest", "--alert", *map(str, paths)])
            with closing(sqlite3.connect(db)) as conn:
                rows = conn.execute(
                    "SELECT o.id, o.paper_id, c.name FROM outbox o "
                    "JOIN channels c ON c.id = o.channel_id WHERE o.kind = 'alert'"
                ).fetchall()
            for row_id, paper, channel in rows:
                if row_id in seen:
                    continue
                seen.add(row_id)
                if channel in names:
                    result.days[channel][paper].append(day)
                else:
                    result.unknown_channels[channel] += 1
    result.seconds = time.perf_counter() - start
    return result


# --------------------------------------------------------------------------- comparison


@dataclass
class Diff:
    expected: int = 0
    got: int = 0
    missing: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)


def compare(expected: dict[str, str], got: dict[str, list[str]]) -> Diff:
    diff = Diff(expected=len(expected), got=len(got))
    diff.missing = sorted(p for p in expected if p not in got)
    diff.wrong = sorted(p for p, days in got.items() if expected.get(p) != days[0])
    diff.duplicated = sorted(p for p, days in got.items() if len(days) > 1)
    return diff


class Explainer:
    """Which known shortcoming, put into the reference, gives the bot's outcome for a pair."""

    def __init__(self, listings: Sequence[ListingFile], channels: Sequence[Channel]) -> None:
        self.variants = {name: replay(listings, channels, r) for name, r in SHORTCOMINGS.items()}
        self.combined = replay(listings, channels, ALL_SHORTCOMINGS)
        self._history: dict[str, list[str]] | None = None
        self._listings = listings

    def cause(self, channel: str, paper: str, bot_day: str | None) -> str:
        causes = [n for n, alerts in self.variants.items() if alerts[channel].get(paper) == bot_day]
        if causes:
            return "+".join(causes)
        if self.combined[channel].get(paper) == bot_day:
            return "all combined"
        return "UNEXPLAINED"

    def history(self, paper: str) -> str:
        if self._history is None:
            self._history = defaultdict(list)
            for listing in self._listings:
                for item in listing.items:
                    self._history[item.arxiv_id].append(
                        f"{listing.day[5:]} {listing.category} {item.announce_type} v{item.version}"
                    )
        return "; ".join(self._history.get(paper, []))


def print_table(channels: Sequence[Channel], diffs: dict[str, Diff]) -> None:
    width = max(len(ch.name) for ch in channels)
    columns = f"{'expected':>8} {'got':>6} {'missing':>7} {'wrong':>6} {'dup':>4}"
    print(f"\n{'channel':<{width}}  {columns}  subscription")

    def row(label: str, d: Diff, tail: str) -> None:
        line = (
            f"{label:<{width}}  {d.expected:>8} {d.got:>6} {len(d.missing):>7} "
            f"{len(d.wrong):>6} {len(d.duplicated):>4}  {tail}"
        )
        print(line.rstrip())

    total = Diff()
    for ch in channels:
        d = diffs[ch.name]
        row(ch.name, d, f"{ch.kind} {ch.value}")
        total.expected += d.expected
        total.got += d.got
        total.missing += d.missing
        total.wrong += d.wrong
        total.duplicated += d.duplicated
    row("TOTAL", total, "")


def print_examples(
    channel: str,
    diff: Diff,
    expected: dict[str, str],
    got: dict[str, list[str]],
    explainer: Explainer,
    examples: int,
) -> Counter[str]:
    """Examples of each non-zero count, grouped by cause; returns ``kind [cause]`` counts."""
    causes: Counter[str] = Counter()
    for kind, ids in (("missing", diff.missing), ("wrong", diff.wrong)):
        if not ids:
            continue
        by_cause: dict[str, list[str]] = defaultdict(list)
        for p in ids:
            by_cause[explainer.cause(channel, p, got[p][0] if p in got else None)].append(p)
        summary = ", ".join(f"{c} {len(v)}" for c, v in by_cause.items())
        print(f"\n{channel} {kind} {len(ids)}: {summary}")
        for cause, papers in by_cause.items():
            causes[f"{kind} [{cause}]"] += len(papers)
            for p in papers[:examples]:
                print(
                    f"  {p} [{cause}] expected {expected.get(p, '-')}, bot "
                    f"{','.join(got.get(p, [])) or '-'}; listings: {explainer.history(p)}"
                )
    if diff.duplicated:
        print(f"\n{channel} duplicated {len(diff.duplicated)}:")
        for p in diff.duplicated[:examples]:
            print(f"  {p} alerted on {', '.join(got[p])}; listings: {explainer.history(p)}")
    return causes


def report(
    channels: Sequence[Channel],
    expected: dict[str, dict[str, str]],
    bot: BotAlerts,
    explainer: Explainer,
    examples: int,
) -> bool:
    """Print the comparison; True when the bot agrees with the reference."""
    diffs = {ch.name: compare(expected[ch.name], bot.days[ch.name]) for ch in channels}
    print_table(channels, diffs)
    if bot.unknown_channels:
        print(f"alerts for channels not in the set: {dict(bot.unknown_channels)}")
    causes: Counter[str] = Counter()
    for ch in channels:
        causes += print_examples(
            ch.name, diffs[ch.name], expected[ch.name], bot.days[ch.name], explainer, examples
        )
    if causes:
        print("\ndifferences by cause: " + ", ".join(f"{k} {n}" for k, n in sorted(causes.items())))
    off = [
        ch.name
        for ch in channels
        if explainer.combined[ch.name] != {p: days[0] for p, days in bot.days[ch.name].items()}
    ]
    print(
        f"the reference with all {len(SHORTCOMINGS)} shortcomings reproduces the bot exactly on "
        f"{len(channels) - len(off)} of {len(channels)} channels"
        + (f" (not on {', '.join(off)})" if off else "")
    )
    clean = all(not (d.missing or d.wrong or d.duplicated) for d in diffs.values())
    return clean and not bot.unknown_channels


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument(
        "--paperbot",
        default=str(Path(sys.executable).with_name("paperbot")),
        help="the bot's CLI (default: the paperbot next to this Python)",
    )
    ap.add_argument("--examples", type=int, default=3, help="example ids per cause")
    args = ap.parse_args()
    start = time.perf_counter()
    listings = list(iter_listings(args.corpus))
    if not listings:
        raise SystemExit(f"no listing files in {args.corpus}")
    parsed = time.perf_counter()
    channels, notes = choose_channels(listings)
    notes += topic_notes(listings, channels)
    chosen = time.perf_counter()
    expected = replay(listings, channels)
    ref_seconds = time.perf_counter() - chosen
    items = sum(len(x.items) for x in listings)
    print(f"{len(listings)} files, {items} items; parsed in {parsed - start:.1f} s, channels "
          f"chosen in {chosen - parsed:.1f} s, reference replay {ref_seconds:.1f} s")  # fmt: skip
    for line in notes:
        print(f"  {line}")
    bot = run_bot(args.paperbot, listings, channels)
    days = len({x.day for x in listings})
    print(f"bot: {args.paperbot}, {days} daily ingests in {bot.seconds:.1f} s")
    explainer = Explainer(listings, channels)
    ok = report(channels, expected, bot, explainer, args.examples)
    print(
        "\nOK: the bot matches the reference"
        if ok
        else "\nFAIL: the bot differs from the reference"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
