"""The reading list on Slack: an alert's Save button, 📌 reactions on alerts, and BibTeX too
long for a message sent as a file.

- Save (``block_actions``, :data:`~adapters.slack.render.SAVE_ACTION`): the message is the one
  pressed (``container.message_ts``); the person gets a private answer.
- ``reaction_added`` / ``reaction_removed`` with ``pushpin`` (📌) on a message (needs
  ``reactions:read`` and the two events): puts or takes off that person's mark. The core
  ignores a message that is none of the bot's alerts in that channel (a digest, an overflow
  message, someone else's message). Slack retries an event it thinks was not acknowledged; each
  ``event_id`` is handled once (:attr:`bot.port.AdapterContext.first_seen`, kept in the
  database, so a retry arriving after a restart is still recognised).
- A BibTeX answer longer than :data:`~adapters.slack.render.DOCUMENT_CHARS` goes to the channel
  with ``files_upload_v2`` (``files:write``): the file is public in the channel, whoever asked
  (a slash command's ``response_url`` cannot carry files; Slack has no private upload).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Protocol

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.config import USER_ID
from adapters.slack.render import DOCUMENT_CHARS, SAVE_ACTION, escape, render_reply
from bot.model import CommandContext, Mark, Reply, SaveVia
from bot.model.text import without_marks
from bot.port import AdapterContext

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

log = logging.getLogger(__name__)

PIN = "pushpin"
NAME_CACHE_SECONDS = 3600.0


class SlackHost(Protocol):
    """What these handlers use of :class:`adapters.slack.bot.SlackAdapter`."""

    ctx: AdapterContext
    client: AsyncWebClient | None
    team_id: str


class SlackReading:
    """The handlers, bound to one :class:`SlackHost` (the adapter)."""

    def __init__(self, adapter: SlackHost) -> None:
        self.adapter = adapter
        self._names: dict[str, tuple[float, str]] = {}

    def register(self, app: AsyncApp) -> None:
        app.action(SAVE_ACTION)(self.on_save)
        app.event("reaction_added")(self.on_reaction)
        app.event("reaction_removed")(self.on_reaction)

    def context(self, team: str, channel: str, user: str, user_name: str) -> CommandContext:
        team = team or self.adapter.team_id
        return CommandContext(
            platform="slack",
            channel_name=f"slack:{team}/{channel}",
            external_id=channel,
            user_id=user,
            user_name=user_name,
            scope=f"slack:{team}",
        )

    async def on_save(self, ack: Any, body: dict[str, Any], respond: Any) -> None:
        """The Save button of an alert: mark its paper for the person who pressed it."""
        await ack()
        container = body.get("container") or {}
        user = body.get("user") or {}
        actions = body.get("actions") or [{}]
        ctx = self.context(
            str((body.get("team") or {}).get("id") or ""),
            str((body.get("channel") or {}).get("id") or container.get("channel_id") or ""),
            str(user.get("id") or ""),
            str(user.get("username") or user.get("name") or ""),
        )
        mark = Mark(
            SaveVia.BUTTON,
            str(container.get("message_ts") or ""),
            paper_id=str(actions[0].get("value") or "") or None,
        )
        reply = await self.adapter.ctx.mark(ctx, mark)
        if reply is None:
            reply = Reply("That message is none of this channel's alerts.", error=True)
        try:
            message = render_reply(reply)
            await respond(response_type="ephemeral", replace_original=False, **message)
        except Exception as exc:
            log.warning("answering a Save press failed: %s", type(exc).__name__)

    async def on_reaction(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """📌 put on or taken off a message: that person's mark on the alert's paper."""
        item = event.get("item") or {}
        if event.get("reaction") != PIN or item.get("type") != "message":
            return
        event_id = str(body.get("event_id") or "")
        if event_id and not await self.adapter.ctx.first_seen(event_id):
            log.info("Slack event %s retried: already handled", event_id)
            return
        user = str(event.get("user") or "")
        ctx = self.context(
            str(body.get("team_id") or ""),
            str(item.get("channel") or ""),
            user,
            await self.user_name(user),
        )
        on = event.get("type") == "reaction_added"
        await self.adapter.ctx.mark(ctx, Mark(SaveVia.REACTION, str(item.get("ts") or ""), on))

    async def user_name(self, user: str) -> str:
        """The person's Slack name (``users.info``, cached an hour); "" when Slack cannot say
        (the mark then shows the user id)."""
        cached = self._names.get(user)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        client = self.adapter.client
        if client is None or not user:
            return ""
        try:
            info = await client.users_info(user=user)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            log.info("users.info failed for %s: %s", user, type(exc).__name__)
            return ""
        found = info.get("user") or {}
        profile = found.get("profile") or {}
        name = str(profile.get("display_name") or found.get("real_name") or found.get("name") or "")
        self._names[user] = (time.monotonic() + NAME_CACHE_SECONDS, name)
        return name

    async def with_document(self, command: dict[str, Any], reply: Reply) -> Reply:
        """``reply`` as it can be answered: a document too long for a message is uploaded to
        the channel as a file, and the answer says so (or why it could not be)."""
        document = reply.document
        if document is None or len(document.content) <= DOCUMENT_CHARS:
            return reply
        client = self.adapter.client
        assert client is not None
        channel = str(command.get("channel_id") or "")
        user = str(command.get("user_id") or "")
        comment = escape(without_marks(reply.text))
        if USER_ID.match(user):  # Slack's own id of the person: a real, intended mention
            comment += f" (asked for by <@{user}>)"
        try:
            await client.files_upload_v2(
                channel=channel,
                content=document.content,
                filename=document.filename,
                title=document.filename,
                initial_comment=comment,
            )
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            why = _why(exc)
            log.warning("files_upload_v2 to %s failed: %s", channel, why)
            text = (
                f"{reply.text} Could not send it as a file here ({why}): the app needs the "
                "files:write scope and to be in this channel."
            )
            return Reply(text, error=True)
        text = f"{reply.text} Sent as the file {document.filename} in this channel."
        return Reply(text, reply.papers, ephemeral=True)


def _why(exc: BaseException) -> str:
    if isinstance(exc, SlackApiError):
        data = exc.response.data if isinstance(exc.response.data, dict) else {}
        return str(data.get("error") or f"HTTP {exc.response.status_code}")
    return type(exc).__name__
