"""Why a subscription matches a paper: :func:`explain`, the ground for ``why`` and previews.

:func:`explain` re-runs one subscription's rule on one paper and says what it found: the
paper's authors the subscription names (as listed, with their affiliation), the forms in which
the paper writes each term of the matching topic alternative, the categories. It agrees with
:class:`~bot.matching.index.SubscriptionIndex` (the tests check both on real listings).
:func:`matching_papers` is the same rule over many papers (a preview, the topic refusal's
count).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.matching.index import category_matches
from bot.matching.names import author_matches, parse_person
from bot.matching.stems import TextDoc
from bot.matching.topic import Term, TopicQuery, parse_topic
from bot.model import Paper, Subscription, SubscriptionKind
from bot.sources.taxonomy import normalize_category


@dataclass(frozen=True, slots=True)
class AuthorHit:
    """A paper author an author subscription matched: the name as listed and the affiliation
    the listing gives (``""`` when none)."""

    name: str
    affiliation: str = ""


@dataclass(frozen=True, slots=True)
class TermHit:
    """A topic term (as a query writes it: ``"reward model"``, ``=models``) and the forms the
    paper's title or abstract uses (folded words: ``("reward models", "reward modeling")``)."""

    term: str
    forms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Explanation:
    """Whether ``subscription`` matches the paper, and on what.

    Exactly one of ``authors``, ``terms``, ``categories`` is filled when ``matched``, after the
    subscription's kind; all are empty otherwise.
    """

    subscription: Subscription
    matched: bool
    authors: tuple[AuthorHit, ...] = ()
    terms: tuple[TermHit, ...] = ()
    categories: tuple[str, ...] = ()


def _forms(doc: TextDoc, term: Term) -> tuple[str, ...]:
    """How the text writes ``term``: each distinct run of tokens that matched it."""
    raw = doc.raw
    if term.exact:
        return (" ".join(term.words),) if doc.has_exact(term.words) else ()
    found: dict[str, None] = {}
    for variant in term.variants:
        for start, end in doc.spans(variant):
            found[" ".join(raw[start:end])] = None
    return tuple(found)


def _explain_topic(sub: Subscription, query: TopicQuery, paper: Paper) -> Explanation:
    doc = query.doc(paper.title, paper.abstract)
    for clause in query.clauses:
        if clause.matches(doc):
            hits = tuple(TermHit(t.text, _forms(doc, t)) for t in clause.required)
            return Explanation(sub, True, terms=hits)
    return Explanation(sub, False)


def explain(subscription: Subscription, paper: Paper, names: Sequence[str] = ()) -> Explanation:
    """Why ``subscription`` matches ``paper`` (or that it does not). ``names``: for an author
    subscription that follows a person by index id (``openalex:A…``), the names the index
    knows for them — the names the alert rule matches listings by.

    Raises :class:`ValueError` (or :class:`~bot.matching.topic.TopicError`) for a
    subscription value that cannot be used.
    """
    kind = subscription.kind
    if kind is SubscriptionKind.AUTHOR:
        wanted = [w for n in (names or (subscription.value,)) if (w := parse_person(n))]
        if not wanted:
            raise ValueError(f"Not a name: {subscription.value!r}")
        hits = tuple(
            AuthorHit(name, paper.affiliation_of(i))
            for i, name in enumerate(paper.authors)
            if (person := parse_person(name)) is not None
            and any(author_matches(w, person) for w in wanted)
        )
        return Explanation(subscription, bool(hits), authors=hits)
    if kind is SubscriptionKind.TOPIC:
        return _explain_topic(subscription, parse_topic(subscription.value), paper)
    wanted_cat = normalize_category(subscription.value)
    cats = dict.fromkeys(c for c in (paper.primary_category, *paper.categories) if c)
    found = tuple(c for c in cats if category_matches(wanted_cat, (c,)))
    return Explanation(subscription, bool(found), categories=found)


def count_topic_matches(query: TopicQuery, texts: Iterable[tuple[str, str]]) -> int:
    """How many of ``(title, abstract)`` texts a topic matches (the refusal's count)."""
    splits = query.splits()
    return sum(query.matches_doc(TextDoc.of(t, a, splits)) for t, a in texts)


def matching_papers(subscription: Subscription, papers: Sequence[Paper]) -> list[Paper]:
    """The papers ``subscription`` matches, in order (a preview)."""
    if subscription.kind is SubscriptionKind.TOPIC:
        query = parse_topic(subscription.value)
        splits = query.splits()
        return [p for p in papers if query.matches_doc(TextDoc.of(p.title, p.abstract, splits))]
    return [p for p in papers if explain(subscription, p).matched]


@dataclass(frozen=True, slots=True)
class Shortfall:
    """How near a subscription that does not match a paper comes: the terms it satisfies and
    what is missing (``"reward model"``, ``-survey (present)``, ``author: X``)."""

    subscription: Subscription
    satisfied: int
    missing: tuple[str, ...]


def shortfall(subscription: Subscription, paper: Paper, names: Sequence[str] = ()) -> Shortfall:
    """What ``subscription`` lacks to match ``paper`` (its closest OR alternative for a topic;
    ties: the one with fewer missing terms, then the first). An author or a category is one
    term: satisfied or missing. ``names`` as for :func:`explain`. Raises like :func:`explain`
    for a value that cannot be used."""
    kind = subscription.kind
    if kind is not SubscriptionKind.TOPIC:
        if explain(subscription, paper, names).matched:
            return Shortfall(subscription, 1, ())
        return Shortfall(subscription, 0, (subscription.label,))
    query = parse_topic(subscription.value)
    doc = query.doc(paper.title, paper.abstract)
    best: Shortfall | None = None
    for clause in query.clauses:
        found = [t.matches(doc) for t in clause.required]
        missing = [t.text for t, ok in zip(clause.required, found, strict=True) if not ok]
        missing += [f"-{t.text} (present)" for t in clause.excluded if t.matches(doc)]
        candidate = Shortfall(subscription, sum(found), tuple(missing))
        if best is None or (candidate.satisfied, -len(candidate.missing)) > (
            best.satisfied,
            -len(best.missing),
        ):
            best = candidate
    assert best is not None  # a parsed topic has at least one alternative
    return best
