"""Shared helpers of the benchmarks: the corpus, generated subscriptions, child-process timing.

Benchmarks are scripts, not tests: they read the corpus given on the command line and write
only under /tmp. Every figure is compared with a baseline measured in the same run, because
this 2-core machine is shared and absolute times drift from run to run.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.chat.services import normalize_subscription  # noqa: E402
from bot.model import Listing, Paper, Subscription, SubscriptionKind  # noqa: E402
from bot.sources.arxiv_parse import parse_listing  # noqa: E402
from bot.sources.files import read_listing_file  # noqa: E402

PYTHON = sys.executable
PAPERBOT = str(Path(PYTHON).with_name("paperbot"))
BENCH = Path(__file__).resolve().parent
#: Words never drawn alone for topics (they would match nearly everything).
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "of",
        "on",
        "or",
        "the",
        "to",
        "via",
        "with",
        "we",
        "our",
        "this",
        "that",
        "its",
        "it",
        "using",
        "based",
        "towards",
        "toward",
        "can",
        "not",
        "no",
        "how",
        "what",
        "when",
        "which",
        "do",
        "does",
    ]
)
#: Categories drawn for category subscriptions: the corpus' four and common cross-lists.
CATEGORIES = ("cs.LG", "cs.AI", "cs.CL", "cs.CV", "stat.ML", "cs.RO", "eess.IV", "math.OC", "cs")


def work_dir(name: str) -> Path:
    """``/tmp/paperbot-bench-NAME`` (``$PAPERBOT_BENCH_DIR`` instead of ``/tmp``): several
    people benchmark on this machine, each in a folder of their own."""
    return Path(os.environ.get("PAPERBOT_BENCH_DIR", "/tmp")) / f"paperbot-bench-{name}"


def corpus_files(corpus: str | Path) -> list[Path]:
    """The listing files in date order (names are ``YYYY-MM-DD-cat.xml.gz``)."""
    files = sorted(Path(corpus).glob("*.xml.gz"))
    if not files:
        sys.exit(f"no *.xml.gz listing in {corpus}")
    return files


def load_listings(files: Sequence[Path]) -> list[Listing]:
    return [parse_listing(read_listing_file(f)) for f in files]


def distinct_papers(listings: Sequence[Listing]) -> list[Paper]:
    """Each id once, as first seen."""
    seen: dict[str, Paper] = {}
    for listing in listings:
        for item in listing.items:
            seen.setdefault(item.paper.arxiv_id, item.paper)
    return list(seen.values())


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]{2,}")


def _author_value(rng: random.Random, name: str) -> str:
    """One of the ways people write a name: as given, ``Surname, Given`` or ``I. Surname``."""
    parts = name.split()
    if len(parts) < 2:
        return name
    given, surname = parts[0], parts[-1]
    roll = rng.random()
    if roll < 0.4:
        return name
    if roll < 0.8:
        return f"{surname}, {' '.join(parts[:-1])}"
    return f"{given[0]}. {surname}"


def _phrase(rng: random.Random, words: list[str]) -> str | None:
    """2 or 3 adjacent title words, neither end a stop word (``offline reinforcement
    learning``, ``graph neural networks``)."""
    spans = [
        words[i : i + n]
        for n in (2, 3)
        for i in range(len(words) - n + 1)
        if words[i].lower() not in STOPWORDS and words[i + n - 1].lower() not in STOPWORDS
    ]
    return " ".join(rng.choice(spans)) if spans else None


def _topic_value(rng: random.Random, title: str) -> str | None:
    """A topic phrase drawn from a title, as people write topic alerts: mostly a quoted
    phrase, sometimes with a second term, an alternative or an exclusion."""
    words = _WORD.findall(title)
    phrase = _phrase(rng, words)
    if phrase is None:
        return None
    roll = rng.random()
    if roll < 0.6:
        return f'"{phrase}"'
    if roll < 0.75:  # the phrase's words, unquoted (AND anywhere in title or abstract)
        return phrase
    if roll < 0.9:  # two alternatives
        other = _phrase(rng, words) or phrase
        return f'"{phrase}" OR "{other}"'
    return f'"{phrase}" -survey'


@dataclass(frozen=True)
class Mix:
    """Shares of each kind in generated subscriptions."""

    author: float = 0.6
    topic: float = 0.37
    category: float = 0.03


def generate_subscriptions(
    papers: Sequence[Paper], count: int, *, channels: int, seed: int = 1, mix: Mix = Mix()
) -> list[tuple[int, SubscriptionKind, str]]:
    """``count`` distinct ``(channel index, kind, value)`` drawn from real papers.

    Authors come from the corpus' author lists, topics from its titles, categories from
    :data:`CATEGORIES`; values are unique per channel (as the store requires).
    """
    rng = random.Random(seed)
    out: list[tuple[int, SubscriptionKind, str]] = []
    used: set[tuple[int, str, str]] = set()
    while len(out) < count:
        channel = rng.randrange(channels)
        roll = rng.random()
        paper = papers[rng.randrange(len(papers))]
        if roll < mix.author and paper.authors:
            kind, value = SubscriptionKind.AUTHOR, _author_value(rng, rng.choice(paper.authors))
        elif roll < mix.author + mix.topic:
            kind, topic = SubscriptionKind.TOPIC, _topic_value(rng, paper.title)
            if topic is None:
                continue
            value = topic
        elif roll >= mix.author + mix.topic:
            kind, value = SubscriptionKind.CATEGORY, rng.choice(CATEGORIES)
        else:
            continue
        try:  # a corpus "author" such as ":" is not a name: the bot refuses it, so skip it
            normalize_subscription(kind, value)
        except ValueError:
            continue
        key = (channel, kind.value, value.casefold())
        if key in used:
            continue
        used.add(key)
        out.append((channel, kind, value))
    return out


def as_subscriptions(
    generated: Sequence[tuple[int, SubscriptionKind, str]],
) -> list[Subscription]:
    return [
        Subscription(i + 1, ch + 1, kind, value) for i, (ch, kind, value) in enumerate(generated)
    ]


@dataclass
class ChildRun:
    wall: float
    cpu: float
    maxrss_mb: float
    stdout: str
    returncode: int


def run_measured(
    argv: Sequence[str], *, env: dict[str, str] | None = None, stderr_to_console: bool = False
) -> ChildRun:
    """Run a whole process: its wall time, CPU time and own peak RSS.

    The command is started by ``bench/_launch.py`` (a small process) so that its ``ru_maxrss``
    does not inherit this benchmark's RSS at fork time; the launcher times it with
    ``perf_counter`` and reaps it with ``os.wait4``.
    """
    base = Path(f"/tmp/paperbot-bench-{os.getpid()}")
    out_path, err_path = base.with_suffix(".out"), base.with_suffix(".err")
    rep_path = base.with_suffix(".rusage")
    launcher = [PYTHON, str(BENCH / "_launch.py"), str(rep_path), *argv]
    with out_path.open("wb") as out, err_path.open("wb") as err:
        errors_to = None if stderr_to_console else err
        subprocess.run(launcher, stdout=out, stderr=errors_to, env=env, check=False)
    text, errors = out_path.read_text(errors="replace"), err_path.read_text(errors="replace")
    wall, cpu, rss_kb, code = rep_path.read_text().split()
    for path in (out_path, err_path, rep_path):
        path.unlink()
    if int(code) != 0:
        raise SystemExit(f"{' '.join(argv[:4])}... exited {code}: {errors[-800:]}")
    return ChildRun(float(wall), float(cpu), int(rss_kb) / 1024, text, int(code))


def remove_db(db: Path) -> None:
    """Delete a SQLite database and its WAL files."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def db_size(db: Path) -> int:
    """Bytes of a database and its WAL."""
    return sum(Path(f"{db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{db}{s}").exists())


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    data = sorted(values)
    if not data:
        return float("nan")
    k = max(0, min(len(data) - 1, round(q / 100 * (len(data) - 1))))
    return data[k]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


async def ingest(
    store, items, *, announced_on=None, matcher=None, thread_platform_channels=frozenset()
):
    """One listing through the real ingest path, matching with ``matcher``."""
    from bot.ingest.ingestor import Ingestor

    return await Ingestor(store).ingest_items(
        items, announced_on=announced_on, matcher=matcher, thread_channels=thread_platform_channels
    )
