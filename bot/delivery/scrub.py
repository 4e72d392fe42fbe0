"""Secrets out of delivery reasons: reasons are logged, stored and shown in ``status``."""

from __future__ import annotations

from collections.abc import Iterable

from bot.sources.redact import redact_text, redact_url


def scrub(reason: str, secrets: Iterable[str]) -> str:
    """``reason`` without the channel's secrets (its webhook URL, or the secret part of it),
    however a platform (or a proxy in front of it) echoed them back."""
    for secret in secrets:
        reason = reason.replace(secret, redact_url(secret))
        reason = redact_text(reason, [secret.rstrip("/").rsplit("/", 1)[-1]])
    return reason
