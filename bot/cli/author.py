"""``paperbot author NAME``: the author page on the command line (plain text on stdout).

Exit codes: 0 the page; 1 nothing stored names the person; 2 not a name (usage). It reads the
store (and Semantic Scholar's cached records) only: no request leaves the machine.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.app import App
from bot.chat.author import AuthorPages, NoSuchAuthor, author_page_text
from bot.chat.errors import UserError
from bot.chat.text import plain_text
from bot.cli.args import split_value, value_argument
from bot.cli.errors import CliError, ExitCode
from bot.config import Config


def register(sub: Any) -> None:
    """Add ``author`` to ``sub``."""
    p = sub.add_parser("author", help="an author's recent papers and top collaborators")
    value_argument(p, "NAME...")
    p.set_defaults(handler=cmd_author)


async def cmd_author(args: argparse.Namespace, config: Config) -> ExitCode:
    name = split_value(args.parser, args.value).text
    if not name:
        raise CliError("author: give a NAME (Babuschkin, Igor or Igor Babuschkin)", ExitCode.USAGE)
    async with App.open(config) as app:
        try:
            page = await AuthorPages(app.store).page(name)
        except NoSuchAuthor as exc:
            raise CliError(str(exc), ExitCode.NOT_FOUND) from None
        except UserError as exc:
            raise CliError(str(exc), ExitCode.USAGE) from None
    print(plain_text(author_page_text(page)))
    return ExitCode.OK
