"""Category rules and the SubscriptionIndex."""

from __future__ import annotations

import logging

import pytest

from bot.matching.index import SubscriptionIndex, category_matches, subscription_matches
from bot.model import Paper, Subscription, SubscriptionKind
from bot.sources.taxonomy import normalize_category

A, T, C = SubscriptionKind.AUTHOR, SubscriptionKind.TOPIC, SubscriptionKind.CATEGORY


@pytest.mark.parametrize(
    ("value", "canonical"),
    [
        ("cs.LG", "cs.LG"),
        ("cs.lg", "cs.LG"),
        (" CS.Lg ", "cs.LG"),
        ("math.ag", "math.AG"),
        ("HEP-TH", "hep-th"),
        ("astro-ph.co", "astro-ph.CO"),
        ("cond-mat.MES-HALL", "cond-mat.mes-hall"),
        ("physics.Optics", "physics.optics"),
        ("q-bio.nc", "q-bio.NC"),
        ("stat.ml", "stat.ML"),
        ("cs", "cs"),
        ("Math", "math"),
        ("cond-mat", "cond-mat"),
        ("alg-geom", "alg-geom"),  # legacy archive ids still name old papers
    ],
)
def test_normalize_category(value: str, canonical: str) -> None:
    assert normalize_category(value) == canonical


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Empty"),
        ("   ", "Empty"),
        ("cs-ph", "Unknown arXiv archive"),
        ("computer science", "Unknown arXiv archive"),
        ("cs.", "Malformed subject class"),
        ("cs.L1", "Malformed subject class"),
        ("cs.LG.x", "Malformed subject class"),
        ("cs..LG", "Malformed subject class"),
        ("hep-th.XX", "no subject classes"),
        (".LG", "Unknown arXiv archive"),
        ("cs.ZZ", "Unknown subject class 'cs.ZZ': cs has AI, AR"),
        ("cond-mat.optics", "Unknown subject class"),
    ],
)
def test_normalize_category_errors(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        normalize_category(value)


@pytest.mark.parametrize(
    ("sub", "categories", "expected"),
    [
        ("cs.LG", ["cs.LG"], True),
        ("cs.LG", ["stat.ML", "cs.LG"], True),  # a cross-list counts
        ("cs.LG", ["cs.AI"], False),
        ("cs.LG", ["CS.lg"], True),
        ("cs", ["cs.AI"], True),
        ("cs", ["stat.ML", "cs.CV"], True),
        ("cs", ["cond-mat.stat-mech"], False),  # near names are other archives
        ("cs", ["astro-ph.CO", "physics.comp-ph"], False),
        ("hep-th", ["hep-th"], True),
        ("hep-th", ["hep-ph"], False),
        ("math", ["math-ph"], False),
        ("math", ["math.MP"], True),
        ("physics", ["astro-ph.GA"], False),
        ("cs.LG", [], False),
    ],
)
def test_category_matches(sub: str, categories: list[str], expected: bool) -> None:
    assert category_matches(sub, categories) is expected


PAPER = Paper(
    arxiv_id="2401.00001",
    version=1,
    title="Scaling Reinforcement Learning from Human Feedback",
    authors=("Aäron van den Oord", "Igor Babuschkin", "Jean-Pierre Serre"),
    abstract="Following Ivan Petrov, we train large language models. Also see Ada Lovelace.",
    primary_category="cs.LG",
    categories=("cs.LG", "cs.CL", "stat.ML"),
)


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (A, "Babuschkin, Igor", True),
        (A, "I. Babuschkin", True),
        (A, "Ivan Babuschkin", False),
        (A, "Ivan Petrov", False),  # named in the abstract, not an author
        (A, "Lovelace", False),
        (A, 'A\\"aron van den Oord', True),
        (A, "Oord, A.", True),
        (A, "J.-P. Serre", True),
        (T, "reinforcement learning", True),
        (T, '"large language models"', True),
        (T, '"language large"', False),
        (T, "reinforcements", True),  # stemmed: reinforcement = reinforcements
        (T, "=reinforcements", False),
        (T, "feedback -language", False),
        (T, "feedback -vision OR nothing", True),
        (T, "petrov", True),  # topics do see the abstract
        (C, "cs.CL", True),
        (C, "stat", True),
        (C, "cs.AI", False),
        (C, "math", False),
    ],
)
def test_subscription_matches(kind: SubscriptionKind, value: str, expected: bool) -> None:
    sub = Subscription(1, 1, kind, value)
    assert subscription_matches(sub, PAPER) is expected
    assert bool(SubscriptionIndex([sub]).match(PAPER)) is expected


def test_primary_category_counts_even_if_missing_from_categories() -> None:
    paper = Paper("1", 1, "t", primary_category="hep-th", categories=())
    sub = Subscription(1, 1, C, "hep-th")
    assert subscription_matches(sub, paper)
    assert SubscriptionIndex([sub]).match(paper) == {1: [sub]}


def test_index_groups_by_channel_and_sorts_by_id() -> None:
    subs = [
        Subscription(9, 2, C, "cs"),
        Subscription(3, 1, T, "language models"),
        Subscription(7, 1, A, "Igor Babuschkin"),
        Subscription(5, 2, A, "Babuschkin"),
        Subscription(1, 1, C, "math.AG"),
        Subscription(2, 3, A, "Ivan Babuschkin"),
    ]
    result = SubscriptionIndex(subs).match(PAPER)
    assert result == {1: [subs[1], subs[2]], 2: [subs[3], subs[0]]}
    assert [s.id for s in result[2]] == [5, 9]


def test_subscription_matching_several_ways_is_listed_once() -> None:
    sub = Subscription(1, 1, T, "reinforcement OR learning OR feedback")
    assert SubscriptionIndex([sub]).match(PAPER) == {1: [sub]}


def test_invalid_subscriptions_are_skipped_with_warning(caplog: pytest.LogCaptureFixture) -> None:
    good = Subscription(4, 1, T, "reinforcement")
    bad = [
        Subscription(1, 1, T, '"unbalanced'),
        Subscription(2, 1, C, "cs-ph"),
        Subscription(3, 1, A, "1234"),
    ]
    with caplog.at_level(logging.WARNING, logger="bot.matching"):
        index = SubscriptionIndex([*bad, good])
    assert len(index) == 1
    assert index.skipped == bad
    assert index.match(PAPER) == {1: [good]}
    assert sum("skipping subscription" in r.getMessage() for r in caplog.records) == 3


def test_empty_index_matches_nothing() -> None:
    assert SubscriptionIndex([]).match(PAPER) == {}
    assert len(SubscriptionIndex([])) == 0


def test_index_agrees_with_brute_force_on_double_surnames() -> None:
    paper = Paper("3", 1, "t", authors=("Ana Garcia Lopez", "Bo Lopez"))
    subs = [
        Subscription(1, 1, A, "García López, Ana"),
        Subscription(2, 1, A, "Lopez, Bo"),
        Subscription(3, 1, A, "Lopez, Ana"),
        Subscription(4, 1, A, "Garcia Lopez"),  # no comma: read as given name Garcia
    ]
    expected = [s for s in subs if subscription_matches(s, paper)]
    # Without a comma "Ana Garcia Lopez" may also be Ana G. Lopez, so "Lopez, Ana" meets it.
    assert [s.id for s in expected] == [1, 2, 3]
    assert SubscriptionIndex(subs).match(paper) == {1: expected}


def test_kind_given_as_plain_string_still_matches() -> None:
    # A store may hand back the raw column value instead of the enum member.
    sub = Subscription(1, 1, "topic", "reinforcement")  # type: ignore[arg-type]
    assert SubscriptionIndex([sub]).match(PAPER) == {1: [sub]}
    assert subscription_matches(sub, PAPER)


def test_excluded_phrase_applies_when_no_subscription_requires_a_phrase() -> None:
    """The index looks at a paper's word pairs for excluded phrases too (regression: it built
    them only when some subscription required a phrase)."""
    sub = Subscription(1, 1, SubscriptionKind.TOPIC, 'robots -"large language"')
    hit = Paper("2401.00001", 1, "Robots that walk", abstract="Legged robots.")
    miss = Paper("2401.00002", 1, "Robots and large language models", abstract="Robots.")
    index = SubscriptionIndex([sub])
    assert index.match(hit) == {1: [sub]}
    assert index.match(miss) == {}
    assert not subscription_matches(sub, miss)
