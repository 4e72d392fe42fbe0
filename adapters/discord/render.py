"""Discord message payloads as plain JSON-ready dicts, shared by the webhook and the bot.

Pure functions, no discord import: the webhook posts these dicts as they are, the bot turns each
embed into ``discord.Embed.from_dict``. Paper text is escaped (markdown) and mention-proofed;
every Discord limit is enforced here because the API answers 400 past them and neither aiohttp
nor discord.py (beyond the 10-embed rule) checks them.

Thread messages: the full abstract goes into ONE embed description (at most 4096 characters,
cut at a word boundary with "…" past that; the embed title links the abstract page). One
message per outbox row keeps delivery idempotent (one nonce, one reference).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.model import Alert, Paper, Reply
from bot.model.digest import DigestEntry, DigestPart
from bot.model.text import (
    author_line,
    card_summary,
    cut_words,
    published_line,
    record_of,
    split_literals,
)

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
THREAD_NAME_MAX = 100
COLOR = 0xB31B1B  # arXiv red

ZWSP = "\u200b"
NO_MENTIONS: dict[str, list[str]] = {"parse": []}

# Characters with inline meaning anywhere; ``#``, ``-``, ``>`` and numbered lists only matter at
# the start of a line and are handled separately so ordinary hyphens stay readable.
_INLINE = re.compile(r"([\\*_~|`\[\]()<])")
_LINE_START = re.compile(r"^(\s*)([#>\-+]|\d+\.)", re.MULTILINE)
_MENTION = re.compile("@(?!\u200b)(?=\\S)")
_SPACE = re.compile(r"[ \t\r\f\v]+")


def neutralise_mentions(text: str) -> str:
    """Insert a zero-width space after every ``@`` that could start a mention.

    ``@everyone``, ``@here``, ``<@123>``, ``<@!123>`` and ``<@&123>`` stop being mentions even
    if ``allowed_mentions`` were ever lost; the text still reads the same.
    """
    return _MENTION.sub("@" + ZWSP, text)


def escape_markdown(text: str) -> str:
    """Escape Discord markdown (bold, italics, underline, strike, spoiler, code, links, quotes,
    headings, lists) with backslashes and neutralise mentions. Pure-Python sibling of
    ``discord.utils.escape_markdown``."""
    text = _INLINE.sub(r"\\\1", text)
    text = _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)
    return neutralise_mentions(text)


def cut(text: str, limit: int) -> str:
    """Cut escaped text to ``limit`` characters at a word boundary, never inside an escape
    (a trailing lone backslash would escape the ellipsis) nor between ``@`` and its guard."""
    if len(text) <= limit:
        return text
    body = cut_words(text, limit)[:-1]  # cut_words appends a one-character ellipsis
    while body.endswith("@") or (len(body) - len(body.rstrip("\\"))) % 2:
        body = body[:-1]
    return body.rstrip() + "…"


def clean(text: str) -> str:
    """Paper text as one paragraph-preserving string: runs of spaces collapsed."""
    return "\n".join(_SPACE.sub(" ", line).strip() for line in text.strip().splitlines())


def esc(text: str, limit: int) -> str:
    """Clean, escape, then cut: the usual treatment of a piece of paper text."""
    return cut(escape_markdown(clean(text)), limit)


def embed_length(embed: dict[str, Any]) -> int:
    """Characters that count towards Discord's 6000-per-message embed limit."""
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    total += len(embed.get("footer", {}).get("text", ""))
    total += len(embed.get("author", {}).get("name", ""))
    for f in embed.get("fields", []):
        total += len(f["name"]) + len(f["value"])
    return total


def _shrink(embed: dict[str, Any], budget: int) -> None:
    """Shrink the longest shrinkable text until the embed fits ``budget`` characters."""
    while (excess := embed_length(embed) - budget) > 0:
        parts: list[tuple[int, dict[str, Any], str]] = [
            (len(embed.get("description", "")), embed, "description"),
            (len(embed.get("title", "")), embed, "title"),
        ]
        parts += [(len(f["value"]), f, "value") for f in embed.get("fields", [])]
        size, holder, key = max(parts, key=lambda p: p[0])
        if size <= 1:
            break  # nothing left to cut; the caller's budget was absurd
        holder[key] = cut(holder[key], max(size - excess, 1))
        if len(holder[key]) >= size:  # cut could not progress (single long word)
            holder[key] = holder[key][: max(size - excess, 1)]


def paper_embed(
    paper: Paper,
    *,
    summary: str,
    authors: str,
    reasons: tuple[str, ...] = (),
    when: date | None = None,
    budget: int = EMBED_TOTAL_MAX,
    published: str = "",
) -> dict[str, Any]:
    """One paper as an embed: linked title, summary, authors / categories / why fields, footer
    with id and date. Fits every per-field limit and ``budget`` characters overall."""
    embed: dict[str, Any] = {
        "title": esc(paper.title, TITLE_MAX) or "(untitled)",
        "url": paper.abs_url,
        "color": COLOR,
    }
    if summary.strip():
        embed["description"] = esc(summary, DESCRIPTION_MAX)
    fields = [("Authors", authors)]
    fields.append(("Categories", " ".join(paper.categories) or paper.primary_category))
    fields.append(("Published", published))
    fields.append(("Why it matched", ", ".join(reasons)))
    embed["fields"] = [
        {"name": name, "value": esc(value, FIELD_VALUE_MAX), "inline": name != "Authors"}
        for name, value in fields
        if value.strip()  # Discord refuses empty field values
    ]
    footer = f"arXiv:{paper.versioned_id}" + (f" · {when.isoformat()}" if when else "")
    embed["footer"] = {"text": cut(footer, FOOTER_MAX)}
    _shrink(embed, budget)
    return embed


def message(content: str = "", embeds: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A message payload: content cut to 2000, at most 10 embeds, nobody pinged."""
    return {
        "content": cut(neutralise_mentions(content), CONTENT_MAX),
        "embeds": (embeds or [])[:EMBEDS_MAX],
        "allowed_mentions": dict(NO_MENTIONS),
    }


def alert_message(alert: Alert) -> dict[str, Any]:
    """The alert: one embed per paper (here one)."""
    embed = paper_embed(
        alert.paper,
        summary=alert.summary,
        authors=alert.authors_line,
        reasons=alert.reasons,
        when=alert.date,
    )
    return message("", [embed])


def abstract_message(paper: Paper) -> dict[str, Any]:
    """The thread reply with the full abstract (one embed, description ≤ 4096)."""
    embed: dict[str, Any] = {
        "title": "Abstract",
        "url": paper.abs_url,
        "description": esc(paper.abstract, DESCRIPTION_MAX) or "(no abstract)",
        "color": COLOR,
    }
    if paper.comment:
        embed["footer"] = {"text": esc(paper.comment, FOOTER_MAX)}
    _shrink(embed, EMBED_TOTAL_MAX)  # a 4096 abstract plus a 2048 comment passes 6000
    return message("", [embed])


def version_message(paper: Paper, version: int) -> dict[str, Any]:
    """The thread note for a new version of an already announced paper."""
    title = esc(paper.title, 300)
    link = f"https://arxiv.org/abs/{paper.arxiv_id}v{version}"
    return message(f"New version **v{version}** of {title}\n<{link}>")


def thread_name(paper: Paper) -> str:
    """A thread title (1-100 characters, plain text: thread names render no markdown)."""
    return thread_name_text(paper.title) or paper.arxiv_id


def thread_name_text(text: str) -> str:
    """Any text as a thread title (at most 100 characters, one line)."""
    return cut_words(clean(text).replace("\n", " "), THREAD_NAME_MAX) or "thread"


def reply_text(text: str) -> str:
    """Core text as Discord Markdown: the core's own marks kept, every literal (user-typed)
    span escaped, so a ``[text](url)`` someone subscribed to is never a masked link."""
    return "".join(
        escape_markdown(piece) if is_literal else piece
        for piece, is_literal in split_literals(text)
    )


def reply_message(reply: Reply) -> dict[str, Any]:
    """A neutral command reply: its text (Discord-flavoured Markdown, literals escaped) as
    content and up to 10 paper cards as embeds sharing the 6000-character budget. A
    :class:`~bot.model.Document` goes in a code block after the text when the whole fits in
    2,000 characters, else as ``file``: ``(filename, bytes)`` to attach."""
    papers = reply.papers[:EMBEDS_MAX]
    text = reply_text(reply.text)
    if len(reply.papers) > EMBEDS_MAX:
        text += f"\n(showing {EMBEDS_MAX} of {len(reply.papers)})"
    budget = EMBED_TOTAL_MAX // max(len(papers), 1)
    embeds = [
        paper_embed(
            p,
            summary=card_summary(p, record_of(reply.records, p)),
            authors=author_line(p.authors, shown=8),
            when=p.display_date,
            budget=budget,
            published=published_line(record_of(reply.records, p)),
        )
        for p in papers
    ]
    out = message(text or ("(no results)" if not embeds else ""), embeds)
    if reply.document is not None:
        doc = reply.document
        block = f"```\n{doc.content.rstrip()}\n```"
        if "```" not in doc.content and len(out["content"]) + 1 + len(block) <= CONTENT_MAX:
            out["content"] = f"{out['content']}\n{block}".lstrip("\n")
        else:  # too long for a message (or holds a fence): sent as an attachment
            out["file"] = (doc.filename, doc.content.encode())
    return out


#: A title in a digest's title list, and a group heading, at most (after escaping).
DIGEST_TITLE_CHARS = 120
GROUP_CHARS = 80


def _digest_line(entry: DigestEntry) -> str:
    title = esc(" ".join(entry.paper.title.split()) or entry.paper.arxiv_id, DIGEST_TITLE_CHARS)
    also = f" ({entry.also_text})" if entry.also else ""
    return f"• [{title}]({entry.paper.abs_url}){also}"


def _title_embeds(part: DigestPart) -> list[dict[str, Any]]:
    """Title lines (with their group headings) in embed descriptions of at most 4096
    characters each; 20 lines fit well within 6000 characters a message."""
    lines: list[str] = []
    for group, entries in part.groups():
        if group:
            lines.append(f"**{esc(group, GROUP_CHARS)}**")
        lines += [_digest_line(e) for e in entries]
    embeds: list[dict[str, Any]] = []
    for line in lines:
        if embeds and len(embeds[-1]["description"]) + 1 + len(line) <= DESCRIPTION_MAX:
            embeds[-1]["description"] += "\n" + line
        else:
            embeds.append({"description": line[:DESCRIPTION_MAX], "color": COLOR})
    return embeds


def digest_message(part: DigestPart) -> dict[str, Any]:
    """One digest or overflow part: the heading as content, then one embed per full entry
    (sharing the 6000-character budget; "Listed under" names the subscription) or the title
    lines. Within 10 embeds for the part sizes the Discord spec declares (5 entries or 20
    lines)."""
    content = f"**{esc(part.heading, 300)}**"
    if part.note:  # the ledger's line
        content += "\n" + esc(part.note, 1500)
    full = [e for e in part.entries if e.full]
    if not full:
        return message(content, _title_embeds(part)[:EMBEDS_MAX])
    budget = EMBED_TOTAL_MAX // max(min(len(full), EMBEDS_MAX), 1)
    embeds = [
        paper_embed(
            e.paper,
            summary=e.summary,
            authors=e.authors,
            reasons=tuple(r for r in (e.group, e.also_text) if r),
            when=e.paper.display_date,
            budget=budget,
        )
        for e in full[:EMBEDS_MAX]
    ]
    return message(content, embeds)
