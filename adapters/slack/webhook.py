"""Slack incoming webhooks: post alert cards to a ``hooks.slack.com`` URL.

A webhook cannot thread, edit or answer commands, so this adapter only posts alerts. The
webhook URL is a secret: it never appears unredacted in a reason or a log line.
"""

from __future__ import annotations

import logging

import aiohttp

from adapters.slack.render import render_alert
from bot.platform import (
    AdapterContext,
    ChannelUnavailable,
    Outgoing,
    Refused,
    RetryLater,
)
from bot.redact import redact_text, redact_url

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30.0
GONE = (401, 403, 404, 410)


def retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (None when missing or not a number)."""
    try:
        return max(float(value), 0.0) if value is not None else None
    except ValueError:
        return None


class SlackWebhookAdapter:
    """Posts ``{"text", "blocks"}`` to each channel's ``webhook_url``."""

    thread_kinds: tuple[str, ...] = ()

    def __init__(self, ctx: AdapterContext, timeout: float = TIMEOUT_SECONDS) -> None:
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
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        return self._session

    async def deliver(self, outgoing: Outgoing) -> str | None:
        """Post one alert; returns None (webhooks give no message reference)."""
        if outgoing.message.kind != "alert":
            raise Refused(f"a Slack webhook cannot post {outgoing.message.kind!r} thread replies")
        url = outgoing.target.webhook_url if outgoing.target else None
        if not url:
            raise ChannelUnavailable("no webhook_url configured for this channel")
        payload = render_alert(outgoing.alert)
        safe = redact_url(url)
        try:
            async with self._client().post(url, json=payload) as resp:
                status = resp.status
                body = (await resp.text(errors="replace")).strip()
                wait = retry_after(resp.headers.get("Retry-After"))
        except TimeoutError:
            raise RetryLater(f"time-out posting to {safe}") from None
        except aiohttp.ClientError as exc:
            detail = redact_text(str(exc), [url]) or type(exc).__name__
            raise RetryLater(f"cannot reach {safe}: {detail}") from None
        return _outcome(status, body[:300], wait, safe)


def _outcome(status: int, body: str, wait: float | None, safe_url: str) -> None:
    """Translate an HTTP answer into the delivery contract (return = accepted)."""
    if 200 <= status < 300:
        return None
    log.info("Slack webhook %s answered HTTP %s: %s", safe_url, status, body)
    if status == 429:
        raise RetryLater("rate limited by Slack (HTTP 429)", retry_after=wait)
    if status >= 500:
        raise RetryLater(f"Slack webhook error (HTTP {status})", retry_after=wait)
    if status in GONE:
        detail = f": {body}" if body else ""
        raise ChannelUnavailable(f"webhook gone (HTTP {status}){detail}")
    raise Refused(body or f"HTTP {status}")
