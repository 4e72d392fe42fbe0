"""Polling benchmark: CPU time of one poll cycle over four categories, through the real
``Poller`` and ``ArxivSource`` against a local fake arXiv that serves listings with an ETag.

    python bench/polling.py CORPUS_DIR [--quick] [--subscriptions 10000] [--day 2026-06-02]

The fake runs in its own process (its CPU is not counted). Per repetition, on a fresh database
holding the subscriptions: a full poll (four listings parsed, stored, matched), a poll of the
unchanged listings (conditional GET: four 304s and no parse), and a poll where the ETag changed
but the body did not (a hash and no parse). CPU is ``time.process_time`` of this process (all
threads). Baselines in the same run: the same full cycle with 0 subscriptions, and the lxml pass
(seven fields of every item) over the same bytes.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from _common import (
    PYTHON,
    Mix,
    corpus_files,
    distinct_papers,
    generate_subscriptions,
    load_listings,
    median,
    remove_db,
)

import bot.sources.arxiv as arxiv_module
from bot.app import App
from bot.chat.services import normalize_subscription
from bot.config import load_config
from bot.store import Store

WORK = Path("/tmp/paperbot-bench-polling")
CATEGORIES = ("cs.AI", "cs.CL", "cs.CV", "cs.LG")
CHANNELS = 500


# --- the fake arXiv (child process) ------------------------------------------------------------


def serve(port: int, day_dir: str, day: str) -> None:
    """Serve ``/rss/<cat>`` with the day's bodies; ``/mode/etag`` or ``/mode/rotate``."""
    from aiohttp import web

    bodies = {
        c: gzip.decompress(
            Path(day_dir, f"{day}-{c.lower().replace('.', '-')}.xml.gz").read_bytes()
        )
        for c in CATEGORIES
    }
    state = {"mode": "etag", "counter": 0}

    async def listing(request: web.Request) -> web.Response:
        body = bodies[request.match_info["cat"]]
        if state["mode"] == "rotate":  # a new ETag every time, same bytes
            state["counter"] += 1
            etag = f'"r{state["counter"]}"'
        else:
            etag = '"' + hashlib.sha1(body).hexdigest() + '"'
            if request.headers.get("If-None-Match") == etag:
                return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"ETag": etag, "Content-Type": "application/xml"})

    async def mode(request: web.Request) -> web.Response:
        state["mode"] = request.match_info["mode"]
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/rss/{cat}", listing)
    app.router.add_get("/mode/{mode}", mode)
    web.run_app(app, host="127.0.0.1", port=port, print=None, handle_signals=True)


# --- the client side (this process) ------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_config(path: Path, db: Path, port: int) -> None:
    cats = ", ".join(f'"{c}"' for c in CATEGORIES)
    path.write_text(
        f'[database]\npath = "{db}"\n\n[arxiv]\nrss_url = "http://127.0.0.1:{port}/rss/"\n'
        f'api_url = "http://127.0.0.1:{port}/api/query"\ncategories = [{cats}]\n'
        "min_interval_seconds = 0\nretries = 0\ntimeout_seconds = 30\n\n"
        '[[channels]]\nname = "console"\nplatform = "console"\n'
    )


async def make_template(db: Path, papers, count: int) -> None:
    remove_db(db)
    store = await Store.open(db)
    ids = [
        (await store.channels.upsert_config(f"team{i}", "slack-webhook")).id
        for i in range(CHANNELS)
    ]
    mix = Mix(author=0.6, topic=0.4, category=0.0)  # categories would add polled URLs
    for channel, kind, value in generate_subscriptions(papers, count, channels=CHANNELS, mix=mix):
        value, norm = normalize_subscription(kind, value)
        await store.subscriptions.add(ids[channel], kind, value, norm, "bench")
    await store.close()


class ParseCounter:
    """Counts calls of the parser the listing source uses."""

    def __init__(self) -> None:
        self.calls = 0
        self._real = arxiv_module.parse_listing

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self._real(*args, **kwargs)


async def poll_once(app: App, counter: ParseCounter) -> tuple[float, float, int, int]:
    """(CPU s, wall s, parse calls, alerts) of one ``poll_all``."""
    before = counter.calls
    c0, w0 = time.process_time(), time.perf_counter()
    report = await app.poller.poll_all()
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    if report.failures:
        raise SystemExit(f"poll failed: {report.failures[0].error}")
    return cpu, wall, counter.calls - before, report.alerts


async def set_mode(app: App, port: int, mode: str) -> None:
    session = app.http._get_session()
    async with session.get(f"http://127.0.0.1:{port}/mode/{mode}") as resp:
        await resp.read()


async def cycle(cfg: Path, port: int, counter: ParseCounter) -> dict[str, tuple]:
    config = load_config(str(cfg))
    async with App.open(config) as app:
        await set_mode(app, port, "etag")
        full = await poll_once(app, counter)
        unchanged = await poll_once(app, counter)
        await set_mode(app, port, "rotate")
        same_body = await poll_once(app, counter)
    return {"full": full, "304": unchanged, "hash": same_body}


def lxml_pass_cpu(bodies: list[bytes]) -> float:
    sys.path.insert(0, str(Path(__file__).parent))
    from _baselines import _ANNOUNCE, _DC_CREATOR
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    c0 = time.process_time()
    for body in bodies:
        for item in etree.fromstring(body, parser).iter("item"):
            (
                item.findtext("title"),
                item.findtext("link"),
                item.findtext("description"),
                item.findtext("guid"),
                item.findtext(_DC_CREATOR),
                [c.text for c in item.iterfind("category")],
                item.findtext(_ANNOUNCE),
            )
    return time.process_time() - c0


def run_series(label: str, template: Path, db: Path, cfg: Path, port: int, reps: int):
    counter = ParseCounter()
    arxiv_module.parse_listing = counter
    results: list[dict[str, tuple]] = []
    try:
        for _ in range(reps):
            for suffix in ("-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(template, db)
            results.append(asyncio.run(cycle(cfg, port, counter)))
    finally:
        arxiv_module.parse_listing = counter._real
    print(
        f"  {label}: "
        + ", ".join(
            f"{k} {median([r[k][0] for r in results]) * 1000:.1f} ms CPU" for k in results[0]
        ),
        flush=True,
    )
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus")
    ap.add_argument("--quick", action="store_true", help="1,000 subscriptions, 2 repetitions")
    ap.add_argument("--subscriptions", type=int, default=None)
    ap.add_argument("--day", default="2026-06-02")
    ap.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve:
        serve(args.serve, args.corpus, args.day)
        return 0
    subs = args.subscriptions or (1_000 if args.quick else 10_000)
    reps = 2 if args.quick else 7
    WORK.mkdir(exist_ok=True)
    files = corpus_files(args.corpus)
    pool = distinct_papers(load_listings(files))
    day_files = [f for f in files if f.name.startswith(args.day)]
    bodies = [gzip.decompress(f.read_bytes()) for f in day_files]
    items = sum(len(x.items) for x in load_listings(day_files))
    port = free_port()
    server = subprocess.Popen(
        [PYTHON, __file__, args.corpus, "--serve", str(port), "--day", args.day]
    )
    try:
        _wait_for(port)
        db, cfg = WORK / "run.sqlite3", WORK / "paperbot.toml"
        write_config(cfg, db, port)
        with_subs, no_subs = WORK / f"template-{subs}.sqlite3", WORK / "template-0.sqlite3"
        asyncio.run(make_template(with_subs, pool, subs))
        asyncio.run(make_template(no_subs, pool, 0))
        print(
            f"{args.day}: {len(bodies)} listings, {items} items, "
            f"{sum(map(len, bodies)) / 1e6:.1f} MB; {reps} repetitions",
            flush=True,
        )
        ours = run_series(f"{subs:,} subscriptions", with_subs, db, cfg, port, reps)
        base = run_series("0 subscriptions", no_subs, db, cfg, port, reps)
    finally:
        server.terminate()
        server.wait()
    lxml = median([lxml_pass_cpu(bodies) for _ in range(reps)])
    return report(ours, base, lxml, subs)


def _wait_for(port: int) -> None:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the fake arXiv did not start")


def report(ours, base, lxml: float, subs: int) -> int:
    def med(rows, key, i):
        return median([r[key][i] for r in rows])

    print(
        f"\n{'poll cycle (4 categories)':<44}{'CPU ms':>9}{'wall ms':>9}{'parses':>8}{'alerts':>8}"
    )
    for label, rows in ((f"{subs:,} subs", ours), ("0 subs", base)):
        for key, name in (
            ("full", "full (new listings)"),
            ("304", "unchanged: 304"),
            ("hash", "new ETag, same body"),
        ):
            print(
                f"{label + ': ' + name:<44}{med(rows, key, 0) * 1000:>9.1f}"
                f"{med(rows, key, 1) * 1000:>9.1f}{rows[0][key][2]:>8}{rows[0][key][3]:>8}"
            )
    print(f"{'lxml pass of the same bytes (7 fields)':<44}{lxml * 1000:>9.1f}")
    full, full0 = med(ours, "full", 0), med(base, "full", 0)
    print(
        f"full poll with {subs:,} subs vs 0 subs: x{full / full0:.2f}; vs lxml pass: "
        f"x{full / lxml:.1f}"
    )
    print(
        f"304 poll vs full poll: {med(ours, '304', 0) / full:.1%} of the CPU; "
        f"same-body poll: {med(ours, 'hash', 0) / full:.1%}"
    )
    ok = all(r["304"][2] == 0 and r["hash"][2] == 0 and r["full"][2] == 4 for r in ours + base)
    print(
        "checks:",
        "OK (4 parses on a full poll, none on a 304 or a same-body poll)"
        if ok
        else "FAILED: parse counts differ",
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
