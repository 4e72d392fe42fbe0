"""Property tests of the Slack and Discord renderers: any paper (huge titles, thousands of
authors, control characters, ``<!channel>``, ``@everyone``, ``<@U1>``, Markdown, ``&``) renders
within every platform limit, with no live mention and no unescaped Slack control sequence."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from adapters.discord import render as discord_render
from adapters.slack import render as slack_render
from bot.model import Paper, Reply
from bot.model.text import build_alert

NASTY = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U1>",
    "<@U012ABC|bob>",
    "<#C123>",
    "@everyone",
    "@here",
    "<@123456789012345678>",
    "<@!1>",
    "<@&42>",
    "&",
    "&amp;",
    "&lt;",
    "<",
    ">",
    "*",
    "_",
    "~~",
    "`",
    "```",
    "||",
    "[x](https://evil)",
    "# ",
    "> ",
    "- ",
    "1. ",
    "\\",
    "\x00",
    "\x1b[31m",
    "\u202e",
    "\u200b",
    "\r\n",
    "\n",
    "\t",
    "  ",
    "é",
    "😀",
    "a" * 300,
]
text = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=40)), max_size=60).map("".join)
huge = st.one_of(text, st.integers(0, 12_000).map(lambda n: ("<@U1> & *x* " * n)[:n]))
authors = st.one_of(
    st.lists(text, max_size=20).map(tuple),
    st.integers(0, 3000).map(lambda n: tuple(f"A{i} <!channel> @everyone &" for i in range(n))),
)
ids = st.one_of(
    st.from_regex(r"\A2[0-9]{3}\.[0-9]{5}\Z"), st.from_regex(r"\A[a-z]{2,8}-[a-z]{2}/[0-9]{7}\Z")
)
categories = st.lists(
    st.sampled_from(["cs.AI", "cs.LG", "math.OC", "hep-th", "x<&>"]), max_size=8
).map(tuple)
moments = st.datetimes(datetime(1991, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC))
when = st.one_of(st.none(), moments)

papers = st.builds(
    Paper,
    arxiv_id=ids,
    version=st.integers(1, 99),
    title=huge,
    authors=authors,
    abstract=huge,
    primary_category=st.sampled_from(["cs.AI", ""]),
    categories=categories,
    published=when,
    updated=when,
    announced=st.one_of(st.none(), st.dates(date(1991, 1, 1), date(2100, 1, 1))),
    doi=st.one_of(st.none(), text),
    comment=st.one_of(st.none(), huge),
    journal_ref=st.one_of(st.none(), text),
)
reasons = st.lists(text, max_size=5).map(tuple)

# -- Slack ---------------------------------------------------------------------------------------

_BAD_AMP = re.compile(r"&(?!(?:amp|lt|gt);)")


def slack_texts(block: dict[str, Any]) -> list[tuple[str, str]]:
    """(block type, text) of every text object in a block."""
    found = []
    if "text" in block and isinstance(block["text"], dict):
        found.append((block["type"], block["text"]["text"]))
    for element in block.get("elements", []):
        if "text" in element:
            inner = element["text"]
            found.append(
                (
                    block["type"] + ":" + element.get("type", ""),
                    inner["text"] if isinstance(inner, dict) else inner,
                )
            )
    return found


def check_slack(message: dict[str, Any], *, allowed_links: tuple[str, ...] = ()) -> None:
    blocks = message["blocks"]
    assert 1 <= len(blocks) <= 50
    assert len(message["text"]) <= slack_render.FALLBACK_CHARS
    for kind, value in [("fallback", message["text"])] + [
        t for b in blocks for t in slack_texts(b)
    ]:
        limit = {"header": 150, "section": 3000, "actions:button": 75}.get(kind, 3000)
        assert len(value) <= limit, (kind, len(value))
        assert value, kind  # Slack refuses empty text objects
        stripped = value
        for link in allowed_links:
            stripped = stripped.replace(link, "")
        assert "<" not in stripped and ">" not in stripped, (kind, value[:200])
        assert not _BAD_AMP.search(stripped), (kind, value[:200])


@settings(max_examples=150, deadline=None)
@given(papers, reasons)
def test_slack_alert_within_limits_and_escaped(paper: Paper, why: tuple[str, ...]) -> None:
    check_slack(slack_render.render_alert(build_alert(paper, why)))


@settings(max_examples=100, deadline=None)
@given(papers, st.integers(1, 99))
def test_slack_thread_messages_within_limits(paper: Paper, version: int) -> None:
    check_slack(slack_render.render_abstract(paper))
    link = f"<{paper.abs_url}v{version}|arXiv:{slack_render.escape(paper.arxiv_id)}v{version}>"
    check_slack(slack_render.render_version(paper, version), allowed_links=(link,))


@settings(max_examples=60, deadline=None)
@given(huge, st.lists(papers, max_size=15), st.booleans())
def test_slack_reply_within_limits(reply_text: str, found: list[Paper], ephemeral: bool) -> None:
    check_slack(slack_render.render_reply(Reply(reply_text, tuple(found), ephemeral)))


# -- Discord -------------------------------------------------------------------------------------

_LIVE_MENTION = re.compile("@(everyone|here)|<@[!&]?\\d+>|@(?!\u200b)\\S")
_MARKDOWN = set("*_~|`")


def escaped_markdown(value: str) -> bool:
    """Every Markdown character is preceded by an odd run of backslashes."""
    for i, ch in enumerate(value):
        if ch in _MARKDOWN:
            run = len(value[:i]) - len(value[:i].rstrip("\\"))
            if run % 2 == 0:
                return False
    return True


def check_discord(message: dict[str, Any], *, escaped: bool = True) -> None:
    assert message["allowed_mentions"] == {"parse": []}
    assert len(message["content"]) <= 2000
    assert not _LIVE_MENTION.search(message["content"])
    embeds = message["embeds"]
    assert len(embeds) <= 10
    assert sum(discord_render.embed_length(e) for e in embeds) <= 6000
    for embed in embeds:
        assert 0 < len(embed.get("title", "x")) <= 256
        assert len(embed.get("description", "")) <= 4096
        assert len(embed.get("footer", {}).get("text", "")) <= 2048
        fields = embed.get("fields", [])
        assert len(fields) <= 25
        texts = [embed.get("title", ""), embed.get("description", "")]
        for f in fields:
            assert 0 < len(f["name"]) <= 256 and 0 < len(f["value"]) <= 1024
            assert f["value"].strip()
            texts.append(f["value"])
        for value in texts:
            assert not _LIVE_MENTION.search(value), value[:200]
            if escaped:
                assert escaped_markdown(value), value[:200]


@settings(max_examples=150, deadline=None)
@given(papers, reasons)
def test_discord_alert_within_limits_and_escaped(paper: Paper, why: tuple[str, ...]) -> None:
    check_discord(discord_render.alert_message(build_alert(paper, why)))


LONG_ABSTRACT_AND_COMMENT = Paper(
    "2000.00000", 1, "", abstract="<@U1> & *x* " * 400, comment="<@U1> & *x* " * 200
)


@settings(max_examples=100, deadline=None)
@given(papers, st.integers(1, 99))
@example(LONG_ABSTRACT_AND_COMMENT, 1)  # found by Hypothesis: 4096 + 2048 + title > 6000
def test_discord_thread_messages_within_limits(paper: Paper, version: int) -> None:
    check_discord(discord_render.abstract_message(paper), escaped=False)
    check_discord(discord_render.version_message(paper, version), escaped=False)
    name = discord_render.thread_name(paper)
    assert 1 <= len(name) <= 100


@settings(max_examples=60, deadline=None)
@given(huge, st.lists(papers, max_size=15))
def test_discord_reply_within_limits(reply_text: str, found: list[Paper]) -> None:
    check_discord(discord_render.reply_message(Reply(reply_text, tuple(found))), escaped=False)
