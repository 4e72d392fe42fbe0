"""Each class of miss of issue #11, on real listing text (June 2026 and the RDF era)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.listings import paper

from bot.matching.index import SubscriptionIndex, subscription_matches
from bot.model import Paper, Subscription, SubscriptionKind
from bot.sources.arxiv_parse import parse_listing

A, T, C = SubscriptionKind.AUTHOR, SubscriptionKind.TOPIC, SubscriptionKind.CATEGORY
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def matches(kind: SubscriptionKind, value: str, p: Paper) -> bool:
    sub = Subscription(1, 1, kind, value)
    index = SubscriptionIndex([sub]).match(p) == {1: [sub]}
    assert index is subscription_matches(sub, p)  # the index agrees with the slow rule
    return index


TAKAC = ("2026-06-16-cs-lg", "2606.16371")


@pytest.mark.parametrize("value", ["Martin Takáč", "Takac, Martin", "M. Takáč", "Horváth, Samuel"])
def test_an_author_listed_with_a_comma_in_the_affiliation_matches(value: str) -> None:
    assert matches(A, value, paper(*TAKAC))


@pytest.mark.parametrize("value", ["Abu Dhabi", "UAE", "Dhabi, Abu", "Intelligence"])
def test_affiliation_fragments_are_never_authors(value: str) -> None:
    assert not matches(A, value, paper(*TAKAC))


def test_a_bare_surname_left_by_garbling_matches_no_subscription_with_given_names() -> None:
    garbled = paper("2026-06-12-cs-ai", "2606.12429")  # "...,  Zifan (Sail),  Wang, ..."
    assert "Wang" in garbled.authors
    for value in ("Hao Wang", "Wang, Yan", "Zifan Wang"):
        assert not matches(A, value, garbled)
    assert matches(A, "Wang", garbled)  # a subscription without given names still matches


def test_the_last_author_after_and_matches() -> None:
    assert matches(A, "Jochen Triesch", paper("2026-06-16-cs-lg", "2606.16590"))
    assert matches(A, "Fred Prior", paper("2026-06-08-cs-ai", "2606.06950"))
    assert matches(A, "Johann, Donald", paper("2026-06-08-cs-ai", "2606.06950"))  # Jr. dropped


def test_rdf_cross_listings_are_in_the_listings_category() -> None:
    listing = parse_listing((FIXTURES / "arxiv_rss_cs_ai_2023-12-21_rdf.xml").read_bytes())
    first = [i.paper for i in listing.items if i.announce_type.is_first_announcement]
    assert len(first) == 103
    assert all(matches(C, "cs.AI", p) for p in first)  # 23 new + 80 cross, not only 23


@pytest.mark.parametrize(
    ("query", "listing", "arxiv_id"),
    [
        ('"reward model"', "2026-06-10-cs-ai", "2606.07988"),  # "Personalized Reward Modeling"
        ("reward models", "2026-06-10-cs-ai", "2606.07988"),
        ('"multi-agent system"', "2026-06-12-cs-ai", "2606.13591"),  # "a multiagent system"
        ("multi-agent", "2026-06-12-cs-ai", "2606.13591"),
        ("“multi agent system”", "2026-06-12-cs-ai", "2606.13591"),  # curly quotes: a phrase
    ],
)
def test_topics_match_inflections_and_compounds(query: str, listing: str, arxiv_id: str) -> None:
    assert matches(T, query, paper(listing, arxiv_id))


def test_an_exact_form_does_not_match_other_inflections() -> None:
    assert not matches(T, '="reward model"', paper("2026-06-10-cs-ai", "2606.07988"))
    assert matches(T, '="reward models"', paper("2026-06-10-cs-ai", "2606.07988"))
