"""What chat commands and the CLI both do: find the channel, subscribe, unsubscribe, list,
resume, report status. Each front end formats the answers its own way; neither re-implements
the rules.

Expected failures are :class:`~bot.chat.errors.UserError` s.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime

from bot.chat.enrich import Enricher
from bot.chat.errors import UserError
from bot.chat.lookup import Lookup, LookupResult
from bot.chat.people import People, is_link, is_person_value
from bot.chat.status import status_text
from bot.chat.topics import topic_refusal
from bot.config import Config
from bot.matching.names import parse_person
from bot.matching.topic import TopicError, parse_topic
from bot.model import Channel, CommandContext, Subscription, SubscriptionKind
from bot.model.clock import SYSTEM_CLOCK, Clock
from bot.model.identity import PERSON_PREFIX
from bot.sources.arxiv import ArxivSource
from bot.sources.openalex import OpenAlexClient
from bot.sources.semantic_scholar import SemanticScholar
from bot.sources.taxonomy import normalize_category
from bot.store import DuplicateSubscription, Store, TooManySubscriptions


class UnknownChannel(UserError):
    """No channel has that name; the message lists the known ones."""


class BadSubscription(UserError):
    """The value cannot be subscribed to (not a name, a bad topic, an unknown category)."""


class AlreadySubscribed(UserError):
    """The channel already has this subscription; ``existing`` is its id. ``same_words`` is
    the existing subscription's value when it is written differently but looks for the same
    words (``reward models`` after ``reward model``)."""

    def __init__(self, existing: int, same_words: str | None = None) -> None:
        tail = " (same words)" if same_words is not None else ""
        super().__init__(f"already subscribed as #{existing}{tail}")
        self.existing = existing
        self.same_words = same_words


def subscription_id(text: str) -> int | None:
    """``12`` or ``#12`` as an id; None for anything else (including ids SQLite cannot hold)."""
    raw = text.strip().removeprefix("#")
    return int(raw) if re.fullmatch(r"[0-9]{1,18}", raw) else None


def normalize_subscription(kind: SubscriptionKind, value: str) -> tuple[str, str]:
    """The value to store and its dedup key; ``ValueError`` with a clear message if bad.

    A topic's key is its stemmed form: ``"reward models"`` and ``"Reward Modeling"`` have the
    key of ``"reward model"`` (a phrase and two bare words still differ). Keys stored by
    earlier versions stay as they are: :meth:`Services.subscribe` compares recomputed keys.
    """
    if kind is SubscriptionKind.AUTHOR:
        if is_link(value):
            raise ValueError(
                f"{value!r} is a link, not a person's name (follow a person by ORCID with "
                "`orcid:0000-…`, or by `openalex:A…` from `authors NAME`)"
            )
        person = parse_person(value)
        if person is None:
            raise ValueError(f"{value!r} is not a person's name")
        return value, f"{person.surname_key}|{' '.join(person.given)}"
    if kind is SubscriptionKind.TOPIC:
        try:
            return value, parse_topic(value).key
        except TopicError as exc:
            raise ValueError(str(exc)) from None
    category = normalize_category(value)
    return category, category.casefold()


def _same_words(
    kind: SubscriptionKind, norm: str, existing: list[Subscription]
) -> Subscription | None:
    """An existing subscription of ``kind`` whose recomputed key is ``norm``."""
    for sub in existing:
        if sub.kind is kind:
            try:
                if normalize_subscription(kind, sub.value)[1] == norm:
                    return sub
            except ValueError:
                continue
    return None


class Services:
    """The shared operations, over one store and one arXiv source."""

    def __init__(
        self,
        store: Store,
        config: Config,
        lookup: Lookup,
        *,
        clock: Clock = SYSTEM_CLOCK,
        openalex: OpenAlexClient | None = None,
        enricher: Enricher | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.lookup = lookup
        self.clock = clock
        self.people = People(store, openalex, clock, cache_days=config.identity.cache_days)
        self.enricher = enricher or Enricher(
            store, None, cache_days=config.identity.cache_days, clock=clock
        )

    @classmethod
    def over(
        cls,
        store: Store,
        config: Config,
        arxiv: ArxivSource | None,
        clock: Clock = SYSTEM_CLOCK,
        openalex: OpenAlexClient | None = None,
        *,
        scholar: SemanticScholar | None = None,
    ) -> Services:
        """The services with a look-up that asks ``arxiv`` (None: the store only), the
        person operations that ask ``openalex`` (None: identity off), and look-up cards
        enriched from ``scholar`` (None: from the cache only)."""
        enricher = Enricher(store, scholar, cache_days=config.identity.cache_days, clock=clock)
        lookup = Lookup(store, arxiv, max_length=config.limits.max_query_length)
        # Looked up at each call: the URLs status shows are those ``arxiv`` polls now.
        return cls(store, config, lookup, clock=clock, openalex=openalex, enricher=enricher)

    async def enrich(self, result: LookupResult) -> LookupResult:
        """A look-up's answer with what Semantic Scholar knows of its papers: the published
        version, citations, TL;DR (:mod:`bot.chat.enrich`: cached, else asked within a bounded
        time; S2's faults become a note, never a failure of the look-up)."""
        records, note = await self.enricher.records(result.papers)
        notes = "; ".join(n for n in (result.note, note) if n) or None
        return replace(result, records=records, note=notes)

    async def channel_named(self, name: str) -> Channel:
        """The channel with this name (or config alias); :class:`UnknownChannel` otherwise."""
        channel = await self.store.channels.find(name)
        if channel is None:
            known = ", ".join(c.name for c in await self.store.channels.list()) or "none"
            raise UnknownChannel(f"unknown channel {name!r} (known: {known})")
        return channel

    async def chat_channel(self, ctx: CommandContext, *, create: bool) -> Channel | None:
        """The channel a chat command runs in: by the platform's id when it gave one
        (``create``: made on first use), else by name (the console's)."""
        if ctx.external_id:
            if create:
                return await self.store.channels.ensure_chat(
                    ctx.platform, ctx.external_id, ctx.channel_name
                )
            return await self.store.channels.by_external(ctx.platform, ctx.external_id)
        return await self.store.channels.find(ctx.channel_name)

    async def subscribe(
        self, channel: Channel, kind: SubscriptionKind, value: str, by: str | None
    ) -> Subscription:
        """Subscribe ``channel``; :class:`BadSubscription` or :class:`AlreadySubscribed` when
        it cannot be done. ``author openalex:A…`` / ``orcid:…`` follows one person: the
        ORCID resolves to the OpenAlex id (one subscription however it was named);
        :class:`~bot.chat.people.IndexUnavailable` when OpenAlex cannot be asked."""
        try:
            if kind is SubscriptionKind.AUTHOR and is_person_value(value):
                value = f"{PERSON_PREFIX}{(await self.people.resolve(value)).author_id}"
                norm = value
            else:
                value, norm = normalize_subscription(kind, value)
        except ValueError as exc:
            raise BadSubscription(str(exc)) from None
        if kind is SubscriptionKind.TOPIC:
            clash = _same_words(kind, norm, await self.store.subscriptions.list(channel.id))
            if clash is not None:
                raise AlreadySubscribed(clash.id, clash.value if clash.value != value else None)
            refusal = await topic_refusal(self.store, parse_topic(value))
            if refusal is not None:
                raise BadSubscription(refusal)
        try:
            return await self.store.subscriptions.add(
                channel.id,
                kind,
                value,
                norm,
                by,
                max_per_channel=self.config.limits.max_subscriptions_per_channel,
            )
        except DuplicateSubscription as exc:
            raise AlreadySubscribed(exc.existing) from None
        except TooManySubscriptions as exc:
            raise BadSubscription(str(exc)) from None

    async def unsubscribe(self, channel: Channel, subscription: int) -> bool:
        """Remove one of the channel's subscriptions; False when it has no such one."""
        return await self.store.subscriptions.remove(subscription, channel.id)

    async def subscriptions(self, channel: Channel | None = None) -> list[Subscription]:
        """A channel's subscriptions (every channel's with None), oldest first."""
        return await self.store.subscriptions.list(channel.id if channel else None)

    async def resume(self, channel: Channel) -> None:
        """Deliver to a paused channel again."""
        await self.store.channels.resume(channel.id)

    async def status(
        self, now: datetime | None = None, *, scope: CommandContext | None = None
    ) -> str:
        """The ``status`` report (no secret is ever part of it); ``scope``: a chat asker's
        context, whose view is limited to their workspace or guild."""
        return await status_text(self.store, self.config, now or self.clock.now(), scope)

    async def retry(self, channels: list[Channel]) -> int:
        """Re-queue the refused messages of ``channels`` (due at once); how many."""
        return await self.store.outbox.requeue_failed([c.id for c in channels])


__all__ = [
    "AlreadySubscribed",
    "BadSubscription",
    "Services",
    "UnknownChannel",
    "UserError",
    "normalize_subscription",
    "subscription_id",
]
