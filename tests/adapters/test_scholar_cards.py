"""A look-up's card on every renderer: the index's published version, citations and TL;DR."""

from __future__ import annotations

import json

from adapters.discord.render import reply_message
from adapters.slack.render import render_reply
from bot.chat.text import paper_card_text
from bot.model import Paper, Reply
from bot.model.scholarly import SEMANTIC_SCHOLAR, PaperRecord

PAPER = Paper("2303.08774", 6, "GPT-4 Technical Report", ("OpenAI",), abstract="We report. More.")
RECORD = PaperRecord(
    "2303.08774",
    SEMANTIC_SCHOLAR,
    journal="Nature",
    doi="10.1/gpt4",
    citations=12_345,
    tldr="GPT-4 is a large multimodal model.",
)
LINE = "Published in Nature · DOI 10.1/gpt4 · 12,345 citations (Semantic Scholar)"
REPLY = Reply("Found (store)", papers=(PAPER,), records=(RECORD,))


def test_console_card() -> None:
    card = paper_card_text(PAPER, record=RECORD)
    assert LINE in card and "GPT-4 is a large multimodal model." in card
    assert "We report." not in card


def test_a_card_without_a_record_keeps_the_trimmed_abstract() -> None:
    card = paper_card_text(PAPER)
    assert "We report. More." in card and "Published" not in card


def test_slack_card() -> None:
    text = json.dumps(render_reply(REPLY)["blocks"], ensure_ascii=False)
    assert LINE in text and "GPT-4 is a large multimodal model." in text
    assert "We report." not in text


def test_discord_card() -> None:
    (embed,) = reply_message(REPLY)["embeds"]
    assert embed["description"] == "GPT-4 is a large multimodal model."
    (published,) = [f["value"] for f in embed["fields"] if f["name"] == "Published"]
    assert "Published in Nature" in published and "12,345 citations" in published


def test_a_record_of_another_paper_is_not_shown() -> None:
    other = Reply("Found", papers=(PAPER,), records=(PaperRecord("2401.00001", SEMANTIC_SCHOLAR),))
    (embed,) = reply_message(other)["embeds"]
    assert all(f["name"] != "Published" for f in embed["fields"])
