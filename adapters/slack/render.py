"""Block Kit messages for Slack: pure functions from neutral objects to message payloads.

Command answers are ``rich_text`` blocks built from the core's Markdown subset: Slack offers no
way to escape mrkdwn, so a value a user typed (a :func:`~bot.model.text.literal` span) becomes a
plain ``text`` element that Slack shows as typed (``*bold*``, backticks, ``<!channel>`` and
``[text](url)`` included) and never parses.

Every piece of paper text is escaped (``&``, ``<``, ``>``) so a ``<!channel>`` or ``<@U…>`` in a
title is shown, never acted on. Slack's limits (header 150, section 3000, 50 blocks per message)
apply to the text as sent, so text is escaped first and cut afterwards, at a word boundary and
never inside an escape sequence. The same payloads serve the bot (``chat.postMessage``), the
incoming webhook and slash-command answers.
"""

from __future__ import annotations

import re
from typing import Any

from bot.model import Alert, Paper, Reply
from bot.model.digest import DigestEntry, DigestPart
from bot.model.scholarly import PaperRecord
from bot.model.text import (
    author_line,
    card_summary,
    cut_words,
    published_line,
    record_of,
    split_literals,
    without_marks,
)

MAX_BLOCKS = 50
HEADER_CHARS = 150
SECTION_CHARS = 3000
CONTEXT_CHARS = 2000  # per context element; well under Slack's limit, keeps the line short
BUTTON_CHARS = 75
FALLBACK_CHARS = 3000
SHARE_ACTION = "share_paper"
#: The Save button of an alert the bot posted (value: the arXiv id).
SAVE_ACTION = "save_paper"
#: A document (BibTeX) shown inline in an answer up to this many characters, else a file.
DOCUMENT_CHARS = 2900
ELLIPSIS = "…"

Block = dict[str, Any]
Message = dict[str, Any]

_PARTIAL_ENTITY = re.compile(r"&[a-z]*$")


def escape(text: str) -> str:
    """Escape the three characters Slack treats as markup in message text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fit(escaped: str, limit: int) -> str:
    """Cut already escaped text to at most ``limit`` characters at a word boundary.

    Never leaves half an escape (``&am``) behind: the cut backs off to before the ``&``.
    """
    if len(escaped) <= limit:
        return escaped
    cut = cut_words(escaped, limit, ELLIPSIS)
    body = cut[: -len(ELLIPSIS)] if cut.endswith(ELLIPSIS) else cut
    body = _PARTIAL_ENTITY.sub("", body).rstrip()
    return body + ELLIPSIS


def plain(text: str, limit: int) -> dict[str, Any]:
    """A plain_text object holding (escaped, cut) text."""
    return {"type": "plain_text", "text": fit(escape(text), limit) or " ", "emoji": False}


def mrkdwn(escaped: str, limit: int = SECTION_CHARS) -> dict[str, Any]:
    """A verbatim mrkdwn object: ``verbatim`` stops Slack from linking bare names/channels."""
    return {"type": "mrkdwn", "text": fit(escaped, limit) or " ", "verbatim": True}


def chunks(escaped: str, limit: int = SECTION_CHARS) -> list[str]:
    """Split escaped text into pieces of at most ``limit`` characters, at spaces when possible
    and never inside an escape sequence."""
    pieces: list[str] = []
    rest = escaped.strip()
    while len(rest) > limit:
        cut = rest.rfind(" ", 0, limit + 1)
        if cut <= limit // 2:
            cut = limit
            amp = rest.rfind("&", cut - 6, cut)
            if amp != -1 and ";" not in rest[amp:cut]:
                cut = amp
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _section(escaped: str) -> Block:
    return {"type": "section", "text": mrkdwn(escaped)}


def _link_buttons(paper: Paper, share: bool, save: bool = False) -> Block:
    elements: list[Block] = [
        {
            "type": "button",
            "action_id": "open_abstract",
            "url": paper.abs_url,
            "text": plain("Abstract", BUTTON_CHARS),
        },
        {
            "type": "button",
            "action_id": "open_pdf",
            "url": paper.pdf_url,
            "text": plain("PDF", BUTTON_CHARS),
        },
    ]
    if save:
        elements.append(
            {
                "type": "button",
                "action_id": SAVE_ACTION,
                "value": paper.arxiv_id,
                "text": plain("Save", BUTTON_CHARS),
            }
        )
    if share:
        elements.append(
            {
                "type": "button",
                "action_id": SHARE_ACTION,
                "value": paper.arxiv_id,
                "text": plain("Share in channel", BUTTON_CHARS),
            }
        )
    return {"type": "actions", "elements": elements}


def _context(
    paper: Paper, reasons: tuple[str, ...], when: str | None, published: str = ""
) -> Block:
    cats = paper.categories or ((paper.primary_category,) if paper.primary_category else ())
    parts = [f"arXiv:{paper.versioned_id}"]
    if cats:
        parts.append(" · ".join(cats))
    if when:
        parts.append(when)
    elements = [mrkdwn(escape("  |  ".join(parts)), CONTEXT_CHARS)]
    if published:
        elements.append(mrkdwn(escape(published), CONTEXT_CHARS))
    if reasons:
        elements.append(mrkdwn("Matched " + escape("; ".join(reasons)), CONTEXT_CHARS))
    return {"type": "context", "elements": elements}


def paper_blocks(
    paper: Paper,
    *,
    authors_line: str | None = None,
    summary: str | None = None,
    reasons: tuple[str, ...] = (),
    share: bool = False,
    record: PaperRecord | None = None,
    save: bool = False,
) -> list[Block]:
    """One paper card: header, authors + summary, context, link buttons (4 blocks); an index's
    ``record`` adds the published version and citations, and its TL;DR is the summary."""
    authors = authors_line if authors_line is not None else author_line(paper.authors)
    text = summary if summary is not None else card_summary(paper, record)
    body = f"*{escape(authors)}*"
    if text:
        body += "\n" + escape(text)
    when = paper.display_date
    return [
        {"type": "header", "text": plain(paper.title, HEADER_CHARS)},
        _section(body),
        _context(paper, reasons, when.isoformat() if when else None, published_line(record)),
        _link_buttons(paper, share, save),
    ]


def _fallback(text: str) -> str:
    return fit(escape(" ".join(text.split())), FALLBACK_CHARS)


def _message(text: str, blocks: list[Block]) -> Message:
    return {
        "text": text,
        "blocks": blocks[:MAX_BLOCKS],
        "unfurl_links": False,
        "unfurl_media": False,
    }


def render_alert(alert: Alert, *, save: bool = False) -> Message:
    """The alert card plus a plain ``text`` fallback (notifications, screen readers).
    ``save`` adds the Save button (the bot's alerts only: a webhook's message has no id the
    press could be matched with)."""
    paper = alert.paper
    blocks = paper_blocks(
        paper,
        authors_line=alert.authors_line,
        summary=alert.summary,
        reasons=alert.reasons,
        save=save,
    )
    return _message(_fallback(f"New paper: {alert.title} — {alert.authors_line}"), blocks)


def render_abstract(paper: Paper) -> Message:
    """The thread reply with the whole abstract (several sections when it is long)."""
    intro = f"*Abstract* of arXiv:{escape(paper.versioned_id)}"
    blocks: list[Block] = [_section(intro)]
    pieces = chunks(escape(" ".join(paper.abstract.split())) or "(no abstract)")
    room = MAX_BLOCKS - 1 - (1 if paper.comment or paper.journal_ref else 0)
    if len(pieces) > room:
        pieces = pieces[:room]
        pieces[-1] = fit(pieces[-1] + " " + ELLIPSIS, SECTION_CHARS)
    blocks.extend(_section(p) for p in pieces)
    notes = [n for n in (paper.comment, paper.journal_ref) if n]
    if notes:
        blocks.append(
            {"type": "context", "elements": [mrkdwn(escape(n), CONTEXT_CHARS) for n in notes]}
        )
    return _message(_fallback(f"Abstract of {paper.title}"), blocks)


def render_version(paper: Paper, version: int) -> Message:
    """A short thread reply noting a new version."""
    text = f"New version v{version}: {paper.title}"
    link = f"<{paper.abs_url}v{version}|arXiv:{escape(paper.arxiv_id)}v{version}>"
    body = fit(escape(text), SECTION_CHARS - len(link) - 3) + " — " + link
    return _message(_fallback(text), [_section(body)])


def _styled(text: str, style: dict[str, bool]) -> Block:
    element: Block = {"type": "text", "text": text}
    on = {k: True for k, v in style.items() if v}
    if on:
        element["style"] = on
    return element


def _core_elements(text: str, style: dict[str, bool]) -> list[Block]:
    """The core's own text: ``*bold*``, ```code```, ``_italic_`` lines as styles."""
    out: list[Block] = []
    run = ""
    for i, ch in enumerate(text):
        line_edge = i == 0 or text[i - 1] == "\n" or i + 1 == len(text) or text[i + 1] == "\n"
        toggle = (
            (ch == "`")
            or (ch == "*" and not style["code"])
            or (ch == "_" and not style["code"] and line_edge)
        )
        if not toggle:
            run += ch
            continue
        if run:
            out.append(_styled(run, style))
            run = ""
        key = {"`": "code", "*": "bold", "_": "italic"}[ch]
        style[key] = not style[key]
    if run:
        out.append(_styled(run, style))
    return out


def rich_text(text: str, limit: int = SECTION_CHARS) -> list[Block]:
    """Core text as ``rich_text`` blocks of at most ``limit`` characters each; literal spans
    become plain text elements, whatever they contain."""
    style = {"bold": False, "italic": False, "code": False}
    elements: list[Block] = []
    for piece, is_literal in split_literals(text):
        if is_literal:
            elements.append(_styled(piece, style))
        else:
            elements.extend(_core_elements(piece, style))
    groups: list[list[Block]] = []
    current: list[Block] = []
    size = 0
    for element in elements:
        for start in range(0, len(element["text"]), limit):
            part = {**element, "text": element["text"][start : start + limit]}
            if size + len(part["text"]) > limit and current:
                groups.append(current)
                current, size = [], 0
            current.append(part)
            size += len(part["text"])
    if current:
        groups.append(current)
    return [
        {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": group}]}
        for group in groups
    ]


def render_reply(reply: Reply, *, share: bool | None = None) -> Message:
    """A command answer: text as rich text, then paper cards while there is room.

    ``share`` adds a "Share in channel" button to each card; by default it is shown on
    ephemeral answers only (a public answer is already shared). A document of at most
    :data:`DOCUMENT_CHARS` follows the text as a code block; a longer one is the adapter's
    to send as a file.
    """
    share = reply.ephemeral if share is None else share
    blocks: list[Block] = rich_text(reply.text)[: MAX_BLOCKS - 2]
    document = reply.document
    if document is not None and len(document.content) <= DOCUMENT_CHARS:
        blocks.append(preformatted(document.content.rstrip("\n")))
    shown = 0
    for paper in reply.papers:
        card = paper_blocks(paper, share=share, record=record_of(reply.records, paper))
        if len(blocks) + len(card) > MAX_BLOCKS:
            break
        blocks.extend(card)
        shown += 1
    if shown < len(reply.papers) and len(blocks) < MAX_BLOCKS:
        blocks.append(_section(f"_…and {len(reply.papers) - shown} more not shown_"))
    text = without_marks(reply.text)
    fallback = text if not reply.papers else f"{text} {reply.papers[0].title}"
    return _message(_fallback(fallback) or " ", blocks or [_section(" ")])


def preformatted(text: str) -> Block:
    """A code block of plain text (shown as typed: rich text needs no escaping)."""
    element = {"type": "rich_text_preformatted", "elements": [{"type": "text", "text": text}]}
    return {"type": "rich_text", "elements": [element]}


def render_shared(paper: Paper, user_id: str | None) -> Message:
    """A looked-up paper posted publicly by someone who pressed "Share in channel"."""
    blocks = paper_blocks(paper)
    if user_id and re.fullmatch(r"[UW][A-Z0-9]+", user_id):
        # The id comes from Slack itself, so this mention is real and intended.
        blocks.append({"type": "context", "elements": [mrkdwn(f"Shared by <@{user_id}>")]})
    return _message(_fallback(paper.title), blocks)


#: A title in a digest's title list, and a group heading, at most (before escaping).
DIGEST_TITLE_CHARS = 200
GROUP_CHARS = 150


def _digest_link(entry: DigestEntry) -> str:
    paper = entry.paper
    title = fit(escape(" ".join(paper.title.split()) or paper.arxiv_id), DIGEST_TITLE_CHARS)
    also = f" ({escape(entry.also_text)})" if entry.also else ""
    return f"<{paper.abs_url}|{title.replace('|', '¦')}>{also}"


def _full_entry(entry: DigestEntry) -> list[Block]:
    body = f"*{_digest_link(entry)}*\n{fit(escape(entry.authors), 500)}"
    if entry.summary:
        body += "\n" + escape(entry.summary)
    paper = entry.paper
    when = paper.display_date
    return [_section(body), _context(paper, (), when.isoformat() if when else None)]


def render_digest(part: DigestPart) -> Message:
    """One digest or overflow part: a header, then per subscription group its heading and its
    papers (full entries: a linked title, authors and a summary with an id line; title lines:
    sections of at most 3,000 characters). Within 50 blocks for the part sizes the Slack spec
    declares (10 full entries or 50 title lines)."""
    blocks: list[Block] = [{"type": "header", "text": plain(part.heading, HEADER_CHARS)}]
    if part.note:  # the ledger's line
        blocks.append({"type": "context", "elements": [mrkdwn(fit(escape(part.note), 2000))]})
    for group, entries in part.groups():
        heading = f"*{fit(escape(group), GROUP_CHARS)}*" if group else ""
        if entries[0].full:
            if heading:
                blocks.append(_section(heading))
            for entry in entries:
                blocks.extend(_full_entry(entry))
            continue
        lines = [heading] if heading else []
        lines += [f"• {_digest_link(e)}" for e in entries]
        blocks.extend(_section(text) for text in _joined(lines))
    if len(blocks) > MAX_BLOCKS:
        blocks[MAX_BLOCKS - 1 :] = [_section("_…more in the next message_")]
    return _message(_fallback(part.heading), blocks)


def _joined(lines: list[str], limit: int = SECTION_CHARS) -> list[str]:
    """Lines packed into texts of at most ``limit`` characters (a line never split)."""
    texts: list[str] = []
    for line in lines:
        if texts and len(texts[-1]) + 1 + len(line) <= limit:
            texts[-1] += "\n" + line
        else:
            texts.append(line[:limit])
    return texts
