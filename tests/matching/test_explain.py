"""explain(): what a subscription found in a paper (the ground for why and previews)."""

from __future__ import annotations

import pytest
from support.listings import day, paper

from bot.matching.explain import (
    AuthorHit,
    Explanation,
    TermHit,
    count_topic_matches,
    explain,
    matching_papers,
)
from bot.matching.index import SubscriptionIndex
from bot.matching.topic import parse_topic
from bot.model import Subscription, SubscriptionKind

A, T, C = SubscriptionKind.AUTHOR, SubscriptionKind.TOPIC, SubscriptionKind.CATEGORY
MBZUAI = "Mohamed bin Zayed University of Artificial Intelligence, Abu Dhabi, UAE"


def test_an_author_is_explained_as_listed_with_the_affiliation() -> None:
    sub = Subscription(1, 1, A, "Takac, Martin")
    found = explain(sub, paper("2026-06-16-cs-lg", "2606.16371"))
    assert found == Explanation(sub, True, authors=(AuthorHit("Martin Takáč", MBZUAI),))


def test_a_topic_is_explained_by_the_forms_the_paper_uses() -> None:
    sub = Subscription(1, 1, T, '"reward model" -survey')
    found = explain(sub, paper("2026-06-10-cs-ai", "2606.07988"))
    assert found.matched
    assert found.terms == (TermHit('"reward model"', ("reward modeling", "reward models")),)


def test_a_compound_is_explained_as_written() -> None:
    sub = Subscription(1, 1, T, '"multi-agent system"')
    found = explain(sub, paper("2026-06-12-cs-ai", "2606.13591"))
    assert found.terms[0].term == '"multi agent system"'
    assert "multiagent system" in found.terms[0].forms


def test_an_exact_term_is_explained_by_its_own_form() -> None:
    sub = Subscription(1, 1, T, "=personalized")
    found = explain(sub, paper("2026-06-10-cs-ai", "2606.07988"))
    assert found.terms == (TermHit("=personalized", ("personalized",)),)


def test_a_category_is_explained_by_the_categories_it_matched() -> None:
    sub = Subscription(1, 1, C, "cs")
    found = explain(sub, paper("2026-06-03-cs-cv", "2606.00188"))
    assert found.categories == ("cs.GR", "cs.CV", "cs.LG")


@pytest.mark.parametrize(
    ("kind", "value"), [(A, "Hao Wang"), (T, "quorblewug"), (C, "math"), (T, "reward -reward")]
)
def test_a_subscription_that_does_not_match_is_explained_as_such(
    kind: SubscriptionKind, value: str
) -> None:
    sub = Subscription(1, 1, kind, value)
    assert explain(sub, paper("2026-06-10-cs-ai", "2606.07988")) == Explanation(sub, False)


@pytest.mark.parametrize(
    ("kind", "value"),
    [(T, '"language model"'), (T, "agents -survey OR benchmark"), (A, "Yang Liu"), (C, "cs.LG")],
)
def test_explain_and_previews_agree_with_the_index(kind: SubscriptionKind, value: str) -> None:
    papers = [i.paper for i in day("2026-06-12-cs-ai").items]
    sub = Subscription(1, 1, kind, value)
    index = SubscriptionIndex([sub])
    indexed = [p for p in papers if index.match(p)]
    assert indexed == matching_papers(sub, papers)
    assert all(explain(sub, p).matched is bool(index.match(p)) for p in papers)
    if kind is T:
        texts = [(p.title, p.abstract) for p in papers]
        assert count_topic_matches(parse_topic(value), texts) == len(indexed)
    assert indexed or kind is A  # the checks are not vacuous
