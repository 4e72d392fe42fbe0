"""The author page's ``/paper`` subcommand: ``author name:`` (``Babuschkin, Igor``, ``Igor
Babuschkin``), run as the core's ``author NAME`` like every other subcommand
(:meth:`adapters.discord.slash.PaperCommands.run`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord
from discord import app_commands

Run = Callable[[discord.Interaction, str], Awaitable[None]]


def add_author(group: app_commands.Group, run: Run) -> None:
    """Add ``author`` to the ``/paper`` group."""

    @group.command(name="author", description="An author's recent papers and collaborators")
    @app_commands.describe(name="e.g. Babuschkin, Igor, or openalex:A…, or orcid:0000-…")
    async def author(interaction: discord.Interaction, name: str) -> None:
        await run(interaction, f"author {name}")
