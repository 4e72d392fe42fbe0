"""Persistent Discord buttons: a :class:`discord.ui.DynamicItem` class per kind of button,
whose custom id carries its value (``paperbot:save:2308.03526``), so a press is handled after
a restart too (the client recognises the id by the template and rebuilds the item)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord

#: A button's label, at most (Discord allows 80 characters).
LABEL_CHARS = 80

Press = Callable[[discord.Interaction, str], Awaitable[None]]


def cut_label(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def dynamic_button(
    prefix: str,
    value_pattern: str,
    on_press: Press,
    *,
    label: str,
    style: discord.ButtonStyle,
    emoji: str | None = None,
) -> type[discord.ui.DynamicItem[discord.ui.Button[Any]]]:
    """A button class: ``cls(value, label=…)`` makes a button whose custom id is ``prefix +
    value`` (``value`` matching ``value_pattern``); a press calls ``on_press(interaction,
    value)``."""
    template = re.compile(re.escape(prefix) + f"(?P<value>{value_pattern})")

    class Button(discord.ui.DynamicItem[discord.ui.Button[Any]], template=template):
        def __init__(self, value: str, label: str = label) -> None:
            super().__init__(
                discord.ui.Button(
                    label=cut_label(label), emoji=emoji, style=style, custom_id=prefix + value
                )
            )
            self.value = value

        @classmethod
        async def from_custom_id(
            cls,
            interaction: discord.Interaction,
            item: discord.ui.Item[Any],
            match: re.Match[str],
        ) -> Button:
            return cls(match["value"])

        async def callback(self, interaction: discord.Interaction) -> None:
            await on_press(interaction, self.value)

    return Button
