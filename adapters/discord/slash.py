"""The ``/paper`` slash-command group: translate each interaction into a core command line.

``/paper lookup query:``, ``/paper subscribe kind: value:``, ``/paper unsubscribe
subscription:``, ``/paper list``, ``/paper status``, ``/paper help``. Each callback builds the
text (``subscribe author Babuschkin, Igor``) and calls ``ctx.dispatch``; the grammar, checks and
answers are the core's. The adapter adds only Discord's view of the caller's permissions.

A group with subcommands cannot take options of its own, so on Discord a look-up is
``/paper lookup …`` (not ``/paper 2308.03526``). The message command "Look up paper" (a
message's *Apps* menu) looks up the first :data:`MESSAGE_PAPERS` distinct papers the message
names: arXiv ids, DOIs, arxiv.org links.

Every command is deferred first (Discord allows 3 s for the first response), with the
visibility the command table declares (``ctx.public``): Discord fixes a reply's visibility
when it defers. A public command that ends in an error deletes the public "thinking" message
and answers privately instead.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import discord
from discord import app_commands

from adapters.discord import render
from adapters.discord.actions import DiscordActions
from adapters.discord.slash_author import add_author
from adapters.discord.slash_insight import add_insight
from adapters.discord.slash_people import add_people
from adapters.discord.slash_reading import add_reading
from adapters.discord.slash_volume import add_volume
from bot.chat.text import find_references
from bot.model import CommandContext, Paper, Reply
from bot.model.text import cut_words
from bot.port import AdapterContext

log = logging.getLogger(__name__)

AUTOCOMPLETE_MAX = 25
CHOICE_MAX = 100
KINDS = [app_commands.Choice(name=k, value=k) for k in ("author", "topic", "category")]
MESSAGE_COMMAND = "Look up paper"
MESSAGE_PAPERS = 5


def can_manage(permissions: discord.Permissions, flag: str) -> bool:
    """Whether resolved ``permissions`` carry ``flag`` (``"everyone"``: anybody may manage)."""
    return flag == "everyone" or bool(getattr(permissions, flag, False))


def command_context(interaction: discord.Interaction, manage_flag: str) -> CommandContext:
    """The neutral context of an interaction: where, who, and whether they may manage."""
    guild = str(interaction.guild_id) if interaction.guild_id else "@me"
    channel = str(interaction.channel_id)
    user = interaction.user
    return CommandContext(
        platform="discord",
        channel_name=f"discord:{guild}/{channel}",
        user_id=str(user.id),
        user_name=str(getattr(user, "name", "") or user.id),
        can_manage=can_manage(interaction.permissions, manage_flag),
        external_id=channel,
        scope=f"discord:{guild}",
    )


async def send_reply(
    interaction: discord.Interaction,
    reply: Reply,
    *,
    public: bool,
    view: discord.ui.View | None = None,
) -> None:
    """Answer a deferred interaction with the rendered reply (``public``: it was deferred
    publicly; an error then goes privately, the public placeholder deleted), with ``view``'s
    buttons (the reply's actions: :mod:`adapters.discord.actions`)."""
    payload = render.reply_message(reply)
    kwargs: dict[str, Any] = {
        "embeds": [discord.Embed.from_dict(e) for e in payload["embeds"]],
        "ephemeral": reply.ephemeral,
        "allowed_mentions": discord.AllowedMentions.none(),
    }
    if payload.get("file"):
        name, data = payload["file"]
        kwargs["file"] = discord.File(io.BytesIO(data), filename=name)
    if payload["content"]:
        kwargs["content"] = payload["content"]
    if view is not None:
        kwargs["view"] = view
    if not interaction.response.is_done():
        await interaction.response.send_message(**kwargs)
        return
    if public and reply.ephemeral:
        try:
            await interaction.delete_original_response()
        except discord.HTTPException as exc:  # already gone: the private answer still goes
            log.info("could not delete the deferred answer: HTTP %s", exc.status)
    await interaction.followup.send(**kwargs)


class PaperCommands:
    """Holds the adapter context and builds the command group bound to it."""

    def __init__(self, ctx: AdapterContext, manage_flag: str = "manage_channels") -> None:
        self.ctx = ctx
        self.manage_flag = manage_flag
        self.actions = DiscordActions(self.run)  # buttons of answers, installed by the bot

    async def run(self, interaction: discord.Interaction, text: str) -> None:
        """Dispatch one command line for ``interaction``: defer at once, with the visibility
        the command table declares, then answer in a follow-up."""
        text = " ".join(text.split())
        public = self.ctx.public(text)
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=not public, thinking=True)
        reply = await self.ctx.dispatch(command_context(interaction, self.manage_flag), text)
        await send_reply(interaction, reply, public=public, view=self.actions.view(reply.actions))

    async def subscription_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """This channel's subscriptions matching what was typed: ``#12 author: X`` → ``12``."""
        needle = current.strip().lstrip("#").casefold()
        choices: list[app_commands.Choice[str]] = []
        for sub in await self.ctx.subscriptions(str(interaction.channel_id)):
            label = " ".join(f"#{sub.id} {sub.label}".split())
            if needle and needle not in label.casefold():
                continue
            choices.append(
                app_commands.Choice(name=cut_words(label, CHOICE_MAX), value=str(sub.id))
            )
            if len(choices) == AUTOCOMPLETE_MAX:
                break
        return choices

    async def look_up_message(self, interaction: discord.Interaction, content: str) -> None:
        """The message command: each paper the message names, looked up, in one private reply."""
        references = find_references(content, limit=MESSAGE_PAPERS)
        if not references:
            text = "No arXiv id, DOI or arxiv.org link in this message."
            await send_reply(interaction, Reply(text, error=True), public=False)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        context = command_context(interaction, self.manage_flag)
        papers: dict[str, Paper] = {}
        problems: list[str] = []
        for reference in references:
            reply = await self.ctx.dispatch(context, f"lookup {reference}")
            if reply.error:
                problems.append(f"`{reference}`: {reply.text}")
            for paper in reply.papers[:1]:  # the paper the reference names
                papers.setdefault(paper.arxiv_id, paper)
        count = len(papers)
        lines = [f"Found {count} paper{'s' if count != 1 else ''} in this message.", *problems]
        reply = Reply("\n".join(lines), papers=tuple(papers.values()), error=not papers)
        await send_reply(interaction, reply, public=False)

    def message_command(self) -> app_commands.ContextMenu:
        """The "Look up paper" entry of a message's Apps menu."""
        look_up = self.look_up_message

        async def callback(interaction: discord.Interaction, message: discord.Message) -> None:
            await look_up(interaction, message.content)

        return app_commands.ContextMenu(name=MESSAGE_COMMAND, callback=callback)

    def group(self) -> app_commands.Group:
        """The ``paper`` group with its subcommands (the reading list's from
        :mod:`adapters.discord.slash_reading`, volume control's from
        :mod:`adapters.discord.slash_volume`, …)."""
        group = app_commands.Group(name="paper", description="arXiv paper alerts and look-ups")
        run = self.run

        @group.command(name="lookup", description="Show a paper: arXiv id, URL, DOI or title")
        @app_commands.describe(query="arXiv id, arxiv.org URL, DOI or title words")
        async def lookup(interaction: discord.Interaction, query: str) -> None:
            await run(interaction, f"lookup {query}")

        @group.command(name="subscribe", description="Alert this channel about new papers")
        @app_commands.describe(kind="what to follow", value="e.g. Babuschkin, Igor / cs.LG")
        @app_commands.choices(kind=KINDS)
        async def subscribe(interaction: discord.Interaction, kind: str, value: str) -> None:
            await run(interaction, f"subscribe {kind} {value}")

        @group.command(name="unsubscribe", description="Remove one of this channel's subscriptions")
        @app_commands.describe(subscription="the subscription (its id, see /paper list)")
        async def unsubscribe(interaction: discord.Interaction, subscription: str) -> None:
            await run(interaction, f"unsubscribe {subscription}")

        unsubscribe.autocomplete("subscription")(self.subscription_choices)

        @group.command(name="list", description="This channel's subscriptions")
        async def list_(interaction: discord.Interaction) -> None:
            await run(interaction, "list")

        @group.command(name="status", description="Polling, pending deliveries, paused channels")
        async def status(interaction: discord.Interaction) -> None:
            await run(interaction, "status")

        @group.command(name="help", description="How to use /paper")
        async def help_(interaction: discord.Interaction) -> None:
            await run(interaction, "help")

        add_insight(group, run)
        add_people(group, run)
        add_author(group, run)
        add_reading(group, run)
        add_volume(group, run)
        return group
