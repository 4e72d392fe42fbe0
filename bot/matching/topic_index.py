"""Topic subscriptions indexed by the words their matches must contain.

Each OR alternative (clause) of each topic is filed under keys that every match must hold: its
longest single required word (a stem, or an exact word), else for each form of one required
phrase an adjacent pair of its words. A paper looks up only the clauses its own stems, words
and word pairs name, and verifies those: the cost grows with the candidates, not with the
number of subscriptions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from itertools import pairwise

from bot.matching.stems import Splits, TextDoc
from bot.matching.topic import Clause, Term, TopicQuery
from bot.model import Subscription

# A clause prepared for the hot loop: single required / excluded stems, single required /
# excluded exact words, the other required / excluded terms, and the subscriptions that have
# this very clause, as (id, subscription) pairs (many channels follow the same phrase).
_Pairs = list[tuple[int, Subscription]]
_Entry = tuple[
    tuple[str, ...],
    tuple[str, ...],
    tuple[str, ...],
    tuple[str, ...],
    tuple[Term, ...],
    tuple[Term, ...],
    _Pairs,
]
#: ("w", stem), ("ww", stem, stem): words anywhere; ("p", s1, s2), ("t", s1, s2, s3): stems
#: in sequence; ("W", word), ("P", w1, w2): exact words, anywhere or in sequence.
_Key = tuple[str, ...]
#: What one key files: subscriptions that holding it matches, clauses to verify.
_Slot = tuple["_Pairs", list["_Entry"]]


def _entry(clause: Clause) -> _Entry:
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
        [],
    )


def _phrase_key(term: Term, variant: tuple[str, ...], uses: Counter[_Key]) -> _Key:
    if term.exact:
        return ("W", variant[0]) if len(variant) == 1 else ("P", *max(pairwise(variant)))
    if len(variant) == 1:
        return ("w", variant[0])
    if len(variant) == 2:
        return ("p", *variant)
    triples = [("t", *variant[i : i + 3]) for i in range(len(variant) - 2)]
    return min(triples, key=lambda k: uses[k])


def _keys(clause: Clause, uses: Counter[_Key]) -> list[tuple[_Key, bool]]:
    """Keys one of which every match of ``clause`` holds, each with whether holding it is
    already a match (nothing else required, nothing excluded).

    Words that many topics share ("model", "learning") are also the ones most papers hold,
    so the least used ones are chosen: two words when the clause has two, else one; a phrase
    by its words in sequence (three at most).
    """
    plain = not clause.excluded
    singles = [t for t in clause.required if t.single is not None and not t.exact]
    singles.sort(key=lambda t: (uses[("w", t.single or "")], -len(t.single or "")))
    if len(singles) >= 2:
        a, b = singles[0].single or "", singles[1].single or ""
        return [(("ww", a, b), plain and len(clause.required) == 2)]
    alone = plain and len(clause.required) == 1
    phrases = [t for t in clause.required if t.single is None]
    if singles and not phrases:
        return [(("w", singles[0].single or ""), alone)]
    exact = [t for t in clause.required if t.single is not None]
    if exact and not phrases:
        return [(("W", exact[0].single or ""), alone)]
    # A phrase's words in sequence are rarer than any one word ("vision-language models").
    term = max(phrases, key=lambda t: sum(map(len, t.words)))
    keys = []
    for variant in term.variants:
        key = _phrase_key(term, variant, uses)
        sure = alone and (len(variant) <= 2 or (key[0] == "t" and len(variant) == 3))
        keys.append((key, sure and key[0] in "wpt"))
    return list(dict.fromkeys(keys))


def _uses(pending: list[tuple[Clause, Subscription]]) -> Counter[_Key]:
    """How many clauses could use each word and word triple as a key."""
    uses: Counter[_Key] = Counter()
    for clause, _ in pending:
        for t in clause.required:
            if t.single is not None:
                uses[("w", t.single)] += 1
            for v in t.variants:
                uses.update(("t", *v[i : i + 3]) for i in range(len(v) - 2))
    return uses


class TopicIndex:
    """Clauses of topic subscriptions by key; :meth:`match` adds a text's matches to a dict.

    Build with :meth:`add`, then :meth:`freeze` once.
    """

    def __init__(self) -> None:
        self._pending: list[tuple[Clause, Subscription]] = []
        # Key -> clauses to verify; key -> subscriptions that holding the key matches.
        self._check: dict[_Key, list[_Entry]] = defaultdict(list)
        self._sure: dict[_Key, list[tuple[int, Subscription]]] = defaultdict(list)
        self.splits = Splits()

    def add(self, query: TopicQuery, sub: Subscription) -> None:
        self._pending.extend((clause, sub) for clause in query.clauses)
        for term in query.terms():
            for word, word_stem in term.split_words():
                self.splits.add(word, word_stem)

    def freeze(self) -> None:
        """File the clauses added (after the last :meth:`add`)."""
        uses = _uses(self._pending)
        entries: dict[Clause, _Entry] = {}
        for clause, sub in self._pending:
            keyed = _keys(clause, uses)
            for key, sure in keyed:
                if sure:
                    self._sure[key].append((sub.id, sub))
            checked = [key for key, sure in keyed if not sure]
            if checked:
                entry = entries.get(clause)
                if entry is None:  # one entry per distinct clause, however many follow it
                    entry = entries[clause] = _entry(clause)
                    for key in checked:
                        self._check[key].append(entry)
                entry[-1].append((sub.id, sub))
        self._pending = []
        self.splits.freeze()
        # Per kind of key: key -> (subscriptions holding it matches, clauses to verify).
        w: dict[str, _Slot] = {}
        exact: dict[str, _Slot] = {}
        grams: dict[str, dict[tuple[str, ...], _Slot]] = {"p": {}, "t": {}, "P": {}}
        ww: dict[str, dict[str, _Slot]] = defaultdict(dict)
        for key in set(self._check) | set(self._sure):
            slot = (self._sure.get(key, []), self._check.get(key, []))
            kind = key[0]
            if kind == "w":
                w[key[1]] = slot
            elif kind == "W":
                exact[key[1]] = slot
            elif kind == "ww":
                ww[key[1]][key[2]] = slot
            else:
                grams[kind][key[1:]] = slot
        self._check.clear()
        self._sure.clear()
        self._w, self._W, self._ww = w, exact, dict(ww)
        self._p, self._t, self._P = grams["p"], grams["t"], grams["P"]
        self._w_keys, self._W_keys = frozenset(w), frozenset(exact)
        self._p_keys, self._t_keys = frozenset(self._p), frozenset(self._t)
        self._ww_seconds = {a: frozenset(bs) for a, bs in ww.items()}
        self._ww_firsts = frozenset(ww)
        self._size = len(w) + len(exact) + len(ww) + sum(map(len, grams.values()))

    def __bool__(self) -> bool:
        return self._size > 0

    def doc(self, title: str, abstract: str) -> TextDoc:
        """A text prepared for this index's queries."""
        return TextDoc.of(title, abstract, self.splits)

    def _slots_in(self, doc: TextDoc) -> list[_Slot]:
        """The slots of every key ``doc`` holds."""
        present, raw = doc.stem_set, doc.raw_set
        w = self._w
        slots = [w[k] for k in present & self._w_keys]
        ww, seconds = self._ww, self._ww_seconds
        for a in present & self._ww_firsts:
            second = ww[a]
            slots += [second[b] for b in seconds[a] & present]
        if self._p:
            p = self._p
            slots += [p[g] for g in doc.grams_in(self._p_keys, 2)]
        if self._t:
            t = self._t
            slots += [t[g] for g in doc.grams_in(self._t_keys, 3)]
        slots += [self._W[k] for k in raw & self._W_keys]
        for (a, b), slot in self._P.items():
            if a in raw and b in raw and f" {a} {b} " in doc.raw_text:
                slots.append(slot)
        return slots

    def match(self, doc: TextDoc, found: dict[int, Subscription]) -> None:
        """Add every subscription with a clause matching ``doc`` to ``found`` (by id)."""
        present, raw = doc.stem_set, doc.raw_set
        slots = self._slots_in(doc)
        for sure, _ in slots:
            found.update(sure)  # (id, subscription) pairs: a C-level update
        for _, check in slots:
            for words, not_words, exact, not_exact, terms, not_terms, subs in check:
                # Clause.matches unrolled: set tests in C first, phrases only when they pass.
                if not present.issuperset(words):
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
                found.update(subs)
