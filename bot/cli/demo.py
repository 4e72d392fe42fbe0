"""``paperbot demo``: the whole bot, offline, on real arXiv listings shipped with paperbot.

The real poller, store, matcher, outbox, deliverer and console adapter run on a temporary
database and a config of their own (nothing enters the user's store; the user's config is not
read). The listings come from :class:`~bot.sources.listings.LocalListings`, in process: no
socket is opened, not even on loopback, and nothing remote is asked (look-ups answer from the
store). Example subscriptions are made first, then each shipped day is polled and delivered, so
the alerts are exactly those a bot running on those days would have posted. Then the chat opens
on those papers; with standard input at its end (a pipe, CI) the demo exits 0 there.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from bot.app import App
from bot.chat.commands import Commands
from bot.chat.services import Services
from bot.chat.text import paper_card_text
from bot.config import ArxivConfig, ChannelConfig, Config, DeliveryConfig, installed_specs
from bot.matching.index import subscription_matches
from bot.model import Paper, Subscription, SubscriptionKind
from bot.model.outcome import ExitCode
from bot.sources.listings import LocalListings

CATEGORIES = ("cs.AI", "cs.LG")
EXAMPLES = (
    (SubscriptionKind.AUTHOR, "Babuschkin, Igor"),
    (SubscriptionKind.AUTHOR, "Hasan, Najmul"),
    (SubscriptionKind.AUTHOR, "Sanoja, Carlos Eduardo"),
    (SubscriptionKind.TOPIC, "federated"),
    (SubscriptionKind.TOPIC, '"offline reinforcement learning"'),
)
#: The look-up the demo shows: a famous paper by a followed author that did not alert.
LOOKUP = "2303.08774"

INTRO = (
    "paperbot demo: the whole bot, offline, on real arXiv listings shipped with paperbot\n"
    "(trimmed days of cs.AI and cs.LG; a temporary database, deleted at the end; no network)."
)
CHAT = (
    "\nYour turn: this is the chat, on the papers above. Try `list`, `status`, "
    '`federated learning`, `2606.17266`, `subscribe topic "graph neural"`, `help`;\n'
    "`quit`, `exit` or Ctrl-D leaves."
)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "demo", help="the bot offline on shipped real listings: alerts, then a chat (no config)"
    )
    p.set_defaults(handler=cmd_demo, needs_config=False, terse_log=True)


def demo_days(folder: Path) -> tuple[list[date], dict[str, list[Path | None]]]:
    """The days of the shipped files (``YYYY-MM-DD-cs-ai.xml.gz``), oldest first, and for each
    category its file of each day (None: no listing of it that day)."""
    found: dict[tuple[date, str], Path] = {}
    for path in folder.glob("*.xml.gz"):
        stem = path.name.removesuffix(".xml.gz")
        day, category = date.fromisoformat(stem[:10]), stem[11:].replace("-", ".", 1)
        name = next(c for c in CATEGORIES if c.casefold() == category.casefold())
        found[(day, name)] = path
    days = sorted({day for day, _ in found})
    return days, {c: [found.get((day, c)) for day in days] for c in CATEGORIES}


def demo_config(folder: Path, base: Config | None) -> Config:
    """The demo's own config: its database in ``folder``, one console channel."""
    return Config(
        database_path=folder / "demo.sqlite3",
        arxiv=ArxivConfig(categories=CATEGORIES),
        delivery=DeliveryConfig(per_channel_interval_seconds=0),
        channels=(ChannelConfig("console", "console"),),
        specs=base.specs if base is not None else installed_specs(),
    )


def explain_no_alert(paper: Paper, sub: Subscription) -> str:
    """Why ``paper`` did not alert ``sub``: the demo's stand-in for the chat's ``why``.

    Said from what the store holds: a paper never announced as new (``announced`` unset) was
    only ever listed as a replacement, and a new version never alerts.
    """
    label = f"#{sub.id} {sub.label}"
    if not subscription_matches(sub, paper):
        return f"why no alert for {label}: {paper.arxiv_id} does not match it."
    if paper.announced is not None:
        return (
            f"why: {paper.arxiv_id} was announced on {paper.announced:%d %b %Y}; it alerted "
            f"{label} if that subscription existed then."
        )
    return (
        f"why no alert for {label}: it matches ({sub.value} is an author), but arXiv listed "
        f"{paper.arxiv_id} only replaced (v{paper.version}, a new version) and never as new "
        "here, and a new version never alerts."
    )


async def cmd_demo(args: argparse.Namespace, config: Config | None) -> ExitCode:
    from bot.runtime import serve  # APScheduler and the adapters only for this command

    print(INTRO, flush=True)
    with tempfile.TemporaryDirectory(prefix="paperbot-demo-") as tmp:
        demo = demo_config(Path(tmp), config)
        with resources.as_file(resources.files("bot.cli") / "demo_listings") as folder:
            days, files = demo_days(folder)
            listings = LocalListings(files, rss_url=demo.arxiv.rss_url)
            stop = asyncio.Event()
            async with App.open(
                demo,
                adapters=["console"],
                front=Commands.from_core,
                interactive=True,
                on_stop=stop.set,
                listings=listings,
            ) as app:
                services = Services.over(app.store, demo, None, app.core.clock)
                subs = await _subscribe(app, services)
                await _poll_days(app, days, files)
                await _show_lookup(services, subs[0])
                print(CHAT, flush=True)
                return await serve(app, stop)


async def _subscribe(app: App, services: Services) -> list[Subscription]:
    channel = await services.channel_named("console")
    subs = [await services.subscribe(channel, kind, value, "demo") for kind, value in EXAMPLES]
    for sub in subs:
        print(f"subscribed console #{sub.id} {sub.label}")
    return subs


async def _poll_days(
    app: App, days: Sequence[date], files: Mapping[str, Sequence[Path | None]]
) -> None:
    for index, day in enumerate(days):
        report = await app.poller.poll_all()
        items = sum(r.counts.items for r in report.results)
        listed = [c for c, paths in files.items() if paths[index] is not None]
        print(
            f"\npolled the listings of {day:%a %d %b %Y} ({', '.join(listed)}): "
            f"{_count(items, 'item')}, {_count(report.alerts, 'new alert')}",
            flush=True,
        )
        for failure in report.failures:
            print(f"paperbot: source {failure.category} failed: {failure.error}")
        await app.deliverer.drain(app.config.delivery.max_wait_seconds)


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


async def _show_lookup(services: Services, babuschkin: Subscription) -> None:
    result = await services.lookup(LOOKUP)
    print(f"\npaperbot> lookup {LOOKUP}\nFound ({result.origin})")
    for paper in result.papers:
        print(paper_card_text(paper))
        print(explain_no_alert(paper, babuschkin), flush=True)
