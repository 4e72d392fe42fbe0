"""Reading Semantic Scholar Graph API payloads into neutral records, defensively.

Every payload is checked before it is trusted: an HTML page (a proxy's error page, a captive
portal), a truncated or otherwise malformed JSON body, or JSON of the wrong shape becomes one
:class:`BadPayload` whose message says what came back, never a ``KeyError`` or a traceback.
Author lists are cut at :data:`MAX_AUTHORS` entries (a physics paper lists 3,000).
"""

from __future__ import annotations

import json
from typing import Any

from bot.model.scholarly import ARXIV_DOI_PREFIX, SEMANTIC_SCHOLAR, PaperRecord, Work

SOURCE = SEMANTIC_SCHOLAR
#: The authors kept of one paper (the first ones: the page counts collaborators among them).
MAX_AUTHORS = 100
#: Venue or journal names S2 gives to arXiv preprints: not a published version.
_PREPRINT_VENUES = frozenset({"arxiv", "arxiv.org", "arxiv (cornell university)"})


class BadPayload(ValueError):
    """Semantic Scholar's answer was not the JSON it documents; the message says what it was."""


def decode(body: bytes, content_type: str | None) -> Any:
    """The JSON of a response body; :class:`BadPayload` for HTML or malformed JSON."""
    head = body.lstrip()[:64].lower()
    if (content_type or "").startswith("text/html") or head.startswith((b"<!doctype", b"<html")):
        raise BadPayload(f"an HTML page instead of JSON ({len(body)} bytes)")
    try:
        return json.loads(body)
    except UnicodeDecodeError:
        raise BadPayload("a body that is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise BadPayload(
            f"malformed JSON ({exc.msg} at byte {exc.pos} of {len(body)}: truncated?)"
        ) from None


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _venue(name: str) -> str:
    return "" if name.casefold() in _PREPRINT_VENUES else name


def published_doi(external_ids: object) -> str | None:
    """The DOI of the published version, never arXiv's own ``10.48550/arXiv.…``."""
    doi = _text(_dict(external_ids).get("DOI"))
    return doi if doi and not doi.lower().startswith(ARXIV_DOI_PREFIX) else None


def paper_record(arxiv_id: str, item: object) -> PaperRecord:
    """One entry of a ``POST /paper/batch`` answer (``null``: S2 does not hold the paper)."""
    if item is None:
        return PaperRecord(arxiv_id, SOURCE, found=False)
    if not isinstance(item, dict):
        raise BadPayload(f"a batch entry that is {type(item).__name__}, not an object")
    venue = _dict(item.get("publicationVenue"))
    journal = _dict(item.get("journal"))
    return PaperRecord(
        arxiv_id=arxiv_id,
        source=SOURCE,
        index_id=_text(item.get("paperId")) or None,
        title=_text(item.get("title")),
        venue=_venue(_text(venue.get("name")) or _text(item.get("venue"))),
        journal=_venue(_text(journal.get("name"))),
        doi=published_doi(item.get("externalIds")),
        citations=_int(item.get("citationCount")),
        tldr=_text(_dict(item.get("tldr")).get("text")),
        year=_int(item.get("year")),
    )


def batch_records(arxiv_ids: list[str], payload: object) -> dict[str, PaperRecord]:
    """A batch answer: a list in the order of the ids asked, ``null`` for those S2 lacks."""
    if isinstance(payload, dict) and "error" in payload:
        raise BadPayload(f"an error: {_text(payload.get('error'))[:200]}")
    if not isinstance(payload, list) or len(payload) != len(arxiv_ids):
        shown = f"{len(payload)} entries" if isinstance(payload, list) else type(payload).__name__
        raise BadPayload(f"{shown} for {len(arxiv_ids)} ids asked")
    return {i: paper_record(i, item) for i, item in zip(arxiv_ids, payload, strict=True)}


def page(payload: object) -> tuple[list[Any], int | None, int | None]:
    """``(data, next offset, total)`` of a paged answer (``{"offset", "next", "data"}``)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise BadPayload("an object without a 'data' list")
    return payload["data"], _int(payload.get("next")), _int(payload.get("total"))


def authors_of(item: dict[str, Any]) -> tuple[tuple[str, ...], bool]:
    """The first :data:`MAX_AUTHORS` author names of a paper, and whether more were cut."""
    raw = item.get("authors")
    if not isinstance(raw, list):
        return (), False
    names = tuple(n for a in raw[:MAX_AUTHORS] if (n := _text(_dict(a).get("name"))))
    return names, len(raw) > MAX_AUTHORS


def work(item: object) -> Work | None:
    """One paper of ``/author/{id}/papers`` as an author-page entry (None without a title)."""
    data = _dict(item)
    title = _text(data.get("title"))
    if not title:
        return None
    ids = _dict(data.get("externalIds"))
    journal = _venue(_text(_dict(data.get("journal")).get("name")))
    venue = journal or _venue(_text(data.get("venue")))
    arxiv_id = _text(ids.get("ArXiv")) or None
    return Work(
        title=title,
        source=SOURCE,
        year=_int(data.get("year")),
        venue_line=venue or ("arXiv" if arxiv_id else ""),
        abstract=_text(data.get("abstract")),
        summary=_text(_dict(data.get("tldr")).get("text")),
        authors=authors_of(data)[0],
        arxiv_id=arxiv_id,
        doi=published_doi(ids),
        when=_text(data.get("publicationDate")) or str(_int(data.get("year")) or ""),
    )
