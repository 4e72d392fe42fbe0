"""The topic query language: words, "phrases", OR, -exclusions and =exact forms over title and
abstract.

Words match their usual English forms: query and text are both stemmed (see
:mod:`bot.matching.stems`), so ``reinforcement`` matches ``reinforcements`` and ``"reward
model"`` matches ``reward modeling``. ``=word`` and ``="a phrase"`` ask for the form as written
(case and accents still ignored). Hyphenated, spaced and joined compounds are one word:
``multi-agent`` = ``multi agent`` = ``multiagent``. A bare word that splits into several tokens
(``self-supervised``, ``GPT-4``) is a phrase. Curly quotes make a phrase like straight ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.matching.stems import Splits, TextDoc, stem, stems_of, tokenize
from bot.model.text import MAX_QUERY_CHARS
from bot.sources.tex import decode_tex

MAX_TERMS = 20
#: Phrases longer than this are not also tried with adjacent words joined (2**(n-1) forms).
MAX_COMPOUND_WORDS = 6

TOPIC_HELP = f"""\
Topic queries match a paper's title and abstract.
• `diffusion model` — all words must appear (AND), anywhere, in any order.
• `"language model"` — a quoted phrase (straight or curly quotes) must appear as consecutive words.
• `rlhf OR "reward model"` — either side may match. AND binds tighter than OR:
  `a b OR c` means (a AND b) OR c. Write OR in capitals; a lower-case "or" is a word.
• `-survey`, `-"large language"` — exclude papers containing the word or phrase; an
  exclusion applies to its own OR alternative: `a -b OR c` means (a AND NOT b) OR c.
Words match their usual English forms, ignoring case and accents: `reinforcement` also matches
`reinforcements`, `"reward model"` matches "reward models" and "reward modeling". For one
exact form write `=word` or `="a phrase"` (`=models` does not match "model"). Compounds match
however they are written: `multi-agent` = `multi agent` = `multiagent`. Limits:
{MAX_QUERY_CHARS} characters, {MAX_TERMS} terms; every OR alternative needs at least one word
that is not excluded. A topic that would match more than half of recent papers, or could never
match, is refused with the reason."""

#: Words too common to look for alone (Snowball's English stop list, folded).
_STOP_TEXT = (
    "a about above after again against all am an and any are as at be because been before "
    "being below between both but by can could did do does doing down during each few for "
    "from further had has have having he her here hers herself him himself his how i if in "
    "into is it its itself just me more most my myself no nor not now of off on once only or "
    "other our ours ourselves out over own same she should so some such than that the their "
    "theirs them themselves then there these they this those through to too under until up "
    "very was we were what when where which while who whom why will with would you your "
    "yours yourself yourselves via using based towards toward"
)
STOP_WORDS = frozenset(_STOP_TEXT.split())
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "″": '"'})


class TopicError(ValueError):
    """A topic query that cannot be used; the message is meant for the user."""


def _merges(words: Sequence[str]) -> list[tuple[str, ...]]:
    """Every way of joining adjacent words (``a b c`` -> ``a b c``, ``ab c``, ``a bc``, ``abc``),
    unstemmed."""
    if len(words) <= 1 or len(words) > MAX_COMPOUND_WORDS:
        return [tuple(words)]
    out = [(words[0], *rest) for rest in _merges(words[1:])]
    out += _merges([words[0] + words[1], *words[2:]])
    return out


@dataclass(frozen=True, slots=True)
class Term:
    """A query word or phrase: its folded words, and the forms it matches.

    ``forms`` are the word sequences looked for (the words, and with adjacent words joined);
    ``variants`` the same stemmed, or unstemmed for an ``exact`` term.
    """

    words: tuple[str, ...]
    exact: bool = False
    forms: tuple[tuple[str, ...], ...] = field(init=False, compare=False)
    variants: tuple[tuple[str, ...], ...] = field(init=False, compare=False)
    # Each variant with its " s1 s2 " form (phrases are substrings of TextDoc.stem_text).
    _spaced: tuple[tuple[tuple[str, ...], str], ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        forms = (self.words,) if self.exact else tuple(dict.fromkeys(_merges(self.words)))
        variants = forms if self.exact else tuple(tuple(stems_of(f)) for f in forms)
        object.__setattr__(self, "forms", forms)
        object.__setattr__(self, "variants", variants)
        spaced = tuple((v, " " + " ".join(v) + " " if len(v) > 1 else "") for v in variants)
        object.__setattr__(self, "_spaced", spaced)

    @property
    def text(self) -> str:
        """The term as a query would write it."""
        body = " ".join(self.words)
        body = f'"{body}"' if len(self.words) > 1 else body
        return f"={body}" if self.exact else body

    @property
    def single(self) -> str | None:
        """The one stem (or exact word) this term is, when it is a single word."""
        return self.variants[0][0] if len(self.variants) == 1 == len(self.variants[0]) else None

    @property
    def key(self) -> str:
        """Equal for terms that look for the same words (plurals and compounds included)."""
        if self.exact:
            return "=" + " ".join(self.words)
        return stem("".join(self.words))  # "multi-agent systems" -> "multiagentsystem"

    def matches(self, doc: TextDoc) -> bool:
        if self.exact:
            return doc.has_exact(self.words)
        present = doc.stem_set
        for variant, spaced in self._spaced:
            # TextDoc.has inlined for the common cases: the index's hot path.
            if not present.issuperset(variant):
                continue
            if not spaced or spaced in doc.stem_text:
                return True
            if doc.compounds and doc.has(variant):
                return True
        return False

    def split_words(self) -> Iterable[tuple[str, str]]:
        """``(word, stem)`` of each word as written: what :class:`Splits` registers.

        Joined forms need no splits of their own: split where the words met they are the
        words (``multi agent``), and a split inside a word is that word's.
        """
        if not self.exact:
            yield from zip(self.words, self.variants[0], strict=True)


@dataclass(frozen=True, slots=True)
class Clause:
    """One OR alternative: every ``required`` term present and no ``excluded`` term."""

    required: tuple[Term, ...]
    excluded: tuple[Term, ...] = ()

    def matches(self, doc: TextDoc) -> bool:
        return all(t.matches(doc) for t in self.required) and not any(
            t.matches(doc) for t in self.excluded
        )

    @property
    def stop_words_only(self) -> bool:
        """Whether every word this alternative requires is a stop word (``the``, ``a of``)."""
        return all(w in STOP_WORDS for t in self.required for w in t.words)

    @property
    def impossible(self) -> bool:
        """Whether an exclusion is implied by a required term (``x -x``, ``"a b" -b``)."""
        return any(_implies(r, e) for r in self.required for e in self.excluded)

    @property
    def key(self) -> str:
        required = " ".join(sorted(t.key for t in self.required))
        excluded = " ".join(sorted("-" + t.key for t in self.excluded))
        return f"{required} {excluded}".strip()


def _contains(seq: Sequence[str], part: Sequence[str]) -> bool:
    n = len(part)
    return any(tuple(seq[i : i + n]) == tuple(part) for i in range(len(seq) - n + 1))


def _implies(required: Term, excluded: Term) -> bool:
    """Whether every text ``required`` matches also holds ``excluded`` (a sufficient test)."""
    if excluded.exact:
        return required.exact and _contains(required.words, excluded.words)
    wanted = required.variants if not required.exact else (tuple(stems_of(required.words)),)
    return all(any(_contains(v, e) for e in excluded.variants) for v in wanted)


@dataclass(frozen=True, slots=True)
class TopicQuery:
    """A parsed topic query: an OR of :class:`Clause` s."""

    clauses: tuple[Clause, ...]
    text: str = field(default="", compare=False)

    def splits(self) -> Splits:
        """Where this query's words may be split in a text (for :class:`TextDoc`)."""
        splits = Splits()
        for term in self.terms():
            for word, word_stem in term.split_words():
                splits.add(word, word_stem)
        return splits.freeze()

    def terms(self) -> Iterable[Term]:
        for clause in self.clauses:
            yield from clause.required
            yield from clause.excluded

    def doc(self, title: str, abstract: str) -> TextDoc:
        """A text prepared for this query alone."""
        return TextDoc.of(title, abstract, self.splits())

    def matches(self, title: str, abstract: str = "") -> bool:
        """Whether the query matches a title and abstract."""
        return self.matches_doc(self.doc(title, abstract))

    def matches_doc(self, doc: TextDoc) -> bool:
        """Like :meth:`matches`, over a prepared :class:`TextDoc` (many queries, one text)."""
        return any(c.matches(doc) for c in self.clauses)

    @property
    def key(self) -> str:
        """Equal for queries that look for the same words (the duplicate check)."""
        return " OR ".join(sorted(dict.fromkeys(c.key for c in self.clauses)))

    @property
    def stop_words_only(self) -> bool:
        """Whether some alternative looks only for stop words (it matches nearly anything)."""
        return any(c.stop_words_only for c in self.clauses)

    @property
    def never_matches(self) -> bool:
        """Whether no alternative can ever match (each excludes what it requires)."""
        return all(c.impossible for c in self.clauses)


def _scan(text: str) -> Iterable[tuple[str, bool, bool, str]]:
    """Yield ``(kind, negated, exact, raw)``; kind is ``"word"``, ``"phrase"`` or ``"or"``."""
    pos, n = 0, len(text)
    while pos < n:
        if text[pos].isspace():
            pos += 1
            continue
        negated = text[pos] == "-" and pos + 1 < n and not text[pos + 1].isspace()
        pos += negated
        exact = text[pos] == "=" and pos + 1 < n and not text[pos + 1].isspace()
        pos += exact
        if text[pos] == '"':
            end = text.find('"', pos + 1)
            if end < 0:
                raise TopicError('Unbalanced quote: close every "phrase" with a second ".')
            yield "phrase", negated, exact, text[pos + 1 : end]
            pos = end + 1
            continue
        end = pos
        while end < n and not text[end].isspace() and text[end] != '"':
            end += 1
        raw = text[pos:end]
        pos = end
        plain = raw == "OR" and not negated and not exact
        yield ("or" if plain else "word"), negated, exact, raw


def _clause(required: list[Term], excluded: list[Term]) -> Clause:
    if not required:
        if excluded:
            raise TopicError(
                "Each OR alternative needs a word to look for, not only -exclusions "
                "(try `transformer -vision`, not `-vision`)."
            )
        raise TopicError("Dangling OR: put a word or phrase on both sides of every OR.")
    return Clause(tuple(required), tuple(excluded))


def parse_topic(text: str) -> TopicQuery:
    """Parse a topic query (syntax in :data:`TOPIC_HELP`); raise :class:`TopicError` if unusable."""
    if len(text) > MAX_QUERY_CHARS:
        raise TopicError(f"Topic too long: at most {MAX_QUERY_CHARS} characters.")
    if not text.strip():
        raise TopicError('Empty topic: give words or "phrases" to look for.')
    # TeX accents first, so the quote in Schr\"odinger is not read as a phrase delimiter.
    source, text = text.strip(), decode_tex(text).translate(_QUOTES)
    clauses: list[Clause] = []
    required: list[Term] = []
    excluded: list[Term] = []
    terms = 0
    for kind, negated, exact, raw in _scan(text):
        if kind == "or":
            clauses.append(_clause(required, excluded))
            required, excluded = [], []
            continue
        words = tuple(tokenize(raw))
        if not words:  # punctuation only, e.g. a stray "&": nothing to look for
            continue
        terms += 1
        if terms > MAX_TERMS:
            raise TopicError(f"Too many terms: at most {MAX_TERMS} words or phrases.")
        (excluded if negated else required).append(Term(words, exact))
    if not clauses and not required and not excluded:
        raise TopicError('Empty topic: give words or "phrases" to look for.')
    clauses.append(_clause(required, excluded))
    return TopicQuery(tuple(clauses), source)
