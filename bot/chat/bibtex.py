"""BibTeX entries in arXiv's own style: ``@misc`` with title, author, year, eprint,
archivePrefix, primaryClass, url, and doi when the paper has one.

The text is ASCII TeX (pylatexenc's encoder: ``Aäron`` → ``A{\\"a}ron``, ``&`` → ``{\\&}``,
``%`` → ``{\\%}``), so a file works with classic BibTeX as well as with biber; a character with
no TeX form (CJK, say) stays as it is; a combining accent pylatexenc has no
precomposed form for (``t`` + U+0302 in a Romanian title) becomes the accent macro on its
letter (``{\\^{t}}``). Stored titles are plain text except their ``$…$`` math,
which is TeX already and kept as written (when its braces balance); TeX accent macros in a
title are decoded first, so they are not escaped twice, and ``--`` / ``---`` stay TeX's
dashes (what a title's author meant by them). A straight ``"`` stays one. Braces are escaped as
``\\{ \\}`` when they pair up and as ``{\\textbraceleft}`` / ``{\\textbraceright}`` when they do
not: BibTeX counts every brace, escaped or not, and refuses an unbalanced field.

The year is the year of version 1: ``published`` (the v1 date) when known, else the id's
(``2308.03526`` → 2023, ``hep-th/9901001`` → 1999). Keys are ``surname + year + first word``
(``babuschkin2023gpt4``): the first author's surname without particles (``van den Oord`` →
``oord``), ASCII-folded, and the title's first word that is not an article or a preposition;
a key already taken in the same file gets ``a``, ``b``, … appended. The file itself is written
by bibtexparser.
"""

from __future__ import annotations

import logging
import re
import string
import unicodedata
from collections.abc import Iterable, Sequence

from bibtexparser.entrypoint import write_string
from bibtexparser.library import Library
from bibtexparser.middlewares.parsestack import default_unparse_stack
from bibtexparser.model import Entry, Field
from bibtexparser.writer import BibtexFormat
from pylatexenc.latexencode import (
    RULE_DICT,
    UnicodeToLatexConversionRule,
    UnicodeToLatexEncoder,
)

from bot.matching.names import parse_person
from bot.model import Paper
from bot.sources.tex import decode_tex

#: Leading title words a key skips (``The Llama 3 Herd`` → ``llama``).
_SKIPPED = frozenset(
    {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "from", "by", "at"}
    | {"towards", "toward", "via", "is", "are", "do", "does"}
)
_MATH = re.compile(r"(?<!\\)\$[^$]+(?<!\\)\$")
_AND = re.compile(r"\band\b", re.I)
#: A DOI written verbatim: printable ASCII, no space, no brace (BibTeX counts those).
_VERBATIM = re.compile(r"[!-z|~]+")
_NEW_ID = re.compile(r"^(\d{2})(\d{2})\.\d{4,5}$")
_OLD_ID = re.compile(r"^[a-z-]+(?:\.[A-Z]{2})?/(\d{2})\d{5}$")

# Quiet: a character without a TeX form is kept (the module docstring says so), not warned.
logging.getLogger("pylatexenc.latexencode").setLevel(logging.ERROR)
_ENCODER = UnicodeToLatexEncoder(
    # A straight double quote stays one (pylatexenc's default makes every one a closing '').
    conversion_rules=[UnicodeToLatexConversionRule(RULE_DICT, {ord('"'): '"'}), "defaults"],
    replacement_latex_protection="braces-all",
    unknown_char_policy="keep",
    unknown_char_warning=False,
)


#: TeX's accent macros for combining marks pylatexenc leaves as they are: those on a letter
#: with no precomposed form (``t̂`` → ``{\^{t}}``).
_ACCENTS = {
    "\u0300": "`",
    "\u0301": "'",
    "\u0302": "^",
    "\u0303": "~",
    "\u0304": "=",
    "\u0306": "u",
    "\u0307": ".",
    "\u0308": '"',
    "\u030a": "r",
    "\u030b": "H",
    "\u030c": "v",
    "\u0323": "d",
    "\u0327": "c",
    "\u0328": "k",
    "\u0331": "b",
}
_MARKED = re.compile(r"(\{\\[^{}]+\{[^{}]*\}\}|[A-Za-z0-9])([" + "".join(_ACCENTS) + "])")


def _accents(tex: str) -> str:
    """Combining marks left in pylatexenc's output as accent macros on the letter before."""
    while True:
        done = _MARKED.sub(lambda m: "{\\" + _ACCENTS[m[2]] + "{" + m[1] + "}}", tex)
        if done == tex:
            return tex
        tex = done


def _balanced(text: str) -> bool:
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _escape_text(text: str) -> str:
    """Plain text as ASCII TeX, braces included (see the module docstring)."""
    pair = _balanced(text)
    braces = (
        {"{": r"\{", "}": r"\}"}
        if pair
        else {
            "{": r"{\textbraceleft}",
            "}": r"{\textbraceright}",
        }
    )
    pieces = re.split(r"([{}])", text)
    return "".join(
        braces[p] if p in braces else _accents(_ENCODER.unicode_to_latex(p)) for p in pieces
    )


def tex_escape(text: str, *, math: bool = False) -> str:
    """``text`` as ASCII TeX for a BibTeX field; ``math``: keep ``$…$`` spans as written."""
    if not math:
        return _escape_text(text)
    out: list[str] = []
    pos = 0
    for m in _MATH.finditer(text):
        if not _balanced(m.group()):
            continue
        out.append(_escape_text(text[pos : m.start()]))
        out.append(m.group())
        pos = m.end()
    out.append(_escape_text(text[pos:]))
    return "".join(out)


def v1_year(paper: Paper) -> int | None:
    """The year of version 1: ``published``'s, else the one the id was given in."""
    if paper.published is not None:
        return paper.published.year
    new = _NEW_ID.match(paper.arxiv_id)
    if new:
        return 2000 + int(new.group(1))
    old = _OLD_ID.match(paper.arxiv_id)
    if old:  # arXiv began in August 1991: 91-99 are the 1900s
        yy = int(old.group(1))
        return 1900 + yy if yy >= 91 else 2000 + yy
    return None


def _ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if c in string.ascii_lowercase + string.digits)


def _surname(author: str) -> str:
    person = parse_person(author)
    if person is not None:
        return _ascii_word(person.core_key)
    words = author.split()
    return _ascii_word(words[-1]) if words else ""


def _first_word(title: str) -> str:
    for word in re.split(r"[\s/]+", decode_tex(_MATH.sub(" ", title))):
        folded = _ascii_word(word)
        if folded and folded not in _SKIPPED:
            return folded
    return ""


def entry_key(paper: Paper) -> str:
    """``surname + year + first word`` (``babuschkin2023gpt4``), before clash suffixes."""
    surname = _surname(paper.authors[0]) if paper.authors else ""
    year = v1_year(paper)
    key = f"{surname or 'anonymous'}{year or ''}{_first_word(paper.title)}"
    return key or _ascii_word(paper.arxiv_id)


def _unique(keys: Iterable[str]) -> list[str]:
    taken: set[str] = set()
    out: list[str] = []
    for key in keys:
        candidate, n = key, 0
        while candidate in taken:
            candidate = key + _suffix(n)
            n += 1
        taken.add(candidate)
        out.append(candidate)
    return out


def _suffix(n: int) -> str:
    """``a``…``z``, then ``aa``, ``ab``, …"""
    letters = string.ascii_lowercase
    return letters[n] if n < 26 else _suffix(n // 26 - 1) + letters[n % 26]


#: arXiv's note when a listing cut the author list ("et al. (226 additional authors not shown)").
_TRUNCATED = re.compile(r"additional authors? not shown", re.I)


def _others(paper: Paper) -> list[str]:
    """``others`` (BibTeX's "et al.") when the listing did not name every author."""
    return ["others"] if _TRUNCATED.search(paper.authors_raw or "") else []


def _author(name: str) -> str:
    escaped = tex_escape(name)
    # BibTeX splits names at " and " and reads a comma as "Last, First": keep such a name whole.
    return "{" + escaped + "}" if _AND.search(name) or "," in name else escaped


def _fields(paper: Paper) -> list[Field]:
    fields = [
        Field("title", tex_escape(decode_tex(" ".join(paper.title.split())), math=True)),
        Field("author", " and ".join([*(_author(a) for a in paper.authors), *_others(paper)])),
    ]
    year = v1_year(paper)
    if year is not None:
        fields.append(Field("year", str(year)))
    fields += [Field("eprint", paper.arxiv_id), Field("archivePrefix", "arXiv")]
    primary = paper.primary_category or (paper.categories[0] if paper.categories else "")
    if primary:
        fields.append(Field("primaryClass", primary))
    fields.append(Field("url", paper.abs_url))
    if paper.doi and _VERBATIM.fullmatch(paper.doi):
        # Verbatim, like url: biblatex and the doi/url packages read the characters as given.
        fields.append(Field("doi", paper.doi))
    return fields


def bibtex(papers: Sequence[Paper]) -> str:
    """The BibTeX file of ``papers``, in their order, each key unique within it."""
    library = Library()
    for key, paper in zip(_unique(entry_key(p) for p in papers), papers, strict=True):
        library.add(Entry("misc", key, _fields(paper)))
    fmt = BibtexFormat()  # type: ignore[no-untyped-call]
    fmt.indent = "  "
    fmt.trailing_comma = True
    fmt.block_separator = "\n"
    # In place: the library is thrown away afterwards, and copying it is most of the time for
    # a long reading list.
    stack = default_unparse_stack(allow_inplace_modification=True)
    return write_string(library, unparse_stack=stack, bibtex_format=fmt).strip() + "\n"
