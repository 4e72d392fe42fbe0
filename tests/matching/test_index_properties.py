"""Property tests for names, topics and the subscription index."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from support.matching import author_matches

from bot.matching.index import SubscriptionIndex, subscription_matches
from bot.matching.names import parse_person, same_person
from bot.matching.topic import TopicError, parse_topic, tokenize
from bot.model import Paper, Subscription, SubscriptionKind

# --- never crash on arbitrary input ------------------------------------------------------------

tex_ish = st.text(alphabet=st.sampled_from(list("\\{}\"'`^~=.,- $()aAoOlLiIcvuH")), max_size=30)
any_text = st.one_of(st.text(max_size=60), tex_ish)


@given(any_text, any_text)
def test_names_never_raise(a: str, b: str) -> None:
    pa, pb = parse_person(a), parse_person(b)
    assert author_matches(a, b) == author_matches(b, a)
    if pa is not None and pb is not None:
        assert same_person(pa, pb) == same_person(pb, pa)
        assert same_person(pa, pa)


@given(any_text)
def test_tokenize_never_raises_and_yields_alphanumeric_tokens(text: str) -> None:
    for tok in tokenize(text):
        assert tok
        assert all(c.isalnum() for c in tok)


@given(st.one_of(any_text, st.text(alphabet=st.sampled_from(list('ab -"OR')), max_size=40)))
def test_parse_topic_raises_only_topic_error(text: str) -> None:
    try:
        query = parse_topic(text)
    except TopicError as exc:
        assert str(exc)
        return
    assert query.clauses
    assert all(c.required for c in query.clauses)
    query.matches(text, text)


# --- name matching is stable under presentation changes -----------------------------------------

PARTICLE_FREE = st.text(alphabet="abcdefghijklmnoprstuvwyz", min_size=3, max_size=8).filter(
    lambda w: w not in {"van", "von", "der", "den", "del", "dos", "das", "ter", "ten", "bin"}
)
ACCENTS = str.maketrans("aeiouc", "áéíöúç")


@st.composite
def simple_names(draw: st.DrawFn) -> tuple[list[str], str]:
    givens = draw(st.lists(PARTICLE_FREE, min_size=1, max_size=3))
    return [g.capitalize() for g in givens], draw(PARTICLE_FREE).capitalize()


@given(simple_names(), st.sampled_from(["upper", "lower", "spaces", "accents", "comma"]))
def test_name_matching_is_stable_under_presentation(
    name: tuple[list[str], str], change: str
) -> None:
    givens, surname = name
    plain = " ".join([*givens, surname])
    variant = {
        "upper": plain.upper(),
        "lower": plain.lower(),
        "spaces": "  " + "   ".join([*givens, surname]) + " ",
        "accents": unicodedata.normalize("NFC", plain.translate(ACCENTS)),
        "comma": f"{surname}, {' '.join(givens)}",
    }[change]
    assert parse_person(variant) == parse_person(plain)
    assert author_matches(variant, plain)
    # An initial-only form of the same person still matches; another first name does not.
    initials = " ".join(g[0] + "." for g in givens)
    assert author_matches(f"{initials} {surname}", variant)
    other = "Q" + givens[0].lower()
    assert not author_matches(" ".join([other, *givens[1:], surname]), variant)


# --- index equals brute force ------------------------------------------------------------------

FIRST = ["Igor", "Ivan", "I.", "Ana", "A.", "Jean-Pierre", "J.-P.", ""]
LAST = ["Babuschkin", "van den Oord", "Oord", "Garcia Lopez", "Lopez", "Serre"]
WORDS = ["deep", "learning", "graph", "neural", "network", "robots", "language", "model"]
CATS = ["cs.LG", "cs.AI", "stat.ML", "cond-mat.stat-mech", "hep-th", "math.AG"]


@st.composite
def author_strings(draw: st.DrawFn) -> str:
    first, last = draw(st.sampled_from(FIRST)), draw(st.sampled_from(LAST))
    if draw(st.booleans()):
        return f"{last}, {first}" if first else last
    return f"{first} {last}".strip()


@st.composite
def topic_strings(draw: st.DrawFn) -> str:
    word = st.sampled_from(WORDS)
    positive = st.one_of(word, st.builds(lambda a, b: f'"{a} {b}"', word, word))
    clause = st.builds(
        lambda pos, neg: " ".join(pos + [f"-{n}" for n in neg]),
        st.lists(positive, min_size=1, max_size=3),
        st.lists(positive, max_size=1),
    )
    if draw(st.integers(0, 9)) == 0:  # now and then an invalid one, which both sides skip
        return draw(st.sampled_from(["OR", "-deep", '"graph', "deep OR"]))
    return " OR ".join(draw(st.lists(clause, min_size=1, max_size=3)))


@st.composite
def subscriptions(draw: st.DrawFn) -> list[Subscription]:
    subs = []
    for i in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(list(SubscriptionKind)))
        value = draw(
            {
                SubscriptionKind.AUTHOR: author_strings(),
                SubscriptionKind.TOPIC: topic_strings(),
                SubscriptionKind.CATEGORY: st.sampled_from([*CATS, "cs", "cond-mat", "math"]),
            }[kind]
        )
        subs.append(Subscription(i + 1, draw(st.integers(1, 3)), kind, value))
    return subs


@st.composite
def papers(draw: st.DrawFn) -> Paper:
    words = st.lists(st.sampled_from(WORDS), max_size=10).map(" ".join)
    return Paper(
        arxiv_id="2401.00001",
        version=1,
        title=draw(words),
        abstract=draw(words),
        authors=tuple(draw(st.lists(author_strings(), max_size=4))),
        primary_category=draw(st.sampled_from(CATS)),
        categories=tuple(draw(st.lists(st.sampled_from(CATS), max_size=3))),
    )


def brute_force(subs: list[Subscription], paper: Paper) -> dict[int, list[Subscription]]:
    out: dict[int, list[Subscription]] = {}
    for sub in sorted(subs, key=lambda s: s.id):
        try:
            ok = subscription_matches(sub, paper)
        except ValueError:  # invalid subscriptions (TopicError included) are skipped
            continue
        if ok:
            out.setdefault(sub.channel_id, []).append(sub)
    return out


@settings(max_examples=300)
@given(subscriptions(), st.lists(papers(), min_size=1, max_size=4))
def test_index_equals_brute_force(subs: list[Subscription], batch: list[Paper]) -> None:
    index = SubscriptionIndex(subs)
    for paper in batch:
        assert index.match(paper) == brute_force(subs, paper)


@given(st.lists(st.text(alphabet="abcXYZ", min_size=1, max_size=5), min_size=2, max_size=4))
def test_parse_person_fast_path_agrees_with_general_parser(words: list[str]) -> None:
    from bot.matching.names import _parse_folded, fold

    name = " ".join([*words, "jr"] if len(words) > 2 else words)
    assert parse_person(name) == _parse_folded(fold(name))
