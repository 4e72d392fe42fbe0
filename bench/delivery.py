"""Delivery benchmark: N channels on a fake Slack that allows 1 message per second per channel
and answers 429 (Retry-After: 1) beyond it.

Runs the real outbox (`bot.delivery.Deliverer`) and the real Slack adapter (slack_sdk's
`AsyncWebClient`) against a local aiohttp fake of `chat.postMessage`. Prints messages per second
achieved, the ratio to the platform's limit (channels × 1 msg/s, the baseline: the best any
client can do), the 429s provoked, and checks nothing was lost or posted twice.

    python bench/delivery.py [--channels 50] [--per-channel 10] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import ingest

from adapters.slack.bot import SlackAdapter
from bot.config import Config, DeliveryConfig
from bot.delivery import Deliverer
from bot.model import AnnounceType, ListingItem, Paper, Subscription, SubscriptionKind
from bot.port import AdapterContext
from bot.store import Store

LIMIT_INTERVAL = 1.0  # the fake Slack's rule: one message per second per channel


class RateLimitedSlack:
    """`chat.postMessage` with Slack's per-channel limit enforced strictly (429 beyond it)."""

    def __init__(self) -> None:
        self.last_ok: dict[str, float] = {}
        self.accepted: collections.Counter[tuple[str, str]] = collections.Counter()
        self.rejected = 0
        self.ts = 0

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "auth.test":
            return web.json_response({"ok": True, "team_id": "T1", "user_id": "U1"})
        form = dict(await request.post())
        if not form:
            form = await request.json()
        channel = str(form["channel"])
        now = time.monotonic()
        last = self.last_ok.get(channel)
        if last is not None and now - last < LIMIT_INTERVAL:
            self.rejected += 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        self.last_ok[channel] = now
        self.accepted[(channel, str(form.get("text", ""))[:80])] += 1
        self.ts += 1
        return web.json_response({"ok": True, "channel": channel, "ts": f"{self.ts}.000"})


def slack_adapter(store: Store, port: int, tmp: Path) -> tuple[Config, SlackAdapter]:
    """The real Slack adapter on the fake, posting alerts only (no thread replies)."""
    settings = {"mode": "http", "api_url": f"http://127.0.0.1:{port}/api/"}
    config = Config(database_path=tmp / "x", sections={"slack": settings})
    ctx = AdapterContext(
        config=config,
        spec=config.specs["slack"],
        dispatch=None,  # type: ignore[arg-type]  # deliveries only: no commands
        may_fetch=lambda _text: False,
        paper=store.papers.get,
        subscriptions=None,  # type: ignore[arg-type]
    )
    adapter = SlackAdapter(ctx, env={"SLACK_BOT_TOKEN": "xoxb-bench"})
    adapter.thread_kinds = ()  # measure alerts only
    return config, adapter


async def bench(channels: int, per_channel: int, pace: float) -> dict[str, float]:
    fake = RateLimitedSlack()
    app = web.Application()
    app.router.add_post("/api/{method}", fake.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(Path(tmp) / "bench.sqlite3")
        ids = []
        for i in range(channels):
            ch = await store.channels.ensure_chat("slack", f"C{i:04d}", f"slack:T1/C{i:04d}")
            ids.append(ch.id)
        sub = Subscription(1, 0, SubscriptionKind.CATEGORY, "cs.AI")
        papers = [
            Paper(f"2607.{10000 + n}", 1, f"Paper {n}", ("A. Author",), "Text.", "cs.AI")
            for n in range(per_channel)
        ]
        await ingest(
            store,
            [ListingItem(p, AnnounceType.NEW) for p in papers],
            matcher=lambda p: {cid: [sub] for cid in ids},
        )
        config, adapter = slack_adapter(store, port, Path(tmp))
        delivery = DeliveryConfig(per_channel_interval_seconds=pace, backoff_base_seconds=0.5)
        deliverer = Deliverer(store, {"slack": adapter}, config.specs, {}, delivery)
        total = channels * per_channel
        start = time.monotonic()
        report = await deliverer.drain(max_wait=600)
        elapsed = time.monotonic() - start
        states = await store.outbox.states()
        await adapter.stop()
        await store.close()
    await runner.cleanup()
    sent = sum(1 for s in states if s[4] == "sent")
    dupes = sum(c - 1 for c in fake.accepted.values() if c > 1)
    # The best possible: every channel's first message at t=0, then one per second.
    ideal = total / ((per_channel - 1) * LIMIT_INTERVAL) if per_channel > 1 else float("inf")
    return {
        "messages": total,
        "sent": sent,
        "accepted": sum(fake.accepted.values()),
        "duplicates": dupes,
        "rejected_429": fake.rejected,
        "seconds": elapsed,
        "rate": total / elapsed,
        "limit_rate": channels / LIMIT_INTERVAL,
        "ideal_rate": ideal,
        "report_sent": report.sent,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--per-channel", type=int, default=10)
    parser.add_argument(
        "--pace", type=float, default=1.0, help="seconds from a platform answer to the next send"
    )
    parser.add_argument("--quick", action="store_true", help="10 channels × 4 messages")
    args = parser.parse_args()
    if args.quick:
        args.channels, args.per_channel = 10, 4
    r = asyncio.run(bench(args.channels, args.per_channel, args.pace))
    print(f"delivery: {r['messages']} messages to {args.channels} channels in {r['seconds']:.2f} s")
    print(f"  achieved   {r['rate']:.1f} msg/s")
    ratio = r["rate"] / r["limit_rate"]
    print(f"  limit      {r['limit_rate']:.1f} msg/s (channels × 1/s)   ratio {ratio:.2f}")
    print(
        f"  ideal      {r['ideal_rate']:.1f} msg/s (first message of each channel at t=0)   "
        f"ratio {r['rate'] / r['ideal_rate']:.2f}"
    )
    print(
        f"  429s provoked {r['rejected_429']}, accepted {r['accepted']}, "
        f"duplicates {r['duplicates']}, marked sent {r['sent']}"
    )
    lost = r["messages"] - r["sent"]
    print(f"  lost {lost}  -> {'OK' if lost == 0 and r['duplicates'] == 0 else 'FAIL'}")
    if lost or r["duplicates"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
