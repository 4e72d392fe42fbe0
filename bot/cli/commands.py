"""The CLI's subcommands: each is registered here with its arguments and an async handler that
uses the same services as chat (``bot.chat.services``)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from dataclasses import replace
from typing import Any

from bot.app import App, needed_platforms
from bot.chat.commands import Commands
from bot.chat.lookup import LookupFailed, SourceUnavailable
from bot.chat.services import AlreadySubscribed, Services, UserError, subscription_id
from bot.chat.text import paper_card_text, plain_text
from bot.cli.errors import CliError, ExitCode, paths_arg
from bot.cli.progress import Progress
from bot.config import ChannelConfig, Config
from bot.ingest.files import ingest_files
from bot.model import Channel, SubscriptionKind
from bot.sources.files import ListingFileError


def register(sub: Any) -> None:
    """Add every subcommand to ``sub`` (the parser's subparsers)."""
    p = sub.add_parser("ingest", help="load listing files (.xml / .xml.gz) into the store")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--alert", action="store_true", help="match and queue alerts as a poll would")
    p.set_defaults(handler=cmd_ingest)

    p = sub.add_parser("lookup", help="look a paper up: arXiv id, URL, DOI or title words")
    p.add_argument("query", nargs="+", metavar="QUERY")
    p.set_defaults(handler=cmd_lookup)

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

    p = sub.add_parser("retry", help="re-queue the messages a platform refused")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("channel", nargs="?", metavar="CHANNEL")
    which.add_argument("--all", action="store_true", help="every channel")
    p.set_defaults(handler=cmd_retry)

    for name, help_text, handler in (
        ("status", "sources, pending deliveries, paused channels", cmd_status),
        ("check", "poll every source once now and deliver what is due", cmd_check),
        ("run", "run the bot: poll on schedule, deliver, serve chat commands", cmd_run),
        ("chat", "run the bot with an interactive console chat", cmd_chat),
    ):
        sub.add_parser(name, help=help_text).set_defaults(handler=handler)


def _services(app: App) -> Services:
    return Services.over(app.store, app.config, app.arxiv, app.core.clock)


async def _named_channel(services: Services, name: str) -> Channel:
    try:
        return await services.channel_named(name)
    except UserError as exc:
        raise CliError(str(exc), ExitCode.USAGE) from None


async def cmd_ingest(args: argparse.Namespace, config: Config) -> ExitCode:
    paths = paths_arg(args.paths)
    async with App.open(config) as app:
        bar = Progress(len(paths))
        try:
            counts = await ingest_files(app.ingestor, paths, alert=args.alert, progress=bar.update)
        except ListingFileError as exc:
            raise CliError(str(exc), ExitCode.USAGE) from None
    line = (
        f"ingested {counts.items} items from {len(paths)} file(s): "
        f"{counts.new_papers} new papers, {counts.new_versions} new versions"
    )
    if args.alert:
        line += f", {counts.alerts} alerts queued"
    print(line)
    return ExitCode.OK


async def cmd_lookup(args: argparse.Namespace, config: Config) -> ExitCode:
    query = " ".join(args.query)
    async with App.open(config) as app:
        try:
            result = await _services(app).lookup(query)
        except SourceUnavailable as exc:
            raise CliError(str(exc), ExitCode.FAILED) from None
        except LookupFailed as exc:
            raise CliError(str(exc), ExitCode.NOT_FOUND) from None
    if result.note:
        print(f"note: {result.note}", file=sys.stderr)
    print("\n\n".join(paper_card_text(p) for p in result.papers))
    return ExitCode.OK


async def cmd_subscribe(args: argparse.Namespace, config: Config) -> ExitCode:
    kind = SubscriptionKind(args.kind)
    words = args.value[1:] if args.value[:1] == ["--"] else args.value
    value = " ".join(" ".join(words).split())
    if not value:
        raise CliError("subscribe: give a VALUE (an author, a topic or a category)", ExitCode.USAGE)
    async with App.open(config) as app:
        services = _services(app)
        channel = await _named_channel(services, args.channel)
        try:
            sub = await services.subscribe(channel, kind, value, f"cli:{getpass.getuser()}")
        except AlreadySubscribed as exc:
            message = f"{channel.name} is already subscribed to {kind}: {value} (#{exc.existing})"
            raise CliError(message, ExitCode.USAGE) from None
        except UserError as exc:
            raise CliError(f"cannot subscribe: {exc}", ExitCode.USAGE) from None
    print(f"subscribed {channel.name} #{sub.id} {sub.label}")
    return ExitCode.OK


async def cmd_unsubscribe(args: argparse.Namespace, config: Config) -> ExitCode:
    sub_id = subscription_id(args.id)
    if sub_id is None:
        raise CliError(f"ID must be a subscription number, got {args.id!r}", ExitCode.USAGE)
    async with App.open(config) as app:
        services = _services(app)
        channel = await _named_channel(services, args.channel)
        if not await services.unsubscribe(channel, sub_id):
            raise CliError(f"{channel.name} has no subscription #{sub_id}", ExitCode.USAGE)
    print(f"unsubscribed {channel.name} #{sub_id}")
    return ExitCode.OK


async def cmd_subscriptions(args: argparse.Namespace, config: Config) -> ExitCode:
    async with App.open(config) as app:
        services = _services(app)
        channels = {c.id: c for c in await app.store.channels.list()}
        channel = await _named_channel(services, args.channel) if args.channel else None
        subs = await services.subscriptions(channel)
    if not subs:
        print("no subscriptions")
    for s in subs:
        when = s.created_at.strftime("%Y-%m-%d %H:%M") if s.created_at else "?"
        name = channels[s.channel_id].name
        print(f"#{s.id}\t{name}\t{s.kind.value}\t{s.value}\t{s.created_by or '?'}\t{when}")
    return ExitCode.OK


async def cmd_resume(args: argparse.Namespace, config: Config) -> ExitCode:
    async with App.open(config) as app:
        services = _services(app)
        channel = await _named_channel(services, args.channel)
        await services.resume(channel)
    was = f" (was paused: {channel.paused_reason})" if channel.paused_reason else ""
    print(f"resumed {channel.name}{was}")
    return ExitCode.OK


async def cmd_retry(args: argparse.Namespace, config: Config) -> ExitCode:
    """``paperbot retry CHANNEL`` or ``--all``: refused messages are owed again, due at once
    (the next ``run`` or ``check`` delivers them). Exit 0 even when there were none."""
    async with App.open(config) as app:
        services = _services(app)
        if args.all:
            channels = await app.store.channels.list()
        else:
            channels = [await _named_channel(services, args.channel)]
        count = await services.retry(channels)
    print(f"re-queued {count}")
    return ExitCode.OK


async def cmd_status(args: argparse.Namespace, config: Config) -> ExitCode:
    async with App.open(config) as app:
        print(plain_text(await _services(app).status()))
    return ExitCode.OK


async def cmd_check(args: argparse.Namespace, config: Config) -> ExitCode:
    # Imported here: bot.runtime pulls in APScheduler, which no other command needs.
    from bot.runtime import check_once

    platforms = needed_platforms(config)
    async with App.open(config, adapters=platforms, front=Commands.from_core) as app:
        return await check_once(app)


async def cmd_run(args: argparse.Namespace, config: Config) -> ExitCode:
    return await _run(config, interactive=False)


async def cmd_chat(args: argparse.Namespace, config: Config) -> ExitCode:
    # `chat` talks through the interactive platform (the console): give it its channel.
    for spec in config.specs.values():
        name = spec.default_channel
        if spec.interactive and name and not any(c.platform == spec.name for c in config.channels):
            config = replace(config, channels=(*config.channels, ChannelConfig(name, spec.name)))
    return await _run(config, interactive=True)


async def _run(config: Config, *, interactive: bool) -> ExitCode:
    from bot.runtime import run_bot

    stop = asyncio.Event()
    async with App.open(
        config,
        adapters=needed_platforms(config),
        front=Commands.from_core,
        interactive=interactive,
        on_stop=stop.set,
    ) as app:
        return await run_bot(app, stop)
