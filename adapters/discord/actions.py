"""An answer's action buttons on Discord (:class:`bot.model.Action`: the Follow buttons of
``authors NAME``).

Each action is a button whose ``custom_id`` carries the command line it runs
(``paperbot:run:subscribe author openalex:A5100000001``; Discord allows 100 characters, so a
longer command gets no button). Like the Save button (:mod:`adapters.discord.reading`) it is a
:class:`discord.ui.DynamicItem`, matched by its id whenever it is pressed, also after a restart.
A press runs the line as the presser through :meth:`adapters.discord.slash.PaperCommands.run`,
exactly as the typed subcommand: the same context and the same permission check (a
``subscribe`` by a member without the manage permission gets the usual refusal), the answer's
visibility as the command table declares it. Running what the button says gives the presser
nothing they could not type.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from adapters.discord.buttons import dynamic_button
from bot.model import Action

RUN_PREFIX = "paperbot:run:"
#: Discord's limits: 100 characters of ``custom_id``, 80 of label, 25 buttons a message.
CUSTOM_ID_CHARS = 100
MAX_BUTTONS = 25

Run = Callable[[discord.Interaction, str], Awaitable[None]]


class DiscordActions:
    """The buttons of answers, bound to ``run(interaction, command_line)``."""

    def __init__(self, run: Run) -> None:
        #: The button class (typed Any: mypy cannot see its own ``__init__``).
        self.button: Any = dynamic_button(
            RUN_PREFIX, r"[^\n]{1,87}", run, label="Run", style=discord.ButtonStyle.primary
        )

    def install(self, client: discord.Client) -> None:
        """Register the persistent button on the client (presses after a restart work)."""
        client.add_dynamic_items(self.button)

    def view(self, actions: tuple[Action, ...]) -> discord.ui.View | None:
        """The buttons of ``actions`` as a view to send; None when there is none."""
        fitting = [a for a in actions if len(RUN_PREFIX + a.command) <= CUSTOM_ID_CHARS]
        if not fitting:
            return None
        view = discord.ui.View(timeout=None)
        for action in fitting[:MAX_BUTTONS]:
            view.add_item(self.button(action.command, action.label))
        return view
