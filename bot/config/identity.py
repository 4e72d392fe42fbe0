"""The ``[openalex]`` and ``[identity]`` sections: where author identity is checked and what
happens to a paper the index cannot (yet) confirm.

The OpenAlex key is read from ``$OPENALEX_API_KEY`` only (never from the file, never logged or
stored). ``api_url = ""`` turns identity off: person subscriptions are then refused, and
papers of persons already followed are posted "by name, not yet verified" after ``wait_hours``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from bot.config.reader import SectionReader

#: The environment variable holding the OpenAlex API key (optional; without it only a small
#: daily budget of list requests is free, singleton look-ups cost nothing).
OPENALEX_KEY_ENV = "OPENALEX_API_KEY"
UNVERIFIED_CHOICES = ("post", "drop")
OTHER_RECORD_CHOICES = ("hold", "post")


@dataclass(frozen=True, slots=True)
class OpenAlexConfig:
    """``[openalex]``: the API base URL (``""``: identity off) and the spacing of requests."""

    api_url: str = "https://api.openalex.org"
    min_interval_seconds: float = 0.1
    #: Bounds of one request: the whole time allowed, the largest body read.
    timeout_seconds: float = 20.0
    max_bytes: int = 20_000_000
    retries: int = 2

    @property
    def enabled(self) -> bool:
        return bool(self.api_url)

    @staticmethod
    def api_key() -> str | None:
        """The key from ``$OPENALEX_API_KEY`` (None when unset or blank)."""
        return os.environ.get(OPENALEX_KEY_ENV, "").strip() or None


@dataclass(frozen=True, slots=True)
class IdentityConfig:
    """``[identity]``: how long an unverifiable paper waits and what then happens to it.

    ``wait_hours`` counts from when the paper's announcement was ingested (when its alert was
    held); ``unverified``: ``"post"`` (marked "by name, not yet verified") or ``"drop"``;
    ``other_record``: what to do when the index credits another person of that name:
    ``"hold"`` (not posted; ``why`` says so) or ``"post"`` (posted, marked);
    ``cache_days``: how long a followed person's names and institution are kept before the
    index is asked again.
    """

    wait_hours: float = 48.0
    unverified: str = "post"
    other_record: str = "hold"
    cache_days: float = 7.0


def read_openalex(r: SectionReader) -> OpenAlexConfig:
    d = OpenAlexConfig()
    url = r.get("api_url", str, d.api_url).strip()
    if url:
        url = r.url("api_url", d.api_url) or d.api_url
    config = OpenAlexConfig(
        api_url=url.rstrip("/"),
        min_interval_seconds=r.number("min_interval_seconds", d.min_interval_seconds),
        timeout_seconds=r.number("timeout_seconds", d.timeout_seconds, 0.1),
        max_bytes=r.integer("max_bytes", d.max_bytes, 1024),
        retries=r.integer("retries", d.retries),
    )
    r.done()
    return config


def read_identity(r: SectionReader) -> IdentityConfig:
    d = IdentityConfig()
    unverified = r.get("unverified", str, d.unverified)
    if unverified not in UNVERIFIED_CHOICES:
        raise r.fail("unverified", f'expected "post" or "drop", got {unverified!r}')
    other = r.get("other_record", str, d.other_record)
    if other not in OTHER_RECORD_CHOICES:
        raise r.fail("other_record", f'expected "hold" or "post", got {other!r}')
    config = IdentityConfig(
        wait_hours=r.number("wait_hours", d.wait_hours),
        unverified=unverified,
        other_record=other,
        cache_days=r.number("cache_days", d.cache_days),
    )
    r.done()
    return config
