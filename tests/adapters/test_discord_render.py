"""Discord renderers: escaping, mention-proofing and every size limit with extreme papers."""

from __future__ import annotations

import json
import re
from datetime import date

import discord
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord import render
from bot.model import Alert, Paper, Reply
from bot.model.text import build_alert

NASTY_TITLE = "@everyone look: **x** __y__ ||z|| `code` ~~s~~ [link](http://e.vil) <@123> @here"


def extreme_paper(**kw: object) -> Paper:
    base = {
        "arxiv_id": "2401.00001",
        "version": 2,
        "title": NASTY_TITLE * 8,
        "authors": tuple(f"Author{i} Surname{i}" for i in range(2000)),
        "abstract": ("word " * 2000).strip(),  # 10,000 characters
        "categories": tuple(f"cs.X{i}" for i in range(300)),
        "announced": date(2026, 7, 14),
    }
    base.update(kw)
    return Paper(**base)  # type: ignore[arg-type]


def within_limits(payload: dict) -> None:
    assert len(payload["content"]) <= render.CONTENT_MAX
    assert len(payload["embeds"]) <= render.EMBEDS_MAX
    assert sum(render.embed_length(e) for e in payload["embeds"]) <= render.EMBED_TOTAL_MAX
    for e in payload["embeds"]:
        assert len(e.get("title", "")) <= render.TITLE_MAX
        assert len(e.get("description", "")) <= render.DESCRIPTION_MAX
        assert len(e.get("footer", {}).get("text", "")) <= render.FOOTER_MAX
        assert len(e.get("fields", [])) <= 25
        for f in e.get("fields", []):
            assert 0 < len(f["value"]) <= render.FIELD_VALUE_MAX
            assert len(f["name"]) <= 256  # Discord refuses longer field names
        # discord.py accepts the dict and counts the same length we do.
        assert len(discord.Embed.from_dict(e)) == render.embed_length(e)
    assert payload["allowed_mentions"] == {"parse": []}


def no_live_mentions(text: str) -> None:
    assert not re.search(r"@(everyone|here)", text)
    assert not re.search(r"<@[!&]?\d", text)


def test_escape_markdown_and_mentions() -> None:
    out = render.escape_markdown(NASTY_TITLE)
    assert r"\*\*x\*\*" in out and r"\_\_y\_\_" in out and r"\|\|z\|\|" in out
    assert r"\`code\`" in out and r"\[link\]\(http://e.vil\)" in out
    no_live_mentions(out)
    assert "@\u200beveryone" in out and "@\u200bhere" in out
    # Removing the escapes and guards gives the original text back: nothing was lost.
    assert re.sub(r"\\(.)", r"\1", out).replace("\u200b", "") == NASTY_TITLE


def test_line_start_markdown_escaped_but_inner_hyphen_kept() -> None:
    out = render.escape_markdown("# Heading\n> quote\n- item\nstate-of-the-art")
    assert out.splitlines() == [r"\# Heading", r"\> quote", r"\- item", "state-of-the-art"]


def test_neutralise_mentions_is_idempotent() -> None:
    once = render.neutralise_mentions("hi @everyone")
    assert render.neutralise_mentions(once) == once


@pytest.mark.parametrize("limit", range(5, 40))
def test_cut_never_ends_inside_an_escape(limit: int) -> None:
    text = render.escape_markdown("a*b*c_d_e **f** @everyone ||g|| " * 3)
    out = render.cut(text, limit)
    assert len(out) <= limit
    body = out.removesuffix("…")
    assert (len(body) - len(body.rstrip("\\"))) % 2 == 0
    assert not body.endswith("@")


def test_extreme_alert_fits_every_limit_and_pings_nobody() -> None:
    paper = extreme_paper()
    alert = Alert(
        paper=paper,
        authors_line=", ".join(paper.authors),  # 2,000 authors in full
        summary=paper.abstract,  # 10,000 characters
        reasons=tuple(f"author: Person {i}" for i in range(500)),
    )
    payload = render.alert_message(alert)
    within_limits(payload)
    embed = payload["embeds"][0]
    assert embed["url"] == "https://arxiv.org/abs/2401.00001"
    assert embed["footer"]["text"] == "arXiv:2401.00001v2 · 2026-07-14"
    assert [f["name"] for f in embed["fields"]] == ["Authors", "Categories", "Why it matched"]
    assert embed["fields"][0]["value"].endswith("…")
    no_live_mentions(json.dumps(payload, ensure_ascii=False))


def test_alert_normal_paper_keeps_text() -> None:
    paper = Paper(
        "2308.03526",
        1,
        "Small *title*",
        ("Igor Babuschkin",),
        "One. Two.",
        categories=("cs.LG",),
        announced=date(2023, 8, 8),
    )
    payload = render.alert_message(build_alert(paper, ("author: Babuschkin, Igor",)))
    embed = payload["embeds"][0]
    assert embed["title"] == r"Small \*title\*"
    assert embed["description"] == "One. Two."
    assert embed["fields"][2] == {
        "name": "Why it matched",
        "value": "author: Babuschkin, Igor",
        "inline": True,
    }


def test_empty_fields_dropped() -> None:
    paper = Paper("2308.03526", 1, "T")
    embed = render.alert_message(build_alert(paper))["embeds"][0]
    assert [f["name"] for f in embed["fields"]] == ["Authors"]  # "(no authors listed)"
    assert "description" not in embed


def test_abstract_thread_message_one_embed_cut() -> None:
    payload = render.abstract_message(extreme_paper(abstract="**bold** " * 1500))
    within_limits(payload)
    desc = payload["embeds"][0]["description"]
    assert desc.startswith(r"\*\*bold\*\*") and desc.endswith("…")
    assert len(desc) <= 4096


def test_version_message() -> None:
    payload = render.version_message(extreme_paper(), 3)
    within_limits(payload)
    assert payload["content"].startswith("New version **v3** of ")
    assert "<https://arxiv.org/abs/2401.00001v3>" in payload["content"]
    no_live_mentions(payload["content"])


def test_thread_name_plain_and_short() -> None:
    name = render.thread_name(extreme_paper())
    assert 1 <= len(name) <= 100


def test_reply_with_many_extreme_papers() -> None:
    papers = tuple(extreme_paper(arxiv_id=f"2401.{i:05d}") for i in range(14))
    payload = render.reply_message(Reply("14 papers (store) @everyone", papers=papers))
    within_limits(payload)
    assert len(payload["embeds"]) == 10
    assert "(showing 10 of 14)" in payload["content"]
    no_live_mentions(payload["content"])


def test_reply_text_only_long() -> None:
    payload = render.reply_message(Reply("word " * 1000))
    within_limits(payload)
    assert payload["embeds"] == [] and payload["content"].endswith("…")


@settings(max_examples=60, deadline=None)
@given(
    title=st.text(min_size=1, max_size=600),
    abstract=st.text(max_size=5000),
    authors=st.lists(st.text(min_size=1, max_size=80), max_size=60),
)
def test_any_text_fits(title: str, abstract: str, authors: list[str]) -> None:
    paper = Paper("2401.00001", 1, title, tuple(authors), abstract)
    alert = Alert(paper, ", ".join(authors), abstract, ("topic: @everyone",))
    within_limits(render.alert_message(alert))
    within_limits(render.abstract_message(paper))
    within_limits(render.reply_message(Reply(title, papers=(paper,) * 10)))
