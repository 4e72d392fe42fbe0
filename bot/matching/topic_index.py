"""Topic subscriptions indexed by the words their matches must contain.

Each OR alternative (clause) of each topic is filed under keys that every match must hold: its
longest single required word (a stem, or an exact word), else for each form of one required
phrase an adjacent pair of its words. A paper looks up only the clauses its own stems, words
and word pairs name, and verifies those: the cost grows with the candidates, not with the
number of subscriptions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import pairwise

from bot.matching.stems import Splits, TextDoc
from bot.matching.topic import Clause, Term, TopicQuery
from bot.model import Subscription

# A clause prepared for the hot loop: single required / excluded stems, single required /
# excluded exact words, the other required / excluded terms, and the subscription.
_Entry = tuple[
    tuple[str, ...],
    tuple[str, ...],
    tuple[str, ...],
    tuple[str, ...],
    tuple[Term, ...],
    tuple[Term, ...],
    Subscription,
]
_Key = tuple[bool, str] | tuple[bool, str, str]  # (exact, word) or (exact, first, second)


def _entry(clause: Clause, sub: Subscription) -> _Entry:
    def singles(terms: Sequence[Term], exact: bool) -> tuple[str, ...]:
        return tuple(t.single for t in terms if t.single is not None and t.exact is exact)

    def others(terms: Sequence[Term]) -> tuple[Term, ...]:
        return tuple(t for t in terms if t.single is None)

    req, exc = clause.required, clause.excluded
    return (
        singles(req, False),
        singles(exc, False),
        singles(req, True),
        singles(exc, True),
        others(req),
        others(exc),
        sub,
    )


def _keys(clause: Clause) -> list[_Key]:
    """Keys one of which every match of ``clause`` holds."""
    singles = [t for t in clause.required if t.single is not None]
    if singles:
        term = max(singles, key=lambda t: len(t.single or ""))
        return [(term.exact, term.single or "")]
    term = max(clause.required, key=lambda t: sum(map(len, t.words)))
    keys: list[_Key] = []
    for variant in term.variants:
        if len(variant) == 1:
            keys.append((term.exact, variant[0]))
        else:
            first, second = max(pairwise(variant), key=lambda p: len(p[0]) + len(p[1]))
            keys.append((term.exact, first, second))
    return list(dict.fromkeys(keys))


class TopicIndex:
    """Clauses of topic subscriptions by key; :meth:`match` adds a text's matches to a dict."""

    def __init__(self) -> None:
        self._words: dict[str, list[_Entry]] = defaultdict(list)
        self._exact: dict[str, list[_Entry]] = defaultdict(list)
        self._pairs: dict[tuple[bool, str, str], list[_Entry]] = defaultdict(list)
        self.splits = Splits()
        self._frozen = False

    def add(self, query: TopicQuery, sub: Subscription) -> None:
        for clause in query.clauses:
            entry = _entry(clause, sub)
            for key in _keys(clause):
                if len(key) == 2:
                    (self._exact if key[0] else self._words)[key[1]].append(entry)
                else:
                    self._pairs[key].append(entry)
        for term in query.terms():
            for word, word_stem in term.split_words():
                self.splits.add(word, word_stem)

    def freeze(self) -> None:
        """Finish building (after the last :meth:`add`)."""
        self.splits.freeze()
        self._word_keys = frozenset(self._words)
        self._exact_keys = frozenset(self._exact)
        seconds: dict[tuple[bool, str], set[str]] = defaultdict(set)
        for exact, first, second in self._pairs:
            seconds[(exact, first)].add(second)
        self._seconds = {k: frozenset(v) for k, v in seconds.items()}
        self._stem_firsts = frozenset(f for exact, f in seconds if not exact)
        self._exact_firsts = frozenset(f for exact, f in seconds if exact)
        self._frozen = True

    def __bool__(self) -> bool:
        return bool(self._words or self._exact or self._pairs)

    def doc(self, title: str, abstract: str) -> TextDoc:
        """A text prepared for this index's queries."""
        return TextDoc.of(title, abstract, self.splits)

    def _candidates(self, doc: TextDoc) -> Iterable[list[_Entry]]:
        words, exact = self._words, self._exact
        for key in doc.stem_set & self._word_keys:
            yield words[key]
        for key in doc.raw_set & self._exact_keys:
            yield exact[key]
        pairs, seconds, compounds = self._pairs, self._seconds, doc.compounds
        for first in doc.stem_set & self._stem_firsts:
            for second in seconds[(False, first)] & doc.stem_set:
                if (
                    first in compounds
                    or second in compounds
                    or f" {first} {second} " in doc.stem_text
                ):
                    yield pairs[(False, first, second)]
        for first in doc.raw_set & self._exact_firsts:
            for second in seconds[(True, first)] & doc.raw_set:
                if f" {first} {second} " in doc.raw_text:
                    yield pairs[(True, first, second)]

    def match(self, doc: TextDoc, found: dict[int, Subscription]) -> None:
        """Add every subscription with a clause matching ``doc`` to ``found`` (by id)."""
        present, raw = doc.stem_set, doc.raw_set
        for entries in self._candidates(doc):
            for words, not_words, exact, not_exact, terms, not_terms, sub in entries:
                # Clause.matches unrolled: set tests in C first, phrases only when they pass.
                if sub.id in found or not present.issuperset(words):
                    continue
                if not_words and not present.isdisjoint(not_words):
                    continue
                if exact and not raw.issuperset(exact):
                    continue
                if not_exact and not raw.isdisjoint(not_exact):
                    continue
                if terms and not all(t.matches(doc) for t in terms):
                    continue
                if not_terms and any(t.matches(doc) for t in not_terms):
                    continue
                found[sub.id] = sub
