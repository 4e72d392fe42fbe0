"""Which subscriptions a paper matches: category rules and a fast :class:`SubscriptionIndex`.

The index never runs every matcher on every paper. Author subscriptions are keyed by surname
(without particles) and first given name, topic subscriptions by words their matches must hold
(:mod:`bot.matching.topic_index`), category subscriptions by category and archive; a paper only
verifies the candidates its own surnames, words and categories look up. Results are cached by
the paper's text across polls: a paper comes back as a cross-listing, and the alert rule
matches it as it stood before an announcement and after.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from bot.matching.names import (
    PersonName,
    author_matches,
    fold,
    index_key,
    joined_given,
    parse_person,
)
from bot.matching.topic import TopicError, parse_topic
from bot.matching.topic_index import TopicIndex
from bot.model import Paper, Subscription, SubscriptionKind
from bot.model.identity import person_id
from bot.sources.taxonomy import normalize_category

log = logging.getLogger(__name__)

_APOSTROPHES_RE = re.compile(r"['’`´ʼ]")
_NON_WORD_RE = re.compile(r"[\W_]+")

#: Papers whose author and topic results an index keeps (about 200 bytes each).
RESULT_CACHE = 20_000
#: Per paper: the ids of the subscriptions its authors match and its title+abstract match.
TextMatches = list[tuple[tuple[int, ...], tuple[int, ...]]]
#: Matches as ``(subscription id, subscription)`` pairs: ``dict.update`` takes them in C.
_Pairs = list[tuple[int, Subscription]]
#: A paper's cached matches: subscription id -> subscription.
_Found = dict[int, Subscription]


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


def paper_categories(paper: Paper) -> set[str]:
    """A paper's categories, primary included, folded."""
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
            (a := parse_person(author)) is not None and author_matches(person, a)
            for author in paper.authors
        )
    if sub.kind == SubscriptionKind.TOPIC:
        return parse_topic(sub.value).matches(paper.title, paper.abstract)
    cats = [*paper.categories, paper.primary_category]
    return category_matches(normalize_category(sub.value), cats)


@lru_cache(maxsize=65536)
def _person_entry(name: str) -> tuple[str, PersonName, tuple[str, ...]] | None:
    """``(index key, parsed name, the given-name buckets it looks in)``; names repeat a lot."""
    person = parse_person(name)
    if person is None:
        return None
    return index_key(person), person, _lookup_buckets(person)


@lru_cache(maxsize=65536)
def _name_words(name: str) -> frozenset[str]:
    """Every word an index key of ``name`` can be (a cheap filter before parsing it)."""
    text = name.casefold() if name.isascii() and "\\" not in name else fold(name)
    return frozenset(_NON_WORD_RE.split(_APOSTROPHES_RE.sub("", text)))


def _first_part(given: tuple[str, ...]) -> str:
    return given[0].split("-")[0] if given else ""


def _lookup_buckets(person: PersonName) -> tuple[str, ...]:
    """The buckets where subscriptions compatible with an author of a paper are filed."""
    if " " in person.surname_key:
        return ("**",)  # a multi-word surname can meet any given names: look everywhere
    first = _first_part(person.given)
    if not first:
        return ("", "*")  # no given names: only subscriptions without any can match
    buckets = [first, first[0], "", "*", joined_given(person.given)]
    if len(first) == 1:
        buckets.append("^" + first)  # an initial: every given name starting with it
    return tuple(dict.fromkeys(buckets))


def _filing_buckets(person: PersonName) -> tuple[str, ...]:
    """The buckets an author subscription is filed under."""
    if " " in person.surname_key:
        return ("*",)  # García López, van den Oord: never filtered by given name
    first = _first_part(person.given)
    if not first:
        return ("",)
    return tuple(dict.fromkeys((first, joined_given(person.given))))


class SubscriptionIndex:
    """Subscriptions indexed for matching many papers; build once per batch of papers.

    Invalid subscriptions (a topic that no longer parses, a malformed category, a name without
    letters) are skipped with a warning and listed in :attr:`skipped`.
    """

    def __init__(
        self,
        subscriptions: Iterable[Subscription],
        person_names: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """``person_names``: the known names of each followed person (``openalex:A…``
        subscriptions), by author id; such a subscription matches an author compatible with
        any of them, and is skipped while none is known."""
        self._person_names = person_names or {}
        # Surname key -> given-name bucket -> entries: a paper's "Wei Li" is checked against
        # the Li subscriptions for Wei, W., no given name, or a multi-word surname.
        # Within a bucket, subscriptions to the same name (many channels follow one person)
        # are checked once: name -> (id, subscription) pairs.
        self._authors: dict[str, dict[str, dict[PersonName, _Pairs]]] = defaultdict(
            lambda: defaultdict(dict)
        )
        self._topics = TopicIndex()
        self._categories: dict[str, list[Subscription]] = defaultdict(list)
        self.skipped: list[Subscription] = []
        self._by_id: dict[int, Subscription] = {}
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
                self._by_id[sub.id] = sub
        self._topics.freeze()
        self._author_keys = frozenset(self._authors)
        for buckets in self._authors.values():
            for name in [b for b in buckets if b not in ("", "*")]:
                initial = buckets.setdefault("^" + name[0], {})
                for person, pairs in buckets[name].items():
                    initial.setdefault(person, pairs)  # a name's buckets hold the same subs
        self._by_authors: dict[tuple[str, ...], _Found] = {}
        self._by_text: dict[tuple[str, str], _Found] = {}

    def __len__(self) -> int:
        return self._size

    def _add(self, sub: Subscription) -> None:
        if sub.kind == SubscriptionKind.AUTHOR:
            ident = person_id(sub.value)
            names = self._person_names.get(ident, ()) if ident else (sub.value,)
            people = [p for p in map(parse_person, names) if p is not None]
            if not people:
                raise ValueError("not a name" if ident is None else "no known name")
            for person in dict.fromkeys(people):
                buckets = self._authors[index_key(person)]
                for bucket in _filing_buckets(person):
                    buckets[bucket].setdefault(person, []).append((sub.id, sub))
        elif sub.kind == SubscriptionKind.TOPIC:
            self._topics.add(parse_topic(sub.value), sub)
        elif sub.kind == SubscriptionKind.CATEGORY:
            self._categories[normalize_category(sub.value).casefold()].append(sub)
        else:  # pragma: no cover - exhaustive over SubscriptionKind
            raise ValueError(f"unknown kind {sub.kind!r}")

    def subscriptions(self) -> list[Subscription]:
        """The subscriptions indexed (the valid ones), in id order."""
        return [self._by_id[i] for i in sorted(self._by_id)]

    def text_matches(self, papers: Sequence[Paper]) -> TextMatches:
        """Each paper's author and topic matches as subscription ids (for :meth:`seed` in an
        index built from the same subscriptions, possibly in another process)."""
        return [
            (
                tuple(self._match_authors(p.authors)) if self._authors else (),
                tuple(self._match_topics(p.title, p.abstract)),
            )
            for p in papers
        ]

    def seed(self, papers: Sequence[Paper], matches: TextMatches) -> None:
        """Take the :meth:`text_matches` of ``papers`` as this index's cached results."""
        by_id = self._by_id
        for paper, (authors, topics) in zip(papers, matches, strict=True):
            if len(self._by_text) >= RESULT_CACHE or len(self._by_authors) >= RESULT_CACHE:
                self.clear_caches()
            self._by_authors[paper.authors] = {i: by_id[i] for i in authors}
            self._by_text[(paper.title, paper.abstract)] = {i: by_id[i] for i in topics}

    def clear_caches(self) -> None:
        """Forget cached results (benchmarks: every paper as if never seen)."""
        self._by_authors.clear()
        self._by_text.clear()

    def match(self, paper: Paper) -> dict[int, list[Subscription]]:
        """Map channel id -> that channel's subscriptions matching ``paper`` (sorted by id)."""
        found: dict[int, Subscription] = {}
        if self._authors and paper.authors:
            found.update(self._match_authors(paper.authors))
        if self._topics:
            found.update(self._match_topics(paper.title, paper.abstract))
        if self._categories:
            for cat in paper_categories(paper):
                for key in (cat, cat.partition(".")[0]):
                    for sub in self._categories.get(key, ()):
                        found[sub.id] = sub
        by_channel: dict[int, list[Subscription]] = {}
        for sub_id in sorted(found):
            sub = found[sub_id]
            group = by_channel.get(sub.channel_id)
            if group is None:
                by_channel[sub.channel_id] = [sub]
            else:
                group.append(sub)
        return by_channel

    def _match_authors(self, authors: tuple[str, ...]) -> _Found:
        cached = self._by_authors.get(authors)
        if cached is not None:
            return cached
        found: dict[int, Subscription] = {}
        index, keys = self._authors, self._author_keys
        for author in authors:
            if keys.isdisjoint(_name_words(author)):
                continue
            parsed = _person_entry(author)
            if parsed is None:
                continue
            key, person, lookup = parsed
            buckets = index.get(key)
            if buckets is None:
                continue
            if lookup == ("**",):
                groups: Iterable[dict[PersonName, _Pairs]] = (
                    g for b, g in buckets.items() if not b.startswith("^")
                )
            else:
                groups = (buckets[b] for b in lookup if b in buckets)
            for group in groups:
                for sub_person, pairs in group.items():
                    if author_matches(sub_person, person):
                        found.update(pairs)
        if len(self._by_authors) >= RESULT_CACHE:
            self._by_authors.clear()
        self._by_authors[authors] = found
        return found

    def _match_topics(self, title: str, abstract: str) -> _Found:
        key = (title, abstract)
        cached = self._by_text.get(key)
        if cached is not None:
            return cached
        found: dict[int, Subscription] = {}
        self._topics.match(self._topics.doc(title, abstract), found)
        if len(self._by_text) >= RESULT_CACHE:
            self._by_text.clear()
        self._by_text[key] = found
        return found
