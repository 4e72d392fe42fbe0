"""Slack incoming webhooks: post alert cards to a ``hooks.slack.com`` URL.

A webhook cannot thread, edit or answer commands, so this adapter only posts alerts. The
webhook URL is a secret: it never appears unredacted in a reason or a log line.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from adapters.slack.render import render_alert, render_digest
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

GONE = (401, 403, 404, 410)


class SlackWebhookAdapter(WebhookAdapter):
    """Posts ``{"text", "blocks"}`` to each channel's ``webhook_url``."""

    label = "Slack webhook"

    def request(self, outgoing: Outgoing, url: str) -> tuple[Any, dict[str, Any]]:
        if outgoing.digest is not None:  # parts follow each other (a webhook cannot thread)
            return url, render_digest(outgoing.digest)
        return url, render_alert(outgoing.card)

    def outcome(self, status: int, headers: Mapping[str, str], body: str, url: str) -> None:
        """Translate an HTTP answer into the delivery contract (return = accepted)."""
        if 200 <= status < 300:
            return None
        # The body is logged and becomes the reason: never let an echoed URL carry the secret.
        body = redact_text(body.replace(url, redact_url(url)), [url.rsplit("/", 1)[-1]])[:300]
        wait = parse_retry_after(headers.get("Retry-After"))
        log.info("Slack webhook %s answered HTTP %s: %s", redact_url(url), status, body)
        if status == 429:
            raise RetryLater("rate limited by Slack (HTTP 429)", retry_after=wait)
        if status >= 500:
            raise RetryLater(f"Slack webhook error (HTTP {status})", retry_after=wait)
        if status in GONE:
            detail = f": {body}" if body else ""
            raise ChannelUnavailable(f"webhook gone (HTTP {status}){detail}")
        raise Refused(body or f"HTTP {status}")
