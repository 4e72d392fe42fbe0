"""The CLI's subcommands: each is registered here with its arguments and an async handler."""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import replace

from bot.app import App
from bot.chat.commands import normalize_subscription, subscription_id
from bot.chat.lookup import LookupFailed, SourceUnavailable
from bot.chat.status import status_text
from bot.chat.text import paper_card_text
from bot.cli.errors import EXIT_FAILED, EXIT_NOT_FOUND, EXIT_OK, EXIT_USAGE, CliError, paths_arg
from bot.config import ChannelConfig, Config
from bot.ingest.files import IngestError, Progress, ingest_files
from bot.model import SubscriptionKind
from bot.store import DuplicateSubscription


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ingest", help="load listing files (.xml / .xml.gz) into the store")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--alert", action="store_true", help="match and queue alerts as a poll would")
    p.set_defaults(handler=cmd_ingest)

    p = sub.add_parser("lookup", help="look a paper up: arXiv id, URL, DOI or title words")
    p.add_argument("query", nargs="+", metavar="QUERY")
    p.set_defaults(handler=cmd_lookup)
    register_alerts(sub)


async def cmd_ingest(args: argparse.Namespace, config: Config) -> int:
    paths = paths_arg(args.paths)
    async with await App.create(config) as app:
        matcher = None
        threads: frozenset[int] = frozenset()
        if args.alert:
            matcher, threads = await app.alert_matcher()
        bar = Progress(len(paths))
        try:
            counts = await ingest_files(
                app.store, paths, matcher=matcher, thread_channels=threads, progress=bar.update
            )
        except IngestError as exc:
            raise CliError(str(exc), EXIT_USAGE) from None
    line = (
        f"ingested {counts.items} items from {len(paths)} file(s): "
        f"{counts.new_papers} new papers, {counts.new_versions} new versions"
    )
    if args.alert:
        line += f", {counts.alerts} alerts queued"
    print(line)
    return EXIT_OK


async def cmd_lookup(args: argparse.Namespace, config: Config) -> int:
    query = " ".join(args.query)
    async with await App.create(config) as app:
        try:
            result = await app.lookup(query)
        except SourceUnavailable as exc:
            print(f"paperbot: {exc}", file=sys.stderr)
            return EXIT_FAILED
        except LookupFailed as exc:
            print(f"paperbot: {exc}", file=sys.stderr)
            return EXIT_NOT_FOUND
    if result.note:
        print(f"note: {result.note}", file=sys.stderr)
    print("\n\n".join(paper_card_text(p) for p in result.papers))
    return EXIT_OK


def register_alerts(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("subscribe", help="subscribe a channel to an author, topic or category")
    p.add_argument("channel", metavar="CHANNEL")
    p.add_argument("kind", choices=["author", "topic", "category"], metavar="author|topic|category")
    # REMAINDER: a topic such as `robots -survey` needs no `--` (one is still accepted).
    p.add_argument("value", nargs=argparse.REMAINDER, metavar="VALUE...")
    p.set_defaults(handler=cmd_subscribe)

    p = sub.add_parser("unsubscribe", help="remove a subscription from a channel")
    p.add_argument("channel", metavar="CHANNEL")
    p.add_argument("id", metavar="ID")
    p.set_defaults(handler=cmd_unsubscribe)

    p = sub.add_parser("subscriptions", help="list subscriptions (ids, kinds, values, who, when)")
    p.add_argument("channel", nargs="?", metavar="CHANNEL")
    p.set_defaults(handler=cmd_subscriptions)

    p = sub.add_parser("resume", help="resume deliveries to a paused channel")
    p.add_argument("channel", metavar="CHANNEL")
    p.set_defaults(handler=cmd_resume)

    p = sub.add_parser("status", help="sources, pending deliveries, paused channels")
    p.set_defaults(handler=cmd_status)

    p = sub.add_parser("check", help="poll every source once now and deliver what is due")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("run", help="run the bot: poll on schedule, deliver, serve chat commands")
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("chat", help="run the bot with an interactive console chat")
    p.set_defaults(handler=cmd_chat)


async def _channel(app: App, name: str):
    channel = await app.store.find_channel(name)
    if channel is None:
        known = ", ".join(c.name for c in await app.store.list_channels()) or "none"
        raise CliError(f"unknown channel {name!r} (known: {known})", EXIT_USAGE)
    return channel


async def cmd_subscribe(args: argparse.Namespace, config: Config) -> int:
    kind = SubscriptionKind(args.kind)
    words = args.value[1:] if args.value[:1] == ["--"] else args.value
    value = " ".join(" ".join(words).split())
    if not value:
        raise CliError("subscribe: give a VALUE (an author, a topic or a category)", EXIT_USAGE)
    try:
        value, norm = normalize_subscription(kind, value)
    except ValueError as exc:
        raise CliError(f"cannot subscribe: {exc}", EXIT_USAGE) from None
    async with await App.create(config) as app:
        channel = await _channel(app, args.channel)
        try:
            sub = await app.store.add_subscription(
                channel.id, kind, value, norm, f"cli:{getpass.getuser()}",
                max_per_channel=config.limits.max_subscriptions_per_channel,
            )  # fmt: skip
        except DuplicateSubscription as exc:
            raise CliError(f"{channel.name} is already subscribed to {kind}: {value} "
                           f"(#{exc.existing})", EXIT_USAGE) from None  # fmt: skip
        except ValueError as exc:
            raise CliError(f"cannot subscribe: {exc}", EXIT_USAGE) from None
    print(f"subscribed {channel.name} #{sub.id} {sub.label}")
    return EXIT_OK


async def cmd_unsubscribe(args: argparse.Namespace, config: Config) -> int:
    sub_id = subscription_id(args.id)
    if sub_id is None:
        raise CliError(f"ID must be a subscription number, got {args.id!r}", EXIT_USAGE)
    async with await App.create(config) as app:
        channel = await _channel(app, args.channel)
        if not await app.store.remove_subscription(sub_id, channel.id):
            raise CliError(f"{channel.name} has no subscription #{sub_id}", EXIT_USAGE)
    print(f"unsubscribed {channel.name} #{sub_id}")
    return EXIT_OK


async def cmd_subscriptions(args: argparse.Namespace, config: Config) -> int:
    async with await App.create(config) as app:
        channels = {c.id: c for c in await app.store.list_channels()}
        channel_id = (await _channel(app, args.channel)).id if args.channel else None
        subs = await app.store.list_subscriptions(channel_id)
    if not subs:
        print("no subscriptions")
    for s in subs:
        when = s.created_at.strftime("%Y-%m-%d %H:%M") if s.created_at else "?"
        name = channels[s.channel_id].name
        print(f"#{s.id}\t{name}\t{s.kind.value}\t{s.value}\t{s.created_by or '?'}\t{when}")
    return EXIT_OK


async def cmd_resume(args: argparse.Namespace, config: Config) -> int:
    async with await App.create(config) as app:
        channel = await _channel(app, args.channel)
        await app.store.resume_channel(channel.id)
    was = f" (was paused: {channel.paused_reason})" if channel.paused_reason else ""
    print(f"resumed {channel.name}{was}")
    return EXIT_OK


async def cmd_status(args: argparse.Namespace, config: Config) -> int:
    async with await App.create(config) as app:
        print(await status_text(app.store, config))
    return EXIT_OK


async def cmd_check(args: argparse.Namespace, config: Config) -> int:
    # Imported here: bot.runner pulls in APScheduler, which no other command needs.
    from bot.runtime import check_once

    async with await App.create(config) as app:
        return await check_once(app)


async def cmd_run(args: argparse.Namespace, config: Config) -> int:
    from bot.runtime import RunOptions, run_bot

    async with await App.create(config) as app:
        return await run_bot(app, RunOptions(interactive=False))


async def cmd_chat(args: argparse.Namespace, config: Config) -> int:
    from bot.runtime import RunOptions, run_bot

    if not any(c.platform == "console" for c in config.channels):
        config = replace(config, channels=(*config.channels, ChannelConfig("console", "console")))
    async with await App.create(config) as app:
        return await run_bot(app, RunOptions(interactive=True))
