"""The Slack bot: ``/paper`` slash command and alert delivery with a bot token (slack-bolt).

One workspace per bot token. Socket Mode (default) needs ``SLACK_APP_TOKEN``; HTTP mode serves
``POST /slack/events`` (guarded against slow clients: :mod:`adapters.slack.serve`) and checks
Slack's request signatures with ``SLACK_SIGNING_SECRET``. Every command is acknowledged at once
and answered through its ``response_url``, so no command outlives Slack's 3 seconds however
long ``users.info`` or the database take.

Every Web API call is bounded by ``[delivery] timeout_seconds`` (slack_sdk ignores its own
``timeout`` when given a session, so the session carries it). Each alert carries ``metadata``
naming its outbox key; when an earlier attempt's outcome is unknown, :meth:`find_sent` reads
the channel (``conversations.history``, or ``conversations.replies`` in the alert's thread) for
a message with that key before posting again. Rate limits are not retried here: they become
:class:`RetryLater` and the core's outbox waits. Errors: :mod:`adapters.slack.errors`.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Mapping
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.actions import SlackActions, with_actions
from adapters.slack.config import USER_ID, SlackSettings
from adapters.slack.errors import classify
from adapters.slack.reading import SlackReading
from adapters.slack.render import (
    SHARE_ACTION,
    Message,
    render_abstract,
    render_alert,
    render_digest,
    render_reply,
    render_shared,
    render_version,
)
from adapters.slack.serve import GuardedServer
from adapters.slack.unfurl import SlackUnfurls
from bot.config import ConfigError, adapter_settings
from bot.model import CommandContext, MessageKind, Reply
from bot.port import (
    AdapterContext,
    ChannelUnavailable,
    DeliveryError,
    OutcomeUnknown,
    Outgoing,
    Refused,
    RetryLater,
    StartupError,
)

log = logging.getLogger(__name__)


class _QuietBolt(logging.Filter):
    """Drops slack-bolt's "As you gave `client` as well, `token` will be unused": we give it a
    client, and it finds SLACK_BOT_TOKEN in the environment by itself. True, and of no use to
    anyone running paperbot."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


COMMAND = "/paper"
ADMIN_CACHE_SECONDS = 300.0
#: ``metadata.event_type`` of every message the bot posts; ``event_payload.key`` is the key.
EVENT_TYPE = "paperbot_message"
#: Looking for an earlier copy starts this long before the lost attempt (clock skew).
CLOCK_SKEW_SECONDS = 120.0
MAX_HISTORY_PAGES = 5


class SlackAdapter:
    """slack-bolt :class:`AsyncApp` on the bot's event loop; see ``docs/slack.md``."""

    thread_kinds: tuple[MessageKind, ...] = (MessageKind.ABSTRACT,)

    def __init__(self, ctx: AdapterContext, env: Mapping[str, str] | None = None) -> None:
        self.ctx = ctx
        self.env = os.environ if env is None else env
        try:
            settings: SlackSettings = adapter_settings(ctx.config, ctx.spec)
        except ConfigError as exc:
            raise StartupError(str(exc)) from None
        self.settings = settings
        self.mode = settings.mode
        self.api_url = settings.api_url
        self.manage = settings.manage
        self.timeout = ctx.config.delivery.timeout_seconds
        self.client: AsyncWebClient | None = None
        self.app: AsyncApp | None = None
        self.team_id = ""
        self.port: int | None = None  # the bound HTTP port (http mode), useful with port 0
        self.server: GuardedServer | None = None
        self._socket: Any = None
        self._admins: dict[str, tuple[float, bool]] = {}
        self._session: aiohttp.ClientSession | None = None
        self.reading = SlackReading(self)
        self.unfurls = SlackUnfurls(self)
        self.actions = SlackActions(self._run, _answer)

    # -- start-up -----------------------------------------------------------------------

    def _secret(self, name: str) -> str:
        value = self.env.get(name, "").strip()
        if not value:
            raise StartupError(f"the slack adapter needs the environment variable {name}")
        return value

    async def start(self) -> None:
        """Check the token (``auth.test``), register handlers, listen in the configured mode."""
        token = self._secret("SLACK_BOT_TOKEN")
        app_token = self._secret("SLACK_APP_TOKEN") if self.mode == "socket" else None
        signing = self._secret("SLACK_SIGNING_SECRET") if self.mode == "http" else None
        self.client = self._make_client(token)
        self.team_id = await self._auth_test()
        bolt_log = logging.getLogger("slack_bolt")
        if not any(isinstance(f, _QuietBolt) for f in bolt_log.filters):
            bolt_log.addFilter(_QuietBolt())
        self.app = AsyncApp(
            client=self.client,
            signing_secret=signing or "unused-in-socket-mode",
            request_verification_enabled=self.mode == "http",
            # Its own logger, kept at WARNING (the spec's library_loggers): at INFO bolt logs
            # whole request bodies of badly signed requests.
            logger=bolt_log,
        )
        self.app.command(COMMAND)(self._on_command)
        self.app.action(SHARE_ACTION)(self._on_share)
        self.app.action(re.compile(r"^open_"))(self._on_link)
        self.reading.register(self.app)  # Save, 📌 (adapters.slack.reading)
        self.unfurls.register(self.app)  # link_shared (adapters.slack.unfurl)
        self.actions.register(self.app)  # an answer's buttons (adapters.slack.actions)
        if self.mode == "http":
            await self._serve_http()
        else:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            self._socket = AsyncSocketModeHandler(self.app, app_token)
            await self._socket.connect_async()

    def _make_client(self, token: str) -> AsyncWebClient:
        # retry_handlers=[]: 429s and connection errors go back to the core's outbox.
        # One shared session: slack_sdk otherwise opens a new connection for every call. The
        # time-out is the session's: slack_sdk applies its own only to sessions it creates.
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        self._session = aiohttp.ClientSession(timeout=timeout)
        return AsyncWebClient(
            token=token,
            base_url=self.api_url,
            timeout=max(1, int(self.timeout)),
            retry_handlers=[],
            session=self._session,
        )

    async def _auth_test(self) -> str:
        assert self.client is not None
        try:
            auth = await self.client.auth_test()
        except SlackApiError as exc:
            error = exc.response.get("error") or f"HTTP {exc.response.status_code}"
            raise StartupError(f"Slack rejected SLACK_BOT_TOKEN ({error})") from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise StartupError(
                f"cannot reach the Slack API at {self.api_url}: {type(exc).__name__}"
            ) from None
        return str(auth.get("team_id") or "")

    async def _serve_http(self) -> None:
        assert self.app is not None
        s = self.settings
        server = GuardedServer(
            self.app.web_app(path="/slack/events"), header_timeout=s.header_timeout_seconds
        )
        try:
            self.port = await server.start(s.http_host, s.http_port)
        except OSError as exc:
            raise StartupError(
                f"cannot listen on {s.http_host}:{s.http_port}: {exc.strerror}"
            ) from None
        self.server = server

    async def stop(self) -> None:
        """Close the socket-mode connection, the HTTP server and the API session."""
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()
        if self._socket is not None:
            socket, self._socket = self._socket, None
            await socket.close_async()
        if self.server is not None:
            server, self.server = self.server, None
            await server.stop()

    # -- commands -----------------------------------------------------------------------

    async def can_manage(self, user_id: str) -> bool | None:
        """Whether ``user_id`` may subscribe/unsubscribe under the ``manage`` policy; None
        when Slack could not be asked (``users.info`` failed)."""
        if self.manage == "everyone":
            return True
        if isinstance(self.manage, tuple):
            return user_id in self.manage
        cached = self._admins.get(user_id)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        assert self.client is not None
        try:
            info = await self.client.users_info(user=user_id)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            log.warning("users.info failed for %s: %s", user_id, type(exc).__name__)
            return None  # not cached: the next command asks again
        user = info.get("user") or {}
        allowed = bool(user.get("is_admin") or user.get("is_owner"))
        self._admins[user_id] = (time.monotonic() + ADMIN_CACHE_SECONDS, allowed)
        return allowed

    async def _context(self, command: dict[str, Any]) -> CommandContext:
        team = command.get("team_id") or self.team_id
        channel = command.get("channel_id", "")
        user = command.get("user_id", "")
        manages = self.ctx.manages(command.get("text", ""))
        return CommandContext(
            platform="slack",
            channel_name=f"slack:{team}/{channel}",
            external_id=channel,
            user_id=user,
            user_name=command.get("user_name", ""),
            can_manage=await self.can_manage(user) if manages else True,
            scope=f"slack:{team}",
        )

    async def _run(self, command: dict[str, Any]) -> Reply:
        return await self.ctx.dispatch(await self._context(command), command.get("text", ""))

    async def _on_command(self, ack: Any, command: dict[str, Any], respond: Any) -> None:
        """``/paper …``: acknowledge at once (Slack gives 3 s), then answer through
        ``response_url`` however long the command takes."""
        await ack()
        reply = await self.reading.with_document(command, await self._run(command))
        try:
            await respond(**_answer(reply))
        except Exception as exc:  # the response_url expired or Slack is down: say so once
            log.warning("answering /paper through response_url failed: %s", type(exc).__name__)

    async def _on_share(self, ack: Any, body: dict[str, Any], respond: Any) -> None:
        """The "Share in channel" button: post the looked-up paper publicly."""
        await ack()
        actions = body.get("actions") or [{}]
        arxiv_id = str(actions[0].get("value", ""))
        paper = await self.ctx.paper(arxiv_id) if arxiv_id else None
        if paper is None:
            await respond(
                text="That paper is no longer stored.",
                response_type="ephemeral",
                replace_original=False,
            )
            return
        user = str((body.get("user") or {}).get("id", ""))
        message = render_shared(paper, user if USER_ID.match(user) else None)
        await respond(response_type="in_channel", replace_original=False, **message)

    async def _on_link(self, ack: Any) -> None:
        # Link buttons still send an interaction; Slack shows an error unless it is acked.
        await ack()

    # -- delivery -----------------------------------------------------------------------

    def _delivery_client(self) -> AsyncWebClient:
        if self.client is None:  # `paperbot check` delivers without listening
            try:
                self.client = self._make_client(self._secret("SLACK_BOT_TOKEN"))
            except StartupError as exc:
                raise RetryLater(str(exc)) from None
        return self.client

    async def deliver(self, outgoing: Outgoing) -> str | None:
        """Post an alert (returns its ``ts``) or a thread reply under ``parent_ref``."""
        client = self._delivery_client()
        channel = outgoing.destination.external_id
        if not channel:
            raise ChannelUnavailable("no Slack channel id for this channel")
        kwargs = _payload(outgoing)
        metadata = {"event_type": EVENT_TYPE, "event_payload": {"key": outgoing.message.key}}
        try:
            resp = await client.chat_postMessage(channel=channel, metadata=metadata, **kwargs)
        except SlackApiError as exc:
            raise _api_error(exc) from None
        except TimeoutError:
            raise OutcomeUnknown(f"no answer from Slack within {self.timeout:g} s") from None
        except aiohttp.ClientConnectorError as exc:  # never reached Slack: nothing was posted
            raise RetryLater(f"cannot reach Slack: {type(exc).__name__}") from None
        except aiohttp.ClientError as exc:  # the request may have arrived
            raise OutcomeUnknown(f"connection to Slack lost: {type(exc).__name__}") from None
        ts = resp.get("ts")
        return str(ts) if ts else None

    async def find_sent(self, outgoing: Outgoing) -> str | None:
        """The ``ts`` of a message already posted for ``outgoing`` (its metadata names the
        outbox key), looked for since the lost attempt; None when there is none or the bot
        cannot read the channel (no ``channels:history`` / ``groups:history``, not a member)."""
        client = self._delivery_client()
        message = outgoing.message
        oldest = f"{max((message.check_from or 0.0) - CLOCK_SKEW_SECONDS, 0.0):.6f}"
        params: dict[str, Any] = {
            "channel": outgoing.destination.external_id,
            "oldest": oldest,
            "inclusive": True,
            "include_all_metadata": True,
            "limit": 200,
        }
        try:
            for _page in range(MAX_HISTORY_PAGES):
                if message.parent_ref:
                    resp = await client.conversations_replies(ts=message.parent_ref, **params)
                else:
                    resp = await client.conversations_history(**params)
                for posted in resp.get("messages") or []:
                    meta = posted.get("metadata") or {}
                    if meta.get("event_type") == EVENT_TYPE and (
                        (meta.get("event_payload") or {}).get("key") == message.key
                    ):
                        return str(posted["ts"])
                params["cursor"] = (resp.get("response_metadata") or {}).get("next_cursor")
                if not params["cursor"]:
                    break
        except SlackApiError as exc:
            error = _api_error(exc)
            if isinstance(error, RetryLater):
                raise RetryLater(f"cannot check for an earlier copy: {error.reason}") from None
            log.warning(
                "%s: cannot look for an earlier copy of %s (%s); sending again, a duplicate "
                "is possible",
                outgoing.channel.name,
                message.key,
                error.reason,
            )
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise RetryLater(f"cannot check for an earlier copy: {type(exc).__name__}") from None
        return None


def _api_error(exc: SlackApiError) -> DeliveryError:
    """A Web API failure as the delivery contract (:func:`adapters.slack.errors.classify`)."""
    data = exc.response.data if isinstance(exc.response.data, dict) else {}
    needed = data.get("needed")
    return classify(
        exc.response.status_code,
        str(data.get("error") or ""),
        exc.response.headers,
        str(needed) if needed else None,
    )


def _answer(reply: Reply) -> Message:
    message = with_actions(render_reply(reply), reply)
    message["response_type"] = "ephemeral" if reply.ephemeral else "in_channel"
    return message


def _payload(outgoing: Outgoing) -> Message:
    kind = outgoing.message.kind
    parent = outgoing.message.parent_ref
    if kind.bundle:  # a digest part, or an overflow message: in its thread when it has one
        if outgoing.digest is None:
            raise Refused(f"a {kind.value!r} message without its part")
        message = render_digest(outgoing.digest)
        return {**message, "thread_ts": parent, "reply_broadcast": False} if parent else message
    paper = outgoing.card.paper
    if kind == MessageKind.ALERT:
        return render_alert(outgoing.card, save=True)
    if not parent:
        raise Refused(f"a {kind.value!r} thread reply needs the parent alert's ts")
    if kind == MessageKind.ABSTRACT:
        return {**render_abstract(paper), "thread_ts": parent}
    message = render_version(paper, outgoing.message.version)
    return {**message, "thread_ts": parent, "reply_broadcast": False}
