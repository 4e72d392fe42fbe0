"""Person-name parsing and comparison for author subscriptions.

A name is reduced to a :class:`PersonName`: a folded surname (particles such as ``van den``
kept) and folded given-name tokens. Folding is case-, spacing- and accent-insensitive, and TeX
accents are decoded first, so ``A\\"aron van den Oord``, ``Aäron van den Oord`` and
``van den Oord, Aaron`` are the same person.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from bot.sources.tex import decode_tex

# Letters that NFKD does not decompose into base letter + combining mark.
_SPECIAL_LETTERS = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "þ": "th",
        "Þ": "TH",
        "ı": "i",
        "ȷ": "j",
        "ħ": "h",
        "Ħ": "H",
        "ŀ": "l",
        "Ŀ": "L",
        "ŋ": "ng",
        "Ŋ": "NG",
    }
)

# Lower-case name particles that belong to the surname (``Ludwig van Beethoven``).
PARTICLES: frozenset[str] = frozenset(
    {
        "van",
        "von",
        "vander",
        "der",
        "den",
        "de",
        "del",
        "della",
        "delle",
        "dei",
        "degli",
        "di",
        "da",
        "das",
        "dos",
        "do",
        "du",
        "le",
        "la",
        "les",
        "ter",
        "ten",
        "zu",
        "zur",
        "zum",
        "af",
        "av",
        "bin",
        "ibn",
    }
)
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})

_PARENS_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_APOSTROPHES_RE = re.compile(r"['’`´ʼ]")
_HYPHENS_RE = re.compile(r"[\u2010-\u2015\u2212]")
_INITIAL_HYPHEN_RE = re.compile(r"\.\s*-\s*")
_NON_WORD_RE = re.compile(r"[^\w-]+")
_HAS_LETTER_RE = re.compile(r"[^\W\d_]")
_SIMPLE_RE = re.compile(r"[A-Za-z]+(?: [A-Za-z]+)+")


def fold(text: str) -> str:
    """Return ``text`` decoded from TeX, without accents and case-folded.

    NFKD + dropping combining marks handles ``é``/``ä``; letters that do not decompose
    (``ø``, ``ł``, ``ß``, ``æ``...) are mapped by hand.
    """
    text = decode_tex(text)
    if text.isascii():
        return text.casefold()
    # Case-fold first: casefold() may itself produce decomposable letters.
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL_LETTERS).casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class PersonName:
    """A folded name: ``surname_key`` (particles included, words space-separated) and
    ``given`` tokens (``"igor"``, ``"i"``, ``"jean-pierre"``, ``"j-p"``)."""

    surname_key: str
    given: tuple[str, ...]

    @property
    def core_key(self) -> str:
        """The surname without leading particles: ``"van den oord"`` -> ``"oord"``."""
        return _core(self.surname_key)


@lru_cache(maxsize=65536)
def _core(surname_key: str) -> str:
    words = surname_key.split(" ")
    i = 0
    while i < len(words) - 1 and words[i] in PARTICLES:
        i += 1
    return " ".join(words[i:])


def _surname_words(text: str) -> list[str]:
    # Hyphens and apostrophes inside surnames are spelling variants: Garcia-Lopez = Garcia Lopez.
    text = _APOSTROPHES_RE.sub("", text).replace("-", " ")
    return [w for w in _NON_WORD_RE.sub(" ", text).replace("_", " ").split() if w]


def _given_tokens(text: str) -> list[str]:
    text = _APOSTROPHES_RE.sub("", text)
    text = _INITIAL_HYPHEN_RE.sub("-", text).replace(".", " ")
    out = []
    for raw in text.split():
        tok = re.sub(r"-+", "-", _NON_WORD_RE.sub("", raw).replace("_", "")).strip("-")
        if tok and tok not in _SUFFIXES:
            out.append(tok)
    return out


def _split_trailing_particles(given: list[str]) -> tuple[list[str], list[str]]:
    """Move particles at the end of the given names to the surname (``Oord, Aaron van den``)."""
    i = len(given)
    while i > 1 and given[i - 1] in PARTICLES:
        i -= 1
    return given[:i], given[i:]


def _parse_folded(text: str) -> PersonName | None:
    if "," in text:
        surname_part, _, rest = text.partition(",")
        surname = [w for w in _surname_words(surname_part) if w not in _SUFFIXES]
        if surname:
            given, particles = _split_trailing_particles(_given_tokens(rest.replace(",", " ")))
            return PersonName(" ".join(particles + surname), tuple(given))
        text = text.replace(",", " ")
    return _from_tokens(_given_tokens(text))


def _from_tokens(tokens: list[str]) -> PersonName | None:
    """Build a name from "First ... Last" tokens (folded, suffixes already dropped)."""
    if not tokens:
        return None
    # The surname is the last token plus any particles before it; keep one given name at least.
    start = len(tokens) - 1
    while start > 1 and tokens[start - 1] in PARTICLES:
        start -= 1
    surname = _surname_words(" ".join(tokens[start:]))
    if not surname:
        return None
    return PersonName(" ".join(surname), tuple(tokens[:start]))


@lru_cache(maxsize=65536)
def parse_person(name: str) -> PersonName | None:
    """Parse ``"First Last"`` or ``"Last, First"`` into a :class:`PersonName`.

    Parenthesised affiliations and suffixes (``Jr.``, ``III``) are dropped. Returns ``None``
    for strings with no letters. Never raises.
    """
    if _SIMPLE_RE.fullmatch(name):  # fast path for the common "Igor Babuschkin" shape
        return _from_tokens([t for t in name.casefold().split() if t not in _SUFFIXES])
    if not _HAS_LETTER_RE.search(name):
        return None
    text = _HYPHENS_RE.sub("-", fold(_PARENS_RE.sub(" ", name)))
    if not _HAS_LETTER_RE.search(text):
        return None
    return _parse_folded(text)


def _given_compatible(a: str, b: str) -> bool:
    """Equal, or one is an initial of the other; hyphenated names compare part by part."""
    if a == b:
        return True
    if a[0] != b[0]:  # tokens never start with "-": differing first letters never agree
        return False
    pa, pb = a.split("-"), b.split("-")
    if len(pa) > 1 and len(pb) > 1:
        return all(_given_compatible(x, y) for x, y in zip(pa, pb, strict=False))
    # A plain name against a hyphenated one meets the first part: J. / Jean ~ Jean-Pierre.
    x, y = pa[0], pb[0]
    if len(pa) > 1 or len(pb) > 1:
        return _given_compatible(x, y)
    return (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y))


def joined_given(given: tuple[str, ...]) -> str:
    """Given names written as one word: ``("yi", "xiang")`` and ``("yi-xiang",)`` -> ``yixiang``."""
    return "".join(given).replace("-", "")


def _aligned(a: PersonName, b: PersonName) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The given names of two names whose surnames agree, once a double surname written
    without its comma (``Ana Garcia Lopez`` vs ``Garcia Lopez, Ana``) is aligned; None when
    the surnames differ. The pair keeps the order of the arguments."""
    a_given, b_given = a.given, b.given
    if a.surname_key == b.surname_key:
        return a_given, b_given
    ca, cb = _core(a.surname_key).split(" "), _core(b.surname_key).split(" ")
    if ca == cb:
        return a_given, b_given
    swapped = len(ca) < len(cb)
    if swapped:
        ca, cb, a_given, b_given = cb, ca, b_given, a_given
    extra = len(ca) - len(cb)
    # The shorter surname's trailing given names must spell the longer one's first words.
    if (
        ca[extra:] != cb
        or len(b_given) < extra
        or list(b_given[len(b_given) - extra :]) != ca[:extra]
    ):
        return None
    b_given = b_given[: len(b_given) - extra]
    return (b_given, a_given) if swapped else (a_given, b_given)


def _given_agree(a_given: tuple[str, ...], b_given: tuple[str, ...]) -> bool:
    if a_given and b_given and joined_given(a_given) == joined_given(b_given):
        return True
    return all(_given_compatible(x, y) for x, y in zip(a_given, b_given, strict=False))


def same_person(a: PersonName, b: PersonName) -> bool:
    """Whether two parsed names may denote the same person (symmetric).

    Surnames must agree once leading particles are ignored; given names are the same written
    as one word (``Yi-Xiang`` = ``Yixiang`` = ``Yi Xiang``), or compared token by token over
    the shorter list (each pair equal, or one an initial of the other). A name with no given
    names matches every name with that surname. A double surname written without its comma
    (``Ana Garcia Lopez``) meets ``Garcia Lopez, Ana``.
    """
    aligned = _aligned(a, b)
    return aligned is not None and _given_agree(*aligned)


def author_matches(subscribed: PersonName, author: PersonName) -> bool:
    """Whether an author subscription matches one author of a paper.

    As :func:`same_person`, with one asymmetry: a subscription without given names
    (``Babuschkin``) matches every given name, but an author listed without given names (a
    mononym, or arXiv's garbled ``Zifan (Sail),  Wang`` that leaves a bare ``Wang``) never
    matches a subscription that has some: it would match every Wang.
    """
    if subscribed.given == author.given and subscribed.surname_key == author.surname_key:
        return True  # the common case: written alike
    aligned = _aligned(subscribed, author)
    if aligned is None or (aligned[0] and not aligned[1]):
        return False
    return _given_agree(*aligned)


def index_key(person: PersonName) -> str:
    """A key equal for any two names :func:`same_person` accepts: the last surname word."""
    return person.surname_key.rpartition(" ")[2]
