"""The OpenAlex client: authors by search, id or ORCID; works by arXiv DOI in batches.

It runs on the shared :class:`~bot.sources.http.HttpClient` with a limiter of its own (OpenAlex
allows ~10 requests a second; ``[openalex] min_interval_seconds``), so it never slows arXiv
down nor arXiv it. OpenAlex meters use: an HTTP **429** means the day's budget is spent, so the
client is *parked* until 00:00 UTC (no request is sent before; the park is shared through
``park`` with every process on the database); an HTTP **403** is its rate limit: back off and
try again a few times. Every request has a page cap, a byte cap and a time limit; a body that
is not OpenAlex JSON gives a one-line :class:`OpenAlexError`, never a crash.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from bot.model.identity import AuthorRecord, WorkRecord
from bot.sources.http import FetchError, HttpClient
from bot.sources.limiter import Priority
from bot.sources.openalex_parse import (
    BadPayload,
    load_json,
    next_cursor,
    parse_author,
    parse_work,
    results,
)

log = logging.getLogger("paperbot.openalex")

#: Works asked for in one batch request (the ``|`` filter takes up to 50 values).
BATCH = 50
#: Pages one cursor walk may read, whatever the total (an author with 30,000 works).
MAX_PAGES = 5
_DAY = 86400.0


def arxiv_doi(arxiv_id: str) -> str:
    """The DOI arXiv registers for a paper: ``10.48550/arXiv.2308.03526``."""
    return f"10.48550/arXiv.{arxiv_id}"


def next_midnight_utc(now: float) -> float:
    """Epoch seconds of the next 00:00 UTC (when OpenAlex renews the daily budget)."""
    return (now // _DAY + 1) * _DAY


class OpenAlexError(Exception):
    """OpenAlex could not answer. ``unreachable``: no connection or parked;
    ``parked_until``: the day's budget is spent until then (epoch seconds)."""

    def __init__(
        self, message: str, *, unreachable: bool = False, parked_until: float | None = None
    ) -> None:
        super().__init__(message)
        self.unreachable = unreachable
        self.parked_until = parked_until


class NotFound(OpenAlexError):
    """OpenAlex holds no such author or work (HTTP 404)."""


class Park(Protocol):
    """Where the park (no request before this epoch time) is kept across processes."""

    async def parked_until(self) -> float | None: ...

    async def park(self, until: float, reason: str) -> None: ...


class OpenAlexClient:
    """Requests to one OpenAlex API base URL; ``requests`` counts those sent."""

    def __init__(
        self,
        http: HttpClient,
        api_url: str,
        *,
        api_key: str | None = None,
        clock: Callable[[], float] = time.time,
        park: Park | None = None,
        rate_limit_tries: int = 3,
        rate_limit_backoff: float = 1.0,
    ) -> None:
        self.http = http
        self.api_url = api_url.rstrip("/")
        self._key = api_key
        self.clock = clock
        self._park = park
        self._parked_until = 0.0
        self.rate_limit_tries = rate_limit_tries
        self.rate_limit_backoff = rate_limit_backoff
        self.requests = 0

    async def parked(self) -> float | None:
        """Until when requests are parked (the daily budget is spent); None when they are not."""
        if self._park is not None:
            self._parked_until = max(self._parked_until, await self._park.parked_until() or 0)
        return self._parked_until if self._parked_until > self.clock() else None

    async def get_json(
        self, path: str, params: Mapping[str, str], *, priority: Priority = Priority.POLL
    ) -> dict[str, Any]:
        """One GET of ``path`` as a JSON object; :class:`OpenAlexError` for every failure."""
        until = await self.parked()
        if until is not None:
            raise OpenAlexError(_parked_text(until), unreachable=True, parked_until=until)
        query = dict(params)
        if self._key:
            query["api_key"] = self._key
        url = f"{self.api_url}{path}"
        for attempt in range(1, self.rate_limit_tries + 1):
            self.requests += 1
            try:
                result = await self.http.get(
                    url, params=query, priority=priority, accept_status=(200, 403, 404, 429)
                )
            except FetchError as exc:
                raise OpenAlexError(
                    f"OpenAlex: {exc.reason}", unreachable=exc.unreachable
                ) from None
            if result.status == 403 and attempt < self.rate_limit_tries:
                await asyncio.sleep(self.rate_limit_backoff * 2 ** (attempt - 1))
                continue
            return await self._answer(result.status, result.body, result.content_type, path)
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns

    async def _answer(
        self, status: int, body: bytes, content_type: str | None, path: str
    ) -> dict[str, Any]:
        if status == 429:
            until = next_midnight_utc(self.clock())
            self._parked_until = until
            reason = "OpenAlex: the day's request budget is spent (HTTP 429)"
            if self._park is not None:
                await self._park.park(until, reason)
            raise OpenAlexError(_parked_text(until), unreachable=True, parked_until=until)
        if status == 403:
            raise OpenAlexError("OpenAlex: rate limited (HTTP 403), try again later")
        if status == 404:
            raise NotFound(f"OpenAlex has no {path.rsplit('/', 1)[-1]}")
        try:
            return load_json(body, content_type)
        except BadPayload as exc:
            raise OpenAlexError(f"OpenAlex answered {path} with {exc}") from None

    # -- authors ------------------------------------------------------------------------

    async def search_authors(
        self, name: str, *, limit: int = 10, priority: Priority = Priority.INTERACTIVE
    ) -> list[AuthorRecord]:
        """Author records for a name, the index's best first (one request)."""
        data = await self.get_json(
            "/authors", {"search": name, "per-page": str(limit)}, priority=priority
        )
        found = [parse_author(r) for r in results(data)[:limit]]
        return [a for a in found if a is not None]

    async def author(self, key: str, *, priority: Priority = Priority.INTERACTIVE) -> AuthorRecord:
        """One author by OpenAlex id (``A…``) or ORCID (``orcid:0000-…``); a free singleton."""
        data = await self.get_json(f"/authors/{key}", {}, priority=priority)
        record = parse_author(data)
        if record is None:
            raise OpenAlexError(f"OpenAlex answered /authors/{key} without an author record")
        return record

    async def recent_works(
        self,
        author_ids: Sequence[str],
        *,
        since: str,
        per_page: int = 100,
        priority: Priority = Priority.INTERACTIVE,
    ) -> list[WorkRecord]:
        """One page of works by any of ``author_ids`` published since ``since``, newest first."""
        params = {
            "filter": f"author.id:{'|'.join(author_ids)},from_publication_date:{since}",
            "sort": "publication_date:desc",
            "per-page": str(per_page),
        }
        data = await self.get_json("/works", params, priority=priority)
        return [w for w in map(parse_work, results(data)) if w is not None]

    # -- works --------------------------------------------------------------------------

    async def works_by_arxiv(self, arxiv_ids: Sequence[str]) -> list[WorkRecord]:
        """The works OpenAlex holds among up to :data:`BATCH` arXiv papers (one request)."""
        if len(arxiv_ids) > BATCH:
            raise ValueError(f"at most {BATCH} works a request, got {len(arxiv_ids)}")
        if not arxiv_ids:
            return []
        params = {
            "filter": "doi:" + "|".join(arxiv_doi(i) for i in arxiv_ids),
            "per-page": str(BATCH),
        }
        data = await self.get_json("/works", params)
        return [w for w in map(parse_work, results(data)) if w is not None]

    async def work(self, key: str) -> WorkRecord | None:
        """One work (``W…`` or ``doi:…``) with every authorship (free); None if unknown."""
        try:
            data = await self.get_json(f"/works/{key}", {})
        except NotFound:
            return None
        return parse_work(data)

    async def pages(
        self, path: str, params: Mapping[str, str], *, max_pages: int = MAX_PAGES
    ) -> list[dict[str, Any]]:
        """Cursor paging (``cursor=*`` then ``meta.next_cursor``), at most ``max_pages``."""
        found: list[dict[str, Any]] = []
        cursor: str | None = "*"
        while cursor and len(found) < max_pages:
            data = await self.get_json(path, {**params, "cursor": cursor})
            found.append(data)
            cursor = next_cursor(data) if results(data) else None
        return found


def _parked_text(until: float) -> str:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(until))
    return f"OpenAlex: the day's request budget is spent; not asked again before {when}"
