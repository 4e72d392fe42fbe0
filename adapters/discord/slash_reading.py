"""The reading list's ``/paper`` subcommands: ``save paper:``, ``unsave paper:``, ``saved``,
``bibtex papers:`` (ids separated by spaces, or the word ``saved``).

Each builds the core's command line (``save 2308.03526``) and runs it like every other
subcommand (:meth:`adapters.discord.slash.PaperCommands.run`): the grammar, checks and answers
are the core's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord
from discord import app_commands

Run = Callable[[discord.Interaction, str], Awaitable[None]]


def add_reading(group: app_commands.Group, run: Run) -> None:
    """Add ``save``, ``unsave``, ``saved`` and ``bibtex`` to the ``/paper`` group."""

    @group.command(name="save", description="Keep a paper in this channel's reading list")
    @app_commands.describe(paper="arXiv id, arxiv.org URL or DOI")
    async def save(interaction: discord.Interaction, paper: str) -> None:
        await run(interaction, f"save {paper}")

    @group.command(name="unsave", description="Take a paper off this channel's reading list")
    @app_commands.describe(paper="arXiv id, arxiv.org URL or DOI")
    async def unsave(interaction: discord.Interaction, paper: str) -> None:
        await run(interaction, f"unsave {paper}")

    @group.command(name="saved", description="This channel's reading list, newest first")
    async def saved(interaction: discord.Interaction) -> None:
        await run(interaction, "saved")

    @group.command(name="bibtex", description="BibTeX (arXiv style) of papers or the list")
    @app_commands.describe(papers="arXiv ids separated by spaces, or: saved")
    async def bibtex(interaction: discord.Interaction, papers: str) -> None:
        await run(interaction, f"bibtex {papers}")
