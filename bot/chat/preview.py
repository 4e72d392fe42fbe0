"""``preview author|topic|category VALUE [--days N]``: what a subscription would have posted on
the last N stored announcement days (default :data:`DEFAULT_DAYS`, at most :data:`MAX_DAYS`).

The rule is the alert rule's (:mod:`bot.matching.explain`) on the papers announced on those
days, as stored now; a paper counts on its announcement day. What it reads is narrowed in SQL
through the ``papers_announced`` index: a category by its categories column; an author by the
folded longest word of the surname in the author column before each name is compared; a topic
reads only titles and abstracts. A category no poll has stored yet has nothing to count: the
answer says "not polled yet; subscribing adds it".
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from bot.chat.errors import UserError
from bot.chat.people import People, is_link, is_person_value
from bot.chat.topics import topic_refusal
from bot.matching.names import author_matches, fold, parse_person
from bot.matching.stems import TextDoc
from bot.matching.topic import TopicError, parse_topic
from bot.model import SubscriptionKind
from bot.model.text import literal
from bot.sources.taxonomy import expand, normalize_category
from bot.store import Store
from bot.store.previews import DayPaper

DEFAULT_DAYS = 7
MAX_DAYS = 30
#: Papers shown as examples (newest first).
EXAMPLES = 3
_APOSTROPHES = str.maketrans("", "", "'’`´ʼ")


class BadPreview(UserError):
    """A value or a day count a preview cannot take."""


@dataclass(frozen=True, slots=True)
class PreviewResult:
    """Per stored announcement day (newest first), the papers that would have been posted;
    ``unpolled``: the category no poll has stored yet (nothing could be counted)."""

    label: str
    days: tuple[date, ...]
    papers: tuple[DayPaper, ...] = ()
    unpolled: str | None = None
    #: The person's name when the value followed one by id (their papers counted by name).
    person: str | None = None

    def per_day(self) -> list[tuple[date, int]]:
        counts = dict.fromkeys(self.days, 0)
        for p in self.papers:
            counts[p.day] = counts.get(p.day, 0) + 1
        return list(counts.items())

    def line(self, *, subscribed: bool = False) -> str:
        """The one-line preview (``subscribe`` answers with it too)."""
        if self.unpolled is not None:
            tail = "the next poll adds it" if subscribed else "subscribing adds it"
            return f"Preview: {self.unpolled} is not polled yet; {tail}."
        if not self.days:
            return "Preview: no announcement days are stored yet, so there is nothing to count."
        counts = ", ".join(f"{d:%d %b} {n}" for d, n in self.per_day())
        total = len(self.papers)
        noun = "paper" if total == 1 else "papers"
        n = len(self.days)
        span = "on the last announcement day" if n == 1 else f"in the last {n} announcement days"
        return f"Preview: {total} {noun} {span} would have been posted ({counts})."

    def text(self) -> str:
        """The whole answer: the line, then a few examples."""
        lines = [f"*{literal(self.label)}*", self.line()]
        if self.papers:
            lines.append("For example:")
            lines += [
                f"• {p.arxiv_id} {literal(p.title)} ({p.day:%a %d %b})"
                for p in self.papers[:EXAMPLES]
            ]
        return "\n".join(lines)


def parse_days(text: str | None) -> int:
    """``--days N``'s value: 1 to :data:`MAX_DAYS` (None: :data:`DEFAULT_DAYS`)."""
    if text is None:
        return DEFAULT_DAYS
    if not text.isdigit() or not 1 <= int(text) <= MAX_DAYS:
        raise BadPreview(f"--days takes a number of days from 1 to {MAX_DAYS}, got {text!r}")
    return int(text)


class Preview:
    """Previews over one store."""

    def __init__(self, store: Store, people: People | None = None) -> None:
        self.store = store
        #: Resolves ``author openalex:A…`` / ``orcid:…`` to the person's names (None: such a
        #: preview is refused).
        self.people = people

    async def run(
        self,
        kind: SubscriptionKind,
        value: str,
        days: int = DEFAULT_DAYS,
        *,
        check_topic: bool = True,
    ) -> PreviewResult:
        """What a ``kind`` subscription to ``value`` would have posted on the last ``days``
        announcement days; :class:`BadPreview` for a value no subscription could take."""
        label = f"{kind.value}: {value}"
        names: tuple[str, ...] = (value,)
        person: str | None = None
        if kind is SubscriptionKind.AUTHOR and is_person_value(value):
            names = await self._person_names(value)
            person = names[0]
            label = f"{label} ({person}, by name)"
        elif kind is SubscriptionKind.AUTHOR and is_link(value):
            raise BadPreview(f"{value!r} is a link, not a person's name")
        if kind is SubscriptionKind.CATEGORY:
            try:
                value = normalize_category(value)
            except ValueError as exc:
                raise BadPreview(str(exc)) from None
            if not await self._polled(value):
                return PreviewResult(label, (), unpolled=value)
        stored = tuple(await self.store.previews.announcement_days(days))
        if not stored:
            return PreviewResult(label, (), person=person)
        since = stored[-1]
        if kind is SubscriptionKind.CATEGORY:
            pattern = f"{value}." if expand(value) != [value] else value
            found = await self.store.previews.in_category(pattern, since)
        elif kind is SubscriptionKind.TOPIC:
            found = await self._topic(value, since, check_topic)
        else:
            found = await self._author(names, since)
        return PreviewResult(label, stored, tuple(found), person=person)

    async def _person_names(self, value: str) -> tuple[str, ...]:
        """The names a followed person's papers are matched by (display name first)."""
        if self.people is None:
            raise BadPreview("a preview of a person by id needs OpenAlex")
        try:
            record = await self.people.resolve(value)
        except ValueError as exc:
            raise BadPreview(str(exc)) from None
        return (record.display_name, *record.alternatives)

    async def _polled(self, category: str) -> bool:
        wanted = set(expand(category))
        known = {s.url.rstrip("/").rsplit("/", 1)[-1] for s in await self.store.sources.list()}
        known.update(r.entry.category for r in await self.store.ledger.rows())
        return bool(wanted & known)

    async def _topic(self, value: str, since: date, check: bool) -> list[DayPaper]:
        try:
            query = parse_topic(value)
        except TopicError as exc:
            raise BadPreview(str(exc)) from None
        refusal = await topic_refusal(self.store, query) if check else None
        if refusal is not None:  # what subscribe would refuse, preview refuses too
            raise BadPreview(refusal)
        splits = query.splits()
        papers = await self.store.previews.texts(since)

        def matching() -> list[DayPaper]:
            return [p for p in papers if query.matches_doc(TextDoc.of(p.title, p.abstract, splits))]

        # Off the event loop (about 0.1 ms a paper): deliveries and commands go on meanwhile.
        return await asyncio.to_thread(matching)

    async def _author(self, names: tuple[str, ...], since: date) -> list[DayPaper]:
        wanted = [w for n in names if (w := parse_person(n)) is not None]
        if not wanted:
            raise BadPreview(f"{names[0]!r} is not a person's name")
        # Any spelling the name rule accepts contains the surname's longest word, folded.
        needles = {max(w.core_key.split(), key=len) for w in wanted}
        papers = await self.store.previews.authors(since)

        def matching() -> list[DayPaper]:
            found = []
            for p in papers:
                folded = fold(p.authors).translate(_APOSTROPHES)
                if not any(n in folded for n in needles):
                    continue
                for name in p.author_names:
                    person = parse_person(name)
                    if person is not None and any(author_matches(w, person) for w in wanted):
                        found.append(p)
                        break
            return found

        return await asyncio.to_thread(matching)
