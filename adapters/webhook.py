"""What Slack and Discord incoming webhooks share: one HTTP session, alerts and digest parts
only (a webhook cannot thread: a digest's parts are consecutive messages), and transport
errors turned into retries without ever showing the URL (it holds a secret). Each platform's
module renders the payload and reads the platform's answer."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import aiohttp

from bot.model import MessageKind
from bot.port import AdapterContext, ChannelUnavailable, Outgoing, Refused, RetryLater, redact_url

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30.0


class WebhookAdapter:
    """Base of the webhook adapters: subclasses give ``label``, :meth:`request` and
    :meth:`outcome`."""

    thread_kinds: tuple[MessageKind, ...] = ()
    label = "webhook"

    def __init__(self, ctx: AdapterContext, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.ctx = ctx
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Nothing to connect: a webhook is a plain HTTPS POST."""

    async def stop(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(total=self.timeout)
            self._session = aiohttp.ClientSession(timeout=timeout)
        return self._session

    def request(self, outgoing: Outgoing, url: str) -> tuple[Any, dict[str, Any]]:
        """The URL to post to and the JSON payload."""
        raise NotImplementedError

    def outcome(self, status: int, headers: Mapping[str, str], body: str, url: str) -> str | None:
        """The platform's answer as the delivery contract: a reference, or an exception."""
        raise NotImplementedError

    async def deliver(self, outgoing: Outgoing) -> str | None:
        """Post one alert, digest part or overflow message."""
        if outgoing.message.kind != MessageKind.ALERT and not outgoing.message.kind.bundle:
            kind = outgoing.message.kind.value
            raise Refused(f"a {self.label} cannot post {kind!r} thread replies")
        url = outgoing.destination.settings.get("webhook_url")
        if not url:
            raise ChannelUnavailable(f"channel {outgoing.destination.name!r} has no webhook_url")
        target, payload = self.request(outgoing, url)
        try:
            async with self._client().post(target, json=payload) as resp:
                body = (await resp.text(errors="replace")).strip()
                return self.outcome(resp.status, resp.headers, body, url)
        except TimeoutError:
            raise RetryLater(f"time-out posting to {redact_url(url)}") from None
        except (aiohttp.ClientError, OSError) as exc:
            # The exception text can carry the URL: keep only its type.
            log.warning("%s %s: %s", self.label, redact_url(url), type(exc).__name__)
            raise RetryLater(f"connection error ({type(exc).__name__})") from None
