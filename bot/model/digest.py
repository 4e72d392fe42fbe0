"""Digests and overflow messages, pure: which held paper goes in which part, and the neutral
part every adapter renders.

A digest lists a channel's held papers grouped by subscription (groups in id order), newest
first within a group. A paper matching several subscriptions appears once, under the lowest
id, with "also #N" for the others. The first :data:`FULL_ENTRIES` papers get full entries
(title, authors, a summary), the rest a title line. A part holds at most the platform's
budget of full entries, or of title lines (a part never mixes the two): the budgets are the
platform's (``AdapterSpec.digest_entries`` / ``digest_titles``), chosen so that every part
fits its messages' limits whatever the papers hold. An overflow message ("+M more today") is
title lines only, in the order the alerts were queued.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

from bot.model.paper import Paper
from bot.model.text import author_line, cut_words, first_sentences

#: Papers of a digest shown as full entries; the rest are title lines.
FULL_ENTRIES = 50
#: Characters of a summary in a full entry (a sentence or two).
SUMMARY_CHARS = 280


class HeldPaper(NamedTuple):
    """A held alert as assembly reads it: its outbox id, the paper, its announcement day (ISO,
    empty when unknown), and the matching subscriptions (ids and labels, in the same order).
    A named tuple, not a dataclass: a digest reads thousands of them at once."""

    alert_id: int
    paper_id: str
    announced: str
    sub_ids: tuple[int, ...]
    labels: tuple[str, ...]


class PlannedEntry(NamedTuple):
    """Where one paper goes: part number (1 = first), place in the whole digest, full entry or
    title line, the subscription it is listed under, and the other ones that matched."""

    alert_id: int
    paper_id: str
    part: int
    position: int
    full: bool
    group_sub: int | None
    group_label: str
    also: tuple[int, ...]


def plan_digest(
    papers: Sequence[HeldPaper], *, per_part_full: int, per_part_titles: int
) -> list[PlannedEntry]:
    """The entries of a digest of ``papers`` in order, each with its part: groups by
    subscription id (papers with none last), newest first within a group (the announcement
    day, then the id: arXiv ids grow with time). One pass building plain tuples (the group
    inlined, each label made once), two stable sorts on plain keys: a digest of 2,000 papers
    is planned in a few milliseconds (bench/digest.py)."""
    labels: dict[tuple[int, str], str] = {}
    keyed: list[tuple[bool, int, str, str, HeldPaper, int | None, str, tuple[int, ...]]] = []
    add = keyed.append
    none: tuple[int, ...] = ()
    for paper in papers:
        subs = paper.sub_ids
        if not subs:
            add((True, 0, paper.announced, paper.paper_id, paper, None, "", ()))
            continue
        if len(subs) == 1:
            first, at, also = subs[0], 0, none
        else:  # listed under the lowest id, "also" the others
            ordered = sorted(subs)
            first = ordered[0]
            at = subs.index(first)
            also = tuple(ordered[ordered.count(first) :])
        text = paper.labels[at] if at < len(paper.labels) else ""
        label = labels.get((first, text))
        if label is None:
            label = labels[first, text] = f"#{first} {text}"
        add((False, first, paper.announced, paper.paper_id, paper, first, label, also))
    keyed.sort(key=itemgetter(2, 3), reverse=True)
    keyed.sort(key=itemgetter(0, 1))
    entries: list[PlannedEntry] = []
    append = entries.append
    full_size, title_size = max(per_part_full, 1), max(per_part_titles, 1)
    part, in_part = 0, 0
    for position, (_, _, _, paper_id, paper, sub, label, others) in enumerate(keyed):
        full = position < FULL_ENTRIES
        if position == FULL_ENTRIES or in_part >= (full_size if full else title_size):
            in_part = 0
        if in_part == 0:
            part += 1
        in_part += 1
        append(PlannedEntry(paper.alert_id, paper_id, part, position, full, sub, label, others))
    return entries


def plan_overflow(papers: Sequence[HeldPaper], *, per_part_titles: int) -> list[PlannedEntry]:
    """The title lines of an overflow message, in queue order, each with its part."""
    size = max(per_part_titles, 1)
    return [
        PlannedEntry(p.alert_id, p.paper_id, i // size + 1, i, False, None, "", ())
        for i, p in enumerate(papers)
    ]


# -- what adapters render ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """One paper in a part: a full entry (``authors`` and ``summary`` set) or a title line.
    ``group`` is the subscription it is listed under (``#3 author: Babuschkin, Igor``; empty
    in an overflow message); ``also`` the other subscriptions' ids that matched it."""

    paper: Paper
    full: bool
    group: str = ""
    also: tuple[int, ...] = ()
    authors: str = ""
    summary: str = ""

    @property
    def also_text(self) -> str:
        return "also " + ", ".join(f"#{i}" for i in self.also) if self.also else ""


@dataclass(frozen=True, slots=True)
class DigestPart:
    """One message of a digest or an overflow message: ``kind`` is ``digest`` or
    ``overflow``; ``title`` the heading (``Daily digest · Tue 14 Jul 2026``, ``+12 more
    today``); part ``part`` of ``parts``; ``papers`` in the whole digest."""

    kind: str
    title: str
    part: int
    parts: int
    papers: int
    entries: tuple[DigestEntry, ...]
    #: An extra line under the heading (the first part's ledger line; empty: none).
    note: str = ""

    @property
    def heading(self) -> str:
        """The title, with "(part N of M)" on a digest continued over several messages."""
        if self.parts > 1:
            return f"{self.title} (part {self.part} of {self.parts})"
        return self.title

    def groups(self) -> list[tuple[str, list[DigestEntry]]]:
        """The part's entries as consecutive runs of one group each."""
        runs: list[tuple[str, list[DigestEntry]]] = []
        for entry in self.entries:
            if not runs or runs[-1][0] != entry.group:
                runs.append((entry.group, []))
            runs[-1][1].append(entry)
        return runs


def digest_entry(
    paper: Paper, *, full: bool, group: str = "", also: tuple[int, ...] = ()
) -> DigestEntry:
    """The neutral entry of a paper (authors and summary filled in for a full one)."""
    if not full:
        return DigestEntry(paper, False, group, also)
    summary = first_sentences(paper.abstract, SUMMARY_CHARS)
    return DigestEntry(paper, True, group, also, author_line(paper.authors), summary)


def part_text(part: DigestPart) -> str:
    """A part as plain text (the console; the neutral form of what Slack and Discord show)."""
    lines = [part.heading]
    if part.note:
        lines.append(part.note)
    for group, entries in part.groups():
        if group:
            lines.append(f"\n{group}")
        for e in entries:
            also = f" ({e.also_text})" if e.also else ""
            if e.full:
                lines.append(f"• {e.paper.title}{also}")
                lines.append(f"  {e.authors}")
                if e.summary:
                    lines.append(f"  {cut_words(e.summary, SUMMARY_CHARS)}")
                lines.append(f"  {e.paper.abs_url}")
            else:
                lines.append(f"• {e.paper.title} — {e.paper.abs_url}{also}")
    return "\n".join(lines)
