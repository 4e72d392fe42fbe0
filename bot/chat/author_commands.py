"""Chat commands of the author page: ``author NAME`` (``Babuschkin, Igor`` or ``Igor
Babuschkin``): the person's recent papers and top collaborators, from the store and what
Semantic Scholar's cache adds (:mod:`bot.chat.author`). It asks no remote service, so it answers
at once; it answers the caller only."""

from __future__ import annotations

from bot.chat.author import AuthorPages, author_page_text
from bot.chat.registry import Command
from bot.chat.services import Services
from bot.model import CommandContext, Reply


class AuthorCommands:
    """The handler, over the shared services' store."""

    def __init__(self, services: Services) -> None:
        self.pages = AuthorPages(services.store)

    def commands(self) -> list[Command]:
        return [
            Command(
                "author",
                "author <name>",
                "an author's recent papers and top collaborating authors",
                self.author,
                accepts=bool,
            )
        ]

    async def author(self, ctx: CommandContext, args: str) -> Reply:
        if not args.strip():
            text = "Usage: `author <name>` (for example `author Babuschkin, Igor`)"
            return Reply(text, error=True)
        return Reply(author_page_text(await self.pages.page(args)))
