"""Slack Block Kit rendering: limits counted as sent, escaping, splitting."""

from __future__ import annotations

import json
from datetime import date

from adapters.slack.render import (
    HEADER_CHARS,
    MAX_BLOCKS,
    SECTION_CHARS,
    SHARE_ACTION,
    chunks,
    escape,
    fit,
    render_abstract,
    render_alert,
    render_reply,
    render_shared,
    render_version,
)
from bot.model import Paper, Reply
from bot.model.text import build_alert

EVIL = "<!channel> Fish & Chips <@U123> a<b>c"


def texts(message: dict) -> list[str]:
    """Every text string in a message's blocks (section/header/context text objects)."""
    out = []
    for block in message["blocks"]:
        if "text" in block:
            out.append(block["text"]["text"])
        for el in block.get("elements", []):
            if "text" in el and isinstance(el["text"], dict):
                out.append(el["text"]["text"])
            elif "text" in el:
                out.append(el["text"])
    return out


def check_limits(message: dict) -> None:
    assert len(message["blocks"]) <= MAX_BLOCKS
    for block in message["blocks"]:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= HEADER_CHARS
            assert block["text"]["type"] == "plain_text"
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= SECTION_CHARS
    for text in texts(message):
        assert not _broken_entity(text), text


def _broken_entity(text: str) -> bool:
    """True when an ``&`` is not the start of one of our three escapes."""
    i = text.find("&")
    while i != -1:
        if not text.startswith(("&amp;", "&lt;", "&gt;"), i):
            return True
        i = text.find("&", i + 1)
    return False


def paper(**kw) -> Paper:
    base = dict(
        arxiv_id="2308.03526",
        version=2,
        title="AgentSims: An Open-Source Sandbox",
        authors=("Jiaju Lin", "Igor Babuschkin"),
        abstract="We present a sandbox. It is open source.",
        primary_category="cs.AI",
        categories=("cs.AI", "cs.CL"),
        announced=date(2023, 8, 8),
    )
    base.update(kw)
    return Paper(**base)


def test_escape_and_fit_never_split_an_escape() -> None:
    assert escape("a & <b>") == "a &amp; &lt;b&gt;"
    text = escape("x" * 8 + "&&&&&&&&&&")  # no spaces: a hard cut lands inside escapes
    for limit in range(5, 40):
        out = fit(text, limit)
        assert len(out) <= limit
        assert not _broken_entity(out), (limit, out)
    assert fit("short", 10) == "short"


def test_chunks_split_at_spaces_or_between_escapes() -> None:
    text = escape(("word & " * 2000) + "&" * 5000)
    pieces = chunks(text, 3000)
    assert all(len(p) <= 3000 for p in pieces)
    assert not any(_broken_entity(p) for p in pieces)
    assert "".join(pieces).replace(" ", "") == text.replace(" ", "")


def test_alert_card_layout_and_links() -> None:
    alert = build_alert(paper(), reasons=("author: Babuschkin, Igor",))
    msg = render_alert(alert)
    kinds = [b["type"] for b in msg["blocks"]]
    assert kinds == ["header", "section", "context", "actions"]
    assert msg["unfurl_links"] is False and msg["unfurl_media"] is False
    section = msg["blocks"][1]["text"]
    assert section["type"] == "mrkdwn" and section["verbatim"] is True
    assert section["text"].startswith("*Jiaju Lin, Igor Babuschkin*\nWe present")
    context = " ".join(texts({"blocks": [msg["blocks"][2]]}))
    assert "cs.AI · cs.CL" in context and "2023-08-08" in context
    assert "author: Babuschkin, Igor" in context
    urls = [e["url"] for e in msg["blocks"][3]["elements"]]
    assert urls == ["https://arxiv.org/abs/2308.03526", "https://arxiv.org/pdf/2308.03526v2"]
    assert "AgentSims" in msg["text"]


def test_mentions_in_paper_text_are_inert() -> None:
    p = paper(title=EVIL, authors=("<!here>", "A & B"), abstract=EVIL)
    msg = render_alert(build_alert(p, reasons=("topic: <!everyone>",)))
    dump = json.dumps(msg)
    for raw in ("<!channel>", "<@U123>", "<!here>", "<!everyone>", "<b>"):
        assert raw not in dump
    assert msg["blocks"][0]["text"]["text"].startswith("&lt;!channel&gt; Fish &amp; Chips")
    assert "&lt;@U123&gt;" in msg["text"]
    for m in (render_abstract(p), render_version(p, 3)):
        assert "<!channel>" not in json.dumps(m) and "<@U123>" not in json.dumps(m)
    reply = render_reply(Reply(EVIL, (p,)))
    assert "<!channel>" not in reply["text"]  # the mrkdwn fallback is escaped
    (text,) = reply["blocks"][0]["elements"][0]["elements"]
    assert text == {"type": "text", "text": EVIL}  # rich text: shown as written, never a mention
    cards = json.dumps(reply["blocks"][1:])
    assert "<!channel>" not in cards and "<@U123>" not in cards


def test_header_limit_counts_the_escaped_text() -> None:
    # 149 raw characters become far more than 150 once escaped.
    p = paper(title="& " * 74 + "x")
    header = render_alert(build_alert(p))["blocks"][0]["text"]["text"]
    assert len(header) <= HEADER_CHARS
    assert header.endswith("…") and not _broken_entity(header)


def test_extreme_paper_stays_within_limits() -> None:
    authors = tuple(f"Author{i} Surname{i}" for i in range(2000))
    p = paper(title="T " * 400, authors=authors, abstract="Long & <odd> words. " * 500)
    assert len(p.abstract) == 10_000
    alert = build_alert(p, reasons=tuple(f"author: Surname{i}, Author{i}" for i in range(300)))
    msg = render_alert(alert)
    check_limits(msg)
    abstract = render_abstract(p)
    check_limits(abstract)
    sections = [b for b in abstract["blocks"] if b["type"] == "section"]
    assert len(sections) >= 1 + len(escape(p.abstract)) // SECTION_CHARS
    joined = " ".join(b["text"]["text"] for b in sections[1:])
    assert joined.split() == escape(p.abstract).split()  # nothing lost in the split
    check_limits(render_version(p, 7))
    check_limits(render_reply(Reply("x " * 5000, papers=(p,) * 20)))


def test_abstract_that_would_need_more_than_50_blocks_is_cut() -> None:
    p = paper(abstract="word " * 40_000, comment="12 pages")
    msg = render_abstract(p)
    check_limits(msg)
    assert len(msg["blocks"]) == MAX_BLOCKS
    assert msg["blocks"][-2]["text"]["text"].endswith("…")
    assert msg["blocks"][-1]["type"] == "context"


def test_version_reply_names_the_version() -> None:
    msg = render_version(paper(), 3)
    text = msg["blocks"][0]["text"]["text"]
    assert text.startswith("New version v3: AgentSims")
    assert "<https://arxiv.org/abs/2308.03526v3|arXiv:2308.03526v3>" in text


def test_reply_share_button_only_on_ephemeral_lookups() -> None:
    lookup = render_reply(Reply("Found (store)", papers=(paper(),)))
    buttons = [e for b in lookup["blocks"] if b["type"] == "actions" for e in b["elements"]]
    share = [b for b in buttons if b.get("action_id") == SHARE_ACTION]
    assert share and share[0]["value"] == "2308.03526"
    public = render_reply(Reply("Found", papers=(paper(),), ephemeral=False))
    assert SHARE_ACTION not in json.dumps(public)
    plain = render_reply(Reply("Subscribed #1 author: `Babuschkin, Igor`."))
    assert plain["blocks"][0]["elements"][0]["elements"] == [
        {"type": "text", "text": "Subscribed #1 author: "},
        {"type": "text", "text": "Babuschkin, Igor", "style": {"code": True}},
        {"type": "text", "text": "."},
    ]


def test_reply_with_too_many_papers_says_so() -> None:
    msg = render_reply(Reply("many", papers=(paper(),) * 30))
    check_limits(msg)
    assert "more not shown" in msg["blocks"][-1]["text"]["text"]


def test_shared_card_mentions_only_a_real_user_id() -> None:
    assert "<@U0ABC>" in json.dumps(render_shared(paper(), "U0ABC"))
    assert "Shared by" not in json.dumps(render_shared(paper(), None))
