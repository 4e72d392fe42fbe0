"""Typos of command names: ``lsit`` → ``list``, at once and with no network call.

The distance is Damerau–Levenshtein (a swap of two neighbours counts once, the commonest typo):
at most 1 for words of 4–6 letters, at most 2 for 7 or more, never for words under 4 letters
(``lst`` is as likely a title word as a typo).
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz.distance import DamerauLevenshtein


def max_distance(word: str) -> int:
    """How far ``word`` may be from a command name to be taken for a typo of it."""
    if len(word) < 4:
        return 0
    return 1 if len(word) <= 6 else 2


def nearest_command(word: str, names: Iterable[str]) -> str | None:
    """The command name ``word`` is a typo of (the nearest; the first on a tie), else None."""
    word = word.lower()
    limit = max_distance(word)
    if limit == 0:
        return None
    best: tuple[int, str] | None = None
    for name in names:
        if name == word:
            return None
        distance = DamerauLevenshtein.distance(word, name, score_cutoff=limit)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, name)
    return best[1] if best else None
