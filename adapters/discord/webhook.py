"""Discord incoming-webhook adapter: alerts only, no threads, no commands, no discord import.

The webhook URL (``[[channels]] webhook_url``) contains a secret token: it never appears in
logs or delivery errors except through :func:`bot.port.redact_url`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from yarl import URL

from adapters.discord import render
from adapters.webhook import WebhookAdapter
from bot.port import (
    ChannelUnavailable,
    Outgoing,
    Refused,
    RetryLater,
    parse_retry_after,
    redact_text,
    redact_url,
)

log = logging.getLogger(__name__)


def _json(body: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class DiscordWebhookAdapter(WebhookAdapter):
    """Posts alert embeds to a Discord webhook (``?wait=true`` so a message id comes back)."""

    label = "Discord webhook"

    def request(self, outgoing: Outgoing, url: str) -> tuple[Any, dict[str, Any]]:
        target = URL(url).update_query(wait="true")
        if outgoing.digest is not None:  # parts follow each other (a webhook cannot thread)
            return target, render.digest_message(outgoing.digest)
        return target, render.alert_message(outgoing.card)

    def outcome(self, status: int, headers: Mapping[str, str], body: str, url: str) -> str | None:
        """Map one HTTP answer to the adapter contract (return the id or raise)."""
        data = _json(body)
        if 200 <= status < 300:
            return str(data["id"]) if "id" in data else None
        secret = URL(url).path.rsplit("/", 1)[-1]
        log.warning("webhook %s answered HTTP %s", redact_url(url), status)
        wait = parse_retry_after(headers.get("Retry-After"), data.get("retry_after"))
        if status == 429:
            raise RetryLater("rate limited (HTTP 429)", wait)
        if status >= 500:
            raise RetryLater(f"Discord server error (HTTP {status})", wait)
        if status == 404:
            raise ChannelUnavailable("webhook gone (HTTP 404)")
        if status in (401, 403):
            raise ChannelUnavailable(f"webhook refused access (HTTP {status})")
        reason = str(data.get("message") or body or "no reason given")
        errors = data.get("errors")
        if errors:
            reason += " " + json.dumps(errors, separators=(",", ":"))
        raise Refused(redact_text(f"HTTP {status}: {reason}", [url, secret])[:500])
