"""The CLI's subcommands: each is registered here with its arguments and an async handler that
uses the same services as chat (``bot.chat.services``)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from bot.app import App, needed_platforms
from bot.chat.commands import Commands
from bot.chat.insight_commands import subscribe_preview
from bot.chat.lookup import LookupFailed, SourceUnavailable
from bot.chat.people_commands import PeopleCommands, unavailable
from bot.chat.services import AlreadySubscribed, Services, UserError, subscription_id
from bot.chat.text import paper_card_text, plain_text
from bot.cli import author, demo, insight, people, reading, volume
from bot.cli.args import split_value, value_argument
from bot.cli.errors import CliError, ExitCode
from bot.cli.progress import Progress
from bot.config import ChannelConfig, Config
from bot.ingest.files import FileResult, ingest_files, listing_files
from bot.ingest.plan import IngestCounts
from bot.model import Channel, SubscriptionKind
from bot.model.text import record_of


def register(sub: Any) -> None:
    """Add every subcommand to ``sub`` (the parser's subparsers)."""
    p = sub.add_parser(
        "ingest", help="load listing files (.xml / .xml.gz, or a folder of them) into the store"
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="a listing file, or a folder")
    p.add_argument("--alert", action="store_true", help="match and queue alerts as a poll would")
    p.set_defaults(handler=cmd_ingest)

    p = sub.add_parser("lookup", help="look a paper up: arXiv id, URL, DOI or title words")
    value_argument(p, "QUERY...")
    p.set_defaults(handler=cmd_lookup)

    p = sub.add_parser("subscribe", help="subscribe a channel to an author, topic or category")
    p.add_argument("channel", metavar="CHANNEL")
    p.add_argument("kind", choices=["author", "topic", "category"], metavar="author|topic|category")
    # A topic such as `robots -survey` needs no `--` (one is still accepted).
    value_argument(p, "VALUE...")
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
        sub.add_parser(name, help=help_text).set_defaults(handler=handler, terse_log=name == "chat")
    insight.register(sub)
    author.register(sub)
    reading.register(sub)
    volume.register(sub)
    demo.register(sub)
    people.register(sub)


def _services(app: App) -> Services:
    core = app.core
    return Services.over(
        app.store, app.config, app.arxiv, core.clock, core.openalex, scholar=core.scholar
    )


async def _named_channel(services: Services, name: str) -> Channel:
    try:
        return await services.channel_named(name)
    except UserError as exc:
        raise CliError(str(exc), ExitCode.USAGE) from None


def _ingest_paths(values: list[str]) -> tuple[list[Path], list[str]]:
    """The files to ingest (a folder gives its listing files) and the arguments that name
    none, as one-line errors."""
    paths: list[Path] = []
    errors: list[str] = []
    for value in values:
        path = Path(value)
        if path.is_dir():
            found = listing_files(path)
            paths.extend(found)
            if not found:
                errors.append(f"{path}: no listing files (*.xml, *.xml.gz) in this folder")
        elif path.is_file():
            paths.append(path)
        else:
            errors.append(f"{path}: no such file")
    return paths, errors


def _counts_text(c: IngestCounts, alert: bool) -> str:
    text = f"{c.new_papers} new papers, {c.new_versions} new versions"
    return text + (f", {c.alerts} alerts queued" if alert else "")


async def cmd_ingest(args: argparse.Namespace, config: Config) -> ExitCode:
    paths, errors = _ingest_paths(args.paths)
    for error in errors:
        print(f"paperbot: {error}", file=sys.stderr)
    total = IngestCounts()
    bad = len(errors)
    with Progress(len(paths), "ingest") as bar:

        def report(done: int, result: FileResult) -> None:
            nonlocal bad
            if result.counts is None:
                bad += 1
                bar.echo(f"paperbot: {result.error}", err=True)
            else:
                total.add(result.counts)
                counts = _counts_text(result.counts, args.alert)
                bar.echo(f"{result.path}: {result.counts.items} items, {counts}")
            bar.update(done, result.path.name)

        async with App.open(config) as app:
            results = await ingest_files(app.ingestor, paths, alert=args.alert, on_file=report)
    stored = sum(1 for r in results if r.counts is not None)
    line = f"ingested {total.items} items from {stored} file(s): {_counts_text(total, args.alert)}"
    print(line + (f"; {bad} failed" if bad else ""))
    return ExitCode.USAGE if bad else ExitCode.OK


async def cmd_lookup(args: argparse.Namespace, config: Config) -> ExitCode:
    query = split_value(args.parser, args.value).text
    if not query:
        raise CliError(
            "lookup: give a QUERY (an arXiv id, a URL, a DOI or title words)", ExitCode.USAGE
        )
    async with App.open(config) as app:
        try:
            services = _services(app)
            result = await services.enrich(await services.lookup(query))
        except SourceUnavailable as exc:
            raise CliError(str(exc), ExitCode.FAILED) from None
        except LookupFailed as exc:
            raise CliError(str(exc), ExitCode.NOT_FOUND) from None
    if result.note:
        print(f"note: {result.note}", file=sys.stderr)
    cards = (paper_card_text(p, record=record_of(result.records, p)) for p in result.papers)
    print("\n\n".join(cards))
    return ExitCode.OK


async def cmd_subscribe(args: argparse.Namespace, config: Config) -> ExitCode:
    kind = SubscriptionKind(args.kind)
    value = split_value(args.parser, args.value).text
    if not value:
        raise CliError("subscribe: give a VALUE (an author, a topic or a category)", ExitCode.USAGE)
    async with App.open(config) as app:
        services = _services(app)
        channel = await _named_channel(services, args.channel)
        try:
            sub = await services.subscribe(channel, kind, value, f"cli:{getpass.getuser()}")
        except AlreadySubscribed as exc:  # a setup script run twice is not an error
            print(exc)  # "already subscribed as #N", with " (same words)" for another spelling
            return ExitCode.OK
        except UserError as exc:
            code = ExitCode.FAILED if unavailable(exc) else ExitCode.USAGE
            raise CliError(f"cannot subscribe: {exc}", code) from None
        preview = await subscribe_preview(services, sub)
        note = await PeopleCommands(services).subscribe_note(channel, sub)
    print(f"subscribed {channel.name} #{sub.id} {sub.label}{preview}")
    if note:
        print(plain_text(note))
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
    else:
        print("ID\tCHANNEL\tKIND\tVALUE\tBY\tCREATED")
    for s in subs:
        when = s.created_at.strftime("%Y-%m-%d %H:%M") if s.created_at else "?"
        name = channels[s.channel_id].name
        print(f"#{s.id}\t{name}\t{s.kind.value}\t{s.value}\t{s.created_by or '?'}\t{when}")
    return ExitCode.OK


async def cmd_resume(args: argparse.Namespace, config: Config) -> ExitCode:
    async with App.open(config) as app:
        services = _services(app)
        channel = await _named_channel(services, args.channel)
        if not channel.paused_reason:
            print(f"{channel.name} was not paused")
            return ExitCode.OK
        await services.resume(channel)
    print(f"resumed {channel.name} (was paused: {channel.paused_reason})")
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
        with Progress(len(await app.poller.categories()), "poll") as bar:
            return await check_once(app, progress=lambda done, _, what: bar.update(done, what))


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
