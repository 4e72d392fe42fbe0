"""The HTTP-mode listener, hardened against slow clients (slow-loris).

Slack is itself a client of this port, so a hard cap on connections would starve it along with
an attacker. Instead:

* a connection that has not sent complete request headers within ``header_timeout`` seconds
  (counted from when it opened, or from the end of its previous response) is closed; aiohttp's
  keep-alive timer does exactly this when set to that value;
* near the process's file limit, the oldest connections that have still not sent complete
  headers are closed first to make room for new ones, so ``accept()`` never runs out of file
  descriptors (asyncio would log a traceback for every failed accept) and a signed request
  that arrives in one packet is always served.

:data:`RESERVED_FDS` descriptors (at least a quarter of the limit) stay free for everything
else: the database, arXiv, the Slack API, response URLs, the connections asyncio accepts in one
go (up to :data:`BACKLOG`) before their protocols run, and those being closed. When the budget is
reached, :data:`EVICT_BATCH` waiting connections go at once, so that a burst of new ones fits.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

RESERVED_FDS = 256
BACKLOG = 64
EVICT_BATCH = 64


def connection_budget() -> int:
    """How many client connections may be open at once under the file limit."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft <= 0:
        soft = 65536
    return max(16, soft - max(RESERVED_FDS, soft // 4))


class _Guarded(asyncio.Protocol):
    """Passes everything to aiohttp's protocol; notes when the first headers are complete."""

    def __init__(self, guard: GuardedServer, inner: Any) -> None:
        self.guard = guard
        self.inner = inner
        self.transport: asyncio.Transport | None = None
        self.opened = time.monotonic()
        self._tail = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.guard.opened(self)
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self in self.guard.waiting:
            seen = self._tail + data
            if b"\r\n\r\n" in seen:
                self.guard.waiting.pop(self, None)
            else:
                self._tail = seen[-3:]
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        result: bool | None = self.inner.eof_received()
        return result

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.closed(self)
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


class GuardedServer:
    """Serves an aiohttp application on ``host:port`` with the protections above."""

    def __init__(self, app: web.Application, *, header_timeout: float) -> None:
        self.runner = web.AppRunner(app, keepalive_timeout=header_timeout, handle_signals=False)
        self.header_timeout = header_timeout
        self.budget = connection_budget()
        self.open: set[_Guarded] = set()
        #: Connections still sending their first headers, oldest first.
        self.waiting: dict[_Guarded, None] = {}
        self.evicted = 0
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> int:
        """Listen; the bound port (useful with port 0). Raises OSError if it cannot."""
        await self.runner.setup()
        server = self.runner.server
        assert server is not None
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(
                lambda: _Guarded(self, server()), host, port, backlog=BACKLOG
            )
        except OSError:
            await self.runner.cleanup()
            raise
        bound: int = self._server.sockets[0].getsockname()[1]
        return bound

    def opened(self, conn: _Guarded) -> None:
        self.open.add(conn)
        self.waiting[conn] = None
        if len(self.open) <= self.budget:
            return
        target = self.budget - EVICT_BATCH
        while len(self.open) > target and self.waiting:
            oldest = next(iter(self.waiting))
            if oldest is conn:
                break
            self.waiting.pop(oldest)
            self.evicted += 1
            if oldest.transport is not None:
                oldest.transport.abort()  # its descriptor is closed on the next loop pass
            self.open.discard(oldest)
        if self.evicted and self.evicted % 1000 == 1:
            log.warning(
                "near the file limit: closed %d connection(s) that had not sent their headers",
                self.evicted,
            )

    def closed(self, conn: _Guarded) -> None:
        self.open.discard(conn)
        self.waiting.pop(conn, None)

    async def stop(self) -> None:
        if self._server is not None:
            server, self._server = self._server, None
            server.close()
            for conn in list(self.open):
                if conn.transport is not None:
                    conn.transport.abort()
            await server.wait_closed()
        await self.runner.cleanup()
