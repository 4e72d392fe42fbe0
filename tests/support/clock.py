"""A clock tests move by hand: ``sleep`` advances it instead of waiting."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime


class FakeClock:
    """Starts at ``start`` (epoch seconds); ``advance`` and ``sleep`` move wall and monotonic
    time together. ``sleep`` also yields to the event loop, as a real sleep would."""

    def __init__(self, start: float = 1_780_000_000.0) -> None:
        self._now = start
        self._mono = 1000.0
        self.slept: list[float] = []

    def time(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._now, UTC)

    def advance(self, seconds: float) -> None:
        self._now += seconds
        self._mono += seconds

    def set(self, when: datetime) -> None:
        self.advance(when.timestamp() - self._now)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(max(seconds, 0.0))
        await asyncio.sleep(0)
