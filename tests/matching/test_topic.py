"""Topic query language: parsing, errors and matching."""

from __future__ import annotations

import pytest

from bot.matching.stems import SEPARATOR, TextDoc, tokenize
from bot.matching.topic import (
    MAX_QUERY_CHARS,
    MAX_TERMS,
    TOPIC_HELP,
    Clause,
    Term,
    TopicError,
    TopicQuery,
    parse_topic,
)


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


def test_title_and_abstract_are_separate_for_phrases() -> None:
    doc = TextDoc.of("Deep nets", "Learning things")
    assert doc.raw == ["deep", "nets", SEPARATOR, "learning", "things"]
    assert not parse_topic('"nets learning"').matches("Deep nets", "Learning things")
    assert parse_topic("nets learning").matches("Deep nets", "Learning things")


def T(*words: str, exact: bool = False) -> Term:
    return Term(words, exact)


@pytest.mark.parametrize(
    ("query", "clauses"),
    [
        ("a b", [Clause((T("a"), T("b")))]),
        ("a b OR c", [Clause((T("a"), T("b"))), Clause((T("c"),))]),
        ("a OR b c", [Clause((T("a"),)), Clause((T("b"), T("c")))]),
        ('"language model" -survey', [Clause((T("language", "model"),), (T("survey"),))]),
        ('x -"large language"', [Clause((T("x"),), (T("large", "language"),))]),
        ("a -b OR c", [Clause((T("a"),), (T("b"),)), Clause((T("c"),))]),
        ("self-supervised", [Clause((T("self", "supervised"),))]),
        ("cats or dogs", [Clause((T("cats"), T("or"), T("dogs")))]),  # lower-case or: a word
        ('"OR" x', [Clause((T("or"), T("x")))]),
        ("DIFFUSION Modèle", [Clause((T("diffusion"), T("modele")))]),
        ("a & b", [Clause((T("a"), T("b")))]),  # punctuation-only terms are ignored
        ("“in-context learning”", [Clause((T("in", "context", "learning"),))]),  # curly quotes
        ("„a b‟ c", [Clause((T("a", "b"), T("c")))]),
        ("=models", [Clause((T("models", exact=True),))]),
        (
            '="reward models" -=survey',
            [Clause((T("reward", "models", exact=True),), (T("survey", exact=True),))],
        ),
        ("a=b", [Clause((T("a", "b"),))]),  # "=" only marks an exact form in front
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
        ("reinforcements", True),  # stemmed: the usual English forms match
        ("reinforce", True),  # Snowball gives reinforce, reinforcement(s) one stem
        ("enforcement", False),
        ("robot", True),
        ("=robots", True),
        ("=robot", False),  # an exact form is not stemmed
        ('="reinforcement learning"', True),
        ('="reinforcement learnings"', False),
        ("reinf", False),  # no prefix matching
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
    assert parse_topic(query).matches(TEXT) is expected


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ('"reward model"', "We train reward models."),
        ('"reward model"', "Reward Modeling at scale."),
        ('"reward models"', "a learned reward model"),
        ("“reward model”", "reward modelling"),
        ('"multi-agent system"', "multiagent systems"),
        ('"multi-agent system"', "multi agent systems"),
        ('"multiagent system"', "Multi-Agent Systems"),
        ('"multi agent system"', "multiagent system"),
        ("multiagent", "a multi-agent benchmark"),
        ("in-context", "learning in context"),
        ('"in context learning"', "in-context learning"),
        ("self-supervised", "selfsupervised pretraining"),
        ("dataset", "a new data set"),
    ],
)
def test_inflections_and_compounds_match(query: str, text: str) -> None:
    assert parse_topic(query).matches(text)


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("=models", "a reward model"),
        ('="multi-agent"', "multiagent systems"),  # an exact form takes no compounds either
        ('"reward model"', "reward shaping and a model"),
        ('"multi-agent system"', "multi agent-based system"),
    ],
)
def test_exact_forms_and_separate_words_do_not_match(query: str, text: str) -> None:
    assert not parse_topic(query).matches(text)


def test_query_and_text_are_stemmed_alike() -> None:
    for word in ("modeling", "models", "hallucinations", "agents", "learning"):
        assert parse_topic(word).matches(word.upper())


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ('"reward models"', '"Reward Modeling"'),
        ('"multi-agent system"', '"multiagent systems"'),
        ("robots -survey", "ROBOT -surveys"),
        ("a OR b", "b OR a"),
    ],
)
def test_same_words_have_the_same_key(a: str, b: str) -> None:
    assert parse_topic(a).key == parse_topic(b).key


@pytest.mark.parametrize(
    ("a", "b"),
    [('"reward model"', "reward model"), ("=models", "models"), ("a -b", "a b")],
)
def test_different_queries_have_different_keys(a: str, b: str) -> None:
    assert parse_topic(a).key != parse_topic(b).key


@pytest.mark.parametrize(
    ("query", "stop_words_only", "never"),
    [
        ("the", True, False),
        ("a of", True, False),
        ("the OR robots", True, False),
        ("the robots", False, False),
        ("x -x", False, True),
        ("models -model", False, True),  # the exclusion is stemmed too
        ('"reward model" -"reward models"', False, True),
        ('"reward model" -model', False, False),  # "rewardmodels" holds the phrase, not "model"
        ('model -"reward model"', False, False),
        ("x -x OR y", False, False),
        ("=models -model", False, True),
        ("models -=model", False, False),
    ],
)
def test_queries_that_cannot_be_useful(query: str, stop_words_only: bool, never: bool) -> None:
    parsed = parse_topic(query)
    assert parsed.stop_words_only is stop_words_only
    assert parsed.never_matches is never


def test_help_documents_every_feature() -> None:
    for needle in (
        '"',
        "OR",
        "-",
        "reinforcements",
        "=word",
        '="a phrase"',
        "multiagent",
        "curly",
        str(MAX_TERMS),
        str(MAX_QUERY_CHARS),
    ):
        assert needle in TOPIC_HELP
