"""Chat commands that say why, before and after: ``why ID`` (for the channel it is typed in)
and ``preview author|topic|category VALUE [--days N]`` (:mod:`bot.chat.why`,
:mod:`bot.chat.preview`). Anyone in a channel may ask; the answers go to the asker only.
:func:`subscribe_preview` is the line ``subscribe`` adds to its answer.
"""

from __future__ import annotations

from bot.chat.errors import UserError
from bot.chat.preview import DEFAULT_DAYS, MAX_DAYS, BadPreview, Preview, parse_days
from bot.chat.registry import Command
from bot.chat.services import Services
from bot.chat.why import Why
from bot.model import CommandContext, Reply, Subscription, SubscriptionKind
from bot.model.text import literal

PREVIEW_USAGE = "preview author|topic|category <value> [--days N]"


def split_days(args: str) -> tuple[str, str | None]:
    """``topic robots --days 3`` -> (``topic robots``, ``"3"``). ``--days`` may stand anywhere
    before a ``--``; everything after ``--`` is the value's."""
    words = args.split(" ")
    days: str | None = None
    kept: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--":
            kept += words[i + 1 :]
            break
        if word == "--days" or word.startswith("--days="):
            value = word.partition("=")[2] if "=" in word else None
            if value is None:
                i += 1
                value = words[i] if i < len(words) else ""
            days = value
        else:
            kept.append(word)
        i += 1
    return " ".join(w for w in kept if w), days


def _preview_args(args: str) -> bool:
    rest, _ = split_days(args)
    kind, _, value = rest.partition(" ")
    return kind.lower() in {k.value for k in SubscriptionKind} and bool(value.strip())


async def subscribe_preview(services: Services, sub: Subscription) -> str:
    """``\\n`` and the one-line preview of a subscription just made ("" when it cannot be
    computed: subscribing never fails because of its preview)."""
    try:
        result = await Preview(services.store, services.people).run(
            sub.kind,
            sub.value,
            DEFAULT_DAYS,
            check_topic=False,  # subscribe checked it
        )
    except UserError:
        return ""
    line = result.line(subscribed=True)
    if result.person and line.endswith("."):  # a followed person: verification comes later
        line = f"{line[:-1]} (by the name {result.person}, before the index verifies each paper)."
    return "\n" + line


class InsightCommands:
    """The handlers, over the shared services."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.why = Why(services.store, services.config)
        self.preview = Preview(services.store, services.people)

    def commands(self) -> list[Command]:
        return [
            Command(
                "why",
                "why <arXiv id>",
                "why a paper was (or was not) posted in this channel",
                self.why_command,
                accepts=lambda args: len(args.split()) == 1,
            ),
            Command(
                "preview",
                PREVIEW_USAGE,
                f"what a subscription would have posted on the last N (default {DEFAULT_DAYS}, "
                f"at most {MAX_DAYS}) announcement days",
                self.preview_command,
                accepts=_preview_args,
            ),
        ]

    def _usage(self, ctx: CommandContext, usage: str) -> Reply:
        spec = self.services.config.specs.get(ctx.platform)
        return Reply(f"Usage: `{spec.command_prefix if spec else ''}{usage}`", error=True)

    async def why_command(self, ctx: CommandContext, args: str) -> Reply:
        if len(args.split()) != 1:
            return self._usage(ctx, "why <arXiv id>")
        channel = await self.services.chat_channel(ctx, create=False)
        if channel is None:
            paper = await self.why.paper(args)  # "not stored" first, as for any channel
            return Reply(
                f"*{paper.arxiv_id}* {literal(paper.title)}\nThis channel has no "
                "subscriptions, so nothing here matches it."
            )
        return Reply(await self.why.text(channel, args))

    async def preview_command(self, ctx: CommandContext, args: str) -> Reply:
        rest, days_text = split_days(args)
        kind_word, _, value = rest.partition(" ")
        try:
            kind = SubscriptionKind(kind_word.lower())
        except ValueError:
            return self._usage(ctx, PREVIEW_USAGE)
        if not value.strip():
            return self._usage(ctx, PREVIEW_USAGE)
        try:
            result = await self.preview.run(kind, value.strip(), parse_days(days_text))
        except BadPreview as exc:
            return Reply(f"Cannot preview: {literal(str(exc))}", error=True)
        return Reply(result.text())
