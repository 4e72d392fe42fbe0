"""The reading list on Discord: the Save button on the bot's alerts and 📌 reactions.

- Save: every alert the bot posts carries a button whose ``custom_id`` names the paper
  (``paperbot:save:2308.03526``). It is a :class:`discord.ui.DynamicItem`: a press is matched
  by that id whenever it comes, so buttons on alerts posted before a restart still work; a view
  of dynamic items only is not kept per message by discord.py, so alerts cost no memory and a
  press is answered once. The person gets a private answer.
- 📌 put on or taken off a message in a guild channel (the ``guild_reactions`` intent, not a
  privileged one) puts or takes off that person's mark. The core ignores a message that is none
  of the bot's alerts in that channel (a digest, an overflow message, a webhook's post, someone
  else's message); the bot's own reactions are ignored. Discord names the person in an added
  reaction (``member``) but not in a removed one, which needs no name.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from adapters.discord.buttons import dynamic_button
from adapters.discord.slash import command_context, send_reply
from bot.model import CommandContext, Mark, Reply, SaveVia
from bot.port import AdapterContext

log = logging.getLogger(__name__)

PIN = "\N{PUSHPIN}"
SAVE_PREFIX = "paperbot:save:"


class DiscordReading:
    """The handlers, over the adapter's context and client."""

    def __init__(self, ctx: AdapterContext, client: discord.Client, manage_flag: str) -> None:
        self.ctx = ctx
        self.client = client
        self.manage_flag = manage_flag
        #: The SaveButton class (typed Any: mypy cannot see its own ``__init__``).
        self.button: Any = dynamic_button(
            SAVE_PREFIX,
            r"[A-Za-z0-9./-]{1,80}",
            self.on_save,
            label="Save",
            style=discord.ButtonStyle.secondary,
            emoji=PIN,
        )

    def install(self) -> None:
        """Register the persistent button and the reaction listeners on the client."""
        self.client.add_dynamic_items(self.button)
        self.client.event(self.on_raw_reaction_add)
        self.client.event(self.on_raw_reaction_remove)

    def view(self, arxiv_id: str) -> discord.ui.View:
        """The Save button of an alert of ``arxiv_id``, as a view to send."""
        view = discord.ui.View(timeout=None)
        view.add_item(self.button(arxiv_id))
        return view

    async def on_save(self, interaction: discord.Interaction, arxiv_id: str) -> None:
        message = interaction.message
        mark = Mark(SaveVia.BUTTON, str(message.id) if message else "", paper_id=arxiv_id)
        reply = await self.ctx.mark(command_context(interaction, self.manage_flag), mark)
        if reply is None:
            reply = Reply("That message is none of this channel's alerts.", error=True)
        await send_reply(interaction, reply, public=False)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload, on=True)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload, on=False)

    async def _reaction(self, payload: discord.RawReactionActionEvent, *, on: bool) -> None:
        if str(payload.emoji) != PIN or payload.guild_id is None:
            return
        me = self.client.user
        if me is not None and payload.user_id == me.id:
            return
        guild, channel = str(payload.guild_id), str(payload.channel_id)
        member = payload.member
        ctx = CommandContext(
            platform="discord",
            channel_name=f"discord:{guild}/{channel}",
            user_id=str(payload.user_id),
            user_name=str(member.name) if member is not None else "",
            external_id=channel,
            scope=f"discord:{guild}",
        )
        await self.ctx.mark(ctx, Mark(SaveVia.REACTION, str(payload.message_id), on))
