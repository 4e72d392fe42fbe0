"""Start-up benchmark: ``paperbot lookup ID`` and ``paperbot run`` to ready, as whole processes.

    python bench/startup.py [--quick] [--db PATH]

Times ``paperbot lookup ID`` for a stored id from start to answer (the database from
bench/lookup.py's cache when present, else a small one built here) against ``python -c pass``
and ``python -c "import bot"``; lists the ten slowest imports (``-X importtime``, cumulative);
checks that ``lookup`` imports no discord, slack_bolt, slack_sdk or apscheduler; and times
``paperbot run`` until its banner line, with the arXiv URLs on a closed local port and a long poll
interval, then SIGTERM (and how long it takes to exit).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from _common import PAPERBOT, PYTHON, ROOT, corpus_files, median

WORK = Path("/tmp/paperbot-bench-startup")
LOOKUP_CACHE = Path("/tmp/paperbot-bench-lookup")
FORBIDDEN = ("discord", "slack_bolt", "slack_sdk", "apscheduler")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when this returns


def pick_db(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    cached = sorted(LOOKUP_CACHE.glob("papers-*.sqlite3"), key=lambda p: int(p.stem.split("-")[1]))
    if cached:
        return cached[-1]
    db = WORK / "small.sqlite3"
    if not db.exists():
        corpus = ROOT.parent.parent / "shared/corpus/arxiv-rss-2026-06"
        files = [str(f) for f in corpus_files(corpus)[:8]] if corpus.exists() else []
        if not files:
            sys.exit("no database: run bench/lookup.py first or pass --db")
        write_config(WORK / "small.toml", db, closed_port())
        subprocess.run(
            [PAPERBOT, "--config", str(WORK / "small.toml"), "ingest", *files],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return db


def write_config(path: Path, db: Path, port: int) -> None:
    path.write_text(
        f'[database]\npath = "{db}"\n\n[arxiv]\nrss_url = "http://127.0.0.1:{port}/rss/"\n'
        f'api_url = "http://127.0.0.1:{port}/api/query"\npoll_interval_seconds = 86400\n'
        "retries = 0\n\n"
        '[[channels]]\nname = "console"\nplatform = "console"\n'
    )


def timed(argv: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def import_top(argv: list[str], n: int = 10) -> list[tuple[int, int, str]]:
    """The ``n`` heaviest packages outside ``bot`` (cumulative µs, self µs, name)."""
    proc = subprocess.run([PYTHON, "-X", "importtime", *argv], capture_output=True, text=True)
    rows: dict[str, tuple[int, int, str]] = {}
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)", line)
        if not m or "." in m.group(3) or m.group(3).startswith(("bot", "_", "encodings", "site")):
            continue
        name = m.group(3)
        rows[name] = max(rows.get(name, (0, 0, name)), (int(m.group(2)), int(m.group(1)), name))
    return sorted(rows.values(), reverse=True)[:n]


def forbidden_modules(cfg: Path, arxiv_id: str) -> list[str]:
    code = (
        "import sys\nfrom bot.cli import main\n"
        f"main(['--config', {str(cfg)!r}, 'lookup', {arxiv_id!r}])\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({FORBIDDEN!r})))"
    )
    out = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, check=True)
    return eval(out.stdout.strip().splitlines()[-1])  # a list literal we printed ourselves


def run_to_ready(cfg: Path) -> tuple[float, float]:
    """Seconds from start to the banner line, and from SIGTERM to exit."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [PAPERBOT, "--config", str(cfg), "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    ready = time.perf_counter() - start
    if not line.startswith("paperbot: polling"):
        proc.kill()
        raise SystemExit(f"unexpected first line from run: {line!r}")
    time.sleep(0.3)  # let the first (failing) poll start: a stop must still be prompt
    stop = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=30)
    if code != 0:
        raise SystemExit(f"run exited {code} on SIGTERM")
    return ready, time.perf_counter() - stop


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 runs of each")
    ap.add_argument("--db", help="database to look up in (default: bench/lookup.py's largest)")
    args = ap.parse_args()
    WORK.mkdir(exist_ok=True)
    runs = 3 if args.quick else 15
    db = pick_db(args.db)
    conn = sqlite3.connect(db)
    count = conn.execute("SELECT max(id) FROM papers").fetchone()[0]
    arxiv_id = conn.execute("SELECT arxiv_id FROM papers WHERE id = ?", (count // 2,)).fetchone()[0]
    conn.close()
    cfg = WORK / "paperbot.toml"
    write_config(cfg, db, closed_port())
    env_note = f"{db} (~{count:,} papers, {os.path.getsize(db) / 1e9:.2f} GB)"
    print(f"database {env_note}; looking up {arxiv_id}; {runs} runs each, interleaved", flush=True)
    cmds = {
        "python -c pass": [PYTHON, "-c", "pass"],
        'python -c "import bot"': [PYTHON, "-c", "import bot"],
        "paperbot lookup ID": [PAPERBOT, "--config", str(cfg), "lookup", arxiv_id],
    }
    times: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(runs):
        for label, argv in cmds.items():
            times[label] += timed(argv, 1)
    base = median(times["python -c pass"])
    print(f"\n{'command':<28}{'median ms':>10}{'best ms':>9}{'x python':>10}")
    for label, values in times.items():
        print(
            f"{label:<28}{median(values) * 1000:>10.0f}{min(values) * 1000:>9.0f}"
            f"{median(values) / base:>10.1f}"
        )
    print("\nheaviest packages imported by `paperbot lookup` (-X importtime, cumulative):")
    for micros, own, name in import_top(["-m", "bot", "--config", str(cfg), "lookup", arxiv_id]):
        print(f"  {micros / 1000:8.1f} ms  {name} (itself {own / 1000:.1f} ms)")
    bad = forbidden_modules(cfg, arxiv_id)
    print(f"lookup imports {', '.join(FORBIDDEN)}: {', '.join(bad) if bad else 'none'}")
    ready = [run_to_ready(cfg) for _ in range(3 if args.quick else 5)]
    print(
        f"`paperbot run` to the banner: median {median([r[0] for r in ready]) * 1000:.0f} ms, "
        f"best {min(r[0] for r in ready) * 1000:.0f} ms; SIGTERM to exit: median "
        f"{median([r[1] for r in ready]) * 1000:.0f} ms"
    )
    print("check:", "OK" if not bad else "FAILED: lookup imports chat or scheduler libraries")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
