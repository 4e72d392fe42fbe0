"""A seventh platform that exists only in the tests: "room", a chat with rooms and threads.

It is what a new platform package would add under ``adapters/`` (plus one entry point in
``pyproject.toml``): a spec and an adapter class. Nothing in ``bot/`` knows its name.
"""

from __future__ import annotations

from bot.model import CommandContext, MessageKind
from bot.port import AdapterContext, AdapterSpec, Outgoing

SPEC = AdapterSpec(
    name="room",
    factory="support.room_adapter:RoomAdapter",
    section="room",
    channel_keys=("room_id",),
    external_id_key="room_id",
    command_prefix="!paper ",
    threads=True,
    pace_seconds=0.0,
    rate_limit_commands=False,
)


class RoomAdapter:
    """Records what it is asked to post; answers commands typed in a room."""

    thread_kinds: tuple[MessageKind, ...] = (MessageKind.ABSTRACT,)

    def __init__(self, ctx: AdapterContext) -> None:
        self.ctx = ctx
        self.greeting = ctx.config.sections.get("room", {}).get("greeting", "")
        self.posted: list[Outgoing] = []
        self.started = False

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.started = False

    async def deliver(self, outgoing: Outgoing) -> str | None:
        self.posted.append(outgoing)
        return f"{outgoing.destination.external_id}:{len(self.posted)}"

    async def type(self, room: str, text: str) -> str:
        ctx = CommandContext("room", f"room:{room}", user_id="u1", external_id=room)
        return (await self.ctx.dispatch(ctx, text)).text
