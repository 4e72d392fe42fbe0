"""arXiv mailing days: one date convention for every era."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from bot.sources.mailing import mailing_day, next_mailing_day, submission_mailing_day

EST = timezone(timedelta(hours=-5))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2023, 12, 19), date(2023, 12, 20)),  # Tue -> Wed
        (date(2023, 12, 22), date(2023, 12, 25)),  # Fri -> Mon
        (date(2023, 12, 23), date(2023, 12, 25)),  # Sat -> Mon
        (date(2023, 12, 24), date(2023, 12, 25)),  # Sun -> Mon
    ],
)
def test_next_mailing_day(day: date, expected: date) -> None:
    assert next_mailing_day(day) == expected


def test_an_rdf_evening_build_is_dated_by_the_next_mailing() -> None:
    # The real fixture's dc:date: 2023-12-19T20:30:00-05:00 (Tuesday evening).
    assert mailing_day(datetime(2023, 12, 19, 20, 30, tzinfo=EST)) == date(2023, 12, 20)
    assert mailing_day(datetime(2023, 12, 17, 20, 0, tzinfo=EST)) == date(2023, 12, 18)  # Sun


def test_a_morning_stamp_on_a_weekday_is_that_days_mailing() -> None:
    assert mailing_day(datetime(2026, 6, 4, 0, 0, tzinfo=EST)) == date(2026, 6, 4)


@pytest.mark.parametrize(
    ("submitted", "expected"),
    [
        (datetime(2026, 6, 8, 15, 0, tzinfo=UTC), date(2026, 6, 9)),  # Mon 11:00 EDT
        (datetime(2026, 6, 8, 19, 0, tzinfo=UTC), date(2026, 6, 10)),  # Mon 15:00 EDT
        (datetime(2026, 6, 5, 15, 0, tzinfo=UTC), date(2026, 6, 8)),  # Fri morning -> Mon
        (datetime(2026, 6, 5, 19, 0, tzinfo=UTC), date(2026, 6, 9)),  # Fri afternoon -> Tue
        (datetime(2026, 6, 6, 12, 0, tzinfo=UTC), date(2026, 6, 9)),  # Sat -> Tue
    ],
)
def test_submission_mailing_day(submitted: datetime, expected: date) -> None:
    assert submission_mailing_day(submitted) == expected
