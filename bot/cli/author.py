"""``paperbot author NAME``: the author page on the command line (plain text on stdout).

Exit codes: 0 the page; 1 nothing stored names the person; 2 not a name (usage). By name it
reads the store (and Semantic Scholar's cached records) only: no request leaves the machine.
``paperbot author openalex:A…|orcid:…`` is a person's page (:mod:`bot.chat.person_page`, at most
2 OpenAlex requests): exit 1 unknown id, 2 malformed id or ORCID, 3 OpenAlex unreachable.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.app import App
from bot.chat.author import AuthorPages, NoSuchAuthor, author_page_text
from bot.chat.errors import UserError
from bot.chat.people import IndexUnavailable, UnknownPerson, is_person_value
from bot.chat.person_page import PersonPages
from bot.chat.services import Services
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
            if is_person_value(name):
                services = Services.over(
                    app.store, app.config, app.arxiv, app.core.clock, app.core.openalex
                )
                page = await PersonPages(services.people, AuthorPages(app.store)).page(name)
            else:
                page = await AuthorPages(app.store).page(name)
        except IndexUnavailable as exc:
            raise CliError(f"cannot ask OpenAlex: {exc}", ExitCode.FAILED) from None
        except ValueError as exc:
            raise CliError(str(exc), ExitCode.USAGE) from None
        except (NoSuchAuthor, UnknownPerson) as exc:
            raise CliError(str(exc), ExitCode.NOT_FOUND) from None
        except UserError as exc:
            raise CliError(str(exc), ExitCode.USAGE) from None
    print(plain_text(author_page_text(page)))
    return ExitCode.OK
