"""``[semantic_scholar]``: where the Semantic Scholar Graph API is and how politely to ask it.

The API key never comes from this file: it is read from ``$S2_API_KEY`` when the client is
built (:func:`bot.sources.semantic_scholar.api_key_from_env`), sent as ``x-api-key``, and never
logged or stored. An empty ``api_url`` turns Semantic Scholar off (look-ups then show what
arXiv and the cache know).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config.reader import SectionReader

DEFAULT_API_URL = "https://api.semanticscholar.org/graph/v1"


@dataclass(frozen=True, slots=True)
class SemanticScholarConfig:
    #: "" turns Semantic Scholar off.
    api_url: str = DEFAULT_API_URL
    #: Without a key S2 shares one pool among all unauthenticated users (~1 request a second,
    #: often 429): one request a second at most, across every process sharing the database.
    min_interval_seconds: float = 1.0


def read_semantic_scholar(r: SectionReader) -> SemanticScholarConfig:
    """The section, checked (unknown keys refused, ``api_url`` an http(s) URL or empty)."""
    d = SemanticScholarConfig()
    url = r.get("api_url", str, d.api_url).strip()
    if url:
        url = r.url("api_url", d.api_url) or d.api_url
    config = SemanticScholarConfig(
        api_url=url.rstrip("/"),
        min_interval_seconds=r.number("min_interval_seconds", d.min_interval_seconds),
    )
    r.done()
    return config
