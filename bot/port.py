"""The contract between the core and the platform adapters.

Adapters are found by name through the ``paperbot.adapters`` entry-point group; the name is the
``platform`` of a ``[[channels]]`` entry (``console``, ``slack-webhook``, ``discord-webhook``,
``slack``, ``discord``). Each entry point is a class taking one :class:`AdapterContext`.

Delivery outcomes are told by return value and exceptions:

* return the platform's message reference (Slack ``ts``, Discord message id) or None: accepted;
* raise :class:`RetryLater` for 429, 5xx, time-outs, connection errors (``retry_after`` from the
  platform when it said so);
* raise :class:`Refused` when the platform refused this one message for good (HTTP 400): it is
  marked failed with the platform's reason and delivery goes on;
* raise :class:`ChannelUnavailable` for 401 / 403 / 404 / archived channels: the channel is
  paused with the reason until ``paperbot resume CHANNEL``.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from bot.config import ChannelConfig, Config
from bot.model import Alert, Channel, CommandContext, OutboxMessage, Reply

ENTRY_POINT_GROUP = "paperbot.adapters"


class DeliveryError(Exception):
    """Base of the delivery outcomes other than success; ``reason`` is safe to show users."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryLater(DeliveryError):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Refused(DeliveryError):
    """The platform will never accept this message (e.g. HTTP 400 with its reason)."""


class ChannelUnavailable(DeliveryError):
    """The channel cannot take messages until someone acts (401/403/404, archived)."""


class StartupError(Exception):
    """An adapter cannot start (bad token, missing secret): one clear line, non-zero exit."""


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One outbox message ready to render: the neutral alert plus what the platform needs."""

    message: OutboxMessage
    channel: Channel
    target: ChannelConfig | None  # the config entry (webhook URL) when there is one
    alert: Alert


Dispatch = Callable[[CommandContext, str], Awaitable[Reply]]


@dataclass
class AdapterContext:
    """What an adapter gets from the composition root."""

    config: Config
    dispatch: Dispatch  # run a chat command (the core's grammar) and get a neutral Reply
    commands: object  # bot.commands.Commands: usage lines, may_fetch(), help text
    store: object  # bot.store.Store, for adapters that register chat channels
    #: Ask the running bot to shut down (the console adapter does on end of input).
    request_stop: Callable[[], None] = field(default=lambda: None)


class Adapter(Protocol):
    """What the core expects of an adapter instance."""

    #: Thread replies to queue once an alert is accepted (``("abstract",)``), or ``()``.
    thread_kinds: tuple[str, ...]

    async def start(self) -> None:
        """Connect / start listening for commands. Webhook adapters do nothing."""

    async def stop(self) -> None:
        """Disconnect and release resources; called once at shutdown."""

    async def deliver(self, outgoing: Outgoing) -> str | None:
        """Post one message; return the platform reference or raise a DeliveryError.

        Must work without :meth:`start` (``paperbot check`` delivers without listening)."""


def load_adapter_class(name: str) -> type:
    """The adapter class registered under ``name`` in the ``paperbot.adapters`` group."""
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if entry.name == name:
            try:
                return entry.load()
            except ImportError as exc:
                raise StartupError(
                    f"the {name} adapter needs an extra package ({exc.name}); install "
                    f"paperbot[{name.split('-')[0]}]"
                ) from None
    known = sorted(e.name for e in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))
    raise StartupError(f"no adapter named {name!r} (installed: {', '.join(known) or 'none'})")
