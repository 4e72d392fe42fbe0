"""The reading list on the command line: ``save CHANNEL ID``, ``unsave CHANNEL ID``,
``saved CHANNEL`` and ``bibtex ID… | --saved CHANNEL`` (the BibTeX on stdout).

Exit codes as elsewhere: 0 done (also when it already was: saved twice, unsaved when not
saved), 1 a paper not found (``bibtex`` still prints the entries it found), 2 usage (an unknown
channel, something that is not an id), 3 arXiv or the database failed.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from bot.app import App
from bot.chat.bibtex import bibtex
from bot.chat.errors import UserError
from bot.chat.lookup import LookupFailed, SourceUnavailable
from bot.chat.reading import Found, NotAnId, Reading
from bot.chat.services import Services
from bot.cli.args import split_value, value_argument
from bot.cli.errors import CliError, ExitCode
from bot.config import Config
from bot.model import Channel


def register(sub: Any) -> None:
    """Add ``save``, ``unsave``, ``saved`` and ``bibtex`` to ``sub``."""
    for name, help_text, handler in (
        ("save", "keep a paper in a channel's reading list", cmd_save),
        ("unsave", "take a paper off a channel's reading list", cmd_unsave),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("channel", metavar="CHANNEL")
        p.add_argument("id", metavar="ID", help="arXiv id, arxiv.org link or DOI")
        p.set_defaults(handler=handler)

    p = sub.add_parser("saved", help="a channel's reading list (newest first, who saved it)")
    p.add_argument("channel", metavar="CHANNEL")
    p.set_defaults(handler=cmd_saved)

    p = sub.add_parser("bibtex", help="BibTeX (arXiv style) of papers, or of a reading list")
    # Declared for argparse too: a REMAINDER that starts with a dash word is refused otherwise.
    p.add_argument("--saved", metavar="CHANNEL", help="the reading list of CHANNEL")
    value_argument(p, "ID...")
    p.set_defaults(handler=cmd_bibtex)


def _reading(app: App) -> tuple[Services, Reading]:
    services = Services.over(app.store, app.config, app.arxiv, app.core.clock)
    return services, Reading(app.store, services.lookup, app.core.clock)


async def _channel(services: Services, name: str) -> Channel:
    try:
        return await services.channel_named(name)
    except UserError as exc:
        raise CliError(str(exc), ExitCode.USAGE) from None


def _failure(exc: UserError) -> CliError:
    """A reading-list failure as its exit code."""
    if isinstance(exc, SourceUnavailable):
        return CliError(str(exc), ExitCode.FAILED)
    if isinstance(exc, LookupFailed):
        return CliError(str(exc), ExitCode.NOT_FOUND)
    return CliError(str(exc), ExitCode.USAGE)


async def cmd_save(args: argparse.Namespace, config: Config) -> ExitCode:
    user = f"cli:{getpass.getuser()}"
    async with App.open(config) as app:
        services, reading = _reading(app)
        channel = await _channel(services, args.channel)
        try:
            paper, added = await reading.save(channel, args.id, user, user)
        except UserError as exc:
            raise _failure(exc) from None
    state = "saved" if added else "already saved"
    print(f"{state} {channel.name} {paper.arxiv_id} {paper.title}")
    return ExitCode.OK


async def cmd_unsave(args: argparse.Namespace, config: Config) -> ExitCode:
    async with App.open(config) as app:
        services, reading = _reading(app)
        channel = await _channel(services, args.channel)
        try:
            paper_id, marks = await reading.unsave(channel, args.id)
        except UserError as exc:
            raise _failure(exc) from None
    print(f"unsaved {channel.name} {paper_id}" if marks else f"{paper_id} was not saved")
    return ExitCode.OK


async def cmd_saved(args: argparse.Namespace, config: Config) -> ExitCode:
    async with App.open(config) as app:
        services, reading = _reading(app)
        items = await reading.saved(await _channel(services, args.channel))
    if not items:
        print("no saved papers")
        return ExitCode.OK
    print("ID\tTITLE\tSAVED BY\tSAVED")
    for item in items:
        who = ", ".join(f"{m.who} ({m.via.value})" for m in item.marks)
        title = " ".join(item.paper.title.split())
        print(f"{item.paper.arxiv_id}\t{title}\t{who}\t{item.newest:%Y-%m-%d %H:%M}")
    return ExitCode.OK


async def cmd_bibtex(args: argparse.Namespace, config: Config) -> ExitCode:
    value = split_value(args.parser, args.value, allowed=("--saved",))
    words = value.text.split()
    saved = bool(args.saved or value.options.get("saved"))
    if args.saved:
        words.insert(0, args.saved)
    if saved and len(words) != 1:
        raise CliError("bibtex: --saved takes one CHANNEL (and no IDs)", ExitCode.USAGE)
    if not words:
        raise CliError("bibtex: give IDs or --saved CHANNEL", ExitCode.USAGE)
    unknown: tuple[str, ...] = ()
    failure = None
    async with App.open(config) as app:
        services, reading = _reading(app)
        if saved:
            channel = await _channel(services, words[0])
            papers = tuple(i.paper for i in await reading.saved(channel))
            if not papers:
                print(f"paperbot: the reading list of {channel.name} is empty", file=sys.stderr)
                return ExitCode.OK
        else:
            try:
                found = await reading.find(words, partial=True)
            except NotAnId as exc:
                raise CliError(f"bibtex: {exc}", ExitCode.USAGE) from None
            except UserError as exc:
                raise _failure(exc) from None
            papers, unknown, failure = found.papers, found.unknown, _unreached(found)
    if papers:
        sys.stdout.write(bibtex(papers))
    for text in unknown:
        print(f"paperbot: not found: {text}", file=sys.stderr)
    if failure:  # the entries found are printed all the same; a source failure wins: exit 3
        raise CliError(failure, ExitCode.FAILED)
    return ExitCode.NOT_FOUND if unknown else ExitCode.OK


def _unreached(found: Found) -> str | None:
    """The one line saying arXiv could not be asked, naming every id it was not asked for."""
    if found.failure is None:
        return None
    rest = found.unreached[1:]
    return found.failure + (f" (not fetched either: {', '.join(rest)})" if rest else "")
