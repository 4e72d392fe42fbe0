"""Render: author lines, summaries cut at sentence boundaries, the plain-text card."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.chat.text import alert_text, paper_card_text
from bot.model import Paper
from bot.model.text import author_line, build_alert, cut_words, first_sentences

ABSTRACT = (
    "StarCraft II is one of the most challenging simulated reinforcement learning environments. "
    "It is partially observable, stochastic and multi-agent. "
    "Mastering it requires strategic planning over long time horizons. "
    "We introduce a benchmark, e.g. for offline RL, with 3.5 million games."
)


def paper(**changes: object) -> Paper:
    fields: dict[str, object] = {
        "arxiv_id": "2308.03526",
        "version": 1,
        "title": "AlphaStar Unplugged: Large-Scale Offline Reinforcement Learning",
        "authors": ("Michaël Mathieu", "Sherjil Ozair", "Igor Babuschkin"),
        "abstract": ABSTRACT,
        "primary_category": "cs.LG",
        "categories": ("cs.LG", "cs.AI"),
        "published": datetime(2023, 8, 7, 17, 41, tzinfo=UTC),
    }
    fields.update(changes)
    return Paper(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("limit", [60, 90, 150, 200, 250, 1000])
def test_first_sentences_cuts_at_a_sentence_boundary(limit: int) -> None:
    out = first_sentences(ABSTRACT, limit)
    assert len(out) <= limit
    assert ABSTRACT.startswith(out.rstrip("…"))
    if limit >= 91:  # the first sentence fits: whole sentences only
        assert out.endswith(".")
        assert ABSTRACT[len(out) :] == "" or ABSTRACT[len(out)] == " "


def test_first_sentences_keeps_short_text_and_collapses_space() -> None:
    assert first_sentences("  One.\n\n  Two.  ", 400) == "One. Two."
    assert first_sentences("", 400) == ""


def test_first_sentences_does_not_split_inside_abbreviations_or_numbers() -> None:
    text = "We use e.g. transformers on 3.5 million games. Then more words follow here."
    out = first_sentences(text, 60)
    assert out == "We use e.g. transformers on 3.5 million games."


def test_first_sentence_too_long_is_cut_at_a_word_with_ellipsis() -> None:
    text = "word " * 100
    out = first_sentences(text, 50)
    assert len(out) <= 50 and out.endswith("…")
    assert out[:-1].split() == ["word"] * len(out[:-1].split())


def test_cut_words() -> None:
    assert cut_words("short", 10) == "short"
    out = cut_words("alpha beta gamma delta", 12)
    assert out == "alpha beta…" and len(out) <= 12


def test_author_line() -> None:
    assert author_line(()) == "(no authors listed)"
    assert author_line(["", " "]) == "(no authors listed)"
    assert author_line(("A",)) == "A"
    assert author_line(("A", "B", "C", "D")) == "A, B, C, D"
    assert author_line(("A", "B", "C", "D", "E")) == "A, B, C, D et al."
    assert author_line(("A", "B", "C"), shown=2) == "A, B et al."


def test_paper_card_text_has_title_authors_id_and_link() -> None:
    card = paper_card_text(paper(doi="10.1000/xyz"))
    lines = card.splitlines()
    assert lines[0] == "AlphaStar Unplugged: Large-Scale Offline Reinforcement Learning"
    assert "Michaël Mathieu, Sherjil Ozair, Igor Babuschkin" in card
    assert "arXiv:2308.03526v1" in card
    assert "2023-08-07" in card and "cs.LG cs.AI" in card
    assert "https://arxiv.org/abs/2308.03526" in card
    assert "DOI 10.1000/xyz" in card
    assert "StarCraft II is one of the most challenging" in card
    assert all(len(line) <= 88 for line in lines[4:])


def test_paper_card_prefers_announced_day_and_handles_sparse_paper() -> None:
    card = paper_card_text(paper(announced=date(2023, 8, 8)))
    assert "2023-08-08" in card and "2023-08-07" not in card
    bare = paper_card_text(Paper("hep-th/9901001", 2, "Old paper"))
    assert "arXiv:hep-th/9901001v2" in bare
    assert "https://arxiv.org/abs/hep-th/9901001" in bare
    assert "(no authors listed)" in bare


def test_build_alert_and_alert_text() -> None:
    alert = build_alert(paper(), reasons=("author: Babuschkin, Igor",), summary_chars=100)
    assert alert.authors_line == "Michaël Mathieu, Sherjil Ozair, Igor Babuschkin"
    assert len(alert.summary) <= 100 and alert.summary.endswith(".")
    assert alert.title == paper().title
    assert alert.date == date(2023, 8, 7)
    text = alert_text(alert)
    assert text.endswith("matched author: Babuschkin, Igor")
    assert "matched" not in alert_text(build_alert(paper()))
