"""/paper why and /paper preview: the core text their callbacks build (spec'd mock
interactions, as in test_discord_slash.py), and the options Discord registers."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from unittest.mock import create_autospec

import discord
from support.adapters import adapter_context

from adapters.discord.slash import PaperCommands
from bot.chat.insight_commands import split_days
from bot.config import Config
from bot.model import CommandContext, Reply


class Recorder:
    """A stand-in for the core: records the command lines, answers a fixed Reply."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def dispatch(self, ctx: CommandContext, text: str) -> Reply:
        self.texts.append(text)
        return Reply("ok")

    def may_fetch(self, text: str) -> bool:
        return False

    def public(self, text: str) -> bool:
        return False

    def manages(self, text: str) -> bool:
        return False


def interaction() -> Any:
    inter = create_autospec(discord.Interaction, instance=True)
    inter.guild_id, inter.channel_id = 900, 500
    inter.user = create_autospec(discord.Member, instance=True)
    inter.user.id, inter.user.name = 42, "igor"
    inter.permissions = discord.Permissions.none()
    inter.response = create_autospec(discord.InteractionResponse, instance=True)
    inter.response.is_done.return_value = False
    inter.followup = create_autospec(discord.Webhook, instance=True)
    return inter


def group() -> tuple[Recorder, Any]:
    core = Recorder()
    ctx = adapter_context(Config(database_path=Path("/x")), "discord", front=core)
    return core, PaperCommands(ctx).group()


async def test_why_builds_the_core_text() -> None:
    core, paper = group()
    await paper.get_command("why").callback(interaction(), paper="2607.09492")
    assert core.texts == ["why 2607.09492"]


async def test_preview_passes_days_and_keeps_the_value_whole() -> None:
    core, paper = group()
    command = paper.get_command("preview")
    await command.callback(interaction(), kind="topic", value="robots -survey --days", days=3)
    await command.callback(interaction(), kind="author", value="Kripner, Matej")
    assert core.texts == [
        "preview topic --days 3 -- robots -survey --days",
        "preview author -- Kripner, Matej",
    ]
    assert split_days(core.texts[0]) == ("preview topic robots -survey --days", "3")


def test_preview_days_is_an_optional_integer_from_1_to_30() -> None:
    _, paper = group()
    options = {o["name"]: o for o in paper.get_command("preview").to_dict(None)["options"]}
    assert [c["value"] for c in options["kind"]["choices"]] == ["author", "topic", "category"]
    days = options["days"]
    assert days["type"] == discord.AppCommandOptionType.integer.value
    assert (days.get("required", False), days["min_value"], days["max_value"]) == (False, 1, 30)
