"""Chat commands of volume control: ``mode instant [TZ] | daily HH:MM [TZ] | weekly DAY HH:MM
[TZ]``, ``cap N | off``, ``quiet HH:MM-HH:MM | off``, ``ledger on | off``, ``digest`` (what is
held) and ``digest now`` (send it).

Changing a setting needs the permission ``subscribe`` needs; reading one does not: ``mode``
without arguments and ``digest`` are for anyone, ``digest now`` needs the permission
(:meth:`VolumeCommands.needs_permission`, which the dispatcher asks instead of
``Command.manages`` alone). Changes answer the whole channel, readings the caller only.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.chat.registry import Command
from bot.chat.services import Services
from bot.chat.volume import VolumeService
from bot.model import Channel, CommandContext, Reply
from bot.model.text import literal
from bot.model.volume import VolumeSettings

MODE_USAGE = "mode [instant [TZ] | daily HH:MM [TZ] | weekly DAY HH:MM [TZ]]"


def _first_is(*words: str) -> Callable[[str], bool]:
    return lambda args: bool(args.split()) and args.split()[0].lower() in words


class VolumeCommands:
    """The handlers, over the shared services."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.volume = VolumeService(services.store, services.config, services.clock)

    def commands(self) -> list[Command]:
        return [
            Command(
                "mode",
                MODE_USAGE,
                "show this channel's settings, or post alerts instantly or as a digest",
                self.mode,
                manages=True,
                public=True,
                accepts=lambda args: not args or _first_is("instant", "daily", "weekly")(args),
            ),
            Command(
                "cap",
                "cap <N> | off",
                "at most N instant alerts a day, the rest in one message",
                self.cap,
                manages=True,
                public=True,
                accepts=lambda args: len(args.split()) == 1,
            ),
            Command(
                "quiet",
                "quiet HH:MM-HH:MM | off",
                "instant alerts due in these hours wait until they end",
                self.quiet,
                manages=True,
                public=True,
                accepts=lambda args: len(args.split()) == 1,
            ),
            Command(
                "ledger",
                "ledger on | off",
                "a line in each digest on what arXiv announced (digest modes)",
                self.ledger,
                manages=True,
                public=True,
                accepts=_first_is("on", "off"),
            ),
            Command(
                "digest",
                "digest [now]",
                "what is held for this channel's digest; `digest now` sends it",
                self.digest,
                accepts=lambda args: not args or args.lower() == "now",
            ),
        ]

    @staticmethod
    def needs_permission(command: Command, args: str) -> bool:
        """Whether running ``command`` with ``args`` changes the channel."""
        if command.name == "mode":
            return bool(args.strip())
        if command.name == "digest":
            return args.strip().lower() == "now"
        return command.manages

    async def _channel(self, ctx: CommandContext, *, create: bool) -> Channel | None:
        return await self.services.chat_channel(ctx, create=create)

    async def _changing(self, ctx: CommandContext) -> Channel | Reply:
        channel = await self._channel(ctx, create=True)
        if channel is None:
            return Reply(f"Unknown channel {literal(repr(ctx.channel_name))}.", error=True)
        return channel

    async def mode(self, ctx: CommandContext, args: str) -> Reply:
        if not args.strip():
            channel = await self._channel(ctx, create=False)
            if channel is None:
                return Reply(f"Settings of this channel: {VolumeSettings().describe()}")
            text = await self.volume.describe(channel)
            return Reply(f"Settings of this channel: {text}")
        found = await self._changing(ctx)
        if isinstance(found, Reply):
            return found
        return Reply(await self.volume.set_mode(found, args.split()))

    async def cap(self, ctx: CommandContext, args: str) -> Reply:
        found = await self._changing(ctx)
        if isinstance(found, Reply):
            return found
        return Reply(await self.volume.set_cap(found, args.split()))

    async def quiet(self, ctx: CommandContext, args: str) -> Reply:
        found = await self._changing(ctx)
        if isinstance(found, Reply):
            return found
        return Reply(await self.volume.set_quiet(found, args.split()))

    async def ledger(self, ctx: CommandContext, args: str) -> Reply:
        found = await self._changing(ctx)
        if isinstance(found, Reply):
            return found
        return Reply(await self.volume.set_ledger(found, args.split()))

    async def digest(self, ctx: CommandContext, args: str) -> Reply:
        word = args.strip().lower()
        if word not in ("", "now"):
            return Reply("Usage: `digest` (what is held) or `digest now` (send it)", error=True)
        channel = await self._channel(ctx, create=False)
        if channel is None:
            return Reply("Nothing is held here (this channel has no subscriptions yet).")
        if word == "now":
            return Reply(await self.volume.send_now(channel))
        return Reply(await self.volume.held_text(channel))
