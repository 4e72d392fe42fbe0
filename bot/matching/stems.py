"""Words as topics compare them: folded tokens, their Snowball stems, and a paper's text
prepared once for many queries (:class:`TextDoc`).

Text is TeX-decoded, case- and accent-folded and split on every character that is not a letter
or digit (so ``in-context`` is the two words ``in context``). Each token is stemmed with the
Snowball English stemmer (PyStemmer), the same function for query and text: ``reward model``,
``reward models`` and ``reward modeling`` all become ``reward model``.

Compounds: two adjacent text tokens ``a b`` also stand for the one word ``ab`` of a query when
``a`` is the first part of that word and ``b`` has the stem of the rest (``multi agents``
stands for ``multiagent``); a query's adjacent words are also tried joined (``multi-agent``
looks for ``multiagent`` too). Which words can be compounds depends on the queries, so a
:class:`TextDoc` is given the :class:`Splits` of the queries it is matched against.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import pairwise

import Stemmer

from bot.matching.names import fold

# Never equal to a token (tokens are alphanumeric): keeps phrases from spanning title/abstract.
SEPARATOR = "\x00"
#: The shortest second part of a compound (``data set``).
MIN_REST = 3
#: Stems kept in memory (about 100 bytes each); the cache starts over when full.
MAX_CACHED_STEMS = 400_000

_TOKEN_RE = re.compile(r"[^\W_]+")
# ASCII fast path (most folded text): bytes.translate blanks every non-alphanumeric byte in C,
# about twice as fast as the regex, with the same tokens.
_ASCII_TABLE = bytes(c if chr(c).isalnum() and c < 128 else 32 for c in range(256))
_STEMMER = Stemmer.Stemmer("english")
_STEMS: dict[str, str] = {SEPARATOR: SEPARATOR}


def tokenize(text: str) -> list[str]:
    """Split text into folded tokens (TeX decoded, case- and accent-folded, alphanumeric)."""
    text = fold(text)
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_TABLE).decode("ascii").split()
    return _TOKEN_RE.findall(text)


def _learn(tokens: Iterable[str]) -> None:
    unique = set(tokens)
    missing = list(unique.difference(_STEMS))
    if len(_STEMS) + len(missing) > MAX_CACHED_STEMS:
        _STEMS.clear()
        _STEMS[SEPARATOR] = SEPARATOR
        missing = list(unique)
    _STEMS.update(zip(missing, _STEMMER.stemWords(missing), strict=True))


def stems_of(tokens: Sequence[str]) -> list[str]:
    """The stem of each token, in order (cached: most words of a day's abstracts repeat)."""
    try:
        return list(map(_STEMS.__getitem__, tokens))
    except KeyError:
        _learn(tokens)
        return list(map(_STEMS.__getitem__, tokens))


def stem(word: str) -> str:
    """The stem of one folded word."""
    return stems_of((word,))[0]


class Splits:
    """Where the words of a set of queries may be split into two text tokens.

    ``first part -> stem of the rest -> the stems of the query words so split``: the text
    ``multi agents`` holds ``multiagent`` because ``multi`` is a first part of it and
    ``agents`` has the stem of ``agent``.
    """

    __slots__ = ("firsts", "rests", "table")

    def __init__(self) -> None:
        self.table: dict[str, dict[str, tuple[str, ...]]] = {}
        self.firsts: frozenset[str] = frozenset()
        self.rests: dict[str, frozenset[str]] = {}

    def add(self, word: str, word_stem: str) -> None:
        """Register the splits of a (folded, unstemmed) query word whose stem is given.

        The rest has at least :data:`MIN_REST` letters: ``model s`` is no compound worth the
        scan (``models`` is one token anyway), ``data set``, ``x ray`` are.
        """
        cuts = range(1, len(word) - MIN_REST + 1)
        rests = stems_of([word[k:] for k in cuts])
        for k, rest in zip(cuts, rests, strict=True):
            by_rest = self.table.setdefault(word[:k], {})
            known = by_rest.get(rest, ())
            if word_stem not in known:
                by_rest[rest] = (*known, word_stem)

    def freeze(self) -> Splits:
        self.firsts = frozenset(self.table)
        self.rests = {first: frozenset(by_rest) for first, by_rest in self.table.items()}
        return self


NO_SPLITS = Splits()


class TextDoc:
    """A paper's title and abstract prepared for many topic queries.

    ``raw`` holds the folded tokens (title, :data:`SEPARATOR`, abstract); ``stem_set`` every
    stem present, as a single token or as a compound; ``compounds`` maps a compound's stem to
    the positions where its two tokens start. Stems in order and the space-joined texts (for
    phrases) are built on first use.
    """

    __slots__ = (
        "_raw_text",
        "_stem_text",
        "_stems",
        "compounds",
        "raw",
        "raw_set",
        "stem_set",
    )

    def __init__(self, raw: list[str], splits: Splits = NO_SPLITS) -> None:
        self.raw = raw
        self.raw_set = frozenset(raw)
        self._stems: list[str] | None = None
        self._stem_text: str | None = None
        self._raw_text: str | None = None
        self.compounds: dict[str, list[int]] = {}
        missing = self.raw_set.difference(_STEMS)  # C: each token looked up in the dict
        if missing:
            _learn(missing)
        stem_set = set(map(_STEMS.__getitem__, self.raw_set))
        hits = self.raw_set & splits.firsts
        if hits:
            # Only first parts whose rest (as a stem) is in the text can start a compound.
            rests = splits.rests
            live = frozenset(f for f in hits if not rests[f].isdisjoint(stem_set))
            if live:
                self._find_compounds(live, splits)
                stem_set.update(self.compounds)
        self.stem_set = frozenset(stem_set)

    @classmethod
    def of(cls, title: str, abstract: str, splits: Splits = NO_SPLITS) -> TextDoc:
        return cls([*tokenize(title), SEPARATOR, *tokenize(abstract)], splits)

    def _find_compounds(self, hits: frozenset[str], splits: Splits) -> None:
        raw, table, known = self.raw, splits.table, _STEMS
        last = len(raw) - 1
        for i, token in enumerate(raw):
            if token in hits and i < last:
                following = raw[i + 1]
                rest = known.get(following) or stem(following)
                for word_stem in table[token].get(rest, ()):
                    self.compounds.setdefault(word_stem, []).append(i)

    @property
    def stems(self) -> list[str]:
        if self._stems is None:
            self._stems = stems_of(self.raw)
        return self._stems

    @property
    def stem_text(self) -> str:
        """The stems joined by spaces, with a space at each end: a phrase of single-token
        stems occurs iff ``" s1 s2 "`` is in it."""
        if self._stem_text is None:
            self._stem_text = " " + " ".join(self.stems) + " "
        return self._stem_text

    @property
    def raw_text(self) -> str:
        if self._raw_text is None:
            self._raw_text = " " + " ".join(self.raw) + " "
        return self._raw_text

    def grams_in(self, wanted: frozenset[tuple[str, ...]], n: int) -> set[tuple[str, ...]]:
        """The ``n``-word sequences of ``wanted`` (n = 2 or 3) that occur as adjacent stems,
        a compound counted as one word."""
        stems = self.stems
        # zip reuses its tuple when the loop keeps none: one membership test per position.
        if n == 2:
            found: set[tuple[str, ...]] = {g for g in pairwise(stems) if g in wanted}
        else:
            found = {g for g in zip(stems, stems[1:], stems[2:], strict=False) if g in wanted}
        if self.compounds:
            found.update(self._compound_grams(wanted, n))
        return found

    def _compound_grams(self, wanted: frozenset[tuple[str, ...]], n: int) -> set[tuple[str, ...]]:
        """Sequences of ``n`` units, at least one a compound (the rest of :meth:`grams_in`)."""
        stems, last = self.stems, len(self.stems)
        joined: dict[int, list[str]] = {}
        for element, starts in self.compounds.items():
            for i in starts:
                joined.setdefault(i, []).append(element)

        def units(i: int) -> list[tuple[str, int, bool]]:
            here = [(stems[i], i + 1, False)] if i < last else []
            return here + [(e, i + 2, True) for e in joined.get(i, ())]

        found: set[tuple[str, ...]] = set()
        begins = {j for i in joined for j in range(max(0, i - 2 * (n - 1)), i + 1)}
        stack: list[tuple[tuple[str, ...], int, bool]] = [((), i, False) for i in sorted(begins)]
        while stack:
            gram, i, uses = stack.pop()
            if len(gram) == n:
                if uses and gram in wanted:
                    found.add(gram)
                continue
            for element, after, compound in units(i):
                stack.append(((*gram, element), after, uses or compound))
        return found

    def starts(self, element: str) -> list[int]:
        """Positions where ``element`` (a stem) begins, as one token or a compound."""
        found, stems, i = [], self.stems, -1
        try:
            while True:
                i = stems.index(element, i + 1)
                found.append(i)
        except ValueError:
            pass
        return found + self.compounds.get(element, [])

    def end_of(self, variant: Sequence[str], i: int, k: int = 0) -> int | None:
        """Where ``variant[k:]`` ends when it starts at token ``i``; None if it does not."""
        if k == len(variant):
            return i
        element, stems = variant[k], self.stems
        if i < len(stems) and stems[i] == element:
            end = self.end_of(variant, i + 1, k + 1)
            if end is not None:
                return end
        if i in self.compounds.get(element, ()):
            return self.end_of(variant, i + 2, k + 1)
        return None

    def spans(self, variant: Sequence[str]) -> list[tuple[int, int]]:
        """Every ``(start, end)`` token span where the stems of ``variant`` occur in order."""
        found = []
        for i in sorted(set(self.starts(variant[0]))):
            end = self.end_of(variant, i)
            if end is not None:
                found.append((i, end))
        return found

    def has(self, variant: Sequence[str]) -> bool:
        """Whether the stems of ``variant`` occur consecutively (compounds included)."""
        if len(variant) == 1:
            return variant[0] in self.stem_set
        if not self.stem_set.issuperset(variant):
            return False
        if " " + " ".join(variant) + " " in self.stem_text:
            return True
        if not any(e in self.compounds for e in variant):
            return False
        return any(self.end_of(variant, i) is not None for i in self.starts(variant[0]))

    def has_exact(self, words: Sequence[str]) -> bool:
        """Whether the folded ``words`` occur consecutively as written (no stemming)."""
        if len(words) == 1:
            return words[0] in self.raw_set
        return self.raw_set.issuperset(words) and " " + " ".join(words) + " " in self.raw_text
