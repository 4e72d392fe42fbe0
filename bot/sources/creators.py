"""Author lists as arXiv's RSS gives them: one ``dc:creator`` string, split into names and
affiliations.

RSS 2.0 writes every author of a paper in one string, ``Name (Affiliation), Name, ...``, and an
affiliation may itself hold commas (``Abdallah Khemais (ISITCOM, University of Sousse)``). The
rules, also what ``bench/replay_reference.py`` implements independently:

* Authors are separated by commas and semicolons outside parentheses and brackets, and by the
  word ``and`` (``A, B and C``, ``A, B, and C``). An unclosed parenthesis runs to the end.
* What stands in parentheses or brackets is the author's affiliation: kept apart from the
  name, never matched. Several groups are joined with ``"; "``.
* arXiv's own garbling is survived, never "repaired" into new people: pieces without a letter
  (the stray ``:`` of ``Mind Lab,  :, Song Cao``) are dropped; a suffix glued to most names of a
  list (``Igor BabuschkinRai``, 2024-03-04, on 191 of 282 names) is taken off as their
  affiliation. A name left with
  no given name by the garbling (``Zifan (Sail),  Wang``) stays as listed: such an author
  matches only subscriptions without given names (see :mod:`bot.matching.names`).
"""

from __future__ import annotations

import html
import re
from collections import Counter
from functools import lru_cache

from bot.sources.tex import decode_tex

#: One author as listed: the name and its affiliation ("" when none).
Creator = tuple[str, str]

_SEPARATORS_RE = re.compile(r"[,;]|\band\b")
_BRACKETS_RE = re.compile(r"([()\[\]])")
_LEADING_AND_RE = re.compile(r"^and\s+")
_GLUED_RE = re.compile(r"(?<=[^\W\d_])([A-Z][a-z]+)$")
#: A glued suffix is arXiv's garbling only when it ends many names of a list (in the GPT-4
#: report, 191 of 282: every name before the one whose parenthesis arXiv mangled).
_GLUED_MIN_NAMES, _GLUED_SHARE = 3, 0.3


def _has_letter(text: str) -> bool:
    return any(c.isalpha() for c in text)


def _clean(text: str) -> str:
    return " ".join(text.split())


def _split_plain(raw: str) -> list[tuple[str, list[str]]]:
    """Split a creator string without brackets; every piece has no affiliation."""
    return [(piece, []) for piece in _SEPARATORS_RE.split(raw)]


def _split_bracketed(raw: str) -> list[tuple[str, list[str]]]:
    """Split at separators outside brackets; bracket contents become affiliations."""
    pieces: list[tuple[str, list[str]]] = []
    name: list[str] = []
    groups: list[str] = []
    inside: list[str] = []
    depth = 0
    for part in _BRACKETS_RE.split(raw):
        if part in ("(", "["):
            if depth:
                inside.append(part)
            depth += 1
        elif part in (")", "]"):
            if depth == 0:
                continue  # a stray closer: dropped, never left unbalanced in a name
            depth -= 1
            if depth:
                inside.append(part)
            else:
                groups.append("".join(inside))
                inside = []
        elif depth:
            inside.append(part)
        else:
            cuts = _SEPARATORS_RE.split(part)
            name.append(cuts[0])
            for cut in cuts[1:]:
                pieces.append(("".join(name), groups))
                name, groups = [cut], []
    if inside:  # an unclosed parenthesis runs to the end
        groups.append("".join(inside))
    pieces.append(("".join(name), groups))
    return pieces


def _unglue(creators: list[Creator]) -> list[Creator]:
    """Take a suffix glued to many names (``Josh AchiamRai``) off as their affiliation."""
    if len(creators) < _GLUED_MIN_NAMES:
        return creators
    suffixes = Counter(m.group(1) for name, _ in creators if (m := _GLUED_RE.search(name)))
    if not suffixes:
        return creators
    suffix, count = suffixes.most_common(1)[0]
    if count < max(_GLUED_MIN_NAMES, _GLUED_SHARE * len(creators)):
        return creators
    out = []
    for name, affiliation in creators:
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)].rstrip()
            affiliation = "; ".join(a for a in (affiliation, suffix) if a)
        out.append((name, affiliation))
    return out


@lru_cache(maxsize=16384)
def split_creators(raw: str) -> tuple[Creator, ...]:
    """``dc:creator`` text -> ``((name, affiliation), ...)`` in order, TeX accents decoded.

    Never raises; a string with no name in it gives ``()``. Cached: a paper's creator string
    comes back with each of its cross-listings and versions.
    """
    has_brackets = "(" in raw or "[" in raw or ")" in raw or "]" in raw
    pieces = _split_bracketed(raw) if has_brackets else _split_plain(raw)
    creators: list[Creator] = []
    for name, groups in pieces:
        name = _LEADING_AND_RE.sub("", _clean(name))
        if not _has_letter(name):
            continue
        affiliation = "; ".join(g for g in map(_clean, groups) if g)
        creators.append((name, affiliation))
    creators = _unglue(creators)
    creators = [(n, a) for n, a in creators if _has_letter(n)]
    if "\\" in raw:
        creators = [(decode_tex(n), decode_tex(a)) for n, a in creators]
    return tuple(creators)


_RDF_LINK_RE = re.compile(r"<a\b[^>]*>(.*?)</a>([^<]*)", re.S | re.I)
_TAG_RE = re.compile(r"<[^>]+>")
# An affiliation stands right after its link; ", et al. (890 additional authors not shown)"
# after the last one is arXiv's truncation note, not an affiliation.
_GROUP_RE = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]?")


def rdf_creators(raw: str) -> tuple[Creator, ...]:
    """RDF-era ``dc:creator`` (escaped HTML): each ``<a>`` link's text is one author's name;
    a parenthesised text after the link is that author's affiliation. Without links, the
    text is split as an RSS 2.0 string."""
    links = _RDF_LINK_RE.findall(raw)
    if not links:
        return split_creators(html.unescape(_TAG_RE.sub("", raw)))
    out: list[Creator] = []
    for inner, after in links:
        name = _clean(html.unescape(_TAG_RE.sub("", inner)))
        if not _has_letter(name):
            continue
        group = _GROUP_RE.match(html.unescape(after))
        affiliation = _clean(group.group(1)) if group else ""
        out.append((decode_tex(name), decode_tex(affiliation)))
    return tuple(out)
