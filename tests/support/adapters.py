"""Building adapters and their context in tests, the way the composition root does."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from bot.chat.commands import Commands
from bot.chat.lookup import Lookup
from bot.chat.services import Services
from bot.config import Config
from bot.model import CommandContext, Mark, Paper, Reply, Subscription
from bot.model.text import without_marks
from bot.port import AdapterContext, Front, always_answers
from bot.store import Store


def commands(store: Store, lookup: Any, config: Config) -> Commands:
    """The chat front end over ``store`` with this look-up (a real :class:`Lookup` or a stub)."""
    return Commands(Services(store, config, lookup))


class Unmarked:
    """Commands whose replies come back with the literal marks removed (as every adapter
    renders them), for tests that read a reply's words."""

    def __init__(self, front: Commands) -> None:
        self.front = front

    def __getattr__(self, name: str) -> Any:
        return getattr(self.front, name)

    async def dispatch(self, context: CommandContext, text: str) -> Reply:
        reply = await self.front.dispatch(context, text)
        return replace(reply, text=without_marks(reply.text))


def unmarked_commands(store: Store, lookup: Any, config: Config) -> Unmarked:
    """:func:`commands`, replies read as plain words."""
    return Unmarked(commands(store, lookup, config))


def store_commands(store: Store, config: Config) -> Commands:
    """The chat front end over ``store``, with look-ups answered from the store only."""
    return commands(store, Lookup(store, None), config)


async def _no_paper(arxiv_id: str) -> Paper | None:
    return None


async def _no_subscriptions(external_id: str) -> list[Subscription]:
    return []


async def _no_dispatch(ctx: CommandContext, text: str) -> Reply:
    raise AssertionError("this adapter was not expected to run commands")


async def _no_mark(ctx: CommandContext, mark: Mark) -> Reply | None:
    raise AssertionError("this adapter was not expected to pass marks in")


def adapter_context(
    config: Config,
    platform: str,
    *,
    front: Front | None = None,
    store: Store | None = None,
    interactive: bool = False,
) -> AdapterContext:
    """The context ``App.open`` would give the ``platform`` adapter."""
    paper = store.papers.get if store is not None else _no_paper
    subscriptions = _no_subscriptions
    first_seen = None
    if store is not None:
        db = store

        async def subscriptions(external_id: str) -> list[Subscription]:
            channel = await db.channels.by_external(platform, external_id)
            return await db.subscriptions.list(channel.id) if channel else []

        async def first_seen(event_id: str) -> bool:
            return await db.events.first_time(platform, event_id, time.time())

    return AdapterContext(
        config=config,
        spec=config.specs[platform],
        dispatch=always_answers(front.dispatch) if front is not None else _no_dispatch,
        may_fetch=front.may_fetch if front is not None else (lambda _text: False),
        public=getattr(front, "public", lambda _text: False),
        manages=getattr(front, "manages", lambda _text: True),
        paper=paper,
        subscriptions=subscriptions,
        interactive=interactive,
        mark=getattr(front, "mark", _no_mark),
        **({"first_seen": first_seen} if first_seen is not None else {}),
    )
