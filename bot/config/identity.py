"""``[identity]``: how the bot treats what the scholarly indexes say about papers and people.

Only ``cache_days`` so far: how long an index's answer about a paper (its published version,
citations, TL;DR) is kept before it is asked again.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config.reader import SectionReader


@dataclass(frozen=True, slots=True)
class IdentityConfig:
    #: Days an index's answer about a paper stays cached (a paper the index did not hold is
    #: asked again after at most one day: the indexes lag arXiv by hours to days).
    cache_days: float = 7.0


def read_identity(r: SectionReader) -> IdentityConfig:
    d = IdentityConfig()
    config = IdentityConfig(cache_days=r.number("cache_days", d.cache_days))
    r.done()
    return config
