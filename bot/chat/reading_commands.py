"""Chat commands of the reading list: ``save ID``, ``unsave ID``, ``saved``, ``bibtex ID… |
saved``, and the marks adapters pass in (:meth:`ReadingCommands.mark`).

Anyone in a channel may save and unsave (no permission asked). ``save`` and ``unsave`` answer
the whole channel, ``saved`` and ``bibtex`` the caller only. ``bibtex`` answers with a
:class:`~bot.model.Document` (``paperbot.bib``) the adapter shows as text or sends as a file.
"""

from __future__ import annotations

from bot.chat.bibtex import bibtex
from bot.chat.errors import UserError
from bot.chat.reading import Reading
from bot.chat.registry import Command
from bot.chat.services import Services
from bot.model import Channel, CommandContext, Document, Mark, Reply, SavedPaper
from bot.model.text import literal

BIBTEX_FILE = "paperbot.bib"
#: ``saved`` shows this many papers in chat (``paperbot saved CHANNEL`` shows all).
SAVED_SHOWN = 50


def _one_word(args: str) -> bool:
    return len(args.split()) == 1


def saved_line(item: SavedPaper) -> str:
    """``2308.03526 Title — alice (📌), bob · 2026-07-14``: who marked it (how, unless by
    command), the newest mark's day."""
    who = ", ".join(
        literal(m.who) + ("" if m.via.value == "command" else f" ({m.via.value})")
        for m in item.marks
    )
    return (
        f"*{item.paper.arxiv_id}* {literal(item.paper.title)} — saved by {who} · "
        f"{item.newest.date().isoformat()}"
    )


class ReadingCommands:
    """The handlers, over the shared services."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.reading = Reading(services.store, services.lookup, services.clock)

    def commands(self, prefix: str = "") -> list[Command]:
        return [
            Command(
                "save",
                "save <arXiv id | arxiv.org URL | DOI>",
                "keep a paper in this channel's reading list",
                self.save,
                may_fetch=True,
                public=True,
                accepts=_one_word,
            ),
            Command(
                "unsave",
                "unsave <arXiv id>",
                "take a paper off this channel's reading list",
                self.unsave,
                public=True,
                accepts=_one_word,
            ),
            Command("saved", "saved", "this channel's reading list, newest first", self.saved),
            Command(
                "bibtex",
                "bibtex <arXiv id>... | bibtex saved",
                "BibTeX entries (arXiv style) for papers or the reading list",
                self.bibtex,
                may_fetch=True,
                accepts=bool,
            ),
        ]

    async def _channel(self, ctx: CommandContext, *, create: bool) -> Channel | None:
        return await self.services.chat_channel(ctx, create=create)

    async def save(self, ctx: CommandContext, args: str) -> Reply:
        if not _one_word(args):
            return Reply("Usage: `save <arXiv id | arxiv.org URL | DOI>`", error=True)
        channel = await self._channel(ctx, create=True)
        if channel is None:
            return Reply(f"Unknown channel {literal(repr(ctx.channel_name))}.", error=True)
        paper, added = await self.reading.save(
            channel, args.strip(), ctx.user_id, ctx.user_name or ctx.user_id
        )
        if not added:
            return Reply(
                f"You already saved *{paper.arxiv_id}* {literal(paper.title)} here.", error=True
            )
        return Reply(
            f"Saved *{paper.arxiv_id}* {literal(paper.title)} to this channel's reading list."
        )

    async def unsave(self, ctx: CommandContext, args: str) -> Reply:
        if not _one_word(args):
            return Reply("Usage: `unsave <arXiv id>`", error=True)
        channel = await self._channel(ctx, create=False)
        paper_id, marks = (
            await self.reading.unsave(channel, args.strip()) if channel else (args.strip(), 0)
        )
        if not marks:
            return Reply(
                f"{literal(paper_id)} is not on this channel's reading list (see `saved`).",
                error=True,
            )
        return Reply(f"Took *{paper_id}* off this channel's reading list.")

    async def saved(self, ctx: CommandContext, args: str) -> Reply:
        if args:
            return Reply(
                "Usage: `saved` (a title that starts with “saved” needs `lookup …`)", error=True
            )
        channel = await self._channel(ctx, create=False)
        items = await self.reading.saved(channel) if channel else []
        if not items:
            return Reply("This channel's reading list is empty. Try `save 2308.03526`.")
        lines = [saved_line(i) for i in items[:SAVED_SHOWN]]
        more = len(items) - SAVED_SHOWN
        if more > 0:
            lines.append(f"…and {more} more (`bibtex saved` has them all).")
        head = f"Reading list of this channel ({len(items)}, newest first):"
        return Reply("\n".join([head, *lines]))

    async def bibtex(self, ctx: CommandContext, args: str) -> Reply:
        words = args.split()
        if not words:
            return Reply("Usage: `bibtex <arXiv id>... | bibtex saved`", error=True)
        unknown: tuple[str, ...] = ()
        if words == ["saved"]:
            channel = await self._channel(ctx, create=False)
            papers = tuple(i.paper for i in await self.reading.saved(channel)) if channel else ()
            if not papers:
                return Reply("This channel's reading list is empty.", error=True)
        else:
            found = await self.reading.find(words)
            papers, unknown = found.papers, found.unknown
        if not papers:
            raise UserError(f"no paper found for {', '.join(unknown)}")
        count = f"{len(papers)} paper{'s' if len(papers) != 1 else ''}"
        text = f"BibTeX of {count}:"
        if unknown:
            text += f" (not found: {literal(', '.join(unknown))})"
        return Reply(text, document=Document(BIBTEX_FILE, bibtex(papers)))

    async def mark(self, ctx: CommandContext, mark: Mark) -> Reply | None:
        """A Save button or a 📌 on a message in ``ctx``'s channel. None when the message is
        none of the bot's alerts there (the adapter then does nothing); else a private answer
        (buttons show it, reactions need none)."""
        channel = await self._channel(ctx, create=False)
        if channel is None:
            return None
        done = await self.reading.mark(channel, mark, ctx.user_id, ctx.user_name)
        if done is None:
            return None
        paper, changed = done
        if not mark.on:
            return Reply(f"Took your mark off *{paper.arxiv_id}*." if changed else "")
        if not changed:
            return Reply(f"You already saved *{paper.arxiv_id}* {literal(paper.title)} here.")
        return Reply(
            f"Saved *{paper.arxiv_id}* {literal(paper.title)} to this channel's reading list."
        )
