"""Topic query language: parsing, errors and matching."""

from __future__ import annotations

import pytest

from bot.matching.topic import (
    MAX_QUERY_CHARS,
    MAX_TERMS,
    SEPARATOR,
    TOPIC_HELP,
    Clause,
    TopicError,
    TopicQuery,
    paper_tokens,
    parse_topic,
    tokenize,
)
from bot.model import Paper


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Reinforcement Learning", ["reinforcement", "learning"]),
        ("self-supervised, GPT-4!", ["self", "supervised", "gpt", "4"]),
        ("Schrödinger ÉQUATION", ["schrodinger", "equation"]),
        ('Schr\\"odinger equation', ["schrodinger", "equation"]),
        ("snake_case x/y", ["snake", "case", "x", "y"]),
        ("Øresund – “quoted” naïve", ["oresund", "quoted", "naive"]),
        ("", []),
    ],
)
def test_tokenize(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


def test_paper_tokens_separate_title_and_abstract() -> None:
    paper = Paper("1", 1, "Deep nets", abstract="Learning things")
    assert paper_tokens(paper) == ["deep", "nets", SEPARATOR, "learning", "things"]
    assert not parse_topic('"nets learning"').matches(paper_tokens(paper))


@pytest.mark.parametrize(
    ("query", "clauses"),
    [
        ("a b", [Clause((("a",), ("b",)))]),
        ("a b OR c", [Clause((("a",), ("b",))), Clause((("c",),))]),
        ("a OR b c", [Clause((("a",),)), Clause((("b",), ("c",)))]),
        ('"language model" -survey', [Clause((("language", "model"),), (("survey",),))]),
        ('x -"large language"', [Clause((("x",),), (("large", "language"),))]),
        ("a -b OR c", [Clause((("a",),), (("b",),)), Clause((("c",),))]),
        ("self-supervised", [Clause((("self", "supervised"),))]),
        ("cats or dogs", [Clause((("cats",), ("or",), ("dogs",)))]),  # lower-case or is a word
        ('"OR" x', [Clause((("or",), ("x",)))]),
        ("DIFFUSION Modèle", [Clause((("diffusion",), ("modele",)))]),
        ("a & b", [Clause((("a",), ("b",)))]),  # punctuation-only terms are ignored
    ],
)
def test_parse_topic_structure(query: str, clauses: list[Clause]) -> None:
    assert parse_topic(query) == TopicQuery(tuple(clauses))


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Empty"),
        ("   ", "Empty"),
        ("&& !!", "Empty"),
        ("-vision", "only -exclusions"),
        ('-"large model" -x', "only -exclusions"),
        ("transformer OR -vision", "only -exclusions"),
        ("a OR", "Dangling OR"),
        ("OR a", "Dangling OR"),
        ("a OR OR b", "Dangling OR"),
        ("OR", "Dangling OR"),
        ('"language model', "Unbalanced quote"),
        ('a "b" "c', "Unbalanced quote"),
        ("x" * (MAX_QUERY_CHARS + 1), "too long"),
        (" ".join(f"w{i}" for i in range(MAX_TERMS + 1)), "Too many terms"),
    ],
)
def test_parse_topic_errors(query: str, message: str) -> None:
    with pytest.raises(TopicError, match=message):
        parse_topic(query)


def test_limits_are_inclusive() -> None:
    parse_topic(" ".join(f"w{i}" for i in range(MAX_TERMS)))
    parse_topic("x" * MAX_QUERY_CHARS)


def test_topic_error_is_value_error() -> None:
    assert issubclass(TopicError, ValueError)


def test_key_token_is_longest_required_token() -> None:
    query = parse_topic('graph "neural network" -transformers OR rl')
    assert [c.key_token for c in query.clauses] == ["network", "rl"]


TEXT = (
    "Deep Reinforcement Learning for Robots. We study reinforcement learning with "
    "large language models; a survey of diffusion is not included. Schrödinger bridges."
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("reinforcement learning", True),
        ("learning reinforcement", True),  # bare words: any order
        ('"reinforcement learning"', True),
        ('"learning reinforcement"', False),  # phrases: consecutive, in order
        ('"deep learning"', False),  # both words present, but not as a phrase
        ("reinforcements", False),  # whole tokens: no plural/prefix matching
        ("reinforce", False),
        ("robot", False),
        ("robots", True),
        ("ROBOTS", True),
        ("schrodinger", True),
        ("Schrödinger", True),
        ('Schr\\"odinger', True),
        ("robots -survey", False),
        ('robots -"survey of"', False),
        ('robots -"of survey"', True),
        ("robots -cats", True),
        ("cats OR robots", True),
        ("cats dogs OR robots", True),  # (cats AND dogs) OR robots
        ("robots cats OR dogs", False),  # (robots AND cats) OR dogs
        ("robots -survey OR bridges", True),  # the exclusion only binds its own alternative
        ("robots -survey OR cats", False),
        ("large-language", True),  # hyphenated word = phrase
        ("language-large", False),
    ],
)
def test_topic_matches(query: str, expected: bool) -> None:
    assert parse_topic(query).matches(tokenize(TEXT)) is expected


def test_matches_accepts_tuples() -> None:
    assert parse_topic('"a b"').matches(("x", "a", "b"))
    assert not parse_topic('"a b"').matches(("a", "x", "b"))


def test_help_documents_every_feature() -> None:
    for needle in ('"', "OR", "-", "reinforcements", str(MAX_TERMS), str(MAX_QUERY_CHARS)):
        assert needle in TOPIC_HELP
