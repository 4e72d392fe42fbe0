"""How long ``paperbot check`` takes when arXiv is dead or trickles (#12 item 5).

Whole ``paperbot check`` processes with DEFAULT settings (time-outs, retries, back-off,
politeness interval, the three default categories), only the arXiv URLs pointed at a local
server:

* baseline: a healthy server answering each listing at once (the real 2026-07-14 cs.AI listing);
* refused: a port where nothing listens (targets: under 20 s, exit 3, one line per source);
* unresolvable: a host name that does not resolve (offline; the same targets);
* trickle: headers at once, then one byte every 2 s (target: under 2 minutes, exit 3).

    .venv/bin/python bench/slow_sources.py [--quick]   # --quick: refused + baseline only
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import web

REPO = Path(__file__).resolve().parent.parent
LISTING = REPO / "tests" / "fixtures" / "arxiv_rss_cs_ai_2026-07-14.xml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def serve(mode: str) -> tuple[web.AppRunner, str]:
    body = LISTING.read_bytes()

    async def listing(request: web.Request) -> web.StreamResponse:
        if mode == "healthy":
            return web.Response(body=body, content_type="application/rss+xml")
        resp = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        resp.content_length = len(body)
        await resp.prepare(request)
        for i in range(len(body)):
            await resp.write(body[i : i + 1])
            await asyncio.sleep(2.0)
        return resp

    app = web.Application()
    app.router.add_get("/rss/{category}", listing)
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def check(base: str, workdir: Path) -> tuple[float, int, list[str]]:
    db = workdir / f"db-{time.monotonic_ns()}.sqlite3"
    config = workdir / "paperbot.toml"
    config.write_text(
        f'[database]\npath = "{db}"\n[arxiv]\nrss_url = "{base}/rss/"\n'
        f'api_url = "{base}/api/query"\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env["PYTHONPATH"] = str(REPO)
    env["XDG_CONFIG_HOME"] = env["XDG_DATA_HOME"] = str(workdir)
    started = time.monotonic()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), "check",
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _out, err = await proc.communicate()
    elapsed = time.monotonic() - started
    lines = [x for x in err.decode().splitlines() if x.startswith("paperbot: source ")]
    return elapsed, proc.returncode or 0, lines


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="paperbot-bench-sources-") as tmp:
        workdir = Path(tmp)
        runner, base = await serve("healthy")
        baseline, rc, _ = await check(base, workdir)
        await runner.cleanup()
        print(f"baseline (healthy arXiv):   {baseline:6.2f} s  exit {rc}")
        cases = [
            ("refused", f"http://127.0.0.1:{free_port()}", 20.0),
            ("unresolvable", "http://arxiv.paperbot-bench.invalid", 20.0),
        ]
        if not args.quick:
            runner, base = await serve("trickle")
            cases.append(("trickle", base, 120.0))
        for name, url, target in cases:
            elapsed, rc, lines = await check(url, workdir)
            met = elapsed < target and rc == 3 and len(lines) == 3
            ok &= met
            print(
                f"{name + ' arXiv:':<27} {elapsed:6.2f} s  exit {rc}  {len(lines)} source lines  "
                f"{elapsed / baseline:5.1f}x baseline  target < {target:.0f} s: "
                f"{'met' if met else 'MISSED'}"
            )
            for line in lines:
                print(f"    {line[:150]}")
        if not args.quick:
            await runner.cleanup()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
