"""Discord incoming-webhook adapter: alerts only, no threads, no commands, no discord import.

The webhook URL (``[[channels]] webhook_url``) contains a secret token: it never appears in
logs or delivery errors except through :func:`bot.redact.redact_url`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
from yarl import URL

from adapters.discord import render
from bot.platform import AdapterContext, ChannelUnavailable, Outgoing, Refused, RetryLater
from bot.redact import redact_text, redact_url

log = logging.getLogger(__name__)


class DiscordWebhookAdapter:
    """Posts alert embeds to a Discord webhook (``?wait=true`` so a message id comes back)."""

    thread_kinds: tuple[str, ...] = ()

    def __init__(self, ctx: AdapterContext, *, timeout: float = 30.0) -> None:
        self.ctx = ctx
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        """Nothing to connect to; the HTTP session is created on first use."""

    async def stop(self) -> None:
        """Close the HTTP session."""
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def deliver(self, outgoing: Outgoing) -> str | None:
        """Post one alert; return the message id or raise a DeliveryError."""
        url = outgoing.target.webhook_url if outgoing.target else None
        if not url:
            raise ChannelUnavailable(f"channel {outgoing.channel.name!r} has no webhook_url")
        if outgoing.message.kind != "alert":
            raise Refused("a Discord webhook cannot post thread replies")
        payload = render.alert_message(outgoing.alert)
        target = URL(url).update_query(wait="true")
        try:
            async with self._client().post(target, json=payload) as resp:
                body = await resp.text()
                return _outcome(resp.status, resp.headers, body, url)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            # The exception text can carry the URL: keep only its type.
            log.warning("webhook %s: %s", redact_url(url), type(exc).__name__)
            raise RetryLater(f"connection error ({type(exc).__name__})") from None


def _json(body: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _retry_after(headers: Any, data: dict[str, Any]) -> float | None:
    for raw in (headers.get("Retry-After"), data.get("retry_after")):
        try:
            if raw is not None:
                return max(float(raw), 0.0)
        except (TypeError, ValueError):
            continue
    return None


def _outcome(status: int, headers: Any, body: str, url: str) -> str | None:
    """Map one HTTP answer to the adapter contract (return the id or raise)."""
    data = _json(body)
    if 200 <= status < 300:
        return str(data["id"]) if "id" in data else None
    secret = URL(url).path.rsplit("/", 1)[-1]
    log.warning("webhook %s answered HTTP %s", redact_url(url), status)
    if status == 429:
        raise RetryLater("rate limited (HTTP 429)", _retry_after(headers, data))
    if status >= 500:
        raise RetryLater(f"Discord server error (HTTP {status})", _retry_after(headers, data))
    if status == 404:
        raise ChannelUnavailable("webhook gone (HTTP 404)")
    if status in (401, 403):
        raise ChannelUnavailable(f"webhook refused access (HTTP {status})")
    reason = str(data.get("message") or body or "no reason given")
    errors = data.get("errors")
    if errors:
        reason += " " + json.dumps(errors, separators=(",", ":"))
    raise Refused(redact_text(f"HTTP {status}: {reason}"[:500], [secret]))
