"""The ``status`` report: sources (last and next poll, health), deliveries, paused channels."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime

from bot.config import Config
from bot.ingest.calendar import is_listing_day, next_poll_time
from bot.ingest.poller import polled_categories
from bot.sources.arxiv import listing_url
from bot.sources.redact import redact_url
from bot.store import Store


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "never"
    seconds = int((now - when).total_seconds())
    if seconds < 120:
        return f"{seconds}s ago"
    if seconds < 7200:
        return f"{seconds // 60}m ago"
    if seconds < 172800:
        return f"{seconds // 3600}h ago"
    return f"{seconds // 86400}d ago"


async def status_text(
    store: Store,
    config: Config,
    now: datetime | None = None,
    source_url: Callable[[str], str] | None = None,
) -> str:
    """A readable report. URLs are redacted; no secret is ever part of it.

    Only the sources this config polls are shown (``source_url``: the URL of a category's
    listing, by default under ``[arxiv] rss_url``): a database shared with another config
    keeps rows of other categories and feeds that this one never polls.
    """
    now = now or datetime.now(UTC)
    lines = [f"Next poll: {next_poll_time(config.arxiv, now):%Y-%m-%d %H:%M} UTC"]
    url = source_url or functools.partial(listing_url, config.arxiv.rss_url)
    ours = {url(c) for c in await polled_categories(store, config.arxiv)}
    states = sorted((s for s in await store.sources.list() if s.url in ours), key=lambda s: s.url)
    if not states:
        lines.append("Sources: not polled yet.")
    for s in states:
        health = "ok"
        if s.disabled_reason:
            health = f"DISABLED ({s.disabled_reason})"
        elif s.consecutive_failures:
            health = f"failing ×{s.consecutive_failures}: {s.last_error}"
        listing = f", listing of {s.last_pub_date:%a %d %b}" if s.last_pub_date else ""
        lines.append(
            f"• {redact_url(s.url)}: last success {_ago(s.last_success, now)}{listing}; {health}"
        )
        if (
            s.last_pub_date is not None
            and s.last_items == 0
            and is_listing_day(s.last_pub_date)
            and not s.disabled_reason
        ):
            lines.append("  (its weekday listing was empty: a holiday, or arXiv trouble)")
    summary = await store.outbox.summary()
    channels = {c.id: c for c in await store.channels.list()}
    pending = sum(summary.pending.values())
    lines.append(f"Pending deliveries: {pending}")
    for channel_id, count in sorted(summary.pending.items()):
        name = channels[channel_id].name if channel_id in channels else f"#{channel_id}"
        lines.append(f"  {name}: {count}")
    paused = [c for c in channels.values() if c.paused_reason]
    for c in paused:
        lines.append(f"Paused: {c.name} — {c.paused_reason} (`paperbot resume {c.name}`)")
    if summary.failed_count:
        lines.append(f"Refused by the platform: {summary.failed_count} message(s)")
        for channel_id, paper_id, kind, error in summary.failed:
            name = channels[channel_id].name if channel_id in channels else f"#{channel_id}"
            lines.append(f"  {name} {kind} {paper_id}: {error}")
    return "\n".join(lines)
