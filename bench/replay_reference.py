"""An independent reference replay of arXiv listings: which paper alerts which channel, and when.

    from replay_reference import Channel, replay
    alerts = replay(corpus_dir, [Channel("c1", "author", "Babuschkin, Igor"), ...])
    # {channel name: {arXiv id: "YYYY-MM-DD" of the file whose listing alerted}}

It imports nothing from ``bot/`` or ``adapters/`` (stdlib, lxml and PyStemmer only): parsing,
author splitting, name folding, stemming and matching are written here again, from the rules of
issue #11, so that the bot can be checked against it (``bench/replay.py``).

Rules implemented (issue #11):

1. **Authors.** ``dc:creator`` is one string of comma-separated names, split at commas,
   semicolons and the word ``and`` outside parentheses and brackets only (``A, B, and C``):
   ``Abdallah Khemais (ISITCOM, University of Sousse)`` is the author "Abdallah Khemais" with
   the affiliation "ISITCOM, University of Sousse", and an affiliation is never matched. TeX
   accents (``Andr\\'es``, ``Wroc{\\l}aw``) are decoded; names are compared case- and
   accent-insensitively as tokens (runs of letters and digits). A subscription
   ``Surname, Given`` or ``Given Surname`` (the surname being the last word with the particles
   before it: ``van den Oord``) matches an author whose tokens end with the surname's and
   whose given names (the tokens before) are compatible: name by name over the shorter list,
   equal or one a single-letter initial of the other (``I. Babuschkin`` matches ``Igor
   Babuschkin``; ``Ivan Babuschkin`` is not ``Igor Babuschkin``; a missing middle name is
   compatible), or equal once joined (``Yi-Xiang`` = ``Yixiang``); a trailing ``Jr.``,
   ``III`` is not part of the surname. An author listed without given names never matches a
   subscription that has some; a subscription without given names matches every author with
   that surname.
2. **Categories.** A paper is in every category whose listing contained it (the listing's own
   category, from its channel title, and each ``<category>`` of the item), accumulated over
   every item of every type; its primary category is the first ``<category>`` of its latest
   item. A category subscription ``cs.LG`` matches a paper in ``cs.LG``; an archive ``cs``
   matches any ``cs.*``.
3. **Topics.** Text = title and abstract (what follows ``Abstract: `` in ``<description>``),
   TeX-decoded, accent- and case-folded, split on non-alphanumerics, each token stemmed with
   Snowball English (PyStemmer). Query: bare words (AND, anywhere in title or abstract),
   ``"quoted phrases"`` (consecutive stemmed tokens within the title or within the abstract,
   never across), ``OR`` between groups (AND binds tighter), ``-term`` excludes. Hyphens are
   token boundaries (``in-context`` = ``in context``), and compounds match their parts
   (``multi-agent`` = ``multi agent`` = ``multiagent``): two adjacent text tokens also count
   as one word, and so do adjacent query words (any run of them, in phrases of up to
   ``MAX_COMPOUND_WORDS`` words); a joined word is stemmed as a whole.
4. **Alerts.** Files are processed in date order (file name: date, then category). At an
   announcement A (an item of type ``new`` or ``cross``) of paper P, P alerts channel C when a
   subscription of C matches P as updated by A and did not match P as it stood just before A
   (a paper never announced before matched nothing), and C never had an alert for P. Items of
   type ``replace`` / ``replace-cross`` never alert but update P (categories always; title,
   abstract and authors when the item's version is at least P's), so a later cross-listing of
   the same version that adds a category can alert that category's channels.

``Rules`` can switch single rules to a simpler behaviour (commas split everything, no stemming,
only the first announcement alerts, an author without given names matches any given name) so
that ``bench/replay.py`` can tell which known shortcoming of a bot explains a difference.
"""

from __future__ import annotations

import gzip
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal

import Stemmer
from lxml import etree

Kind = Literal["author", "topic", "category"]
FIRST_ANNOUNCEMENTS = frozenset({"new", "cross"})

_DC = "{http://purl.org/dc/elements/1.1/}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_FILE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})-([a-z-]+?)-([a-z]+)\.xml(?:\.gz)?$", re.IGNORECASE)
_GUID_RE = re.compile(r"^(?:oai:arXiv\.org:)?(.+?)v(\d+)$")
_CHANNEL_TITLE_RE = re.compile(r"^(\S+) updates on arXiv\.org")
_TOKEN_RE = re.compile(r"[^\W_]+")


# --------------------------------------------------------------------------- TeX and folding

#: ``\'e`` style accents (a symbol after the backslash) and ``\c{c}`` style ones (a letter).
_SYMBOL_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
}
_LETTER_ACCENTS = {
    "c": "\u0327",
    "v": "\u030c",
    "u": "\u0306",
    "H": "\u030b",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
    "t": "\u0361",
}
_TEX_LETTERS = {
    "ss": "ß",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "o": "ø",
    "O": "Ø",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
}
_BASE = r"(?:\{\s*(\\[ij]|[A-Za-z])\s*\}|(\\[ij](?![A-Za-z])|[A-Za-z]))"
_SYMBOL_ACCENT_RE = re.compile(r"\\([" + re.escape("".join(_SYMBOL_ACCENTS)) + r"])\s*" + _BASE)
_LETTER_ACCENT_RE = re.compile(
    r"\\([" + "".join(_LETTER_ACCENTS) + r"])(?:\s*\{\s*(\\[ij]|[A-Za-z])\s*\}|\s+([A-Za-z]))"
)
_TEX_LETTER_RE = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|o|O|l|L|i|j)(?![A-Za-z])")
#: Letters that Unicode decomposition leaves alone, folded by hand.
_FOLD_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "ı": "i", "ȷ": "j", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe"}
)


def _accented(base: str, mark: str) -> str:
    letter = _TEX_LETTERS[base[1:]] if base.startswith("\\") else base
    return unicodedata.normalize("NFC", letter + mark)


def decode_tex(text: str) -> str:
    """Decode TeX accents and special letters (``Andr\\'es`` -> ``Andrés``, ``{\\l}`` -> ``ł``)
    and drop the braces of a string holding TeX. Anything else is left as it is."""
    if "\\" not in text:
        return text
    text = _SYMBOL_ACCENT_RE.sub(lambda m: _accented(m[2] or m[3], _SYMBOL_ACCENTS[m[1]]), text)
    text = _LETTER_ACCENT_RE.sub(lambda m: _accented(m[2] or m[3], _LETTER_ACCENTS[m[1]]), text)
    text = _TEX_LETTER_RE.sub(lambda m: _TEX_LETTERS[m[1]], text)
    return text.replace("{", "").replace("}", "")


def fold(text: str) -> str:
    """TeX-decoded, case-folded, without accents."""
    text = decode_tex(text).casefold()
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_FOLD_LETTERS)


def tokens(text: str) -> tuple[str, ...]:
    """Folded runs of letters and digits."""
    return tuple(_TOKEN_RE.findall(fold(text)))


# --------------------------------------------------------------------------- authors

#: Lower-case words that belong to the surname that follows them (``van den Oord``).
PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "das", "dos", "du"}
    | {"la", "le", "ter", "ten", "zu", "al", "el", "bin", "ibn", "st"}
)


_BALANCED_GROUP_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_OTHER_SEPARATOR_RE = re.compile(r";|\band\b")


def _commas_for_other_separators(creator: str) -> str:
    """``;`` and the word ``and`` outside () and [] separate authors too (``A, B and C``,
    ``A, B, and C``, ``A; B``): write them as commas."""
    depth, out, last = 0, [], 0
    marks = {m.start(): m.end() for m in _OTHER_SEPARATOR_RE.finditer(creator)}
    for i, char in enumerate(creator):
        if char in "([":
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
        elif i in marks and depth == 0 and i >= last:
            out.append(creator[last:i] + ",")
            last = marks[i]
    out.append(creator[last:])
    return "".join(out)


def split_creators(creator: str, *, affiliations: bool = True) -> list[tuple[str, str]]:
    """``dc:creator`` -> [(name, affiliation)], split at commas outside () and [].

    ``;`` and the word ``and`` separate authors like commas (``A, B and C``). An unclosed
    parenthesis runs to the end of the string. ``affiliations=False`` splits at
    every comma first and then drops the parenthesised groups closed within a piece (the
    shortcoming issue #11 fixes: ``A (X, Y)`` gives ``A (X`` and ``Y)``).
    """
    if not affiliations:
        pieces = (_BALANCED_GROUP_RE.sub(" ", part) for part in creator.split(","))
        return [(" ".join(p.split()), "") for p in pieces if p.strip()]
    creator = _commas_for_other_separators(creator)
    out: list[tuple[str, str]] = []
    name: list[str] = []
    affiliation: list[str] = []
    depth = 0
    for char in creator + ",":
        if char in "([":
            depth += 1
            if depth == 1:
                if affiliation:
                    affiliation.append("; ")
                continue
        elif char in ")]" and depth:
            depth -= 1
            if depth == 0:
                continue
        elif char == "," and depth == 0:
            text = " ".join("".join(name).split())
            if text:
                out.append((text, "".join(affiliation).strip()))
            name, affiliation = [], []
            continue
        (affiliation if depth else name).append(char)
    return out


@dataclass(frozen=True, slots=True)
class PersonName:
    """A subscribed name: folded given-name and surname tokens."""

    given: tuple[str, ...]
    surname: tuple[str, ...]


def parse_subscription_name(value: str) -> PersonName:
    """``Surname, Given`` or ``Given Surname`` (surname: the last word and its particles)."""
    if "," in value:
        last, _, first = value.partition(",")
        return PersonName(tokens(first), name_tokens(last))
    words = fold(value).split()
    while len(words) > 1 and "".join(_TOKEN_RE.findall(words[-1])) in SUFFIXES:
        words = words[:-1]
    start = len(words) - 1
    while start > 1 and words[start - 1] in PARTICLES:
        start -= 1
    given = tuple(t for w in words[:start] for t in _TOKEN_RE.findall(w))
    surname = tuple(t for w in words[start:] for t in _TOKEN_RE.findall(w))
    return PersonName(given, surname)


#: Generational suffixes after a surname (``Donald Johann Jr.``): not part of the surname.
SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def name_tokens(name: str) -> tuple[str, ...]:
    """Folded tokens of a listed name, without a trailing generational suffix."""
    words = tokens(name)
    while len(words) > 1 and words[-1] in SUFFIXES:
        words = words[:-1]
    return words


def _given_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    if "".join(a) == "".join(b):
        return True
    for x, y in zip(a, b, strict=False):
        if x == y:
            continue
        if len(x) == 1 and y.startswith(x):
            continue
        if len(y) == 1 and x.startswith(y):
            continue
        return False
    return True


def author_matches(
    sub: PersonName, author: tuple[str, ...], *, given_names_required: bool = True
) -> bool:
    """Does an author (folded tokens of the displayed name) carry the subscribed name?

    A subscription without given names matches every author with its surname. An author
    listed without given names (a mononym, or a garbled ``dc:creator`` such as
    ``Zifan (Sail),  Wang``) matches a subscription with given names only when
    ``given_names_required`` is False.
    """
    n = len(sub.surname)
    if n == 0 or len(author) < n or author[-n:] != sub.surname:
        return False
    given = author[:-n]
    if not sub.given or not given:
        return not sub.given or not given_names_required
    return _given_compatible(sub.given, given)


# --------------------------------------------------------------------------- topics

_STEMMER = Stemmer.Stemmer("english")


@cache
def stem(token: str) -> str:
    return str(_STEMMER.stemWord(token))


#: Longer phrases are not tried with joined words (2**(n-1) spellings).
MAX_COMPOUND_WORDS = 6


def _merges(words: Sequence[str]) -> list[tuple[str, ...]]:
    """Every way of joining adjacent words (``a b c`` -> ``a b c``, ``ab c``, ``a bc``,
    ``abc``), each word then stemmed."""
    if len(words) <= 1 or len(words) > MAX_COMPOUND_WORDS:
        return [tuple(stem(w) for w in words)]
    out: list[tuple[str, ...]] = []
    for rest in _merges(words[1:]):
        out.append((stem(words[0]), *rest))
    for rest in _merges([words[0] + words[1], *words[2:]]):
        out.append(rest)
    return out


@dataclass(frozen=True, slots=True)
class Term:
    """A query word or phrase: its folded words and their stemmed spellings (with compounds)."""

    words: tuple[str, ...]
    negated: bool
    variants: tuple[tuple[str, ...], ...]


class Segment:
    """One field's tokens (title or abstract), stemmed, with lazily stemmed adjacent pairs.

    ``stemming=False``: exact folded tokens and no compounds (the shortcoming #11 fixes).
    """

    __slots__ = ("_initials", "_pairs", "raw", "stemmed", "stemming")

    def __init__(self, text: str, stemming: bool = True) -> None:
        self.raw = tokens(text)
        self.stemming = stemming
        self.stemmed = tuple(_STEMMER.stemWords(self.raw)) if stemming else self.raw
        self._pairs: dict[int, str] = {}
        self._initials: dict[str, list[int]] | None = None

    def _pair(self, i: int) -> str | None:
        """The stem of tokens i and i+1 written as one word."""
        if i + 1 >= len(self.raw):
            return None
        if i not in self._pairs:
            self._pairs[i] = stem(self.raw[i] + self.raw[i + 1])
        return self._pairs[i]

    def contains(self, variant: tuple[str, ...]) -> bool:
        """Does the field hold ``variant`` (stems) as consecutive tokens or joined pairs?"""
        first = variant[0] if variant else ""
        if not first:
            return False
        if self._initials is None:
            self._initials = {}
            for i, token in enumerate(self.raw):
                self._initials.setdefault(token[0], []).append(i)
        # A stem keeps its word's first letter: only positions starting with it can match.
        return any(self._at(i, variant, 0) for i in self._initials.get(first[0], ()))

    def _at(self, i: int, variant: tuple[str, ...], k: int) -> bool:
        if k == len(variant):
            return True
        if i >= len(self.raw):
            return False
        if self.stemmed[i] == variant[k] and self._at(i + 1, variant, k + 1):
            return True
        return self.stemming and self._pair(i) == variant[k] and self._at(i + 2, variant, k + 1)


@dataclass(frozen=True, slots=True)
class TopicQuery:
    """OR of AND groups of terms."""

    groups: tuple[tuple[Term, ...], ...]

    @classmethod
    def parse(cls, query: str, *, stemming: bool = True) -> TopicQuery:
        groups: list[list[Term]] = [[]]
        for m in re.finditer(r'(-?)"([^"]*)"?|(\S+)', query):
            negated, phrase, bare = m[1] == "-", m[2], m[3]
            if bare == "OR":
                groups.append([])
                continue
            if bare is not None:
                negated = bare.startswith("-") and len(bare) > 1
                phrase = bare[1:] if negated else bare
            words = tokens(phrase or "")
            if not words:
                continue
            variants = tuple(dict.fromkeys(_merges(words))) if stemming else (words,)
            groups[-1].append(Term(words, negated, variants))
        return cls(tuple(tuple(g) for g in groups if any(not t.negated for t in g)))

    def matches(self, segments: Sequence[Segment]) -> bool:
        return any(
            all(self._term(t, segments) != t.negated for t in group) for group in self.groups
        )

    @staticmethod
    def _term(term: Term, segments: Sequence[Segment]) -> bool:
        return any(seg.contains(v) for v in term.variants for seg in segments)


# --------------------------------------------------------------------------- subscriptions


@dataclass(frozen=True, slots=True)
class Channel:
    """A channel with one subscription."""

    name: str
    kind: Kind
    value: str


@dataclass(frozen=True, slots=True)
class Rules:
    """The rules of issue #11 (all True), or single ones replaced by simpler behaviour.

    ``affiliations=False``: ``dc:creator`` split at every comma (parenthesised groups closed
    within a piece dropped). ``stemming=False``: topics
    match exact folded tokens, no compounds. ``later_listings=False``: only a paper's first
    announcement can alert, matched on that item alone (its own categories and metadata).
    ``given_names_required=False``: an author listed without given names matches every
    subscription with that surname.
    """

    affiliations: bool = True
    stemming: bool = True
    later_listings: bool = True
    given_names_required: bool = True


def category_matches(sub: str, categories: Iterable[str]) -> bool:
    sub = sub.strip()
    if "." in sub:
        return sub.casefold() in {c.casefold() for c in categories}
    return any(c.split(".")[0].casefold() == sub.casefold() for c in categories)


# --------------------------------------------------------------------------- corpus


@dataclass(frozen=True, slots=True)
class Item:
    arxiv_id: str
    version: int
    announce_type: str
    title: str
    abstract: str
    creator: str
    categories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ListingFile:
    path: Path
    day: str
    category: str
    items: tuple[Item, ...]


def corpus_files(corpus: str | Path) -> list[Path]:
    """The listing files ``YYYY-MM-DD-<archive>-<subject>.xml[.gz]``, by date then category."""
    files = [p for p in Path(corpus).iterdir() if _FILE_RE.match(p.name)]
    return sorted(files, key=lambda p: (file_day(p), file_category(p)))


def file_day(path: Path) -> str:
    m = _FILE_RE.match(path.name)
    if m is None:
        raise ValueError(f"not a listing file name: {path.name}")
    return m[1]


def file_category(path: Path) -> str:
    """``2026-06-01-cs-ai.xml.gz`` -> ``cs.AI``."""
    m = _FILE_RE.match(path.name)
    if m is None:
        raise ValueError(f"not a listing file name: {path.name}")
    return f"{m[2].lower()}.{m[3].upper()}"


def _text(element: etree._Element | None) -> str:
    return element.text or "" if element is not None else ""


def read_listing(path: Path) -> ListingFile:
    """Parse one RSS 2.0 listing file (gzip or not)."""
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.fromstring(data, parser)
    channel = root.find("channel")
    category = file_category(path)
    if channel is not None:
        m = _CHANNEL_TITLE_RE.match(_text(channel.find("title")).strip())
        if m:
            category = m[1]
    items: list[Item] = []
    for item in root.iter("item"):
        guid = _GUID_RE.match(_text(item.find("guid")).strip())
        if guid is None:
            continue
        description = _text(item.find("description"))
        _, marker, abstract = description.partition("Abstract: ")
        items.append(
            Item(
                arxiv_id=guid[1],
                version=int(guid[2]),
                announce_type=_text(item.find(f"{_ARXIV}announce_type")).strip().lower(),
                title=" ".join(_text(item.find("title")).split()),
                abstract=" ".join(abstract.split()) if marker else "",
                creator=_text(item.find(f"{_DC}creator")),
                categories=tuple(
                    c.text.strip() for c in item.findall("category") if c.text and c.text.strip()
                ),
            )
        )
    return ListingFile(path, file_day(path), category, tuple(items))


def iter_listings(corpus: str | Path) -> Iterator[ListingFile]:
    for path in corpus_files(corpus):
        yield read_listing(path)


# --------------------------------------------------------------------------- replay


@dataclass(slots=True)
class PaperState:
    """What is known of a paper so far."""

    version: int
    title: str
    abstract: str
    creator: str
    categories: set[str] = field(default_factory=set)
    primary: str = ""
    announced: bool = False


class Matcher:
    """The channels' subscriptions, compiled; matches paper states, with per-text caches."""

    def __init__(self, channels: Sequence[Channel], rules: Rules) -> None:
        self.rules = rules
        self.authors: dict[str, list[tuple[str, PersonName]]] = {}
        self.topics: list[tuple[str, TopicQuery]] = []
        self.categories: list[tuple[str, str]] = []
        for ch in channels:
            if ch.kind == "author":
                name = parse_subscription_name(ch.value)
                if not name.surname:
                    raise ValueError(f"{ch.name}: no surname in {ch.value!r}")
                self.authors.setdefault(name.surname[-1], []).append((ch.name, name))
            elif ch.kind == "topic":
                self.topics.append((ch.name, TopicQuery.parse(ch.value, stemming=rules.stemming)))
            elif ch.kind == "category":
                self.categories.append((ch.name, ch.value))
            else:
                raise ValueError(f"{ch.name}: unknown kind {ch.kind!r}")
        # Results by text: most items repeat a text already seen (cross-lists, re-listings).
        self._by_creator: dict[str, frozenset[str]] = {}
        self._by_text: dict[tuple[str, str], frozenset[str]] = {}

    def match(self, title: str, abstract: str, creator: str, categories: Iterable[str]) -> set[str]:
        """Names of the channels whose subscription matches."""
        hits = set(self._match_authors(creator))
        hits.update(self._match_topics(title, abstract))
        cats = set(categories)
        hits.update(ch for ch, sub in self.categories if category_matches(sub, cats))
        return hits

    def _match_authors(self, creator: str) -> frozenset[str]:
        found = self._by_creator.get(creator)
        if found is None:
            hits: set[str] = set()
            names = split_creators(creator, affiliations=self.rules.affiliations)
            required = self.rules.given_names_required
            for author in (name_tokens(name) for name, _ in names):
                for channel, sub in self.authors.get(author[-1] if author else "", ()):
                    if author_matches(sub, author, given_names_required=required):
                        hits.add(channel)
            found = self._by_creator[creator] = frozenset(hits)
        return found

    def _match_topics(self, title: str, abstract: str) -> frozenset[str]:
        found = self._by_text.get((title, abstract))
        if found is None:
            segments = (Segment(title, self.rules.stemming), Segment(abstract, self.rules.stemming))
            found = frozenset(ch for ch, query in self.topics if query.matches(segments))
            self._by_text[(title, abstract)] = found
        return found

    def match_state(self, paper: PaperState) -> set[str]:
        return self.match(paper.title, paper.abstract, paper.creator, paper.categories)


def replay(
    corpus: str | Path | Sequence[ListingFile],
    channels: Sequence[Channel],
    rules: Rules | None = None,
) -> dict[str, dict[str, str]]:
    """{channel name: {arXiv id: day of the file that alerted}} over the corpus, in order.

    ``corpus`` is a directory or already parsed listings (parse once with ``iter_listings``
    when replaying several times).
    """
    rules = rules or Rules()
    listings = iter_listings(corpus) if isinstance(corpus, str | Path) else corpus
    matcher = Matcher(channels, rules)
    alerts: dict[str, dict[str, str]] = {ch.name: {} for ch in channels}
    papers: dict[str, PaperState] = {}
    matched: dict[str, set[str]] = {}  # paper -> channels matching its current state
    for listing in listings:
        for item in listing.items:
            paper = papers.get(item.arxiv_id)
            before: set[str] = set()
            if paper is None:
                paper = papers[item.arxiv_id] = PaperState(
                    item.version, item.title, item.abstract, item.creator
                )
            elif paper.announced:
                known = matched.get(item.arxiv_id)
                before = known if known is not None else matcher.match_state(paper)
            first_time = not paper.announced
            if item.version >= paper.version:
                paper.version = item.version
                paper.title, paper.abstract, paper.creator = item.title, item.abstract, item.creator
                paper.primary = item.categories[0] if item.categories else listing.category
            paper.categories.add(listing.category)
            paper.categories.update(item.categories)
            matched.pop(item.arxiv_id, None)
            if item.announce_type not in FIRST_ANNOUNCEMENTS:
                continue
            paper.announced = True
            if rules.later_listings:
                after = matched[item.arxiv_id] = matcher.match_state(paper)
            elif first_time:
                after = matcher.match(item.title, item.abstract, item.creator, item.categories)
            else:
                continue
            for channel in after - before:
                alerts[channel].setdefault(item.arxiv_id, listing.day)
    return alerts
