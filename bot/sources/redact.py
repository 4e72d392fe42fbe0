"""Hide credentials before URLs or text reach logs, error messages or chat replies.

Webhook URLs carry their secret in the path, API URLs in the query or the userinfo; both end up
in exception messages unless scrubbed, so every log line about a request goes through
:func:`redact_url`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, unquote, urlsplit, urlunsplit

MASK = "***"

# Query parameter names that carry secrets: exact short names, plus anything mentioning a
# secret-ish word (``access_token``, ``client_secret``, ``X-Amz-Signature``...).
_SECRET_PARAM = re.compile(
    r"^(key|sig|pwd|pass|auth|code)$"
    r"|token|secret|passw|signature|api[_-]?key|credential|session"
    r"|[_.-](key|sig|auth)$",
    re.IGNORECASE,
)
# Long runs of base64url / hex characters look like tokens; dots and "+" are excluded so
# that arXiv paths such as ``/rss/cs.AI+cs.LG+stat.ML`` stay readable.
_TOKEN_SEGMENT = re.compile(r"^[A-Za-z0-9_-]{20,}$")
# Telegram-style bot tokens live in the path as ``bot<id>:<secret>``.
_BOT_TOKEN = re.compile(r"^bot\d+:.+$")


_SLACK_HOOKS = frozenset({"services", "commands", "actions"})
_URL = re.compile(r"https?://[^\s\"'<>|]+")
_QUOTED_URL = re.compile(r"https?%3A%2F%2F[^\s&\"'<>]+", re.IGNORECASE)


def _redact_query(query: str) -> str:
    parts = []
    for part in query.split("&"):
        name, sep, _value = part.partition("=")
        if sep and _SECRET_PARAM.search(unquote(name)):
            parts.append(f"{name}={MASK}")
        else:
            parts.append(part)
    return "&".join(parts)


def _redact_path(host: str, path: str) -> str:
    segments = path.split("/")
    host = host.lower()
    if host == "hooks.slack.com" and len(segments) >= 4 and segments[1] in _SLACK_HOOKS:
        # /services/T000/B000/<secret>: team and channel ids are useful, the last part is not;
        # a command's or action's response_url (/commands/T000/<id>/<secret>) is a credential
        # for 30 minutes: keep only the team.
        segments[3 if segments[1] != "services" else 4 :] = [MASK]
    elif host.endswith(("discord.com", "discordapp.com")) and "webhooks" in segments:
        i = segments.index("webhooks")
        if len(segments) > i + 2:
            # /api/webhooks/<id>/<token>[/...]: keep the id, hide the token and anything after.
            segments[i + 2 :] = [MASK]
    out = []
    for seg in segments:
        if seg == MASK:
            out.append(seg)
        elif _TOKEN_SEGMENT.match(seg):
            out.append(MASK)
        elif _BOT_TOKEN.match(seg):
            out.append("bot" + MASK)
        else:
            out.append(seg)
    return "/".join(out)


def redact_url(url: str) -> str:
    """Return ``url`` with credentials replaced by ``***``.

    Hides userinfo (``user:pass@``), the values of query parameters whose names look secret
    (``key``, ``token``, ``api_key``, ``signature``, ``sig``, ``password``...), Slack and Discord
    webhook secrets, and any path segment of 20 or more token-like characters. Anything that
    does not parse as a URL is returned with only the obvious ``user:pass@`` part hidden.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return re.sub(r"//[^/@\s]+@", f"//{MASK}@", url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = MASK + "@" + netloc.rpartition("@")[2]
    host = parts.hostname or ""
    path = _redact_path(host, parts.path)
    query = _redact_query(parts.query) if parts.query else ""
    return urlunsplit((parts.scheme, netloc, path, query, parts.fragment))


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """Replace each known secret in ``text`` with ``***``.

    Secrets shorter than 4 characters are ignored: masking ``"a"`` everywhere would destroy the
    text without protecting anything. URL-encoded forms of the secrets are masked too, because
    secrets often appear inside URLs quoted in error messages.
    """
    variants: set[str] = set()
    for secret in secrets:
        if secret and len(secret) >= 4:
            variants.add(secret)
            variants.add(quote(secret, safe=""))
    # Longest first, so a secret that contains another is masked whole.
    for secret in sorted(variants, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def redact_urls(text: str) -> str:
    """Every URL in free text (also URL-encoded, as in a logged form body) redacted."""
    text = _QUOTED_URL.sub(lambda m: quote(redact_url(unquote(m.group())), safe=""), text)
    return _URL.sub(lambda m: redact_url(m.group()), text)
