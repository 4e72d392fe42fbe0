"""An answer's action buttons on Slack (:class:`bot.model.Action`: the Follow buttons of
``authors NAME``).

Each action is a button whose ``value`` is the command line it runs; a press (``block_actions``
with an ``action_id`` starting with :data:`ACTION_PREFIX`) runs that line through the core as
the presser, exactly as a typed ``/paper`` command: the same context, so the same permission
check (a ``subscribe`` by someone without the manage permission gets the usual refusal). The
answer goes back through the press's ``response_url`` like a command's, privately unless the
command's answer is public. Running what the button says gives the presser nothing they could
not type.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from bot.model import Action, Reply

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

log = logging.getLogger(__name__)

#: ``action_id`` of the n-th button: ``paperbot_run_0`` … (unique within the message).
ACTION_PREFIX = "paperbot_run_"
#: Slack's limits: 75 characters of button text, 2,000 of value, 25 elements per block.
LABEL_CHARS = 75
VALUE_CHARS = 2000
PER_BLOCK = 25

Block = dict[str, Any]
Run = Callable[[dict[str, Any]], Awaitable[Reply]]
Answer = Callable[[Reply], dict[str, Any]]


def action_blocks(actions: tuple[Action, ...]) -> list[Block]:
    """The ``actions`` blocks of an answer's buttons (empty when it has none)."""
    buttons = [
        {
            "type": "button",
            "action_id": f"{ACTION_PREFIX}{i}",
            "text": {"type": "plain_text", "text": _cut(a.label, LABEL_CHARS), "emoji": True},
            "value": a.command,
        }
        for i, a in enumerate(actions)
        if len(a.command) <= VALUE_CHARS
    ]
    return [
        {"type": "actions", "elements": buttons[i : i + PER_BLOCK]}
        for i in range(0, len(buttons), PER_BLOCK)
    ]


def with_actions(message: dict[str, Any], reply: Reply, max_blocks: int = 50) -> dict[str, Any]:
    """``message`` (a rendered answer) with the reply's buttons after its blocks, as many as
    Slack's block limit leaves room for."""
    extra = action_blocks(reply.actions)
    if not extra:
        return message
    blocks = list(message.get("blocks") or [])
    room = max(0, max_blocks - len(blocks))
    return {**message, "blocks": blocks + extra[:room]}


class SlackActions:
    """The press handler: ``run`` dispatches a slash-command-shaped dict, ``answer`` renders."""

    def __init__(self, run: Run, answer: Answer) -> None:
        self.run = run
        self.answer = answer

    def register(self, app: AsyncApp) -> None:
        app.action(re.compile(f"^{ACTION_PREFIX}\\d+$"))(self.on_press)

    async def on_press(self, ack: Any, body: dict[str, Any], respond: Any) -> None:
        """A pressed action button: its command line, run as the presser."""
        await ack()
        user = body.get("user") or {}
        container = body.get("container") or {}
        actions = body.get("actions") or [{}]
        command = {
            "team_id": str((body.get("team") or {}).get("id") or ""),
            "channel_id": str(
                (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
            ),
            "user_id": str(user.get("id") or ""),
            "user_name": str(user.get("username") or user.get("name") or ""),
            "text": " ".join(str(actions[0].get("value") or "").split()),
        }
        reply = await self.run(command)
        try:
            await respond(replace_original=False, **self.answer(reply))
        except Exception as exc:  # the response_url expired or Slack is down: say so once
            log.warning("answering an action button failed: %s", type(exc).__name__)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
