"""Author identity's ``/paper`` subcommand: ``authors name:`` (the people OpenAlex knows by a
name, each with the id to follow through ``/paper subscribe kind:author value:openalex:A…``).

It builds the core's command line (``authors Wei Wang``) and runs it like every other
subcommand (:meth:`adapters.discord.slash.PaperCommands.run`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord
from discord import app_commands

Run = Callable[[discord.Interaction, str], Awaitable[None]]


def add_people(group: app_commands.Group, run: Run) -> None:
    """Add ``authors`` to the ``/paper`` group."""

    @group.command(name="authors", description="People of a name (OpenAlex), with ids to follow")
    @app_commands.describe(name="a person's name, such as Wei Wang")
    async def authors(interaction: discord.Interaction, name: str) -> None:
        await run(interaction, f"authors {name}")
