"""Volume control, pure: a channel's delivery settings (mode, time zone, cap, quiet hours), how
they are written in commands, and the local-time arithmetic every decision about them uses.

Local times are read in the channel's IANA zone (``zoneinfo``), so a daily 09:00 digest in
``Europe/Berlin`` is at 08:00 UTC in winter and 07:00 UTC in summer. A local time that does
not exist (the hour skipped when clocks go forward) is taken as the next minute that does
(02:30 on the spring day is 03:00); one that happens twice (the hour repeated in autumn) as
its first occurrence. All instants are epoch seconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from enum import StrEnum
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: The largest daily cap a channel may set (a cap is about volume; past this it means none).
MAX_CAP = 10_000
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")


class Mode(StrEnum):
    INSTANT = "instant"  # each paper as it comes (cap and quiet hours apply)
    DAILY = "daily"  # held, posted as one digest a day at a local time
    WEEKLY = "weekly"  # held, posted as one digest a week on a day at a local time


class SettingError(ValueError):
    """A command argument that is not a setting; the message names it (one line)."""


@dataclass(frozen=True, slots=True)
class VolumeSettings:
    """One channel's settings. ``at``/``day``: the digest's local time and weekday (0 =
    Monday; weekly only); ``cap``: at most this many instant alerts a local day (None: no
    cap); ``quiet``: local ``(from, to)``, crossing midnight when ``from > to``; ``ledger``: the
    channel's ledger line is on (stored here, shown by ``mode``; another change builds it)."""

    mode: Mode = Mode.INSTANT
    at: clock_time | None = None
    day: int | None = None
    tz: str = "UTC"
    cap: int | None = None
    quiet: tuple[clock_time, clock_time] | None = None
    ledger: bool = False

    @property
    def digest(self) -> bool:
        return self.mode is not Mode.INSTANT

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.tz)

    @property
    def plain(self) -> bool:
        """Instant with no cap and no quiet hours: an alert is due as soon as it is queued."""
        return self.mode is Mode.INSTANT and self.cap is None and self.quiet is None

    def mode_text(self) -> str:
        """The mode as the ``mode`` command takes it: ``weekly Mon 09:00 Europe/Berlin``."""
        if self.mode is Mode.DAILY and self.at is not None:
            return f"daily {self.at:%H:%M} {self.tz}"
        if self.mode is Mode.WEEKLY and self.at is not None and self.day is not None:
            return f"weekly {DAYS[self.day][:3].title()} {self.at:%H:%M} {self.tz}"
        return f"instant {self.tz}"

    def describe(self) -> str:
        """Every setting on one line (``mode`` without arguments, the first line of ``list``)."""
        cap = f"cap {self.cap}" if self.cap is not None else "cap off"
        if self.digest and self.cap is not None:
            cap += " (instant mode only)"
        quiet = "quiet off"
        if self.quiet is not None:
            quiet = f"quiet {self.quiet[0]:%H:%M}-{self.quiet[1]:%H:%M}"
            if self.digest:
                quiet += " (instant mode only)"
        ledger = "ledger on" if self.ledger else "ledger off"
        return f"mode {self.mode_text()}; {cap}; {quiet}; {ledger}"


# -- parsing what commands give ---------------------------------------------------------------


#: Files of the zone database that are not places' zones (``posixrules`` is a template,
#: ``localtime`` the machine's own, ``Factory`` a placeholder).
_NOT_ZONES = frozenset({"posixrules", "localtime", "Factory", "leapseconds", "tzdata.zi"})


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; :class:`SettingError` naming it when there is none."""
    try:
        if not name or name.startswith(("/", ".")) or ".." in name or name in _NOT_ZONES:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise SettingError(
            f"unknown time zone {name!r} (an IANA name such as Europe/Berlin, or UTC)"
        ) from None


def parse_clock(text: str) -> clock_time:
    """``09:00`` as a time of day; ``25:00`` is refused, naming it."""
    m = _HHMM.match(text.strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise SettingError(f"{text!r} is not a time of day (HH:MM, from 00:00 to 23:59)")
    return clock_time(int(m.group(1)), int(m.group(2)))


def parse_day(text: str) -> int:
    """``Monday``, ``mon``, ``MON`` (any case) as 0; ``Funday`` is refused, naming it."""
    word = text.strip().lower()
    for index, day in enumerate(DAYS):
        if word in (day, day[:3]):
            return index
    raise SettingError(f"{text!r} is not a day (Monday … Sunday, or Mon … Sun)")


def parse_mode(words: list[str], current: VolumeSettings) -> VolumeSettings:
    """``instant [TZ]`` | ``daily HH:MM [TZ]`` | ``weekly DAY HH:MM [TZ]``: the settings with
    that mode (cap, quiet hours and ledger kept; the zone is the one given, else UTC)."""
    if not words:
        raise SettingError("give a mode: instant [TZ], daily HH:MM [TZ] or weekly DAY HH:MM [TZ]")
    name, rest = words[0].lower(), words[1:]
    try:
        mode = Mode(name)
    except ValueError:
        raise SettingError(
            f"{words[0]!r} is not a mode (instant, daily HH:MM [TZ] or weekly DAY HH:MM [TZ])"
        ) from None
    need = {Mode.INSTANT: 0, Mode.DAILY: 1, Mode.WEEKLY: 2}[mode]
    if len(rest) < need:
        usage = {Mode.DAILY: "daily HH:MM [TZ]", Mode.WEEKLY: "weekly DAY HH:MM [TZ]"}[mode]
        raise SettingError(f"mode {name} needs {'a day and ' if need == 2 else ''}a time: {usage}")
    if len(rest) > need + 1:
        raise SettingError(f"unexpected {' '.join(rest[need + 1 :])!r} after the time zone")
    day = parse_day(rest[0]) if mode is Mode.WEEKLY else None
    at = parse_clock(rest[need - 1]) if need else None
    tz = rest[need] if len(rest) > need else "UTC"
    zone(tz)
    return VolumeSettings(mode, at, day, tz, current.cap, current.quiet, current.ledger)


def parse_cap(words: list[str]) -> int | None:
    """``N`` (1 … 10,000) or ``off`` (None)."""
    if len(words) != 1:
        raise SettingError("give N (alerts a day) or off")
    word = words[0].lower()
    if word == "off":
        return None
    if not word.isdigit() or not 1 <= int(word) <= MAX_CAP:
        raise SettingError(
            f"{words[0]!r} is not a cap (a whole number from 1 to {MAX_CAP}, or off)"
        )
    return int(word)


def parse_quiet(words: list[str]) -> tuple[clock_time, clock_time] | None:
    """``HH:MM-HH:MM`` (may cross midnight) or ``off`` (None)."""
    if len(words) != 1:
        raise SettingError("give HH:MM-HH:MM or off")
    if words[0].lower() == "off":
        return None
    start, dash, end = words[0].partition("-")
    if not dash:
        raise SettingError(f"{words[0]!r} is not a range (HH:MM-HH:MM, or off)")
    begin, finish = parse_clock(start), parse_clock(end)
    if begin == finish:
        raise SettingError(f"{words[0]!r} is an empty range (its ends are the same)")
    return begin, finish


# -- local time ----------------------------------------------------------------------------


def local(tz: ZoneInfo, instant: float) -> datetime:
    """The local wall time of an instant."""
    return datetime.fromtimestamp(instant, tz)


def local_instant(tz: ZoneInfo, day: date, at: clock_time) -> float:
    """The instant the local wall clock shows ``at`` on ``day``: the first of two (autumn),
    the next minute that exists when it does not (spring)."""
    wall = datetime.combine(day, at)
    for _ in range(24 * 60):  # a gap is at most a day (Samoa skipped 30 Dec 2011)
        candidate = wall.replace(tzinfo=tz, fold=0)
        back = candidate.astimezone(UTC).astimezone(tz)
        if back.replace(tzinfo=None) == wall:
            return candidate.timestamp()
        wall += timedelta(minutes=1)
    raise ValueError(f"no valid local time near {day} {at} in {tz.key}")


def next_digest(settings: VolumeSettings, after: float) -> float:
    """The first digest time strictly after ``after`` (a paper held at 09:00:30 waits for the
    next one)."""
    tz = settings.zone
    at = settings.at or clock_time(0, 0)
    start = local(tz, after).date()
    for offset in range(9):
        day = start + timedelta(days=offset)
        if settings.mode is Mode.WEEKLY and day.weekday() != settings.day:
            continue
        when = local_instant(tz, day, at)
        if when > after:
            return when
    raise ValueError("no digest time within 9 days")  # pragma: no cover - a week always has one


def previous_digest(settings: VolumeSettings, now: float) -> float:
    """The latest digest time at or before ``now`` (the slot a ledger line is for)."""
    tz = settings.zone
    at = settings.at or clock_time(0, 0)
    start = local(tz, now).date()
    for offset in range(9):
        day = start - timedelta(days=offset)
        if settings.mode is Mode.WEEKLY and day.weekday() != settings.day:
            continue
        when = local_instant(tz, day, at)
        if when <= now:
            return when
    raise ValueError("no digest time within 9 days")  # pragma: no cover - a week always has one


def in_quiet(settings: VolumeSettings, instant: float) -> bool:
    """Whether ``instant`` falls in the channel's quiet hours (from inclusive, to exclusive)."""
    if settings.quiet is None:
        return False
    begin, end = settings.quiet
    now = local(settings.zone, instant).time().replace(second=0, microsecond=0)
    if begin < end:
        return begin <= now < end
    return now >= begin or now < end


def quiet_end(settings: VolumeSettings, instant: float) -> float:
    """When the quiet hours that ``instant`` falls in end (the next local ``to`` time)."""
    assert settings.quiet is not None
    tz = settings.zone
    start = local(tz, instant).date()
    for offset in range(3):
        when = local_instant(tz, start + timedelta(days=offset), settings.quiet[1])
        if when > instant:
            return when
    raise ValueError("quiet hours never end")  # pragma: no cover


def day_bounds(settings: VolumeSettings, instant: float) -> tuple[float, float]:
    """The local day ``instant`` is in, as ``[start, end)`` instants (caps count per day)."""
    tz = settings.zone
    today = local(tz, instant).date()
    midnight = clock_time(0, 0)
    return (
        local_instant(tz, today, midnight),
        local_instant(tz, today + timedelta(days=1), midnight),
    )


def local_date(settings: VolumeSettings, instant: float) -> date:
    return local(settings.zone, instant).date()


# -- routing a batch of alerts -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Route:
    """What becomes of a channel's batch of alerts: all held (``hold`` = reason and until),
    or the first ``admit`` let through as instant alerts and the rest in one overflow
    message."""

    hold: tuple[str, float] | None
    admit: int


def route(settings: VolumeSettings, now: float, batch: int, admitted_today: int) -> Route:
    """Route ``batch`` alerts due at ``now`` given the channel's instant alerts admitted so far
    this local day: a digest mode holds them for the next digest (quiet hours and the cap do
    not apply), quiet hours hold them until they end, the cap lets through what is left of
    the day's allowance."""
    if settings.digest:
        return Route(("digest", next_digest(settings, now)), 0)
    if in_quiet(settings, now):
        return Route(("quiet", quiet_end(settings, now)), 0)
    if settings.cap is None:
        return Route(None, batch)
    return Route(None, max(0, min(batch, settings.cap - admitted_today)))
