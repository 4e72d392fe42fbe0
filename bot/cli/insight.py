"""``paperbot why CHANNEL ID`` and ``paperbot preview author|topic|category VALUE [--days N]``
on the command line (the chat's ``why`` and ``preview``, :mod:`bot.chat.insight_commands`).

Exit codes: 0 explained / previewed; 1 the paper is not stored (``why``); 2 usage (an unknown
channel, something that is not an arXiv id, a value or day count a preview cannot take); 3 the
database failed.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.app import App
from bot.chat.errors import UserError
from bot.chat.people import IndexUnavailable
from bot.chat.preview import DEFAULT_DAYS, MAX_DAYS, Preview, parse_days
from bot.chat.services import Services
from bot.chat.text import plain_text
from bot.chat.why import PaperNotStored, Why
from bot.cli.args import split_value, value_argument
from bot.cli.errors import CliError, ExitCode
from bot.config import Config
from bot.model import SubscriptionKind


def register(sub: Any) -> None:
    """Add ``why`` and ``preview`` to ``sub``."""
    p = sub.add_parser("why", help="why a paper was (or was not) posted in a channel")
    p.add_argument("channel", metavar="CHANNEL")
    p.add_argument("id", metavar="ID", help="arXiv id or arxiv.org link")
    p.set_defaults(handler=cmd_why)

    p = sub.add_parser(
        "preview", help="what a subscription would have posted on the last announcement days"
    )
    p.add_argument("kind", choices=["author", "topic", "category"], metavar="author|topic|category")
    p.add_argument(
        "--days",
        metavar="N",
        help=f"announcement days to look back (default {DEFAULT_DAYS}, at most {MAX_DAYS})",
    )
    value_argument(p, "VALUE...")
    p.set_defaults(handler=cmd_preview)


async def cmd_why(args: argparse.Namespace, config: Config) -> ExitCode:
    async with App.open(config) as app:
        services = Services.over(app.store, app.config, app.arxiv, app.core.clock)
        try:
            channel = await services.channel_named(args.channel)
            text = await Why(app.store, app.config).text(channel, args.id)
        except PaperNotStored as exc:
            raise CliError(str(exc), ExitCode.NOT_FOUND) from None
        except UserError as exc:
            raise CliError(str(exc), ExitCode.USAGE) from None
    print(plain_text(text))
    return ExitCode.OK


async def cmd_preview(args: argparse.Namespace, config: Config) -> ExitCode:
    value = split_value(args.parser, args.value, allowed=("--days",))
    if not value.text:
        raise CliError("preview: give a VALUE (an author, a topic or a category)", ExitCode.USAGE)
    given = value.options.get("days", args.days)
    days_text = None if given is None else str(given)
    try:
        days = parse_days(days_text)
        async with App.open(config) as app:
            core = app.core
            services = Services.over(app.store, config, app.arxiv, core.clock, core.openalex)
            preview = Preview(app.store, services.people)
            result = await preview.run(SubscriptionKind(args.kind), value.text, days)
    except IndexUnavailable as exc:
        raise CliError(f"preview: {exc}", ExitCode.FAILED) from None
    except UserError as exc:
        raise CliError(f"preview: {exc}", ExitCode.USAGE) from None
    print(plain_text(result.text()))
    return ExitCode.OK
