"""Slack HTTP mode under a slow-loris flood (#12 item 6): acknowledgement times of signed
commands and the server's memory, next to a baseline without the flood measured in the same run.

``paperbot run`` (a child process under ``ulimit -n 1024``, Slack API and arXiv local fakes)
gets 2,000 signed ``/paper help`` commands, 20 at a time; in the flood run 1,000 connections
meanwhile send partial headers a byte a second and reconnect when closed
(``tests/support/slowloris.py`` does both runs). Targets: every command acknowledged within
3 s, p99 under 0.5 s; no failed ``accept()``.

    .venv/bin/python bench/slack_flood.py [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support.slowloris import FloodResult, flood


def line(name: str, r: FloodResult) -> str:
    return (
        f"{name:<22} p50 {r.percentile(50) * 1000:6.1f} ms  p99 {r.percentile(99) * 1000:6.1f} ms"
        f"  max {max(r.acks) * 1000:6.1f} ms  acked {r.statuses.count(200)}/{len(r.acks)}"
        f"  answered {r.answered}  peak RSS {r.peak_rss_kb / 1024:5.1f} MB"
        f"  alerts meanwhile {r.alerts_during}  accept errors {r.accept_errors}"
    )


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 commands, one run")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    commands = 300 if args.quick else 2000
    runs = 1 if args.quick else args.runs
    base_p99, flood_p99, ok = [], [], True
    for run in range(runs):
        for slow in (0, 1000):  # interleaved: baseline, flood, baseline, flood…
            with tempfile.TemporaryDirectory(prefix="paperbot-bench-flood-") as tmp:
                r = await flood(Path(tmp), slow=slow, commands=commands)
            name = f"run {run + 1} " + ("flood 1,000 slow" if slow else "baseline")
            print(line(name, r), flush=True)
            (flood_p99 if slow else base_p99).append(r.percentile(99))
            if slow:
                ok &= max(r.acks) < 3 and r.percentile(99) < 0.5 and r.accept_errors == 0
                ok &= r.statuses.count(200) == commands
    b, f = statistics.median(base_p99), statistics.median(flood_p99)
    print(f"median p99: baseline {b * 1000:.1f} ms, flood {f * 1000:.1f} ms ({f / b:.2f}x)")
    print("targets (all acked < 3 s, p99 < 0.5 s, no failed accept):", "met" if ok else "MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
