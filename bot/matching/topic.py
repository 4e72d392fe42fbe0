"""The topic query language: words, "phrases", OR and -exclusions over title + abstract.

Matching is over whole tokens: text is TeX-decoded, case- and accent-folded and split on every
character that is not a letter or digit. ``reinforcement`` therefore does NOT match
``reinforcements`` (no stemming, no prefix match): subscribe to both with ``OR`` if needed.
A bare word that splits into several tokens (``self-supervised``, ``GPT-4``) is a phrase.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.matching.names import fold
from bot.model import Paper
from bot.model.text import MAX_QUERY_CHARS
from bot.sources.tex import decode_tex

MAX_TERMS = 20
# Never equal to a token (tokens are alphanumeric): keeps phrases from spanning title/abstract.
SEPARATOR = "\x00"

TOPIC_HELP = f"""\
Topic queries match a paper's title and abstract.
• `diffusion model` — all words must appear (AND), anywhere, in any order.
• `"language model"` — a quoted phrase must appear as consecutive words.
• `rlhf OR "reward model"` — either side may match. AND binds tighter than OR:
  `a b OR c` means (a AND b) OR c. Write OR in capitals; a lower-case "or" is a word.
• `-survey`, `-"large language"` — exclude papers containing the word or phrase; an
  exclusion applies to its own OR alternative: `a -b OR c` means (a AND NOT b) OR c.
Matching ignores case and accents and compares whole words: `reinforcement` does not match
`reinforcements` (add `OR reinforcements` for both). Hyphenated words such as
`self-supervised` are matched as phrases. Limits: {MAX_QUERY_CHARS} characters, {MAX_TERMS} terms;
every OR alternative needs at least one word that is not excluded."""

_TOKEN_RE = re.compile(r"[^\W_]+")
# ASCII fast path (most folded text): bytes.translate blanks every non-alphanumeric byte in C,
# about twice as fast as the regex, with the same tokens.
_ASCII_TABLE = bytes(c if chr(c).isalnum() and c < 128 else 32 for c in range(256))

Term = tuple[str, ...]


class TopicError(ValueError):
    """A topic query that cannot be used; the message is meant for the user."""


def tokenize(text: str) -> list[str]:
    """Split text into folded tokens (TeX decoded, case- and accent-folded, alphanumeric)."""
    text = fold(text)
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_TABLE).decode("ascii").split()
    return _TOKEN_RE.findall(text)


def paper_tokens(paper: Paper) -> list[str]:
    """The tokens a topic is matched against: title, then abstract (phrases never span both)."""
    return [*tokenize(paper.title), SEPARATOR, *tokenize(paper.abstract)]


class TokenDoc:
    """Tokens prepared once for many queries: a set for words, positions (built on first use)
    for phrases."""

    __slots__ = ("_positions", "token_set", "tokens")

    def __init__(self, tokens: Sequence[str]) -> None:
        self.tokens = tokens
        self.token_set = frozenset(tokens)
        self._positions: dict[str, list[int]] | None = None

    def has_phrase(self, phrase: Term) -> bool:
        """Whether the words of ``phrase`` occur consecutively."""
        if not self.token_set.issuperset(phrase):
            return False
        if self._positions is None:
            positions: dict[str, list[int]] = {}
            for i, tok in enumerate(self.tokens):
                positions.setdefault(tok, []).append(i)
            self._positions = positions
        n = len(phrase)
        tokens = self.tokens
        return any(tuple(tokens[i : i + n]) == phrase for i in self._positions[phrase[0]])


@dataclass(frozen=True, slots=True)
class Clause:
    """One OR alternative: every ``required`` term present and no ``excluded`` term."""

    required: tuple[Term, ...]
    excluded: tuple[Term, ...] = ()
    # Derived for speed: single words are checked as set operations, phrases one by one.
    words: frozenset[str] = field(init=False, repr=False, compare=False)
    excluded_words: frozenset[str] = field(init=False, repr=False, compare=False)
    has_phrases: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "words", frozenset(t[0] for t in self.required if len(t) == 1))
        set_(self, "excluded_words", frozenset(t[0] for t in self.excluded if len(t) == 1))
        set_(self, "has_phrases", any(len(t) > 1 for t in self.required + self.excluded))

    def matches(self, doc: TokenDoc) -> bool:
        """Whether this alternative matches the prepared tokens."""
        present = doc.token_set
        if not self.words <= present or not self.excluded_words.isdisjoint(present):
            return False
        return not self.has_phrases or self.phrases_match(doc)

    def phrases_match(self, doc: TokenDoc) -> bool:
        """The phrase part of :meth:`matches` (single words are checked by the caller)."""
        return all(len(t) == 1 or doc.has_phrase(t) for t in self.required) and not any(
            len(t) > 1 and doc.has_phrase(t) for t in self.excluded
        )

    @property
    def key_token(self) -> str:
        """A token every match must contain; the longest one, as the rarest-looking."""
        return max((tok for term in self.required for tok in term), key=len)


@dataclass(frozen=True, slots=True)
class TopicQuery:
    """A parsed topic query: an OR of :class:`Clause` s."""

    clauses: tuple[Clause, ...]
    text: str = field(default="", compare=False)

    def matches(self, tokens: Sequence[str]) -> bool:
        """Whether the query matches a token sequence from :func:`tokenize`."""
        return self.matches_doc(TokenDoc(tokens))

    def matches_doc(self, doc: TokenDoc) -> bool:
        """Like :meth:`matches`, over a prepared :class:`TokenDoc` (many queries, one text)."""
        return any(c.matches(doc) for c in self.clauses)


def _scan(text: str) -> Iterable[tuple[str, bool, str]]:
    """Yield ``(kind, negated, raw)`` items; kind is ``"word"``, ``"phrase"`` or ``"or"``."""
    pos, n = 0, len(text)
    while pos < n:
        if text[pos].isspace():
            pos += 1
            continue
        negated = text[pos] == "-" and pos + 1 < n and not text[pos + 1].isspace()
        if negated:
            pos += 1
        if text[pos] == '"':
            end = text.find('"', pos + 1)
            if end < 0:
                raise TopicError('Unbalanced quote: close every "phrase" with a second ".')
            yield "phrase", negated, text[pos + 1 : end]
            pos = end + 1
            continue
        end = pos
        while end < n and not text[end].isspace() and text[end] != '"':
            end += 1
        raw = text[pos:end]
        pos = end
        yield ("or" if raw == "OR" and not negated else "word"), negated, raw


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
    source, text = text.strip(), decode_tex(text)
    clauses: list[Clause] = []
    required: list[Term] = []
    excluded: list[Term] = []
    terms = 0
    for kind, negated, raw in _scan(text):
        if kind == "or":
            clauses.append(_clause(required, excluded))
            required, excluded = [], []
            continue
        term = tuple(tokenize(raw))
        if not term:  # punctuation only, e.g. a stray "&": nothing to look for
            continue
        terms += 1
        if terms > MAX_TERMS:
            raise TopicError(f"Too many terms: at most {MAX_TERMS} words or phrases.")
        (excluded if negated else required).append(term)
    if not clauses and not required and not excluded:
        raise TopicError('Empty topic: give words or "phrases" to look for.')
    clauses.append(_clause(required, excluded))
    return TopicQuery(tuple(clauses), source)
