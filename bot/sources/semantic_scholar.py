"""The Semantic Scholar Graph API client: papers by arXiv id (batched), author search, an
author's papers. Polite, bounded, and never fatal to the rest of the bot.

* Politeness: its own :class:`~bot.sources.limiter.PolitenessLimiter` (``[semantic_scholar]
  min_interval_seconds``, shared through the store's rate slot ``semantic_scholar``), separate
  from arXiv's, so a slow S2 never delays a listing poll and arXiv's 3 s spacing never delays
  S2. A 429 or 5xx is retried by :class:`~bot.sources.http.HttpClient` with back-off, honouring
  ``Retry-After`` up to its cap (a longer one fails at once, saying so).
* Bounds: at most :data:`BATCH_SIZE` ids per batch request (the documented limit is 500), at
  most ``max_pages`` pages of ``page_size`` for an author's papers (an author with 30,000 papers
  costs ``max_pages`` requests, and the answer says it was cut), a byte cap on every response
  (the HTTP client's ``max_bytes``), author lists cut at 100 names per paper.
* Faults: HTML, malformed or truncated JSON, wrong shapes, HTTP errors and time-outs all become
  one :class:`ScholarError` with a one-line message. ``on_health`` (the app wires it to the
  store's source state) hears ``None`` after a success and the message after a failure, which
  is what ``status`` shows.
* The API key (``$S2_API_KEY``) goes in the ``x-api-key`` header only: never in a URL, a log
  line or the store.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.model.scholarly import PaperRecord, Work
from bot.sources import scholar_parse as parse
from bot.sources.http import FetchError, HttpClient, HttpStatusError
from bot.sources.limiter import Priority
from bot.sources.redact import redact_url

log = logging.getLogger("paperbot.semantic_scholar")

#: What a batch asks for each paper (the look-up card's published version, citations, TL;DR).
PAPER_FIELDS = "title,venue,publicationVenue,journal,externalIds,citationCount,tldr,year"
#: What an author's papers page asks for (the author page's entries).
WORK_FIELDS = "title,year,venue,journal,externalIds,abstract,authors,publicationDate"
AUTHOR_FIELDS = "name,affiliations,paperCount,externalIds"
#: Ids per ``POST /paper/batch`` (S2 documents at most 500).
BATCH_SIZE = 500
API_KEY_ENV = "S2_API_KEY"

Health = Callable[[str | None], Awaitable[None]]


def api_key_from_env() -> str | None:
    """``$S2_API_KEY`` when set and not blank."""
    key = os.environ.get(API_KEY_ENV, "").strip()
    return key or None


class ScholarError(Exception):
    """Semantic Scholar could not answer; the message is one line naming what went wrong.
    ``unreachable``: no connection at all (this machine is probably offline)."""

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


class ScholarNotFound(ScholarError):
    """S2 answered 404: no such author or paper (its own message is kept)."""


@dataclass(frozen=True, slots=True)
class ScholarAuthor:
    """One ``/author/search`` candidate."""

    author_id: str
    name: str
    affiliations: tuple[str, ...] = ()
    paper_count: int | None = None


@dataclass(frozen=True, slots=True)
class AuthorWorks:
    """An author's papers as far as the caps allowed: ``capped`` when more exist."""

    works: tuple[Work, ...]
    total: int | None
    capped: bool


class SemanticScholar:
    """The client over one :class:`HttpClient` whose limiter is S2's own."""

    def __init__(
        self,
        http: HttpClient,
        api_url: str,
        *,
        api_key: str | None = None,
        on_health: Health | None = None,
        page_size: int = 100,
        max_pages: int = 5,
    ) -> None:
        self.http = http
        self.api_url = api_url.rstrip("/")
        self._headers = {"x-api-key": api_key} if api_key else {}
        self._on_health = on_health
        self.page_size = page_size
        self.max_pages = max_pages

    async def papers_by_arxiv(
        self, arxiv_ids: Sequence[str], *, priority: Priority = Priority.INTERACTIVE
    ) -> dict[str, PaperRecord]:
        """What S2 holds of each id (``found=False`` records for those it lacks), one
        ``POST /paper/batch`` per :data:`BATCH_SIZE` ids."""
        ids = list(dict.fromkeys(arxiv_ids))
        records: dict[str, PaperRecord] = {}
        for start in range(0, len(ids), BATCH_SIZE):
            chunk = ids[start : start + BATCH_SIZE]
            body = json.dumps({"ids": [f"ARXIV:{i}" for i in chunk]}).encode()
            payload = await self._call(
                "POST", "/paper/batch", {"fields": PAPER_FIELDS}, body, priority
            )
            records.update(self._parsed(parse.batch_records, chunk, payload))
        return records

    async def search_authors(self, name: str, *, limit: int = 10) -> list[ScholarAuthor]:
        """Candidates for a name (one request, at most ``limit``)."""
        params = {"query": name, "fields": AUTHOR_FIELDS, "limit": str(limit)}
        payload = await self._call("GET", "/author/search", params, None, Priority.INTERACTIVE)
        data, _, _ = self._parsed(parse.page, payload)
        return [a for item in data[:limit] if (a := _author(item)) is not None]

    async def author_papers(self, author_id: str) -> AuthorWorks:
        """An author's papers, paged with ``offset``/``next``, at most ``max_pages`` pages."""
        works: list[Work] = []
        offset: int | None = 0
        total: int | None = None
        pages = 0
        while offset is not None and pages < self.max_pages:
            params = {"fields": WORK_FIELDS, "offset": str(offset), "limit": str(self.page_size)}
            path = f"/author/{author_id}/papers"
            payload = await self._call("GET", path, params, None, Priority.INTERACTIVE)
            data, next_offset, page_total = self._parsed(parse.page, payload)
            total = page_total if page_total is not None else total
            works.extend(w for item in data if (w := parse.work(item)) is not None)
            pages += 1
            if next_offset is not None and next_offset <= offset:
                break  # a server that does not move forward would loop for ever
            offset = next_offset
        return AuthorWorks(tuple(works), total, capped=offset is not None)

    def _parsed(self, reader: Callable[..., Any], *args: Any) -> Any:
        try:
            return reader(*args)
        except parse.BadPayload as exc:
            raise ScholarError(f"Semantic Scholar sent {exc}") from None

    async def _call(
        self,
        method: str,
        path: str,
        params: dict[str, str],
        body: bytes | None,
        priority: Priority,
    ) -> Any:
        """One request, its JSON decoded; every failure a :class:`ScholarError`, reported to
        ``on_health`` (a 404 is an answer, not a failure of the service)."""
        headers = dict(self._headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            result = await self.http.request(
                method,
                self.api_url + path,
                params=params,
                headers=headers,
                body=body,
                priority=priority,
                accept_status=(200, 404),
            )
            if result.status == 404:
                await self._health(None)  # an answer about the id, not a fault of the service
                raise ScholarNotFound(f"Semantic Scholar: {_error_of(result.body)}")
            payload = parse.decode(result.body, result.content_type)
        except HttpStatusError as exc:
            await self._health(f"HTTP {exc.status}")
            raise ScholarError(f"Semantic Scholar refused the request: {exc.reason}") from None
        except FetchError as exc:
            await self._health(exc.reason)
            raise ScholarError(
                f"Semantic Scholar unreachable: {exc.reason}", unreachable=exc.unreachable
            ) from None
        except parse.BadPayload as exc:
            await self._health(f"bad payload: {exc}")
            raise ScholarError(f"Semantic Scholar sent {exc}") from None
        await self._health(None)
        return payload

    async def _health(self, problem: str | None) -> None:
        if problem is not None:
            # INFO, not WARNING: the caller shows the failure in its answer (a look-up's note)
            # and ``status`` shows the health; an offline CLI look-up stays one line.
            log.info("Semantic Scholar (%s): %s", redact_url(self.api_url), problem)
        if self._on_health is not None:
            try:
                await self._on_health(problem)
            except Exception:  # recording health must never turn an answer into a failure
                log.exception("recording Semantic Scholar's health failed")


def _error_of(body: bytes) -> str:
    """S2's own message of a 404 (``Author with id 0 not found``), else "not found"."""
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return "not found"
    return (
        " ".join(error.split())[:200] if isinstance(error, str) and error.strip() else "not found"
    )


def _author(item: object) -> ScholarAuthor | None:
    data = item if isinstance(item, dict) else {}
    author_id, name = data.get("authorId"), data.get("name")
    if not isinstance(author_id, str) or not isinstance(name, str) or not name.strip():
        return None
    raw = data.get("affiliations")
    affiliations = tuple(a for a in raw if isinstance(a, str)) if isinstance(raw, list) else ()
    count = data.get("paperCount")
    return ScholarAuthor(
        author_id, " ".join(name.split()), affiliations, count if isinstance(count, int) else None
    )
