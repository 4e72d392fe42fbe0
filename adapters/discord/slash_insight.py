"""The ``/paper`` subcommands that say why, before and after: ``why paper:`` and ``preview
kind: value: days:`` (``days`` optional: the core's default, 7, at most 30).

Each builds the core's command line (``preview topic agents --days 3``) and runs it like every
other subcommand (:meth:`adapters.discord.slash.PaperCommands.run`): the grammar and answers
are the core's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord
from discord import app_commands

Run = Callable[[discord.Interaction, str], Awaitable[None]]
KINDS = [app_commands.Choice(name=k, value=k) for k in ("author", "topic", "category")]
MAX_DAYS = 30  # the core refuses more (with its reason); Discord checks the range first


def add_insight(group: app_commands.Group, run: Run) -> None:
    """Add ``why`` and ``preview`` to the ``/paper`` group."""

    @group.command(name="why", description="Why a paper was (or was not) posted in this channel")
    @app_commands.describe(paper="arXiv id or arxiv.org link")
    async def why(interaction: discord.Interaction, paper: str) -> None:
        await run(interaction, f"why {paper}")

    @group.command(name="preview", description="What a subscription would have posted lately")
    @app_commands.describe(
        kind="what to follow",
        value='e.g. Babuschkin, Igor / "reward model" / cs.LG',
        days="announcement days to look back (default 7)",
    )
    @app_commands.choices(kind=KINDS)
    async def preview(
        interaction: discord.Interaction,
        kind: str,
        value: str,
        days: app_commands.Range[int, 1, MAX_DAYS] | None = None,
    ) -> None:
        tail = f" --days {days}" if days is not None else ""
        # The value goes after `--`: a value word such as `--days` stays the value's.
        await run(interaction, f"preview {kind}{tail} -- {value}")
