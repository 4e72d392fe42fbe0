"""The text the core writes, for every adapter to render.

Replies are written in a small Markdown subset, the same for every platform: ``*bold*``,
```code``` (a command, an id), ``_italic_`` (a note, on a line of its own) and ``•`` bullets at
the start of a line; no links, headings or nesting. Adapters render it (the console drops the
marks, Slack reads it as mrkdwn, Discord as Markdown) and escape whatever came from a user or a
paper before it enters a message. This module also holds the pieces of paper text every renderer
needs: author lines, summaries cut at sentence boundaries, and the neutral :class:`Alert`.
"""

from __future__ import annotations

import re

from bot.model.chat import Alert
from bot.model.paper import Paper
from bot.model.scholarly import PaperRecord

#: The longest query a command takes unless ``[limits] max_query_length`` says otherwise
#: (look-ups, topics); topic parsing refuses longer ones in any case.
MAX_QUERY_CHARS = 300


#: The private-use characters around a literal (user-typed) value inside core text.
LITERAL_OPEN = "\ue000"
LITERAL_CLOSE = "\ue001"
_LITERAL_MARKS = str.maketrans("", "", LITERAL_OPEN + LITERAL_CLOSE)


def literal(value: object) -> str:
    """``value`` marked as literal text: shown as typed, whatever Markdown it holds."""
    return LITERAL_OPEN + str(value).translate(_LITERAL_MARKS) + LITERAL_CLOSE


def split_literals(text: str) -> list[tuple[str, bool]]:
    """``text`` as ``(piece, is_literal)`` pieces, in order (empty pieces left out)."""
    pieces: list[tuple[str, bool]] = []
    rest = text
    while rest:
        start = rest.find(LITERAL_OPEN)
        if start < 0:
            pieces.append((rest, False))
            break
        end = rest.find(LITERAL_CLOSE, start + 1)
        if end < 0:  # unbalanced (never produced by literal()): the rest is literal
            end = len(rest)
        if start:
            pieces.append((rest[:start], False))
        if rest[start + 1 : end]:
            pieces.append((rest[start + 1 : end], True))
        rest = rest[end + 1 :]
    return [(p, lit) for p, lit in pieces if p]


def without_marks(text: str) -> str:
    """Core text with the literal marks removed (terminal output, notification fallbacks)."""
    return text.translate(_LITERAL_MARKS)


def unexpected_error(command: str) -> str:
    """The one answer to a command that failed for a reason nobody expected (the log has the
    details): every adapter shows this same text."""
    return (
        f"Sorry, something went wrong: `{command}` failed on our side. "
        "It is logged; try again later."
    )


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[$\\])")
_SPACE = re.compile(r"\s+")


def author_line(authors: tuple[str, ...] | list[str], shown: int = 4) -> str:
    """``A, B, C, D et al.`` — the first few authors."""
    names = [a for a in authors if a.strip()]
    if not names:
        return "(no authors listed)"
    if len(names) <= shown:
        return ", ".join(names)
    return ", ".join(names[:shown]) + " et al."


def first_sentences(text: str, limit: int = 400) -> str:
    """The abstract's first sentences, at most ``limit`` characters, cut at a sentence boundary
    (at a word boundary with an ellipsis when the first sentence alone is too long)."""
    text = _SPACE.sub(" ", text).strip()
    if len(text) <= limit:
        return text
    out = ""
    for sentence in _SENTENCE_END.split(text):
        candidate = f"{out} {sentence}".strip()
        if len(candidate) > limit:
            break
        out = candidate
    if out:
        return out
    return cut_words(text, limit)


def leading_sentences(text: str, count: int, limit: int = 400) -> str:
    """The first ``count`` sentences of ``text``, at most ``limit`` characters (fewer sentences
    when they do not fit; the first cut at a word boundary when it alone is too long)."""
    sentences = _SENTENCE_END.split(_SPACE.sub(" ", text).strip())
    return first_sentences(" ".join(sentences[:count]), limit)


def cut_words(text: str, limit: int, ellipsis: str = "…") -> str:
    """Cut ``text`` to at most ``limit`` characters at a word boundary, adding ``ellipsis``."""
    if len(text) <= limit:
        return text
    room = max(limit - len(ellipsis), 0)
    cut = text[:room]
    space = cut.rfind(" ")
    if space > room // 2:
        cut = cut[:space]
    return cut.rstrip() + ellipsis


def build_alert(
    paper: Paper,
    reasons: tuple[str, ...] = (),
    summary_chars: int = 400,
    record: PaperRecord | None = None,
) -> Alert:
    """The neutral alert every adapter renders: the summary is the index's TL;DR when one is
    already cached (``record``), else the abstract's first sentences."""
    return Alert(
        paper=paper,
        authors_line=author_line(paper.authors),
        summary=card_summary(paper, record, summary_chars),
        reasons=reasons,
    )


def record_of(records: tuple[PaperRecord, ...], paper: Paper) -> PaperRecord | None:
    """The index record of ``paper`` among a reply's ``records`` (None: none known)."""
    return next((r for r in records if r.arxiv_id == paper.arxiv_id and r.found), None)


def card_summary(paper: Paper, record: PaperRecord | None, limit: int = 400) -> str:
    """A card's summary line: the index's TL;DR when it has one, else the trimmed abstract."""
    if record is not None and record.tldr.strip():
        return cut_words(_SPACE.sub(" ", record.tldr).strip(), limit)
    return first_sentences(paper.abstract, limit)


def published_line(record: PaperRecord | None) -> str:
    """``Published in Mind · DOI 10.1093/… · 10,059 citations (Semantic Scholar)``, or ""
    when the index knows neither a published version nor citations."""
    if record is None or not record.found:
        return ""
    parts = []
    if record.published_in:
        parts.append(f"Published in {record.published_in}")
    if record.doi:
        parts.append(f"DOI {record.doi}")
    if record.citations is not None:
        parts.append(f"{record.citations:,} citation{'s' if record.citations != 1 else ''}")
    if not parts:
        return ""
    return " · ".join(parts) + f" ({SOURCE_NAMES.get(record.source, record.source)})"


#: How cards name an index.
SOURCE_NAMES = {"semantic_scholar": "Semantic Scholar", "openalex": "OpenAlex"}
