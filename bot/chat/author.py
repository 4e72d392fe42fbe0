"""The author page: ``author NAME`` — a person's recent papers and top collaborators.

The page is built from neutral :class:`~bot.model.scholarly.Work` s, whatever index they come
from: :func:`store_works` gives those of the store (every paper whose author list names the
person, by the subscription matching rules: ``Babuschkin, Igor`` = ``Igor Babuschkin`` =
``I. Babuschkin``), with Semantic Scholar's venue and TL;DR when its record is cached; any other
index (OpenAlex works of ``author openalex:A…``) passes its works as ``extra`` to
:func:`build_author_page`, which merges works that share an arXiv id or DOI (the store's
metadata first, an index filling what the store lacks: the published venue, a TL;DR).

Each paper shows its title, a venue line (the journal or published venue when known, else
``arXiv · cs.AI``), its year and a two-sentence summary (S2's TL;DR when cached, else the
abstract's first two sentences). Collaborators are the co-authors of the page's works, counted
once per shared work; the person's own name (in any form) is not one of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from bot.chat.errors import UserError
from bot.matching.names import (
    PersonName,
    author_matches,
    fold,
    index_key,
    parse_person,
    same_person,
)
from bot.model import Paper
from bot.model.scholarly import SEMANTIC_SCHOLAR, AuthorPage, Collaborator, PaperRecord, Work
from bot.model.text import leading_sentences, literal
from bot.store import Store

#: Papers shown on the page, and collaborators listed.
PAGE_WORKS = 10
PAGE_COLLABORATORS = 10
#: The store's papers considered (the most recently stored with the surname in their authors).
CANDIDATES = 5000


class NoSuchAuthor(UserError):
    """Nothing is known of the name (the CLI exits 1)."""


def person_of(text: str) -> PersonName:
    """The name asked for, parsed; :class:`UserError` when it is not a person's name."""
    person = parse_person(text)
    if person is None or not person.surname_key:
        raise UserError(f"{text!r} is not a person's name (try `author Babuschkin, Igor`)")
    return person


def _venue_line(paper: Paper, record: PaperRecord | None) -> str:
    if record is not None and record.published_in:
        return record.published_in
    if paper.journal_ref:
        return paper.journal_ref
    return f"arXiv · {paper.primary_category}" if paper.primary_category else "arXiv"


def id_month(arxiv_id: str) -> str:
    """``2023-03`` for ``2303.08774`` or ``hep-th/9901001``: the month of v1's submission,
    which every arXiv id carries (a paper stored only from a replacement has no date)."""
    digits = arxiv_id.rpartition("/")[2][:4]
    if not digits.isdigit():
        return ""
    yy, mm = int(digits[:2]), digits[2:]
    return f"{1900 + yy if yy >= 91 else 2000 + yy}-{mm}"


def paper_work(paper: Paper, record: PaperRecord | None = None) -> Work:
    """A stored paper as a page entry (with what an index's cached ``record`` adds)."""
    when = paper.display_date
    month = id_month(paper.arxiv_id)
    return Work(
        title=paper.title,
        source="store",
        year=when.year if when else (int(month[:4]) if month else None),
        venue_line=_venue_line(paper, record),
        abstract=paper.abstract,
        summary=record.tldr if record is not None else "",
        authors=paper.authors,
        arxiv_id=paper.arxiv_id,
        doi=(record.doi if record is not None else None) or paper.doi,
        when=when.isoformat() if when else month,
    )


def _surname_words(text: str, person: PersonName) -> list[str]:
    """The words of ``text`` that make up the surname, as typed (the full-text index folds
    accents its own way, so they are passed as written)."""
    wanted = set(person.core_key.replace("-", " ").split())
    typed = [w for w in text.replace(",", " ").replace("-", " ").split() if fold(w) in wanted]
    return typed or sorted(wanted)


async def store_works(store: Store, text: str, person: PersonName) -> tuple[list[Work], str]:
    """The stored papers of ``person`` as works, newest first, and the name as papers write it
    (the most recent paper's spelling)."""
    words = _surname_words(text, person)
    lists = await store.papers.author_lists(words, limit=CANDIDATES)
    last = index_key(person)
    mine: list[str] = []
    spellings: dict[str, str] = {}  # folded -> as first written (newest paper first)
    for arxiv_id, authors in lists:
        # Only names holding the surname are parsed: most of a paper's authors are not.
        names = [a for a in authors if last in fold(a) and _is(person, a)]
        if names:
            mine.append(arxiv_id)
            spellings.setdefault(fold(names[0]), names[0])
    papers = await store.papers.get_many(mine)
    records = await store.index_records.get_many(SEMANTIC_SCHOLAR, mine)
    works = [paper_work(papers[i], records.get(i)) for i in mine if i in papers]
    return works, _title(text, list(spellings.values()))


#: Names listed in a title when a query matches several people.
TITLE_NAMES = 3


def _title(text: str, spellings: list[str]) -> str:
    """The page's title: the newest spelling when every matched name can be one person
    (``I. Babuschkin`` and ``Igor Babuschkin``); the query as typed, naming the people, when
    they cannot (``Y. Zhang`` matches Yulong and Yiming Zhang: the page mixes namesakes)."""
    if not spellings:
        return ""
    first = spellings[0]
    if all(_is_both(first, other) for other in spellings[1:]):
        return first
    more = len(spellings) - TITLE_NAMES
    listed = ", ".join(spellings[:TITLE_NAMES]) + (f" and {more} more" if more > 0 else "")
    return f"{text} (several people: {listed})"


def _is_both(a: str, b: str) -> bool:
    pa, pb = parse_person(a), parse_person(b)
    return pa is not None and pb is not None and author_matches(pa, pb) and author_matches(pb, pa)


def _is(person: PersonName, name: str) -> bool:
    parsed = parse_person(name)
    return parsed is not None and author_matches(person, parsed)


def _merged(first: Work, other: Work) -> Work:
    """``first`` with what ``other`` (the same paper from another index) adds."""
    venue = first.venue_line or other.venue_line
    if venue.startswith("arXiv") and other.venue_line and not other.venue_line.startswith("arXiv"):
        venue = other.venue_line  # the published version over arXiv's own line
    return replace(
        first,
        venue_line=venue,
        summary=first.summary or other.summary,
        abstract=first.abstract or other.abstract,
        authors=first.authors or other.authors,
        arxiv_id=first.arxiv_id or other.arxiv_id,
        doi=first.doi or other.doi,
        year=first.year or other.year,
        when=first.when or other.when,
    )


def merge_works(*sources: Iterable[Work]) -> list[Work]:
    """Every work once: works sharing an arXiv id or a DOI are merged, the earlier source's
    metadata first; works with neither are kept as they are."""
    merged: list[Work] = []
    by_key: dict[str, int] = {}
    for works in sources:
        for work in works:
            index = next((by_key[k] for k in work.keys if k in by_key), None)
            if index is None:
                index = len(merged)
                merged.append(work)
            else:
                merged[index] = _merged(merged[index], work)
            for key in merged[index].keys:
                by_key.setdefault(key, index)
    return merged


def collaborators(person: PersonName, works: Sequence[Work], top: int) -> list[Collaborator]:
    """Co-authors by the number of works they share with ``person`` (one count per work;
    ``O. Vinyals`` and ``Oriol Vinyals`` are one co-author, shown as first written; ties in the
    order they first appear, newest work first)."""
    counts: list[int] = []
    spelling: list[str] = []
    buckets: dict[str, list[tuple[PersonName, int]]] = {}
    for work in works:
        seen: set[int] = set()
        for name in work.authors:
            parsed = parse_person(name)
            if parsed is None or author_matches(person, parsed):
                continue
            bucket = buckets.setdefault(index_key(parsed), [])
            slot = next((i for p, i in bucket if same_person(p, parsed)), None)
            if slot is None:
                slot = len(counts)
                bucket.append((parsed, slot))
                counts.append(0)
                spelling.append(name)
            if slot not in seen:
                seen.add(slot)
                counts[slot] += 1
    ranked = sorted(range(len(counts)), key=lambda i: -counts[i])
    return [Collaborator(spelling[i], counts[i]) for i in ranked[:top]]


def build_author_page(
    name: str,
    person: PersonName,
    *sources: Iterable[Work],
    shown: int = PAGE_WORKS,
    top: int = PAGE_COLLABORATORS,
) -> AuthorPage:
    """The page of ``person`` (shown as ``name``) over works from any number of sources."""
    works = merge_works(*sources)
    works.sort(key=lambda w: (w.when or str(w.year or ""), w.year or 0), reverse=True)
    return AuthorPage(
        name, tuple(works[:shown]), tuple(collaborators(person, works, top)), len(works)
    )


def author_page_text(page: AuthorPage) -> str:
    """The page in the core's Markdown subset (titles and names as literals)."""
    count = f"{page.total} paper{'s' if page.total != 1 else ''} known"
    more = f", the {len(page.works)} most recent shown" if page.total > len(page.works) else ""
    lines = [f"*{literal(page.name)}* — {count}{more}", "*Recent papers*"]
    for work in page.works:
        venue = " · ".join(v for v in (work.venue_line, str(work.year or "")) if v)
        ref = f" · arXiv:{work.arxiv_id}" if work.arxiv_id else ""
        lines.append(f"• *{literal(work.title)}*")
        lines.append(f"  {literal(venue)}{ref}")
        summary = work.summary or leading_sentences(work.abstract, 2, 320)
        if summary:
            lines.append(f"  {literal(summary)}")
    if page.collaborators:
        lines.append("*Collaborating authors*")
        lines.append(", ".join(f"{literal(c.name)} ({c.shared})" for c in page.collaborators))
    lines += [f"_{literal(note)}_" for note in page.notes]
    return "\n".join(lines)


class AuthorPages:
    """``author NAME`` for chat and the CLI."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def page(self, text: str, extra: Iterable[Work] = ()) -> AuthorPage:
        """The page for ``text`` (a name in either form), with ``extra`` works from other
        indexes; :class:`NoSuchAuthor` when nothing is known."""
        text = " ".join(text.split())
        person = person_of(text)
        works, shown = await store_works(self.store, text, person)
        page = build_author_page(shown or text, person, works, extra)
        if not page.works:
            raise NoSuchAuthor(f"no stored paper has an author named {text!r}")
        return page
