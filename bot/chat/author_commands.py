"""Chat commands of the author page: ``author NAME`` (``Babuschkin, Igor`` or ``Igor
Babuschkin``): the person's recent papers and top collaborators, from the store and what
Semantic Scholar's cache adds (:mod:`bot.chat.author`); by name it asks no remote service, so
it answers at once. ``author openalex:A…`` / ``author orcid:…`` is a followed person's page
(:mod:`bot.chat.person_page`: at most 2 OpenAlex requests); a fault is one line. It answers
the caller only."""

from __future__ import annotations

from bot.chat.author import AuthorPages, author_page_text
from bot.chat.people import IndexUnavailable, UnknownPerson, is_person_value
from bot.chat.person_page import PersonPages
from bot.chat.registry import Command
from bot.chat.services import Services
from bot.model import CommandContext, Reply
from bot.model.text import literal


class AuthorCommands:
    """The handler, over the shared services' store."""

    def __init__(self, services: Services) -> None:
        self.pages = AuthorPages(services.store)
        self.persons = PersonPages(services.people, self.pages)

    def commands(self) -> list[Command]:
        return [
            Command(
                "author",
                "author <name>|openalex:A…|orcid:…",
                "an author's recent papers and top collaborating authors",
                self.author,
                may_fetch=True,
                accepts=bool,
            )
        ]

    async def author(self, ctx: CommandContext, args: str) -> Reply:
        if not args.strip():
            text = "Usage: `author <name>` (for example `author Babuschkin, Igor`)"
            return Reply(text, error=True)
        if is_person_value(args.strip()):
            return await self.person(args.strip())
        return Reply(author_page_text(await self.pages.page(args)))

    async def person(self, value: str) -> Reply:
        try:
            page = await self.persons.page(value)
        except (ValueError, UnknownPerson) as exc:
            return Reply(literal(f"{exc}."), error=True)
        except IndexUnavailable as exc:
            return Reply(literal(f"Cannot ask OpenAlex now: {exc}"), error=True)
        return Reply(author_page_text(page))
