"""Volume control's ``/paper`` subcommands: ``mode setting:`` (empty: show the settings),
``cap limit:``, ``quiet hours:``, ``ledger switch:``, ``digest now:``.

Each builds the core's command line (``mode daily 09:00 Europe/Berlin``) and runs it like every
other subcommand (:meth:`adapters.discord.slash.PaperCommands.run`): the grammar, permission
checks and answers are the core's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import discord
from discord import app_commands

Run = Callable[[discord.Interaction, str], Awaitable[None]]
SWITCH = [app_commands.Choice(name=w, value=w) for w in ("on", "off")]


def add_volume(group: app_commands.Group, run: Run) -> None:
    """Add ``mode``, ``cap``, ``quiet``, ``ledger`` and ``digest`` to the ``/paper`` group."""

    @group.command(name="mode", description="Show the settings, or post instantly / as a digest")
    @app_commands.describe(
        setting="instant [TZ] | daily HH:MM [TZ] | weekly DAY HH:MM [TZ]; empty: show"
    )
    async def mode(interaction: discord.Interaction, setting: str = "") -> None:
        await run(interaction, f"mode {setting}".strip())

    @group.command(name="cap", description="At most N instant alerts a day, the rest in one")
    @app_commands.describe(limit="a number of alerts a day, or off")
    async def cap(interaction: discord.Interaction, limit: str) -> None:
        await run(interaction, f"cap {limit}")

    @group.command(name="quiet", description="Instant alerts due in these hours wait")
    @app_commands.describe(hours="HH:MM-HH:MM (may cross midnight), or off")
    async def quiet(interaction: discord.Interaction, hours: str) -> None:
        await run(interaction, f"quiet {hours}")

    @group.command(name="ledger", description="A line in each digest on what arXiv announced")
    @app_commands.choices(switch=SWITCH)
    async def ledger(interaction: discord.Interaction, switch: str) -> None:
        await run(interaction, f"ledger {switch}")

    @group.command(name="digest", description="What is held for the digest; now: send it")
    @app_commands.describe(now="send the held digest now")
    async def digest(interaction: discord.Interaction, now: bool = False) -> None:
        await run(interaction, "digest now" if now else "digest")
