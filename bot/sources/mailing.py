"""arXiv's mailing days: the one date convention every listing era is brought to.

arXiv announces new papers on Sunday to Thursday evenings (20:00 US Eastern); the mailing that
carries them is dated the next day, Monday to Friday. RSS 2.0 listings (2024 on) date their
channel with that mailing day. RSS 1.0/RDF listings (before 2024) carry ``dc:date``, the time
the listing was built on the evening before, so their day is moved to the next mailing day.
Holidays are not known here: a date is only ever moved to the next Monday to Friday.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

#: A listing built at or after this local hour belongs to the next day's mailing.
EVENING_HOUR = 12


def next_mailing_day(day: date) -> date:
    """The first Monday to Friday strictly after ``day``."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def mailing_day(stamp: datetime) -> date:
    """The mailing day of a listing built at ``stamp`` (its own local time): an evening build
    belongs to the next mailing day; a morning build on a weekday to that day."""
    day = stamp.date()
    if stamp.hour >= EVENING_HOUR or day.weekday() >= 5:
        return next_mailing_day(day)
    return day


#: arXiv's daily submission deadline, US Eastern time.
DEADLINE_HOUR = 14


def _eastern(stamp: datetime) -> datetime:
    """``stamp`` in US Eastern time (the zone database when present, else EST)."""
    try:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError
    except ImportError:  # pragma: no cover - Python without zoneinfo
        return stamp.astimezone(timezone(timedelta(hours=-5)))
    try:
        return stamp.astimezone(ZoneInfo("America/New_York"))
    except ZoneInfoNotFoundError:
        return stamp.astimezone(timezone(timedelta(hours=-5)))


def submission_mailing_day(submitted: datetime) -> date:
    """The mailing day that announces a paper submitted at ``submitted`` (an estimate for
    catch-up, where the API gives only submission times): submissions before the 14:00
    Eastern deadline of a weekday are announced that evening, in the next day's mailing;
    later ones after the next weekday's deadline. Holidays are not known."""
    local = _eastern(submitted if submitted.tzinfo else submitted.replace(tzinfo=UTC))
    day = local.date()
    if day.weekday() >= 5 or local.hour >= DEADLINE_HOUR:
        day = next_mailing_day(day)
    return next_mailing_day(day)
