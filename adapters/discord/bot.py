"""Discord bot adapter (discord.py): ``/paper`` slash commands, alerts with abstract threads.

Delivery is plain REST (no gateway needed): alerts go to ``/channels/{id}/messages`` with a
nonce derived from the outbox key and ``enforce_nonce`` so a retried post is not duplicated;
the abstract thread is created on the alert message (its id = the alert's id). The gateway is
only needed to receive slash commands; it runs in a background task started by :meth:`start`.

Config ``[discord]``: ``api_url``, ``guild_ids``, ``shards``, ``manage_permission``, ``threads``
and ``gateway`` (false: REST only, for tests and delivery-only proxies). Token from
``DISCORD_BOT_TOKEN``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
from typing import Any

import aiohttp
import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord import render
from adapters.discord.config import DiscordSettings
from adapters.discord.errors import delivery_error
from adapters.discord.reading import DiscordReading
from adapters.discord.slash import PaperCommands
from bot.config import adapter_settings
from bot.model import MessageKind, OutboxMessage
from bot.model.digest import DigestPart
from bot.port import (
    AdapterContext,
    ChannelUnavailable,
    OutcomeUnknown,
    Outgoing,
    Refused,
    RetryLater,
    StartupError,
    redact_url,
)

log = logging.getLogger(__name__)

TOKEN_ENV = "DISCORD_BOT_TOKEN"
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
MAX_RATELIMIT_WAIT = 30.0  # discord.py sleeps through shorter 429s; longer ones → RetryLater


def message_nonce(key: str) -> str:
    """A stable Discord nonce (< 2**63, ≤ 25 chars) for an outbox message key."""
    return str(int(hashlib.sha256(key.encode()).hexdigest()[:15], 16))


def _make_client(shards: int | str | None) -> discord.Client:
    # paperbot has no voice: discord.py's start-up warnings that voice libraries (PyNaCl,
    # davey) are missing say nothing to its users.
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False
    intents = discord.Intents.none()
    intents.guilds = True  # slash commands need no message content or member intents
    intents.guild_reactions = True  # 📌 on an alert saves it (adapters.discord.reading)
    kwargs: dict[str, Any] = {
        "intents": intents,
        "allowed_mentions": discord.AllowedMentions.none(),
        "max_ratelimit_timeout": MAX_RATELIMIT_WAIT,
    }
    if shards == "auto":
        return discord.AutoShardedClient(**kwargs)
    if isinstance(shards, int):
        return discord.AutoShardedClient(shard_count=shards, **kwargs)
    return discord.Client(**kwargs)


class DiscordAdapter:
    """The ``discord`` platform: slash commands in, alerts (and threads) out."""

    def __init__(self, ctx: AdapterContext) -> None:
        self.ctx = ctx
        cfg: DiscordSettings = adapter_settings(ctx.config, ctx.spec)
        self.api_url = cfg.api_url
        self.guild_ids = list(cfg.guild_ids)
        self.use_gateway = cfg.gateway
        self.threads = cfg.threads
        self.timeout = ctx.config.delivery.timeout_seconds
        self.thread_kinds: tuple[MessageKind, ...] = (MessageKind.ABSTRACT,) if self.threads else ()
        self.client = _make_client(cfg.shards)
        self.tree = discord.app_commands.CommandTree(self.client)
        self.commands = PaperCommands(ctx, cfg.manage_permission)
        guilds = [discord.Object(g) for g in self.guild_ids]
        self.tree.add_command(self.commands.group(), guilds=guilds or discord.utils.MISSING)
        self.tree.add_command(
            self.commands.message_command(), guilds=guilds or discord.utils.MISSING
        )
        self.reading = DiscordReading(ctx, self.client, cfg.manage_permission)
        self.reading.install()  # the persistent Save button and the 📌 listeners
        self.commands.actions.install(self.client)  # answers' buttons (adapters.discord.actions)
        self._saved_base: str | None = None
        self._saved_gateway: yarl.URL | None = None
        self._task: asyncio.Task[None] | None = None

        @self.client.event
        async def on_ready() -> None:
            log.info("Discord gateway ready as %s", self.client.user)

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        """Log in over REST, sync slash commands, then run the gateway in the background."""
        token = os.environ.get(TOKEN_ENV, "").strip()
        if not token:
            raise StartupError(f"{TOKEN_ENV} is not set (the bot token from the Developer Portal)")
        if self.api_url:
            self._saved_base, Route.BASE = Route.BASE, self.api_url
        try:
            await self._login_and_sync(token)
        except StartupError:
            await self.stop()  # leave no session open and no redirected Route.BASE behind
            raise
        if not self.use_gateway:
            return  # REST only: deliveries work, slash commands are not received
        if self.api_url:
            # discord.py's Client connects to its built-in gateway; use the one this API names.
            try:
                _, url, _ = await self.client.http.get_bot_gateway()
            except discord.GatewayNotFound:
                await self.stop()
                raise StartupError(f"{redact_url(self.api_url)} announces no gateway") from None
            self._saved_gateway = DiscordWebSocket.DEFAULT_GATEWAY
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        self._task = asyncio.create_task(self._run_gateway(), name="discord-gateway")

    async def _login_and_sync(self, token: str) -> None:
        try:
            await self.client.login(token)
        except discord.LoginFailure:
            raise StartupError(f"Discord rejected {TOKEN_ENV} (401 Unauthorized)") from None
        except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
            where = redact_url(Route.BASE)
            raise StartupError(f"cannot log in to Discord at {where}: {_why(exc)}") from None
        await self.sync_commands()

    async def sync_commands(self) -> None:
        """Register ``/paper`` in each configured guild (instant) or globally (up to an hour)."""
        try:
            if not self.guild_ids:
                await self.tree.sync()
            for gid in self.guild_ids:
                await self.tree.sync(guild=discord.Object(gid))
        except discord.HTTPException as exc:
            raise StartupError(
                f"cannot register the /paper commands: {_why(exc)} (was the bot invited with "
                f"the applications.commands scope to every guild in guild_ids?)"
            ) from None

    async def _run_gateway(self) -> None:
        try:
            await self.client.connect(reconnect=True)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the process keeps delivering over REST; say why loudly
            log.error("Discord gateway stopped: %s (slash commands unavailable)", _why(exc))

    async def stop(self) -> None:
        """Close the client (gateway and HTTP session) and undo any API redirection."""
        await self.client.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None
        if self._saved_base is not None:
            Route.BASE, self._saved_base = self._saved_base, None
        if self._saved_gateway is not None:
            DiscordWebSocket.DEFAULT_GATEWAY, self._saved_gateway = self._saved_gateway, None

    # -- delivery -----------------------------------------------------------------------------

    async def deliver(self, outgoing: Outgoing) -> str | None:
        """Post one outbox message (alert, abstract thread, version note); return its id."""
        external = outgoing.destination.external_id
        if not external or not external.strip().isdigit():
            raise ChannelUnavailable(f"no Discord channel id for {outgoing.channel.name!r}")
        channel_id = int(external)
        if self.client.http.token is None:  # `paperbot check` delivers without start()
            await self._login_for_delivery()
        try:
            async with asyncio.timeout(self.timeout):  # discord.py sets no time-out of its own
                return await self._post(outgoing, channel_id)
        except discord.RateLimited as exc:
            raise RetryLater(f"rate limited ({exc.retry_after:.0f} s)", exc.retry_after) from None
        except discord.HTTPException as exc:
            error = delivery_error(exc)
            if isinstance(error, ChannelUnavailable) and outgoing.message.kind != MessageKind.ALERT:
                # The alert went out, so the channel works; only its thread does not (no
                # permission to create threads, thread deleted): fail this reply alone.
                error = Refused(f"thread reply refused: {error}")
            raise error from None
        except TimeoutError:  # re-sent with the same nonce, Discord answers with the first
            raise OutcomeUnknown(f"no answer from Discord within {self.timeout:g} s") from None
        except aiohttp.ClientConnectorError as exc:
            raise RetryLater(f"cannot reach Discord ({type(exc).__name__})") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise OutcomeUnknown(f"connection to Discord lost ({type(exc).__name__})") from None

    async def _login_for_delivery(self) -> None:
        token = os.environ.get(TOKEN_ENV, "").strip()
        if not token:
            raise RetryLater(f"{TOKEN_ENV} is not set")
        if self.api_url and self._saved_base is None:
            self._saved_base, Route.BASE = Route.BASE, self.api_url
        try:
            await self.client.login(token)
        except discord.LoginFailure:
            raise ChannelUnavailable(f"Discord rejected {TOKEN_ENV} (401 Unauthorized)") from None
        except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
            raise RetryLater(f"cannot log in to Discord: {_why(exc)}") from None

    async def _post(self, outgoing: Outgoing, channel_id: int) -> str:
        message = outgoing.message
        nonce = message_nonce(message.key)
        if outgoing.digest is not None:
            return await self._post_part(outgoing.digest, message, channel_id, nonce)
        paper = outgoing.card.paper
        if message.kind == MessageKind.ALERT:
            view = self.reading.view(paper.arxiv_id)
            return await self._send(channel_id, render.alert_message(outgoing.card), nonce, view)
        if not message.parent_ref or not message.parent_ref.isdigit():
            raise Refused(f"{message.kind} message without a parent alert")
        parent = int(message.parent_ref)
        if message.kind == MessageKind.ABSTRACT:
            await self._ensure_thread(channel_id, parent, render.thread_name(paper))
            return await self._send(parent, render.abstract_message(paper), nonce)
        payload = render.version_message(paper, message.version or paper.version)
        if self.threads:
            try:
                return await self._send(parent, payload, nonce)
            except discord.NotFound:
                pass  # no thread on that alert (its abstract failed): reply in the channel
        return await self._send(channel_id, payload, nonce, reply_to=parent)

    async def _post_part(
        self, part: DigestPart, message: OutboxMessage, channel_id: int, nonce: str
    ) -> str:
        """A digest or overflow part: in the thread of its parent (the digest's first part,
        or the alert an overflow message follows) when there is one and threads are on."""
        payload = render.digest_message(part)
        parent = message.parent_ref
        if not parent or not parent.isdigit() or not self.threads:
            return await self._send(channel_id, payload, nonce)
        name = part.title if part.kind == "digest" else f"{part.title} (overflow)"
        await self._ensure_thread(channel_id, int(parent), render.thread_name_text(name))
        return await self._send(int(parent), payload, nonce)

    async def _ensure_thread(self, channel_id: int, message_id: int, name: str) -> None:
        # Raw route: PartialMessage.create_thread needs a cached guild, i.e. the gateway.
        try:
            await self.client.http.start_thread_with_message(
                channel_id, message_id, name=name, auto_archive_duration=10080
            )
        except discord.HTTPException as exc:
            if exc.code != THREAD_EXISTS:  # a retry after the thread was made: reuse it
                raise

    async def _send(
        self,
        channel_id: int,
        payload: dict[str, Any],
        nonce: str,
        view: discord.ui.View | None = None,
        reply_to: int | None = None,
    ) -> str:
        target = self.client.get_partial_messageable(channel_id)
        extra: dict[str, Any] = {"view": view} if view is not None else {}
        if reply_to is not None:
            extra["reference"] = discord.MessageReference(
                message_id=reply_to, channel_id=channel_id, fail_if_not_exists=False
            )
        sent = await target.send(
            content=payload["content"] or None,
            embeds=[discord.Embed.from_dict(e) for e in payload["embeds"]],
            nonce=nonce,  # discord.py adds "enforce_nonce": true whenever a nonce is given
            allowed_mentions=discord.AllowedMentions.none(),
            **extra,
        )
        return str(sent.id)


def _why(exc: BaseException) -> str:
    if isinstance(exc, discord.HTTPException):
        return f"HTTP {exc.status}" + (f": {exc.text}" if exc.text else "")
    return type(exc).__name__
