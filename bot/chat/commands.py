"""The chat command grammar shared by every adapter (console, Slack, Discord).

``lookup QUERY``, ``subscribe author|topic|category VALUE``, ``unsubscribe ID``, ``list``,
``status``, ``help``. The first word picks the subcommand; any other first word means
``lookup`` (``/paper 2308.03526`` = ``/paper lookup 2308.03526``). Handlers are
``async (context, args) -> Reply`` registered explicitly in :meth:`Commands._register`.
"""

from __future__ import annotations

import logging
import re
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.chat.lookup import Lookup, LookupFailed
from bot.chat.status import status_text
from bot.config import Config
from bot.matching.names import parse_person
from bot.matching.topic import TOPIC_HELP, TopicError, parse_topic
from bot.model import Channel, CommandContext, Reply, SubscriptionKind
from bot.sources.taxonomy import normalize_category
from bot.store import DuplicateSubscription, Store

log = logging.getLogger("paperbot.commands")

Handler = Callable[[CommandContext, str], Awaitable[Reply]]
CHAT_PLATFORMS = frozenset({"slack", "discord"})


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    usage: str
    summary: str
    handler: Handler
    manages: bool = False  # changes subscriptions: needs permission
    may_fetch: bool = False  # may touch the network: adapters ack/defer first


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


class Commands:
    """The registry and dispatcher. ``prefix`` is how usage lines show the command
    (``/paper`` in chat, nothing in the console)."""

    def __init__(self, store: Store, lookup: Lookup, config: Config, prefix: str = "") -> None:
        self.store = store
        self.lookup_service = lookup
        self.config = config
        self.prefix = prefix
        self.limiter = UserRateLimiter(config.limits.commands_per_minute)
        self.registry: dict[str, Command] = {}
        self._register()

    def _register(self) -> None:
        for command in (
            Command("lookup", "lookup <arXiv id | arxiv.org URL | DOI | title words>",
                    "show a paper", self.lookup, may_fetch=True),
            Command("subscribe", "subscribe author|topic|category <value>",
                    "alert this channel about new matching papers", self.subscribe,
                    manages=True),
            Command("unsubscribe", "unsubscribe <id>", "remove one of this channel's "
                    "subscriptions", self.unsubscribe, manages=True),
            Command("list", "list", "this channel's subscriptions", self.list),
            Command("status", "status", "polling, pending deliveries, paused channels",
                    self.status),
            Command("help", "help", "this help", self.help),
        ):  # fmt: skip
            self.registry[command.name] = command

    def parse(self, text: str) -> tuple[Command, str]:
        """Split ``text`` into the command and its argument string."""
        text = text.strip()
        first, _, rest = text.partition(" ")
        command = self.registry.get(first.lower())
        if command is None:
            return self.registry["lookup"], text
        return command, rest.strip()

    def may_fetch(self, text: str) -> bool:
        return self.parse(text)[0].may_fetch

    def prefix_for(self, ctx: CommandContext | None) -> str:
        """How users type commands here: ``/paper `` in Slack and Discord."""
        if ctx is not None and ctx.platform in CHAT_PLATFORMS:
            return "/paper "
        return self.prefix

    def usage(self, name: str, ctx: CommandContext | None = None) -> str:
        return f"Usage: `{self.prefix_for(ctx)}{self.registry[name].usage}`"

    async def dispatch(self, ctx: CommandContext, text: str) -> Reply:
        """Run one command line; every expected failure becomes an error Reply."""
        command, args = self.parse(text)
        if len(args) > self.config.limits.max_query_length:
            return Reply(
                f"That is too long ({len(args)} characters; at most "
                f"{self.config.limits.max_query_length}).",
                error=True,
            )
        wait = self.limiter.allow(f"{ctx.platform}:{ctx.user_id}")
        if wait is not None:
            return Reply(f"Slow down: too many commands. Try again in {wait:.0f} s.", error=True)
        if command.manages and not ctx.can_manage:
            return Reply(
                "You do not have permission to change this channel's subscriptions.", error=True
            )
        try:
            return await command.handler(ctx, args)
        except Exception:  # every adapter gets an answer; the log has the details
            log.exception("command %r failed", command.name)
            return Reply(
                f"Sorry, `{command.name}` failed on our side; it is logged. Try again later.",
                error=True,
            )

    # -- handlers -------------------------------------------------------------------------

    async def lookup(self, ctx: CommandContext, args: str) -> Reply:
        if not args:
            return Reply(self.usage("lookup", ctx), error=True)
        try:
            result = await self.lookup_service(args)
        except LookupFailed as exc:
            return Reply(str(exc)[:1].upper() + str(exc)[1:], error=True)
        note = f"\n_{result.note}_" if result.note else ""
        label = "Found" if len(result.papers) == 1 else f"{len(result.papers)} papers"
        return Reply(f"{label} ({result.origin}){note}", papers=result.papers)

    async def _channel(self, ctx: CommandContext, create: bool) -> Channel | None:
        if ctx.platform in CHAT_PLATFORMS and ctx.external_id:
            if create:
                return await self.store.ensure_chat_channel(
                    ctx.platform, ctx.external_id, ctx.channel_name
                )
            found = await self.store.find_channel_by_external(ctx.platform, ctx.external_id)
            return found
        return await self.store.find_channel(ctx.channel_name)

    async def subscribe(self, ctx: CommandContext, args: str) -> Reply:
        kind_word, _, value = args.partition(" ")
        value = " ".join(value.split())
        try:
            kind = SubscriptionKind(kind_word.lower())
        except ValueError:
            return Reply(self.usage("subscribe", ctx), error=True)
        if not value:
            return Reply(self.usage("subscribe", ctx), error=True)
        try:
            value, norm = normalize_subscription(kind, value)
        except ValueError as exc:
            return Reply(f"Cannot subscribe: {exc}", error=True)
        channel = await self._channel(ctx, create=True)
        if channel is None:
            return Reply(f"Unknown channel {ctx.channel_name!r}.", error=True)
        try:
            sub = await self.store.add_subscription(
                channel.id, kind, value, norm, ctx.user_name or ctx.user_id,
                max_per_channel=self.config.limits.max_subscriptions_per_channel,
            )  # fmt: skip
        except DuplicateSubscription as exc:
            return Reply(f"This channel is already subscribed to {kind}: {value} "
                         f"(#{exc.existing}).", error=True)  # fmt: skip
        except ValueError as exc:
            return Reply(f"Cannot subscribe: {exc}", error=True)
        return Reply(
            f"Subscribed #{sub.id} {sub.label}. New matching papers will be posted here "
            f"(papers already stored do not alert).",
            ephemeral=False,
        )

    async def unsubscribe(self, ctx: CommandContext, args: str) -> Reply:
        sub_id = subscription_id(args)
        if sub_id is None:
            return Reply(self.usage("unsubscribe", ctx) + " (the id from `list`)", error=True)
        channel = await self._channel(ctx, create=False)
        if channel is None or not await self.store.remove_subscription(sub_id, channel.id):
            return Reply(f"This channel has no subscription #{sub_id} (see `list`).", error=True)
        return Reply(f"Unsubscribed #{sub_id}.", ephemeral=False)

    async def list(self, ctx: CommandContext, args: str) -> Reply:
        channel = await self._channel(ctx, create=False)
        subs = await self.store.list_subscriptions(channel.id) if channel else []
        if not subs:
            return Reply(f"No subscriptions here yet. Try `{self.prefix_for(ctx)}subscribe author "
                         "Babuschkin, Igor`.")  # fmt: skip
        lines = [f"#{s.id} {s.label}" for s in subs]
        return Reply("Subscriptions of this channel:\n" + "\n".join(lines))

    async def status(self, ctx: CommandContext, args: str) -> Reply:
        return Reply(await status_text(self.store, self.config))

    async def help(self, ctx: CommandContext, args: str) -> Reply:
        prefix = self.prefix_for(ctx)
        lines = [f"`{prefix}{c.usage}` — {c.summary}" for c in self.registry.values()]
        lines.append(
            f"Anything else is a look-up: `{prefix}2308.03526` = `{prefix}lookup 2308.03526`."
        )
        lines.append("Authors: `Babuschkin, Igor`, `Igor Babuschkin` and `I. Babuschkin` "
                     "all work; a different first name is another person.")  # fmt: skip
        lines.append("Categories: `cs.LG`, or a whole archive such as `cs`.")
        return Reply("\n".join(lines) + "\n\n" + TOPIC_HELP)


def subscription_id(text: str) -> int | None:
    """``12`` or ``#12`` as an id; None for anything else (including ids SQLite cannot hold)."""
    raw = text.strip().removeprefix("#")
    return int(raw) if re.fullmatch(r"[0-9]{1,18}", raw) else None


def normalize_subscription(kind: SubscriptionKind, value: str) -> tuple[str, str]:
    """The value to store and its dedup key; ``ValueError`` with a clear message if bad."""
    if kind is SubscriptionKind.AUTHOR:
        person = parse_person(value)
        if person is None:
            raise ValueError(f"{value!r} is not a person's name")
        return value, f"{person.surname_key}|{' '.join(person.given)}"
    if kind is SubscriptionKind.TOPIC:
        try:
            parse_topic(value)
        except TopicError as exc:
            raise ValueError(str(exc)) from None
        return value, " ".join(value.casefold().split())
    category = normalize_category(value)
    return category, category.casefold()
