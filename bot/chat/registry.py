"""One entry of the chat command table (:class:`Command`), kept apart from the dispatcher so
that groups of commands (``bot.chat.reading_commands``) can declare their own entries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.model import CommandContext, Reply

Handler = Callable[[CommandContext, str], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    usage: str
    summary: str
    handler: Handler
    manages: bool = False  # changes subscriptions: needs permission
    may_fetch: bool = False  # may touch the network: adapters ack/defer first
    #: The answer is shown to the whole channel (errors never are). Declared here, before the
    #: command runs, because Discord fixes a reply's visibility when it defers.
    public: bool = False
    #: Whether an argument string is this command's (for typos: suggest only then).
    accepts: Callable[[str], bool] = lambda args: not args
