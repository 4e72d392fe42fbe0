"""Polling: each category's listing separately, conditional GET plus a body hash, and catch-up
through the arXiv API when a listing day was missed (downtime, or arXiv skipping one)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from urllib.parse import urlsplit

from bot.config import ArxivConfig
from bot.ingest.calendar import missing_listing_days
from bot.ingest.ingestor import Ingestor
from bot.ingest.plan import IngestCounts
from bot.model import AnnounceType, ListingItem, Paper, SubscriptionKind
from bot.model.clock import SYSTEM_CLOCK, Clock
from bot.sources.arxiv import SourceError
from bot.sources.listings import ListingSource
from bot.sources.mailing import submission_mailing_day
from bot.sources.taxonomy import expand
from bot.store import Store

log = logging.getLogger("paperbot.poll")

#: The longest a failing source is left alone by the scheduler (its back-off cap).
BACKOFF_CAP_SECONDS = 6 * 3600


@dataclass
class CategoryResult:
    category: str
    ok: bool
    changed: bool = False
    error: str | None = None
    counts: IngestCounts = field(default_factory=IngestCounts)
    caught_up: int = 0
    unreachable: bool = False  # failed because the host could not be reached at all


@dataclass
class PollReport:
    results: list[CategoryResult] = field(default_factory=list)

    @property
    def failures(self) -> list[CategoryResult]:
        return [r for r in self.results if not r.ok]

    @property
    def alerts(self) -> int:
        return sum(r.counts.alerts for r in self.results)


async def polled_categories(store: Store, config: ArxivConfig) -> list[str]:
    """The categories a config polls: its own plus those its category subscriptions ask for."""
    wanted: list[str] = []
    for c in config.categories:
        wanted.extend(expand(c))
    for value in await store.subscriptions.values(SubscriptionKind.CATEGORY):
        wanted.extend(expand(value))
    return list(dict.fromkeys(wanted))


def catchup_items(papers: list[Paper], window_start: date) -> list[ListingItem]:
    """API papers as listing items: first announced iff their v1 date is in the window.

    A first announcement carries the mailing day its v1 submission time points to as the
    announcement day (the real day is not in the API; see
    :func:`~bot.sources.mailing.submission_mailing_day`): without one the store would keep it
    unannounced, and a later listing would announce it again to subscriptions added since.
    """
    items = []
    for paper in papers:
        first = paper.published is not None and paper.published.date() >= window_start
        kind = AnnounceType.NEW if first else AnnounceType.REPLACE
        day = submission_mailing_day(paper.published) if first and paper.published else None
        items.append(ListingItem(replace(paper, announced=day), kind))
    return items


class Poller:
    """Polls the configured categories plus every category that subscriptions ask for, from a
    :class:`~bot.sources.listings.ListingSource` (arXiv over HTTP, or local listings)."""

    def __init__(
        self,
        store: Store,
        source: ListingSource,
        config: ArxivConfig,
        ingestor: Ingestor,
        *,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.store = store
        self.source = source
        self.config = config
        self.ingestor = ingestor
        self.clock = clock

    async def categories(self) -> list[str]:
        return await polled_categories(self.store, self.config)

    async def poll_all(
        self,
        *,
        respect_backoff: bool = False,
        progress: Callable[[int, int, str], None] | None = None,
    ) -> PollReport:
        """Poll every category once. With ``respect_backoff`` (the scheduler), sources that are
        disabled or in back-off after failures are skipped. ``progress(done, total, category)``
        is called after each category (a progress bar on a terminal)."""
        report = PollReport()
        categories = await self.categories()
        # A host that could not be reached at all is not asked again this round: its other
        # categories fail with the same reason at once (offline, a poll is seconds, not minutes).
        unreachable: dict[str, str] = {}
        for done, category in enumerate(categories, 1):
            if not (respect_backoff and await self._skip(category)):
                host = urlsplit(self.source.listing_url(category)).netloc
                if host in unreachable:
                    error = f"not asked: {host} was unreachable ({unreachable[host]})"
                    result = await self._failed(category, error, unreachable=True)
                else:
                    result = await self.poll_category(category)
                if result.unreachable and result.error and host not in unreachable:
                    unreachable[host] = result.error
                report.results.append(result)
            if progress is not None:
                progress(done, len(categories), category)
        # After the batch, off every listing's transaction: the abstract index (a look-up
        # that needs it first brings it up to date itself, so nothing is ever missed).
        await self.store.papers.index_pending()
        return report

    async def _failed(self, category: str, error: str, *, unreachable: bool) -> CategoryResult:
        """Record a failed poll of ``category``."""
        url = self.source.listing_url(category)
        failures = await self.store.sources.record_failure(
            url, error, disable_after=self.config.disable_after_failures
        )
        # Info only: whoever polled reports the failure once (the runtime's warning, check's
        # line), so that a terminal does not show it twice.
        log.info("poll %s failed (%d in a row): %s", category, failures, error)
        return CategoryResult(category, ok=False, error=error, unreachable=unreachable)

    async def _skip(self, category: str) -> bool:
        state = await self.store.sources.get(self.source.listing_url(category))
        if state is None or not state.consecutive_failures:
            return False
        if state.disabled_reason:
            return True
        backoff = min(
            self.config.backoff_seconds * 2.0**state.consecutive_failures, BACKOFF_CAP_SECONDS
        )
        last = state.last_attempt.timestamp() if state.last_attempt else 0
        return self.clock.time() < last + backoff

    async def poll_category(self, category: str) -> CategoryResult:
        url = self.source.listing_url(category)
        state = await self.store.sources.get(url)
        try:
            fetched = await self.source.fetch_listing(category, state)
            result = CategoryResult(category, ok=True, changed=fetched.listing is not None)
            pub_date = None
            items = None
            if fetched.listing is not None:
                listing = fetched.listing
                result.counts = await self.ingestor.ingest(
                    listing.items, announced_on=listing.pub_date
                )
                last = state.last_pub_date if state else None
                pub_date = listing.pub_date
                if last and pub_date and pub_date > last and missing_listing_days(last, pub_date):
                    result.caught_up = await self.catch_up(category, last, pub_date)
                if last and pub_date and pub_date < last:
                    pub_date = last  # an older listing served again: keep our mark
                items = len(listing.items)
        except Exception as exc:  # one category's failure never stops the others
            if not isinstance(exc, SourceError):
                log.exception("poll %s failed unexpectedly", category)
            error = str(exc) if isinstance(exc, SourceError) else f"internal error: {exc!r}"
            unreachable = isinstance(exc, SourceError) and exc.unreachable
            return await self._failed(category, error, unreachable=unreachable)
        await self.store.sources.record_success(
            url,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            body_hash=fetched.body_hash,
            pub_date=pub_date,
            items=items,
        )
        return result

    async def catch_up(self, category: str, last: date, current: date) -> int:
        """Fetch what was announced between two listings from the API and alert what is new.

        Submission dates are not announcement dates, so the window starts a few days before
        the last listing seen; papers already announced are recognised by the store.
        """
        start = last - timedelta(days=self.config.catchup_margin_days)
        start = max(start, current - timedelta(days=self.config.catchup_max_days))
        log.info("catching up %s: listings missed between %s and %s", category, last, current)
        papers = await self.source.submitted_between(category, start, current)
        counts = await self.ingestor.ingest(catchup_items(papers, start))
        return counts.announced
