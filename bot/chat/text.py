"""Plain-text paper cards and alerts, for the console and the CLI; and, for adapters,
:func:`find_references` (the papers a message names)."""

from __future__ import annotations

import textwrap

from bot.chat.ids import find_references
from bot.model import Alert, Paper
from bot.model.scholarly import PaperRecord
from bot.model.text import author_line, card_summary, published_line, split_literals


def paper_card_text(
    paper: Paper,
    *,
    width: int = 88,
    summary_chars: int = 400,
    record: PaperRecord | None = None,
    summary: str | None = None,
) -> str:
    """A readable plain-text card: title, authors, date, categories, link, the published
    version and citations when an index knows them (``record``), and the summary (the index's
    TL;DR when it has one, else the abstract's first sentences; ``summary`` overrides both)."""
    when = paper.display_date
    lines = [
        f"{paper.title}",
        f"  {author_line(paper.authors, shown=6)}",
        f"  arXiv:{paper.versioned_id}"
        + (f" · {when.isoformat()}" if when else "")
        + (f" · {' '.join(paper.categories)}" if paper.categories else ""),
        f"  {paper.abs_url}",
    ]
    if paper.doi:
        lines.append(f"  DOI {paper.doi}")
    published = published_line(record)
    if published:
        lines.append(f"  {published}")
    if summary is None:
        summary = card_summary(paper, record, summary_chars)
    if summary:
        lines.append(
            textwrap.fill(summary, width=width, initial_indent="  ", subsequent_indent="  ")
        )
    return "\n".join(lines)


def alert_text(alert: Alert) -> str:
    """Plain-text alert for the console and logs."""
    reasons = ", ".join(alert.reasons)
    card = paper_card_text(alert.paper, summary=alert.summary)
    return f"{card}\n  matched {reasons}" if reasons else card


def plain_text(text: str) -> str:
    """Core text for a terminal: bold marks dropped from the core's own words, what a user or
    a platform wrote shown exactly as it is (command names keep their backticks)."""
    return "".join(
        piece if is_literal else piece.replace("*", "")
        for piece, is_literal in split_literals(text)
    )


__all__ = ["alert_text", "find_references", "paper_card_text", "plain_text"]
