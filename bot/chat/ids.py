"""Recognise arXiv ids, arXiv URLs and DOIs in what a user typed (for ``lookup``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

# New style (0704.0001 on): YYMM.NNNN (to 1412) or YYMM.NNNNN (from 1501).
_NEW_ID = r"(?P<new>\d{2}(?:0[1-9]|1[0-2])\.\d{4,5})"
# Old style: archive[.SUBJ]/YYMMNNN, e.g. hep-th/9901001, math.GT/0309136.
_OLD_ID = r"(?P<old>[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]{2})?/\d{2}(?:0[1-9]|1[0-2])\d{3})"
_ID = rf"(?:{_NEW_ID}|{_OLD_ID})(?:v(?P<version>\d+))?"

_ID_RE = re.compile(rf"(?:arxiv:\s*)?{_ID}", re.I)
_URL_RE = re.compile(
    rf"(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format)/{_ID}"
    r"(?:\.pdf)?/?(?:[?#].*)?",
    re.I,
)
_DOI_BODY = r"(?P<doi>10\.\d+(?:\.\d+)*/\S+)"
_DOI_RE = re.compile(
    rf"(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*)?{_DOI_BODY}",
    re.I,
)
_ARXIV_DOI_RE = re.compile(r"10\.48550/arxiv\.(?P<rest>.+)", re.I)
_SPACE_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class Query:
    """A classified lookup query: an arXiv id (``version`` when given), a DOI, or title words."""

    kind: Literal["id", "doi", "words"]
    value: str
    version: int | None = None


def _from_match(m: re.Match[str]) -> tuple[str, int | None] | None:
    version = m.group("version")
    if version is not None and int(version) == 0:
        return None  # arXiv versions start at 1
    if m.group("new"):
        arxiv_id = m.group("new")
    else:
        # Archive names are lower case, subject classes upper case (math.GT).
        archive, _, number = m.group("old").partition("/")
        name, dot, subject = archive.partition(".")
        arxiv_id = f"{name.lower()}{dot}{subject.upper()}/{number}"
    return arxiv_id, int(version) if version is not None else None


def normalize_arxiv_id(s: str) -> tuple[str, int | None] | None:
    """Return ``(id, version)`` for an arXiv id such as ``arXiv:2308.03526v2``, else ``None``.

    Accepts new-style (``0704.0001``, ``2308.03526``) and old-style (``hep-th/9901001v1``,
    ``math.GT/0309136``) ids with an optional ``arXiv:`` prefix and ``vN`` suffix.
    """
    m = _ID_RE.fullmatch(s.strip())
    return _from_match(m) if m else None


def _doi_query(doi: str) -> Query:
    m = _ARXIV_DOI_RE.fullmatch(doi)
    if m:
        # arXiv's own DOIs (10.48550/arXiv.ID) name a paper we can look up by id.
        parsed = normalize_arxiv_id(m.group("rest"))
        if parsed:
            return Query("id", parsed[0], parsed[1])
    return Query("doi", doi)


def classify_query(text: str) -> Query:
    """Classify a lookup query as an arXiv id, a DOI or title words.

    arXiv abs/pdf URLs (also ``export.arxiv.org``, with or without scheme) and arXiv DOIs
    (``10.48550/arXiv.2308.03526``) give ``kind="id"``; other DOIs (bare, ``doi:`` or
    ``https://doi.org/...``) give ``kind="doi"``; anything else is ``kind="words"`` with
    whitespace collapsed.
    """
    s = text.strip().strip("<>").strip()
    parsed = normalize_arxiv_id(s)
    if parsed:
        return Query("id", parsed[0], parsed[1])
    m = _URL_RE.fullmatch(s)
    if m:
        found = _from_match(m)
        if found:
            return Query("id", found[0], found[1])
    m = _DOI_RE.fullmatch(s)
    if m:
        return _doi_query(unquote(m.group("doi")).rstrip(".,;"))
    return Query("words", _SPACE_RE.sub(" ", s))


_URL_IN_TEXT = re.compile(
    rf"(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format)/{_ID}", re.I
)
_ID_IN_TEXT = re.compile(rf"(?<![\w./-])(?:arxiv:\s*)?{_ID}(?![\w/])", re.I)
_DOI_IN_TEXT = re.compile(
    r"(?:doi:\s*|(?:https?://)?(?:dx\.)?doi\.org/)?(?P<doi>10\.\d{4,9}/[^\s<>\"'`|]+)", re.I
)


def _reference(m: re.Match[str], doi: bool) -> tuple[str, str] | None:
    """(dedup key, look-up text) of one match; None for a match that names no paper."""
    if doi:
        query = _doi_query(unquote(m.group("doi")).rstrip(".,;:!?)]}*_~"))
    else:
        found = _from_match(m)
        if found is None:
            return None
        query = Query("id", found[0], found[1])
    if query.kind == "doi":
        return f"doi:{query.value.casefold()}", query.value
    version = f"v{query.version}" if query.version else ""
    return f"id:{query.value}", query.value + version


def find_references(text: str, *, limit: int = 5) -> list[str]:
    """The first ``limit`` distinct papers a message names, as look-up texts, in the order they
    appear: arXiv ids (``2303.08774``, ``arXiv:hep-th/9901001v2``), arxiv.org links and DOIs
    (an arXiv DOI is its arXiv id). Where a link or DOI holds an id, it counts once."""
    spans: list[tuple[int, int, re.Match[str], bool]] = []
    for pattern, doi in ((_URL_IN_TEXT, False), (_DOI_IN_TEXT, True), (_ID_IN_TEXT, False)):
        spans.extend((m.start(), -m.end(), m, doi) for m in pattern.finditer(text))
    spans.sort(key=lambda s: (s[0], s[1]))
    found: dict[str, str] = {}
    covered = 0
    for start, negative_end, match, doi in spans:
        if start < covered:
            continue  # inside a longer match already taken (the id in a link)
        covered = -negative_end
        reference = _reference(match, doi)
        if reference is not None and reference[0] not in found:
            found[reference[0]] = reference[1]
            if len(found) == limit:
                break
    return list(found.values())
