"""arXiv's mailing days: the one date convention every listing era is brought to.

arXiv announces new papers on Sunday to Thursday evenings (20:00 US Eastern); the mailing that
carries them is dated the next day, Monday to Friday. RSS 2.0 listings (2024 on) date their
channel with that mailing day. RSS 1.0/RDF listings (before 2024) carry ``dc:date``, the time
the listing was built on the evening before, so their day is moved to the next mailing day.
Holidays are not known here: a date is only ever moved to the next Monday to Friday.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

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
