"""The contract between the core and the platform adapters: the one module (with ``bot.model``,
``bot.config`` and ``bot.chat.text``) that adapters import.

Each platform declares an :class:`AdapterSpec` under its name in the ``paperbot.adapters``
entry points (the name is the ``platform`` of a ``[[channels]]`` entry). The adapter class the
spec names is loaded only when the platform is served, so ``paperbot lookup`` imports no
platform library. It is built with one :class:`AdapterContext`.

Delivery outcomes are told by return value and exceptions:

* return the platform's message reference (Slack ``ts``, Discord message id) or None: accepted;
* raise :class:`RetryLater` for 429, 5xx, time-outs, connection errors (``retry_after`` from the
  platform when it said so);
* raise :class:`Refused` when the platform refused this one message for good (HTTP 400): it is
  marked failed with the platform's reason and delivery goes on;
* raise :class:`ChannelUnavailable` for 401 / 403 / 404 / archived channels: the channel is
  paused with the reason until ``paperbot resume CHANNEL``;
* raise :class:`OutcomeUnknown` when the platform may have posted it although the answer says
  otherwise (Slack ``fatal_error``, ``internal_error``): it is retried like RetryLater, but
  checked first.

Every send is bounded by ``[delivery] timeout_seconds`` (the deliverer cancels a longer one,
and its outcome is unknown too). Before sending a message whose earlier attempt has an unknown
outcome (``message.check_from`` is set), the deliverer calls the adapter's
``find_sent(outgoing)`` if it has one (see :class:`ChecksOutcome`): the platform reference of
the copy already posted, or None to send.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from bot.config import Config, installed_specs
from bot.model import (
    Alert,
    Channel,
    CommandContext,
    Mark,
    MessageKind,
    OutboxMessage,
    Paper,
    Reply,
    Subscription,
)
from bot.model.adapter import AdapterSpec
from bot.model.digest import DigestPart
from bot.model.text import unexpected_error
from bot.sources.redact import redact_text, redact_url
from bot.sources.retry_after import parse_retry_after

log = logging.getLogger("paperbot.port")

__all__ = [
    "Adapter",
    "AdapterContext",
    "AdapterSpec",
    "ChannelUnavailable",
    "ChecksOutcome",
    "DeliveryError",
    "Destination",
    "DigestPart",
    "Dispatch",
    "Front",
    "MarkHandler",
    "OutcomeUnknown",
    "Outgoing",
    "Refused",
    "RetryLater",
    "StartupError",
    "always_answers",
    "installed_specs",
    "load_adapter",
    "parse_retry_after",
    "redact_text",
    "redact_url",
]


class DeliveryError(Exception):
    """Base of the delivery outcomes other than success; ``reason`` is safe to show users."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryLater(DeliveryError):
    """A temporary failure (429, 5xx, time-out); ``retry_after`` is the platform's wish."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class OutcomeUnknown(RetryLater):
    """The platform may or may not have posted the message: check before sending it again."""


class Refused(DeliveryError):
    """The platform will never accept this message (e.g. HTTP 400 with its reason)."""


class ChannelUnavailable(DeliveryError):
    """The channel cannot take messages until someone acts (401/403/404, archived)."""


class StartupError(Exception):
    """An adapter cannot start (bad token, missing secret): one clear line, non-zero exit."""


@dataclass(frozen=True, slots=True)
class Destination:
    """Where one message goes: the channel's name, the platform's channel id, and the
    channel's own config keys for this platform (a webhook URL: the only secret an adapter
    gets, and only the one it must use)."""

    name: str
    external_id: str | None = None
    settings: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One outbox message ready to render, and where it goes: the neutral ``alert`` (alerts
    and their thread replies), or the ``digest`` part (``message.kind`` digest / overflow; a
    part after the first replies under ``message.parent_ref`` where that is set)."""

    message: OutboxMessage
    channel: Channel
    destination: Destination
    alert: Alert | None = None
    digest: DigestPart | None = None

    @property
    def card(self) -> Alert:
        """The alert of an alert or thread reply (a digest part has none)."""
        if self.alert is None:
            raise Refused(f"a {self.message.kind} message has no alert card")
        return self.alert


Dispatch = Callable[[CommandContext, str], Awaitable[Reply]]
#: See :meth:`Front.mark`.
MarkHandler = Callable[[CommandContext, Mark], Awaitable[Reply | None]]


async def _ignore_mark(_ctx: CommandContext, _mark: Mark) -> Reply | None:
    return None


async def _always_first(_event_id: str) -> bool:
    return True


def always_answers(dispatch: Dispatch) -> Dispatch:
    """``dispatch`` that never raises: the front answers every failure itself, and should it
    ever raise anyway, the user still gets the one unexpected-error answer."""

    async def guarded(ctx: CommandContext, text: str) -> Reply:
        try:
            return await dispatch(ctx, text)
        except Exception:
            log.exception("command %r failed", text.partition(" ")[0])
            return Reply(unexpected_error(text.partition(" ")[0] or "that"), error=True)

    return guarded


class Front(Protocol):
    """The chat front end adapters pass commands to (``bot.chat.commands.Commands``)."""

    async def dispatch(self, ctx: CommandContext, text: str) -> Reply:
        """Run one command line; every expected failure comes back as an error Reply."""
        ...

    def may_fetch(self, text: str) -> bool:
        """Whether the command may touch the network (adapters acknowledge or defer first)."""
        ...

    def public(self, text: str) -> bool:
        """Whether the command's answer is shown to the channel (else to the caller only); an
        error answer is always private. Declared by the command table, before it runs."""
        ...

    def manages(self, text: str) -> bool:
        """Whether the command changes subscriptions (the caller's permission is needed)."""
        ...

    async def mark(self, ctx: CommandContext, mark: Mark) -> Reply | None:
        """A Save button pressed, or a 📌 put on or taken off, on a message in ``ctx``'s
        channel: None when the message is none of the bot's alerts there (do nothing), else a
        private answer for the person (a reaction needs none)."""
        ...


@dataclass(frozen=True, slots=True)
class AdapterContext:
    """What an adapter gets from the composition root: the config, its own spec, and a typed
    service surface (never the store itself)."""

    config: Config
    spec: AdapterSpec
    #: Run a chat command (the core's grammar) and get a neutral Reply.
    dispatch: Dispatch
    #: Whether a command line may touch the network (acknowledge or defer first).
    may_fetch: Callable[[str], bool]
    #: A stored paper by arXiv id (no version), or None.
    paper: Callable[[str], Awaitable[Paper | None]]
    #: The subscriptions of the chat channel with this platform id.
    subscriptions: Callable[[str], Awaitable[list[Subscription]]]
    #: Whether a command line's answer is public (declared up front by the command table).
    public: Callable[[str], bool] = lambda _text: False
    #: Whether a command line changes subscriptions (ask the platform for the permission).
    manages: Callable[[str], bool] = lambda _text: True
    #: Ask the running bot to shut down (the console adapter does on end of input).
    request_stop: Callable[[], None] = lambda: None
    #: ``paperbot chat``: the interactive adapter reads commands from the terminal.
    interactive: bool = False
    #: A Save button or a 📌 on a message (:meth:`Front.mark`).
    mark: MarkHandler = _ignore_mark
    #: Record a platform event id; False when it was handled before (a retried delivery),
    #: across restarts and processes (kept a day).
    first_seen: Callable[[str], Awaitable[bool]] = _always_first


class Adapter(Protocol):
    """What the core expects of an adapter instance."""

    #: Thread replies to queue once an alert is accepted (``(MessageKind.ABSTRACT,)``), or ``()``.
    thread_kinds: tuple[MessageKind, ...]

    async def start(self) -> None:
        """Connect / start listening for commands. Webhook adapters do nothing."""

    async def stop(self) -> None:
        """Disconnect and release resources; called once at shutdown."""

    async def deliver(self, outgoing: Outgoing) -> str | None:
        """Post one message; return the platform reference or raise a DeliveryError.

        Must work without :meth:`start` (``paperbot check`` delivers without listening)."""


class ChecksOutcome(Protocol):
    """An adapter that can look on the platform for a message it may already have posted."""

    async def find_sent(self, outgoing: Outgoing) -> str | None:
        """The platform reference of ``outgoing`` if a copy was posted since
        ``outgoing.message.check_from``; None when there is none (or it cannot be looked for:
        then a duplicate is possible and the adapter logs why). Raise :class:`RetryLater`
        when the platform cannot be asked now."""
        ...


def load_adapter(spec: AdapterSpec, ctx: AdapterContext) -> Adapter:
    """Import the adapter class ``spec`` names and build it with ``ctx``."""
    module_name, _, class_name = spec.factory.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise StartupError(
            f"the {spec.name} adapter cannot be loaded: missing package {exc.name!r} "
            "(reinstall paperbot)"
        ) from None
    factory: Callable[[AdapterContext], Adapter] = getattr(module, class_name)
    return factory(ctx)
