"""The chat command grammar shared by every adapter (console, Slack, Discord).

``lookup QUERY``, ``subscribe author|topic|category VALUE``, ``unsubscribe ID``, ``list``,
``authors NAME`` (:mod:`bot.chat.people_commands`), the author page's ``author NAME``
(:mod:`bot.chat.author_commands`), the reading list's ``save ID``, ``unsave ID``, ``saved``,
``bibtex ID…|saved`` (:mod:`bot.chat.reading_commands`), ``why``/``preview``
(:mod:`bot.chat.insight_commands`), volume control's ``mode``, ``cap``, ``quiet``,
``ledger``, ``digest`` (:mod:`bot.chat.volume_commands`), ``status``, ``help``. The first word
picks the subcommand; any other first word means ``lookup`` (``/paper 2308.03526`` =
``/paper lookup 2308.03526``), so a title that starts with a command word needs ``lookup …``.
A first word that is a typo of a command name (:mod:`bot.chat.typos`) gets "Did you mean
`list`?" at once when the rest of the line is empty or is that command's arguments; otherwise
the look-up runs and its answer ends with "(did you mean …?)". A platform's prefix typed where
none is needed (``/paper help`` in the console) and a slash before a command name (``/help``)
are dropped. Handlers are ``async (context, args) -> Reply`` registered explicitly in
:meth:`Commands._register`; the rules they apply are the :class:`~bot.chat.services.Services`
the CLI uses too.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.app import Core
from bot.chat.author_commands import AuthorCommands
from bot.chat.insight_commands import InsightCommands, subscribe_preview
from bot.chat.people_commands import PeopleCommands
from bot.chat.reading_commands import ReadingCommands
from bot.chat.registry import Command, Handler
from bot.chat.services import (
    AlreadySubscribed,
    Services,
    UserError,
    subscription_id,
)
from bot.chat.typos import nearest_command
from bot.chat.volume_commands import VolumeCommands
from bot.matching.topic import TOPIC_HELP
from bot.model import CommandContext, Mark, Reply, SubscriptionKind
from bot.model.text import literal, unexpected_error
from bot.model.volume import VolumeSettings

log = logging.getLogger("paperbot.commands")

__all__ = ["Command", "Commands", "Handler", "Parsed", "UserRateLimiter", "sentence"]


@dataclass(frozen=True, slots=True)
class Parsed:
    """A command line split: the command, its arguments, and what a typo looked like."""

    command: Command
    args: str
    typo_of: str | None = None  # the command line the first word looks like a typo of
    suggest_only: bool = False  # answer "Did you mean …?" instead of running


def _subscribe_args(args: str) -> bool:
    kind, _, value = args.partition(" ")
    return kind.lower() in {k.value for k in SubscriptionKind} and bool(value.strip())


class UserRateLimiter:
    """At most ``per_minute`` commands per user in any 60 seconds (a sliding window)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._seen: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, user: str) -> float | None:
        """None when allowed; else the seconds until the user may try again."""
        now = self.clock()
        window = self._seen[user]
        while window and now - window[0] >= 60:
            window.popleft()
        if len(window) >= self.per_minute:
            return 60 - (now - window[0])
        window.append(now)
        return None


def sentence(message: str) -> str:
    """A message as chat shows it: its first letter capitalised."""
    return message[:1].upper() + message[1:]


class Commands:
    """The registry and dispatcher: the :class:`~bot.port.Front` every adapter talks to.

    How a platform's users type commands (``/paper `` in Slack and Discord, nothing in the
    console) and whether its users are rate limited come from its adapter spec.
    """

    def __init__(self, services: Services) -> None:
        self.services = services
        self.config = services.config
        self.limiter = UserRateLimiter(self.config.limits.commands_per_minute)
        self.registry: dict[str, Command] = {}
        self.insight = InsightCommands(services)
        self.people = PeopleCommands(services)
        self.authors = AuthorCommands(services)
        self.reading = ReadingCommands(services)
        self.volume = VolumeCommands(services)
        self._register()

    @classmethod
    def from_core(cls, core: Core) -> Commands:
        """The front end over an app's core (its store, arXiv source and config)."""
        return cls(
            Services.over(
                core.store, core.config, core.arxiv, core.clock, core.openalex, scholar=core.scholar
            )
        )

    def _register(self) -> None:
        for command in (
            Command(
                "lookup",
                "lookup <arXiv id | arxiv.org URL | DOI | title words>",
                "show a paper",
                self.lookup,
                may_fetch=True,
                accepts=bool,
            ),
            Command(
                "subscribe",
                "subscribe author|topic|category <value>",
                "alert this channel about new matching papers",
                self.subscribe,
                manages=True,
                accepts=_subscribe_args,
                public=True,
            ),
            Command(
                "unsubscribe",
                "unsubscribe <id>",
                "remove one of this channel's subscriptions",
                self.unsubscribe,
                manages=True,
                accepts=lambda args: subscription_id(args) is not None,
                public=True,
            ),
            Command("list", "list", "this channel's settings and subscriptions", self.list),
            *self.insight.commands(),
            *self.people.commands(),
            *self.authors.commands(),
            *self.reading.commands(),
            *self.volume.commands(),
            Command(
                "status", "status", "polling, pending deliveries, paused channels", self.status
            ),
            Command("help", "help", "this help", self.help),
        ):
            self.registry[command.name] = command

    def parse(self, text: str) -> Parsed:
        """Split ``text`` into the command and its argument string."""
        text = self._unprefixed(" ".join(text.split()))
        first, _, rest = text.partition(" ")
        command = self.registry.get(first.lower())
        if command is not None:
            return Parsed(command, rest)
        lookup = self.registry["lookup"]
        typo = nearest_command(first, self.registry)
        if typo is None:
            return Parsed(lookup, text)
        if not rest or self.registry[typo].accepts(rest):
            return Parsed(lookup, text, f"{typo} {rest}".strip(), suggest_only=True)
        return Parsed(lookup, text, typo)

    def _unprefixed(self, text: str) -> str:
        """``text`` without a platform's command prefix (``/paper help`` typed in the console)
        or a slash before a command name (``/help``)."""
        lowered = text.lower()
        for spec in self.config.specs.values():
            prefix = spec.command_prefix.strip().lower()
            if prefix and (lowered == prefix or lowered.startswith(prefix + " ")):
                return text[len(prefix) :].strip()
        if text.startswith("/") and text[1:].partition(" ")[0].lower() in self.registry:
            return text[1:]
        return text

    async def mark(self, ctx: CommandContext, mark: Mark) -> Reply | None:
        """A Save button pressed or a 📌 put on or taken off a message (see
        :meth:`~bot.chat.reading_commands.ReadingCommands.mark`); never raises."""
        try:
            return await self.reading.mark(ctx, mark)
        except Exception:
            log.exception("a %s mark failed", mark.via)
            return Reply(unexpected_error("save"), error=True)

    def may_fetch(self, text: str) -> bool:
        parsed = self.parse(text)
        return parsed.command.may_fetch and not parsed.suggest_only

    def public(self, text: str) -> bool:
        return self.parse(text).command.public

    def manages(self, text: str) -> bool:
        parsed = self.parse(text)
        return self.volume.needs_permission(parsed.command, parsed.args)

    def prefix_for(self, ctx: CommandContext | None) -> str:
        """How users type commands where ``ctx`` comes from (``/paper `` in Slack)."""
        spec = self.config.specs.get(ctx.platform) if ctx is not None else None
        return spec.command_prefix if spec is not None else ""

    def usage(self, name: str, ctx: CommandContext | None = None) -> str:
        return f"Usage: `{self.prefix_for(ctx)}{self.registry[name].usage}`"

    def _rate_limited(self, ctx: CommandContext) -> bool:
        spec = self.config.specs.get(ctx.platform)
        return spec is None or spec.rate_limit_commands

    async def dispatch(self, ctx: CommandContext, text: str) -> Reply:
        """Run one command line; every expected failure becomes an error Reply, and an
        unexpected one the single :func:`~bot.model.text.unexpected_error` answer."""
        parsed = self.parse(text)
        command, args = parsed.command, parsed.args
        if len(args) > self.config.limits.max_query_length:
            return Reply(
                f"That is too long ({len(args)} characters; at most "
                f"{self.config.limits.max_query_length}).",
                error=True,
            )
        if self._rate_limited(ctx):
            wait = self.limiter.allow(f"{ctx.platform}:{ctx.user_id}")
            if wait is not None:
                return Reply(
                    f"Slow down: too many commands. Try again in {wait:.0f} s.", error=True
                )
        manages = self.volume.needs_permission(command, args)
        if manages and ctx.can_manage is None:
            return Reply(
                "Could not check your permission to change this channel's subscriptions "
                "(the platform did not answer). Try again in a moment.",
                error=True,
            )
        if manages and not ctx.can_manage:
            return Reply(
                "You do not have permission to change this channel's subscriptions.", error=True
            )
        hint = f"`{self.prefix_for(ctx)}{parsed.typo_of}`" if parsed.typo_of else ""
        if parsed.suggest_only:
            return Reply(f"Did you mean {hint}?")
        reply = await self._run(command, ctx, args)
        return replace(reply, text=f"{reply.text} (did you mean {hint}?)") if hint else reply

    async def _run(self, command: Command, ctx: CommandContext, args: str) -> Reply:
        try:
            reply = await command.handler(ctx, args)
        except UserError as exc:  # its message may quote what the user typed
            return Reply(literal(sentence(str(exc))), error=True)
        except Exception:  # every adapter gets an answer; the log has the details
            log.exception("command %r failed", command.name)
            return Reply(unexpected_error(command.name), error=True)
        return replace(reply, ephemeral=reply.error or not command.public)

    # -- handlers -------------------------------------------------------------------------

    async def lookup(self, ctx: CommandContext, args: str) -> Reply:
        if not args:
            return Reply(self.usage("lookup", ctx), error=True)
        result = await self.services.enrich(await self.services.lookup(args))
        note = f"\n_{literal(result.note)}_" if result.note else ""
        label = "Found" if len(result.papers) == 1 else f"{len(result.papers)} papers"
        text = f"{label} ({result.origin}){note}"
        return Reply(text, papers=result.papers, records=result.records)

    async def subscribe(self, ctx: CommandContext, args: str) -> Reply:
        kind_word, _, value = args.partition(" ")
        value = " ".join(value.split())
        try:
            kind = SubscriptionKind(kind_word.lower())
        except ValueError:
            return Reply(self.usage("subscribe", ctx), error=True)
        if not value:
            return Reply(self.usage("subscribe", ctx), error=True)
        channel = await self.services.chat_channel(ctx, create=True)
        if channel is None:
            return Reply(f"Unknown channel {literal(repr(ctx.channel_name))}.", error=True)
        try:
            sub = await self.services.subscribe(channel, kind, value, ctx.user_name or ctx.user_id)
        except AlreadySubscribed as exc:
            if exc.same_words is not None:
                text = f"This channel is {exc}: {kind}: {literal(exc.same_words)}."
            else:
                text = (
                    f"This channel is already subscribed to {kind}: {literal(value)} "
                    f"(#{exc.existing})."
                )
            return Reply(text, error=True)
        except UserError as exc:
            return Reply(f"Cannot subscribe: {literal(exc)}", error=True)
        note = await self.people.subscribe_note(channel, sub, self.prefix_for(ctx))
        return Reply(
            f"Subscribed #{sub.id} {sub.kind.value}: {literal(sub.value)}. New matching papers "
            "will be posted here (papers already stored do not alert)."
            + await subscribe_preview(self.services, sub)
            + ("\n" + note if note else "")
        )

    async def unsubscribe(self, ctx: CommandContext, args: str) -> Reply:
        sub_id = subscription_id(args)
        if sub_id is None:
            return Reply(self.usage("unsubscribe", ctx) + " (the id from `list`)", error=True)
        channel = await self.services.chat_channel(ctx, create=False)
        if channel is None or not await self.services.unsubscribe(channel, sub_id):
            return Reply(f"This channel has no subscription #{sub_id} (see `list`).", error=True)
        return Reply(f"Unsubscribed #{sub_id}.")

    async def list(self, ctx: CommandContext, args: str) -> Reply:
        channel = await self.services.chat_channel(ctx, create=False)
        subs = await self.services.subscriptions(channel) if channel else []
        settings = channel.volume.describe() if channel else VolumeSettings().describe()
        if not subs:
            return Reply(
                f"Settings: {settings}\nNo subscriptions here yet. Try "
                f"`{self.prefix_for(ctx)}subscribe author Babuschkin, Igor`."
            )
        shown = await self.people.shown(subs)
        lines = [f"#{s.id} {s.kind.value}: {shown.get(s.id) or literal(s.value)}" for s in subs]
        return Reply(f"Settings: {settings}\nSubscriptions of this channel:\n" + "\n".join(lines))

    async def status(self, ctx: CommandContext, args: str) -> Reply:
        return Reply(await self.services.status(scope=ctx))

    async def help(self, ctx: CommandContext, args: str) -> Reply:
        prefix = self.prefix_for(ctx)
        lines = [f"`{prefix}{c.usage}` — {c.summary}" for c in self.registry.values()]
        lines.append(
            f"Anything else is a look-up: `{prefix}2308.03526` = `{prefix}lookup 2308.03526`."
        )
        lines.append(
            "Authors: `Babuschkin, Igor`, `Igor Babuschkin` and `I. Babuschkin` "
            "all work; a different first name is another person."
        )
        lines.append("Categories: `cs.LG`, or a whole archive such as `cs`.")
        lines.append("A title that starts with a command word needs `lookup …`.")
        spec = self.config.specs.get(ctx.platform)
        if spec is not None and spec.interactive:
            lines.append("`quit` or `exit` (or Ctrl-D) ends the chat.")
        return Reply("\n".join(lines) + "\n\n" + TOPIC_HELP)
