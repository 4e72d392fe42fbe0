"""When to poll (fixed UTC times fitted to arXiv's daily rebuild, or a fixed interval) and
arXiv's announcement calendar (listings dated Monday to Friday)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.config import ArxivConfig


def next_poll_time(config: ArxivConfig, now: datetime) -> datetime:
    """The next scheduled poll after ``now`` (UTC)."""
    if config.poll_interval_seconds > 0:
        return now + timedelta(seconds=config.poll_interval_seconds)
    today = now.date()
    for day in (today, today + timedelta(days=1)):
        for at_time in sorted(config.poll_times_utc):
            at = datetime.combine(day, at_time, tzinfo=UTC)
            if at > now:
                return at
    return now + timedelta(days=1)


def is_listing_day(day: date) -> bool:
    """arXiv listings are dated Monday to Friday (announced Sunday to Thursday evenings)."""
    return day.weekday() < 5


def missing_listing_days(last: date, current: date) -> list[date]:
    """Listing days strictly between two listings seen: the announcements we never saw."""
    days: list[date] = []
    day = last + timedelta(days=1)
    while day < current:
        if is_listing_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days
