"""arXiv over HTTP: daily listings (RSS) and the search API, through one polite client."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.model import Listing, Paper, SourceState
from bot.sources.arxiv_parse import ApiError, parse_api, parse_listing
from bot.sources.http import FetchError, HostSkipped, HttpClient
from bot.sources.limiter import Priority
from bot.sources.xmlsafe import FeedError

log = logging.getLogger("paperbot.arxiv")

#: The API serves at most 2000 results a call; smaller pages are kinder and retry cheaper.
PAGE_SIZE = 200
#: An empty page in the middle of paging is arXiv flakiness (arxiv.py #43): retry it this often.
EMPTY_PAGE_RETRIES = 3


class SourceError(Exception):
    """A source could not be read; the message names the URL (redacted) and why.

    ``unreachable``: the host could not be reached at all (no network, DNS, refused), as
    opposed to a server that answered badly.
    """

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


def listing_url(rss_url: str, category: str) -> str:
    """The URL of a category's daily listing under the feed base ``rss_url``."""
    return (rss_url if rss_url.endswith("/") else rss_url + "/") + category


class SourceSkipped(SourceError):
    """Not asked: its host was found dead earlier in the same poll (so it is unreachable too)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, unreachable=True)


@dataclass(frozen=True, slots=True)
class ListingFetch:
    """One poll of a listing URL. ``listing`` is None when nothing changed (304 or same hash)."""

    url: str
    listing: Listing | None
    etag: str | None
    last_modified: str | None
    body_hash: str | None


class ArxivSource:
    """Fetches and parses arXiv listings and API pages. All requests share ``client``'s limiter."""

    def __init__(self, client: HttpClient, *, rss_url: str, api_url: str) -> None:
        self.client = client
        self.rss_url = rss_url
        self.api_url = api_url

    def poll_round(self) -> contextlib.AbstractAsyncContextManager[None]:
        """One round of polls: a host found dead is asked once (:meth:`HttpClient.poll`)."""
        return self.client.poll()

    def listing_url(self, category: str) -> str:
        return listing_url(self.rss_url, category)

    async def fetch_listing(self, category: str, state: SourceState | None) -> ListingFetch:
        """Poll one category's listing with conditional GET and a body hash."""
        url = self.listing_url(category)
        try:
            result = await self.client.get(
                url,
                etag=state.etag if state else None,
                last_modified=state.last_modified if state else None,
            )
        except HostSkipped as exc:
            raise SourceSkipped(exc.reason.removeprefix("skipped: ")) from None
        except FetchError as exc:
            raise SourceError(str(exc), unreachable=exc.unreachable) from None
        if result.not_modified:
            return ListingFetch(url, None, result.etag, result.last_modified, None)
        digest = hashlib.sha256(result.body).hexdigest()
        if state is not None and state.body_hash == digest:
            return ListingFetch(url, None, result.etag, result.last_modified, digest)
        try:
            listing = await asyncio.to_thread(parse_listing, result.body, category=category)
        except FeedError as exc:
            raise SourceError(f"{url}: {exc}") from None
        log.info(
            "listing %s: %d items, announced %s", category, len(listing.items), listing.pub_date
        )
        return ListingFetch(url, listing, result.etag, result.last_modified, digest)

    async def _api_page(self, params: dict[str, str], priority: Priority) -> Listing:
        try:
            result = await self.client.get(
                self.api_url, params=params, priority=priority, accept_status=(200, 400)
            )
        except HostSkipped as exc:
            raise SourceSkipped(exc.reason.removeprefix("skipped: ")) from None
        except FetchError as exc:
            raise SourceError(str(exc), unreachable=exc.unreachable) from None
        try:
            return await asyncio.to_thread(parse_api, result.body)
        except ApiError as exc:
            raise SourceError(f"arXiv API: {exc}") from None
        except FeedError as exc:
            raise SourceError(f"{self.api_url}: {exc}") from None

    async def fetch_ids(
        self, ids: Sequence[str], *, priority: Priority = Priority.INTERACTIVE
    ) -> list[Paper]:
        """Papers by id (unknown ids are silently dropped by arXiv)."""
        params = {"id_list": ",".join(ids), "start": "0", "max_results": str(len(ids))}
        listing = await self._api_page(params, priority)
        return [item.paper for item in listing.items]

    async def search_titles(
        self, words: Sequence[str], *, limit: int = 5, priority: Priority = Priority.INTERACTIVE
    ) -> list[Paper]:
        """An API title search: every word must be in the title."""
        terms = [w for w in words if w.isalnum()]
        if not terms:
            return []
        query = " AND ".join(f"ti:{w}" for w in terms[:12])
        params = {"search_query": query, "start": "0", "max_results": str(limit)}
        listing = await self._api_page(params, priority)
        return [item.paper for item in listing.items]

    async def submitted_between(
        self, category: str, start: date, end: date, *, max_results: int = 30_000
    ) -> list[Paper]:
        """Every paper of ``category`` submitted in ``[start, end]`` (catch-up after a gap).

        Paged by ``submittedDate``; an empty page before ``totalResults`` is reached is retried,
        never taken as the end.
        """
        window = f"[{start:%Y%m%d}0000 TO {end + timedelta(days=1):%Y%m%d}0000]"
        query = f"cat:{category} AND submittedDate:{window}"
        papers: list[Paper] = []
        offset = 0
        total: int | None = None
        empty_retries = 0
        while offset < max_results and (total is None or offset < total):
            params = {
                "search_query": query,
                "start": str(offset),
                "max_results": str(PAGE_SIZE),
                "sortBy": "submittedDate",
                "sortOrder": "ascending",
            }
            page = await self._api_page(params, Priority.POLL)
            total = page.total_results if page.total_results is not None else 0
            if not page.items:
                if offset < total and empty_retries < EMPTY_PAGE_RETRIES:
                    empty_retries += 1
                    log.warning(
                        "empty API page at %d of %d for %s; retrying", offset, total, category
                    )
                    continue
                if offset < total:
                    raise SourceError(
                        f"arXiv API kept returning empty pages at {offset} of {total} for "
                        f"{category}; catch-up incomplete"
                    )
                break
            empty_retries = 0
            papers.extend(item.paper for item in page.items)
            offset += len(page.items)
        return papers
