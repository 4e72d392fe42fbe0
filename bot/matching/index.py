"""Which subscriptions a paper matches: category rules and a fast :class:`SubscriptionIndex`.

The index never runs every matcher on every paper. Author subscriptions are keyed by surname
(without particles), topic subscriptions by one token each OR-alternative requires, category
subscriptions by category and archive; a paper only verifies the candidates its own surnames,
tokens and categories look up.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import pairwise

from bot.matching.names import PersonName, index_key, parse_person, same_person
from bot.matching.topic import Clause, TopicError, paper_tokens, parse_topic
from bot.model import Paper, Subscription, SubscriptionKind
from bot.sources.taxonomy import normalize_category

log = logging.getLogger(__name__)


def category_matches(subscription_value: str, categories: Iterable[str]) -> bool:
    """Whether a category subscription matches any of a paper's categories.

    A full category (``cs.LG``) matches exactly (case-insensitive); a bare archive (``cs``)
    matches every category of that archive (``cs.*``), never a different archive (``cond-mat``).
    """
    want = subscription_value.strip().casefold()
    for cat in categories:
        cat = cat.strip().casefold()
        if cat == want or cat.partition(".")[0] == want:
            return True
    return False


def _paper_categories(paper: Paper) -> set[str]:
    cats = {c.strip().casefold() for c in paper.categories}
    if paper.primary_category:
        cats.add(paper.primary_category.strip().casefold())
    cats.discard("")
    return cats


def subscription_matches(sub: Subscription, paper: Paper) -> bool:
    """Run one subscription's matcher on one paper (the slow reference for the index).

    Raises :class:`TopicError` / :class:`ValueError` for an invalid subscription value.
    """
    if sub.kind == SubscriptionKind.AUTHOR:
        person = parse_person(sub.value)
        if person is None:
            raise ValueError(f"Not a name: {sub.value!r}")
        return any(
            (a := parse_person(author)) is not None and same_person(person, a)
            for author in paper.authors
        )
    if sub.kind == SubscriptionKind.TOPIC:
        return parse_topic(sub.value).matches(paper_tokens(paper))
    cats = [*paper.categories, paper.primary_category]
    return category_matches(normalize_category(sub.value), cats)


# Index rows, flattened into tuples so the hot loops unpack instead of looking up attributes.
# Author: (surname key, first given initial or "", parsed name, subscription).
_AuthorEntry = tuple[str, str, PersonName, Subscription]
# Topic: (single required words, single excluded words, required phrases and excluded phrases
# as " w1 w2 " strings, subscription).
_TopicEntry = tuple[frozenset[str], frozenset[str], tuple[str, ...], tuple[str, ...], Subscription]


def _spaced(term: tuple[str, ...]) -> str:
    """A phrase as it stands in :func:`_spaced_text`: tokens never hold spaces, so a phrase
    occurs iff this string does."""
    return " " + " ".join(term) + " "


def _spaced_text(tokens: list[str]) -> str:
    return " " + " ".join(tokens) + " "


def _topic_entry(clause: Clause, sub: Subscription) -> _TopicEntry:
    """A clause prepared for the hot loop: words as sets, phrases as substrings of the
    paper's space-joined tokens (a C-speed search instead of n-gram sets or positions)."""
    need = tuple(_spaced(t) for t in clause.required if len(t) > 1)
    excluded = tuple(_spaced(t) for t in clause.excluded if len(t) > 1)
    return (clause.words, clause.excluded_words, need, excluded, sub)


def _pair_key(clause: Clause) -> tuple[str, str] | None:
    """The adjacent token pair a clause's match must contain (from its longest phrase)."""
    phrases = [t for t in clause.required if len(t) > 1]
    if not phrases:
        return None
    phrase = max(phrases, key=lambda t: sum(map(len, t)))
    return max(pairwise(phrase), key=lambda p: len(p[0]) + len(p[1]))


@lru_cache(maxsize=65536)
def _person_entry(name: str) -> tuple[str, PersonName, str] | None:
    """``(index key, parsed name, first given initial)``; author strings repeat a lot."""
    person = parse_person(name)
    if person is None:
        return None
    return index_key(person), person, person.given[0][0] if person.given else ""


class SubscriptionIndex:
    """Subscriptions indexed for matching many papers; build once per batch of papers.

    Invalid subscriptions (a topic that no longer parses, a malformed category, a name without
    letters) are skipped with a warning and listed in :attr:`skipped`.
    """

    def __init__(self, subscriptions: Iterable[Subscription]) -> None:
        # Surname key -> first initial ("" for no given name, "*" for any) -> entries: a
        # paper's "Wei Li" is checked against the Li subscriptions starting with W only.
        self._authors: dict[str, dict[str, list[_AuthorEntry]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self._topics: dict[str, list[_TopicEntry]] = defaultdict(list)
        # Clauses with a phrase are keyed by an adjacent token pair of it: far more selective
        # than one word ("large language" vs "language").
        self._topic_pairs: dict[tuple[str, str], list[_TopicEntry]] = defaultdict(list)
        self._categories: dict[str, list[Subscription]] = defaultdict(list)
        self.skipped: list[Subscription] = []
        self._size = 0
        for sub in subscriptions:
            try:
                self._add(sub)
            except (ValueError, TopicError) as exc:
                log.warning(
                    "skipping subscription %s (%s: %s): %s", sub.id, sub.kind, sub.value, exc
                )
                self.skipped.append(sub)
            else:
                self._size += 1
        self._topic_keys = frozenset(self._topics)
        # Pair keys by first word: a paper's pairs are found from its words, not enumerated.
        seconds: dict[str, set[str]] = defaultdict(set)
        for first, second in self._topic_pairs:
            seconds[first].add(second)
        self._pair_seconds = {k: frozenset(v) for k, v in seconds.items()}
        self._pair_firsts = frozenset(seconds)

    def __len__(self) -> int:
        return self._size

    def _add(self, sub: Subscription) -> None:
        if sub.kind == SubscriptionKind.AUTHOR:
            parsed = _person_entry(sub.value)
            if parsed is None:
                raise ValueError("not a name")
            key, person, initial = parsed
            # A multi-word surname (García López, van den Oord) can meet a name whose given
            # names hold part of it, so it is never filtered by initial ("*").
            bucket = "*" if " " in person.surname_key else initial
            self._authors[key][bucket].append((person.surname_key, initial, person, sub))
        elif sub.kind == SubscriptionKind.TOPIC:
            # Each OR-alternative under its own key: a query matches iff one alternative does,
            # and an alternative can only match papers holding its key token.
            for c in parse_topic(sub.value).clauses:
                pair = _pair_key(c)
                if pair is None:
                    self._topics[c.key_token].append(_topic_entry(c, sub))
                else:
                    self._topic_pairs[pair].append(_topic_entry(c, sub))
        elif sub.kind == SubscriptionKind.CATEGORY:
            self._categories[normalize_category(sub.value).casefold()].append(sub)
        else:  # pragma: no cover - exhaustive over SubscriptionKind
            raise ValueError(f"unknown kind {sub.kind!r}")

    def match(self, paper: Paper) -> dict[int, list[Subscription]]:
        """Map channel id -> that channel's subscriptions matching ``paper`` (sorted by id)."""
        found: dict[int, Subscription] = {}
        if self._authors:
            self._match_authors(paper, found)
        if self._topics or self._topic_pairs:
            self._match_topics(paper, found)
        if self._categories:
            for cat in _paper_categories(paper):
                for key in (cat, cat.partition(".")[0]):
                    for sub in self._categories.get(key, ()):
                        found[sub.id] = sub
        by_channel: dict[int, list[Subscription]] = {}
        for _, sub in sorted(found.items()):
            group = by_channel.get(sub.channel_id)
            if group is None:
                by_channel[sub.channel_id] = [sub]
            else:
                group.append(sub)
        return by_channel

    def _match_authors(self, paper: Paper, found: dict[int, Subscription]) -> None:
        index = self._authors
        for author in paper.authors:
            parsed = _person_entry(author)
            if parsed is None:
                continue
            key, person, initial = parsed
            buckets = index.get(key)
            if buckets is None:
                continue
            # Given names are compared first token first, so with single-word surnames on both
            # sides different initials never match; a side without a given name matches any.
            groups: tuple[Sequence[_AuthorEntry], ...]
            if initial and " " not in person.surname_key:
                groups = (buckets.get(initial, ()), buckets.get("", ()), buckets.get("*", ()))
            else:
                groups = tuple(buckets.values())
            for group in groups:
                for _, _, sub_person, sub in group:
                    if same_person(sub_person, person):
                        found[sub.id] = sub

    def _match_topics(self, paper: Paper, found: dict[int, Subscription]) -> None:
        tokens = paper_tokens(paper)
        # Set intersection runs in C and walks the smaller side (usually the paper's tokens).
        present = frozenset(tokens)
        # The SEPARATOR token keeps phrases from spanning title and abstract.
        text = _spaced_text(tokens)
        candidates = [self._topics[t] for t in present & self._topic_keys]
        pairs = self._topic_pairs
        for first in present & self._pair_firsts:
            for second in self._pair_seconds[first] & present:
                if f" {first} {second} " in text:
                    candidates.append(pairs[(first, second)])
        for entries in candidates:
            for words, excluded_words, need, excluded, sub in entries:
                # Clause.matches inlined (plain loops, no generators): the index's hot path.
                if not words <= present or not excluded_words.isdisjoint(present):
                    continue
                for phrase in need:
                    if phrase not in text:
                        break
                else:
                    for phrase in excluded:
                        if phrase in text:
                            break
                    else:
                        found[sub.id] = sub
