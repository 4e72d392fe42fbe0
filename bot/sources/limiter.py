"""The politeness limiter shared by every request to one host (arXiv): one request at a time
in this process, starts spaced ``min_interval`` apart across every process that shares the
claim (the store's rate slot), interactive look-ups ahead of polls."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from enum import IntEnum

#: A cross-process slot claim: given the interval, returns the epoch time the caller may start.
Claim = Callable[[float], Awaitable[float]]


class Priority(IntEnum):
    """Who gets the next request slot first: lower values are served first."""

    INTERACTIVE = 0
    POLL = 1


class PolitenessLimiter:
    """Serialise requests and space their starts ``min_interval`` seconds apart.

    ``claim`` (for example ``functools.partial(store.claim_rate_slot, "arxiv")``) extends the
    spacing to every process sharing it; without it the spacing holds within this process only.
    Waiters stay queued until the next slot is due and the best priority then wins, so a poll
    that queued first never holds a slot that an interactive request arriving later could use.
    """

    def __init__(
        self,
        min_interval: float = 3.0,
        *,
        claim: Claim | None = None,
        hold: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.min_interval = min_interval
        self._claim = claim
        self._hold = hold
        self._busy = False
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self._next_local = 0.0  # time.monotonic() before which no request of ours may start
        self._timer: asyncio.TimerHandle | None = None

    async def hold_until(self, seconds: float) -> None:
        """No request of ours (nor, with ``hold``, of any process sharing it) starts for the
        next ``seconds``: the server said so (Retry-After) for the whole host, not one URL."""
        self._next_local = max(self._next_local, time.monotonic() + seconds)
        if self._hold is not None:
            await self._hold(time.time() + seconds)

    @contextlib.asynccontextmanager
    async def slot(self, priority: Priority = Priority.POLL) -> AsyncIterator[None]:
        """Wait for this process's turn, then for the shared start time; hold until exit."""
        await self._acquire(priority)
        try:
            await self._wait_for_start()
            yield
        finally:
            self._release()

    async def _wait_for_start(self) -> None:
        # The shared slot is claimed only now that it is our turn in-process.
        now = time.monotonic()
        if self._claim is not None:
            delay = await self._claim(self.min_interval) - time.time()
            delay = max(delay, self._next_local - now)
        else:
            delay = self._next_local - now
        self._next_local = now + max(0.0, delay) + self.min_interval
        if delay > 0:
            await asyncio.sleep(delay)

    async def _acquire(self, priority: Priority) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (int(priority), next(self._seq), fut)
        heapq.heappush(self._waiters, entry)
        self._schedule_grant()
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self._release()  # the turn was handed to us just before the cancel: pass it on
            elif entry in self._waiters:
                self._waiters.remove(entry)
                heapq.heapify(self._waiters)
            raise

    def _schedule_grant(self) -> None:
        if self._busy or self._timer is not None or not self._waiters:
            return
        delay = self._next_local - time.monotonic()
        if delay <= 0:
            self._grant()
        else:
            self._timer = asyncio.get_running_loop().call_later(delay, self._grant)

    def _grant(self) -> None:
        self._timer = None
        while not self._busy and self._waiters:
            _, _, fut = heapq.heappop(self._waiters)
            if not fut.done():
                self._busy = True
                fut.set_result(None)

    def _release(self) -> None:
        self._busy = False
        self._schedule_grant()
