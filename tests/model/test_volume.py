"""Volume control's pure local-time rules (bot/model/volume.py), in real IANA zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.model.volume import (
    Mode,
    SettingError,
    VolumeSettings,
    day_bounds,
    in_quiet,
    local_instant,
    next_digest,
    parse_day,
    quiet_end,
    route,
    zone,
)

BERLIN = zone("Europe/Berlin")


def utc(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()  # type: ignore[misc]


def test_a_local_day_with_the_spring_change_has_23_hours() -> None:
    start, end = day_bounds(VolumeSettings(tz="Europe/Berlin"), utc(2026, 3, 29, 12, 0))
    assert end - start == 23 * 3600


def test_a_missing_local_time_is_the_next_minute_that_exists() -> None:
    assert local_instant(BERLIN, date(2026, 3, 29), time(2, 0)) == utc(2026, 3, 29, 1, 0)


def test_a_repeated_local_time_is_its_first_occurrence() -> None:
    assert local_instant(BERLIN, date(2026, 10, 25), time(2, 15)) == utc(2026, 10, 25, 0, 15)


def test_the_next_digest_is_strictly_after_now() -> None:
    daily = VolumeSettings(Mode.DAILY, time(9, 0), tz="UTC")
    assert next_digest(daily, utc(2026, 7, 14, 9, 0)) == utc(2026, 7, 15, 9, 0)
    assert next_digest(daily, utc(2026, 7, 14, 8, 59)) == utc(2026, 7, 14, 9, 0)


def test_quiet_hours_across_midnight() -> None:
    s = VolumeSettings(tz="UTC", quiet=(time(22, 0), time(7, 0)))
    assert in_quiet(s, utc(2026, 7, 14, 23, 30)) and in_quiet(s, utc(2026, 7, 15, 6, 59))
    assert not in_quiet(s, utc(2026, 7, 15, 7, 0)) and not in_quiet(s, utc(2026, 7, 14, 21, 59))
    assert quiet_end(s, utc(2026, 7, 14, 23, 30)) == utc(2026, 7, 15, 7, 0)


@pytest.mark.parametrize(("word", "day"), [("Monday", 0), ("tue", 1), ("SUN", 6), ("sUnDaY", 6)])
def test_day_names_in_any_case_and_short(word: str, day: int) -> None:
    assert parse_day(word) == day


def test_an_unknown_zone_is_refused_by_name() -> None:
    with pytest.raises(SettingError, match="Atlantis/Capital"):
        zone("Atlantis/Capital")


@pytest.mark.parametrize("name", ["posixrules", "localtime", "Factory"])
def test_zone_database_files_that_are_not_places_are_refused(name: str) -> None:
    with pytest.raises(SettingError, match=name):
        zone(name)


def test_the_cap_admits_what_is_left_of_the_day() -> None:
    capped = VolumeSettings(cap=5)
    assert route(capped, 0.0, batch=4, admitted_today=3).admit == 2
    assert route(capped, 0.0, batch=4, admitted_today=7).admit == 0
    digest = VolumeSettings(Mode.DAILY, time(9, 0), cap=5)
    assert route(digest, 0.0, batch=4, admitted_today=0).hold is not None  # cap: instant only
