"""The Slack bot: ``/paper`` slash command and alert delivery with a bot token (slack-bolt).

One workspace per bot token. Socket Mode (default) needs ``SLACK_APP_TOKEN``; HTTP mode serves
``POST /slack/events`` and checks Slack's request signatures with ``SLACK_SIGNING_SECRET``.
Rate limits are not retried here: a 429 becomes :class:`RetryLater` and the core's outbox waits.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Mapping
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import (
    SHARE_ACTION,
    Message,
    render_abstract,
    render_alert,
    render_reply,
    render_shared,
    render_version,
)
from bot.config import ConfigError, SectionReader, section
from bot.model import CommandContext, MessageKind, Reply
from bot.port import (
    AdapterContext,
    ChannelUnavailable,
    Outgoing,
    Refused,
    RetryLater,
    StartupError,
    parse_retry_after,
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
API_TIMEOUT_SECONDS = 30
#: Errors that mean "this channel (or the whole token) needs a person": pause the channel.
UNAVAILABLE = {
    "channel_not_found": "the channel id is wrong, or the channel is private and the bot "
    "is not in it",
    "not_in_channel": "invite the bot to the channel",
    "is_archived": "the channel is archived",
    "account_inactive": "the bot token no longer works; reinstall the app",
    "invalid_auth": "the bot token no longer works; reinstall the app",
    "token_revoked": "the bot token was revoked; reinstall the app",
}
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")


class SlackAdapter:
    """slack-bolt :class:`AsyncApp` on the bot's event loop; see ``docs/slack.md``."""

    thread_kinds: tuple[MessageKind, ...] = (MessageKind.ABSTRACT,)

    def __init__(self, ctx: AdapterContext, env: Mapping[str, str] | None = None) -> None:
        self.ctx = ctx
        self.env = os.environ if env is None else env
        try:
            r = section(ctx.config, "slack")
            self.mode = r.get("mode", str, "socket")
            if self.mode not in ("socket", "http"):
                raise r.fail("mode", f'expected "socket" or "http", got {self.mode!r}')
            self.http_host = r.get("http_host", str, "127.0.0.1")
            self.http_port = r.integer("http_port", 3000)
            self.api_url = r.url("api_url", "https://slack.com/api/") or ""
            self.manage = _manage_policy(r)
            r.done()
        except ConfigError as exc:
            raise StartupError(str(exc)) from None
        if not self.api_url.endswith("/"):
            self.api_url += "/"
        self.client: AsyncWebClient | None = None
        self.app: AsyncApp | None = None
        self.team_id = ""
        self.port: int | None = None  # the bound HTTP port (http mode), useful with port 0
        self._runner: web.AppRunner | None = None
        self._socket: Any = None
        self._admins: dict[str, tuple[float, bool]] = {}
        self._session: aiohttp.ClientSession | None = None

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
        if not any(isinstance(f, _QuietBolt) for f in log.filters):
            log.addFilter(_QuietBolt())
        self.app = AsyncApp(
            client=self.client,
            signing_secret=signing or "unused-in-socket-mode",
            request_verification_enabled=self.mode == "http",
            logger=log,
        )
        self.app.command(COMMAND)(self._on_command)
        self.app.action(SHARE_ACTION)(self._on_share)
        self.app.action(re.compile(r"^open_"))(self._on_link)
        if self.mode == "http":
            await self._serve_http()
        else:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            self._socket = AsyncSocketModeHandler(self.app, app_token)
            await self._socket.connect_async()

    def _make_client(self, token: str) -> AsyncWebClient:
        # retry_handlers=[]: 429s and connection errors go back to the core's outbox.
        # One shared session: slack_sdk otherwise opens a new connection for every call.
        self._session = aiohttp.ClientSession()
        return AsyncWebClient(
            token=token,
            base_url=self.api_url,
            timeout=API_TIMEOUT_SECONDS,
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
        self._runner = web.AppRunner(self.app.web_app(path="/slack/events"))
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.http_host, self.http_port)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            raise StartupError(
                f"cannot listen on {self.http_host}:{self.http_port}: {exc.strerror}"
            ) from None
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Close the socket-mode connection, the HTTP server and the API session."""
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()
        if self._socket is not None:
            socket, self._socket = self._socket, None
            await socket.close_async()
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    # -- commands -----------------------------------------------------------------------

    async def can_manage(self, user_id: str) -> bool:
        """Whether ``user_id`` may subscribe/unsubscribe under the ``manage`` policy."""
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
            return False  # not cached: the next command asks again
        user = info.get("user") or {}
        allowed = bool(user.get("is_admin") or user.get("is_owner"))
        self._admins[user_id] = (time.monotonic() + ADMIN_CACHE_SECONDS, allowed)
        return allowed

    async def _context(self, command: dict[str, Any]) -> CommandContext:
        team = command.get("team_id") or self.team_id
        channel = command.get("channel_id", "")
        user = command.get("user_id", "")
        return CommandContext(
            platform="slack",
            channel_name=f"slack:{team}/{channel}",
            external_id=channel,
            user_id=user,
            user_name=command.get("user_name", ""),
            can_manage=await self.can_manage(user),
        )

    async def _run(self, command: dict[str, Any]) -> Reply:
        return await self.ctx.dispatch(await self._context(command), command.get("text", ""))

    async def _on_command(self, ack: Any, command: dict[str, Any], respond: Any) -> None:
        """``/paper …``: answer in the ack, or ack at once and respond() when it may fetch."""
        if self.ctx.may_fetch(command.get("text", "")):
            await ack()
            reply = await self._run(command)
            await respond(**_answer(reply))
            return
        reply = await self._run(command)
        await ack(**_answer(reply))

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
        message = render_shared(paper, user if _USER_ID.match(user) else None)
        await respond(response_type="in_channel", replace_original=False, **message)

    async def _on_link(self, ack: Any) -> None:
        # Link buttons still send an interaction; Slack shows an error unless it is acked.
        await ack()

    # -- delivery -----------------------------------------------------------------------

    async def deliver(self, outgoing: Outgoing) -> str | None:
        """Post an alert (returns its ``ts``) or a thread reply under ``parent_ref``."""
        if self.client is None:  # `paperbot check` delivers without listening
            try:
                self.client = self._make_client(self._secret("SLACK_BOT_TOKEN"))
            except StartupError as exc:
                raise RetryLater(str(exc)) from None
        channel = outgoing.destination.external_id
        if not channel:
            raise ChannelUnavailable("no Slack channel id for this channel")
        kwargs = _payload(outgoing)
        try:
            resp = await self.client.chat_postMessage(channel=channel, **kwargs)
        except SlackApiError as exc:
            raise _delivery_error(exc) from None
        except TimeoutError:
            raise RetryLater("time-out talking to Slack") from None
        except aiohttp.ClientError as exc:
            raise RetryLater(f"cannot reach Slack: {type(exc).__name__}") from None
        ts = resp.get("ts")
        return str(ts) if ts else None


def _manage_policy(r: SectionReader) -> str | tuple[str, ...]:
    raw = r.get("manage", (str, list), "everyone")
    if isinstance(raw, str):
        policy: str = raw
        if raw not in ("everyone", "admins"):
            raise r.fail(
                "manage", f'expected "everyone", "admins" or a list of user ids, got {raw!r}'
            )
        return policy
    ids = r.strings("manage", ())
    bad = [i for i in ids if not _USER_ID.match(i)]
    if bad:
        raise r.fail("manage", f"expected Slack user ids like U0123ABCD, got {bad[0]!r}")
    return ids


def _answer(reply: Reply) -> Message:
    message = render_reply(reply)
    message["response_type"] = "ephemeral" if reply.ephemeral else "in_channel"
    return message


def _payload(outgoing: Outgoing) -> Message:
    kind = outgoing.message.kind
    paper = outgoing.alert.paper
    if kind == MessageKind.ALERT:
        return render_alert(outgoing.alert)
    parent = outgoing.message.parent_ref
    if not parent:
        raise Refused(f"a {kind.value!r} thread reply needs the parent alert's ts")
    if kind == MessageKind.ABSTRACT:
        return {**render_abstract(paper), "thread_ts": parent}
    message = render_version(paper, outgoing.message.version)
    return {**message, "thread_ts": parent, "reply_broadcast": False}


def _delivery_error(exc: SlackApiError) -> Exception:
    """Map a Web API failure to the delivery contract."""
    status = exc.response.status_code
    error = str(exc.response.get("error") or "") if isinstance(exc.response.data, dict) else ""
    if status == 429 or error == "ratelimited":
        return RetryLater(
            "rate limited by Slack (HTTP 429)",
            retry_after=parse_retry_after(exc.response.headers.get("Retry-After")),
        )
    if status >= 500:
        return RetryLater(f"Slack error (HTTP {status}{', ' + error if error else ''})")
    if error == "missing_scope":
        needed = exc.response.get("needed") or "see the manifest"
        return ChannelUnavailable(f"missing_scope: the app needs {needed}; add it and reinstall")
    if error in UNAVAILABLE:
        return ChannelUnavailable(f"{error}: {UNAVAILABLE[error]}")
    return Refused(error or f"HTTP {status}")
