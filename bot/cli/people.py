"""``paperbot authors NAME``: the people OpenAlex knows by that name, to follow one with
``paperbot subscribe CHANNEL author openalex:A…``. Exit 1 when there is none, 3 when OpenAlex
cannot be asked."""

from __future__ import annotations

import argparse
from typing import Any

from bot.app import App
from bot.chat.people import IndexUnavailable, NoCandidates
from bot.chat.people_commands import candidates_text
from bot.chat.services import Services
from bot.chat.text import plain_text
from bot.cli.args import split_value, value_argument
from bot.cli.errors import CliError, ExitCode
from bot.config import Config


def register(sub: Any) -> None:
    p = sub.add_parser("authors", help="people of a name in OpenAlex, with the ids to follow")
    value_argument(p, "NAME...")
    p.set_defaults(handler=cmd_authors)


async def cmd_authors(args: argparse.Namespace, config: Config) -> ExitCode:
    name = split_value(args.parser, args.value).text
    if not name:
        raise CliError("authors: give a NAME", ExitCode.USAGE)
    async with App.open(config) as app:
        services = Services.over(
            app.store, app.config, app.arxiv, app.core.clock, app.core.openalex
        )
        try:
            found = await services.people.candidates(name)
        except NoCandidates as exc:
            raise CliError(str(exc), ExitCode.NOT_FOUND) from None
        except IndexUnavailable as exc:
            raise CliError(f"cannot ask OpenAlex: {exc}", ExitCode.FAILED) from None
    print(plain_text(candidates_text(name, found)))
    return ExitCode.OK
