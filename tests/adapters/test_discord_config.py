"""``[discord]`` is read without discord.py (adapters/discord/config.py), so its list of
permission names must stay the library's."""

from __future__ import annotations

import discord

from adapters.discord.config import PERMISSIONS


def test_permission_names_are_discord_pys() -> None:
    assert set(discord.Permissions.VALID_FLAGS) == PERMISSIONS
