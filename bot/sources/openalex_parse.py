"""Reading OpenAlex payloads into :mod:`bot.model.identity` records, defensively: a field of
the wrong type is treated as missing, never a crash; a body that is not a JSON object (an HTML
error page, a truncated answer) is a :class:`BadPayload` naming what was wrong."""

from __future__ import annotations

import json
from typing import Any

from bot.model.identity import AuthorRecord, Authorship, WorkRecord

#: How many authorships of one work are read (a list page cuts them at 100 anyway; a single
#: work may hold thousands).
MAX_AUTHORSHIPS = 5000


class BadPayload(ValueError):
    """The body is not what OpenAlex sends; the message says what it was."""


def load_json(body: bytes, content_type: str | None) -> dict[str, Any]:
    """The body as a JSON object, or :class:`BadPayload`."""
    head = body[:64].lstrip().lower()
    if head.startswith((b"<!doctype", b"<html", b"<")):
        raise BadPayload(f"an HTML page instead of JSON ({content_type or 'no content type'})")
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise BadPayload(f"invalid or truncated JSON ({len(body)} bytes: {exc.msg})") from None
    except UnicodeDecodeError:
        raise BadPayload(f"a body that is not UTF-8 ({len(body)} bytes)") from None
    if not isinstance(data, dict):
        raise BadPayload(f"a JSON {type(data).__name__} instead of an object")
    return data


def _str(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def short_id(url: Any) -> str | None:
    """``A5023888391`` from ``https://openalex.org/A5023888391`` (or the bare id)."""
    text = _str(url)
    return text.rsplit("/", 1)[-1] if text else None


def short_orcid(url: Any) -> str | None:
    """``0000-0001-6187-6610`` from ``https://orcid.org/0000-0001-6187-6610``."""
    text = _str(url)
    return text.rsplit("/", 1)[-1].upper() if text else None


def rebuild_abstract(inverted: Any) -> str:
    """The abstract text from ``abstract_inverted_index`` (``{word: [positions]}``)."""
    if not isinstance(inverted, dict):
        return ""
    placed: dict[int, str] = {}
    for word, positions in inverted.items():
        if isinstance(word, str) and isinstance(positions, list):
            for pos in positions:
                if isinstance(pos, int) and 0 <= pos < 100_000:
                    placed[pos] = word
    return " ".join(placed[i] for i in sorted(placed))


def invert_abstract(text: str) -> dict[str, list[int]]:
    """The inverse of :func:`rebuild_abstract` (for checking it)."""
    index: dict[str, list[int]] = {}
    for pos, word in enumerate(text.split(" ")):
        index.setdefault(word, []).append(pos)
    return index


def _authorship(item: Any) -> Authorship | None:
    if not isinstance(item, dict):
        return None
    raw = item.get("author")
    author: dict[str, Any] = raw if isinstance(raw, dict) else {}
    name = _str(author.get("display_name")) or _str(item.get("raw_author_name"))
    if name is None:
        return None
    return Authorship(short_id(author.get("id")), name, short_orcid(author.get("orcid")))


def _venue(data: dict[str, Any]) -> str | None:
    location = data.get("primary_location")
    source = location.get("source") if isinstance(location, dict) else None
    return _str(source.get("display_name")) if isinstance(source, dict) else None


def parse_work(data: Any) -> WorkRecord | None:
    """A work object; None when it has no id."""
    if not isinstance(data, dict) or short_id(data.get("id")) is None:
        return None
    raw = data.get("authorships")
    items = raw[:MAX_AUTHORSHIPS] if isinstance(raw, list) else []
    authorships = tuple(a for a in map(_authorship, items) if a is not None)
    doi = _str(data.get("doi"))
    return WorkRecord(
        work_id=short_id(data.get("id")) or "",
        doi=doi.removeprefix("https://doi.org/") if doi else None,
        title=_str(data.get("display_name")) or _str(data.get("title")) or "",
        publication_date=_str(data.get("publication_date")),
        authorships=authorships,
        authors_truncated=data.get("is_authors_truncated") is True,
        abstract=rebuild_abstract(data.get("abstract_inverted_index")),
        venue=_venue(data),
    )


def _institution(data: dict[str, Any]) -> str | None:
    known = data.get("last_known_institutions")
    if isinstance(known, list) and known and isinstance(known[0], dict):
        return _str(known[0].get("display_name"))
    single = data.get("last_known_institution")  # the field's older, singular form
    return _str(single.get("display_name")) if isinstance(single, dict) else None


def _by_year(data: dict[str, Any]) -> tuple[tuple[int, int], ...]:
    rows = data.get("counts_by_year")
    found = [
        (r["year"], r["works_count"])
        for r in (rows if isinstance(rows, list) else [])
        if isinstance(r, dict)
        and isinstance(r.get("year"), int)
        and isinstance(r.get("works_count"), int)
    ]
    return tuple(sorted(found, reverse=True))


def parse_author(data: Any) -> AuthorRecord | None:
    """An author object; None when it has no id or name."""
    if not isinstance(data, dict):
        return None
    ident, name = short_id(data.get("id")), _str(data.get("display_name"))
    if ident is None or name is None:
        return None
    alternatives = data.get("display_name_alternatives")
    alts = (
        tuple(a for a in map(_str, alternatives or []) if a)
        if isinstance(alternatives, list)
        else ()
    )
    works = data.get("works_count")
    return AuthorRecord(
        author_id=ident,
        display_name=name,
        alternatives=alts[:50],
        orcid=short_orcid(data.get("orcid")),
        institution=_institution(data),
        works_count=works if isinstance(works, int) else 0,
        works_by_year=_by_year(data),
    )


def results(data: dict[str, Any]) -> list[Any]:
    """A list page's ``results`` (documented shape: ``{"meta": {...}, "results": [...]}``)."""
    found = data.get("results")
    if not isinstance(found, list):
        raise BadPayload("a list page without a results list")
    return found


def next_cursor(data: dict[str, Any]) -> str | None:
    meta = data.get("meta")
    return _str(meta.get("next_cursor")) if isinstance(meta, dict) else None
