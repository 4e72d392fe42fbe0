"""The one HTTP client for every arXiv request: polite, bounded and retrying.

arXiv asks for at most one request every three seconds and answers bursts with 429/503, so all
requests (RSS listings and the API) go through a :class:`PolitenessLimiter`: one request at a
time per process, starts spaced ``min_interval`` apart across every process sharing the database
(through an injected ``claim`` function), and interactive look-ups served before polling.

:class:`HttpClient` streams bodies with a byte cap, bounds each attempt in time, retries the
transient failures with back-off and ``Retry-After``, and raises one-line :class:`FetchError`
messages whose URLs are redacted.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import logging
import random
import time
from collections.abc import AsyncIterator, Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from yarl import URL

from bot.sources.limiter import PolitenessLimiter, Priority
from bot.sources.redact import redact_url
from bot.sources.retry_after import parse_retry_after

if TYPE_CHECKING:  # aiohttp is imported on first use: a stored-id look-up never needs it
    import aiohttp

log = logging.getLogger("paperbot.fetch")

#: The longest pause a Retry-After imposes on every request to the host (seconds).
HOST_HOLD_CAP = 60.0

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class FetchError(Exception):
    """A request failed. ``url`` is redacted; ``retry_after`` says when the server wants us back;
    ``unreachable``: no connection could be made at all (refused, no route, DNS, connect
    time-out), which usually means this machine is offline."""

    def __init__(
        self,
        url: str,
        reason: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        attempts: int = 1,
        unreachable: bool = False,
    ) -> None:
        self.url = redact_url(url)
        self.unreachable = unreachable
        self.reason = reason
        self.status = status
        self.retry_after = retry_after
        self.attempts = attempts
        super().__init__(f"GET {self.url}: {reason}")

    def _amend(self, suffix: str) -> None:
        self.reason += suffix
        self.args = (f"GET {self.url}: {self.reason}",)


class HttpStatusError(FetchError):
    """The server answered with a status the caller did not accept (a non-retryable 4xx)."""


class ResponseTooLarge(FetchError):
    """The body passed ``max_bytes``; the connection was dropped without reading the rest."""


class FetchTimeout(FetchError):
    """The request did not finish within ``total_timeout`` or stalled beyond ``idle_timeout``."""


class HostDown(FetchError):
    """The host could not be reached: a refused connection or a failed DNS look-up. Not worth
    retrying within the same poll."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(url, reason, unreachable=True)


class HostSkipped(FetchError):
    """Not requested: the host was found dead earlier in this poll (:meth:`HttpClient.poll`)."""


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A completed GET. ``elapsed`` covers the whole call, limiter waits and retries included."""

    url: str
    status: int
    body: bytes
    etag: str | None
    last_modified: str | None
    not_modified: bool
    elapsed: float
    attempts: int
    content_type: str | None


@dataclass(frozen=True, slots=True)
class _Call:
    """One request as every attempt sends it."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes | None
    accept_status: Collection[int]


class _Retryable(Exception):
    """One attempt failed in a way worth retrying; carries the eventual FetchError."""

    def __init__(self, error: FetchError) -> None:
        super().__init__(str(error))
        self.error = error


class HttpClient:
    """One ``aiohttp`` session plus the politeness limiter, caps, time-outs and retries."""

    def __init__(
        self,
        *,
        limiter: PolitenessLimiter | None = None,
        max_bytes: int = 50_000_000,
        total_timeout: float = 60.0,
        idle_timeout: float = 20.0,
        connect_timeout: float = 10.0,
        retries: int = 3,
        backoff_base: float = 2.0,
        backoff_cap: float = 300.0,
        max_retry_after: float = HOST_HOLD_CAP,
        user_agent: str = "paperbot/0.1 (+https://github.com/paperbot)",
    ) -> None:
        self.limiter = limiter
        self.max_bytes = max_bytes
        self.total_timeout = total_timeout
        self.idle_timeout = idle_timeout
        self.connect_timeout = connect_timeout
        self.retries = retries
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_retry_after = max_retry_after
        self.user_agent = user_agent
        self._session: aiohttp.ClientSession | None = None
        #: Within :meth:`poll`: hosts found dead (refused, no DNS, timed out twice) -> why.
        self._dead: dict[str, str] | None = None

    @contextlib.asynccontextmanager
    async def poll(self) -> AsyncIterator[None]:
        """One poll: a host found dead (connection refused, DNS failure, or a time-out that
        its one retry did not cure) is not asked again until the block ends; requests to it
        raise :class:`HostSkipped` at once."""
        self._dead = {}
        try:
            yield
        finally:
            self._dead = None

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the session; a later ``get`` opens a new one."""
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()

    def _get_session(self) -> aiohttp.ClientSession:
        import aiohttp

        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(
                total=None, sock_connect=self.connect_timeout, sock_read=self.idle_timeout
            )
            self._session = aiohttp.ClientSession(
                timeout=timeout, headers={"User-Agent": self.user_agent}
            )
        return self._session

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        priority: Priority = Priority.POLL,
        accept_status: Collection[int] = (200,),
        headers: Mapping[str, str] | None = None,
    ) -> FetchResult:
        """GET ``url`` politely; return the body of an accepted status or a 304 result.

        Raises :class:`HttpStatusError` for other non-retryable statuses, :class:`FetchTimeout`,
        :class:`ResponseTooLarge`, or :class:`FetchError` once retries are exhausted or the
        server's ``Retry-After`` exceeds ``max_retry_after`` (its ``retry_after`` is then set).
        """
        sent = {"If-None-Match": etag or "", "If-Modified-Since": last_modified or ""}
        sent = {name: value for name, value in {**sent, **(headers or {})}.items() if value}
        return await self.request(
            "GET", url, params=params, headers=sent, priority=priority, accept_status=accept_status
        )

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        priority: Priority = Priority.POLL,
        accept_status: Collection[int] = (200,),
    ) -> FetchResult:
        """As :meth:`get`, any method, optional body; ``headers`` are sent, never logged."""
        full_url = str(URL(url).update_query(params)) if params else url
        call = _Call(method, full_url, dict(headers or {}), body, accept_status)
        started = time.monotonic()
        host = self._alive(url)
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self._slot(priority):
                    result = await self._attempt(call)
            except _Retryable as exc:
                err = exc.error
                delay = self._retry_delay(err, attempt, priority)
                if delay is None:
                    self._log_failure(err, attempt, started)
                    if self._dead is not None and isinstance(err, HostDown | FetchTimeout):
                        self._dead[host] = err.reason
                    raise err from None
                log.debug("retrying %s in %.1fs: %s", err.url, delay, err.reason)
                if err.retry_after is not None and self.limiter is not None:
                    # The whole host asked for a pause: hold every request (capped, so that a
                    # look-up is not kept waiting for long).
                    await self.limiter.hold_until(min(err.retry_after, HOST_HOLD_CAP))
                await asyncio.sleep(delay)
                continue
            except FetchError as err:
                err.attempts = attempt
                self._log_failure(err, attempt, started)
                raise
            result = dataclasses.replace(
                result, elapsed=time.monotonic() - started, attempts=attempt
            )
            log.info(
                "GET %s -> %s%s, %d bytes, %.2fs, attempt %d",
                redact_url(full_url),
                result.status,
                " (not modified)" if result.not_modified else "",
                len(result.body),
                result.elapsed,
                attempt,
            )
            return result

    def _alive(self, url: str) -> str:
        """The host of ``url``; :class:`HostSkipped` if it was found dead in this poll."""
        host = _host(url)
        if self._dead is not None and host in self._dead:
            raise HostSkipped(
                url, f"skipped: {host} failed earlier in this poll ({self._dead[host]})"
            )
        return host

    @staticmethod
    def _log_failure(err: FetchError, attempts: int, started: float) -> None:
        log.warning("%s (%.2fs, %d attempts)", err, time.monotonic() - started, attempts)

    def _slot(self, priority: Priority) -> contextlib.AbstractAsyncContextManager[None]:
        if self.limiter is None:
            return contextlib.nullcontext()
        return self.limiter.slot(priority)

    def _retry_delay(self, err: FetchError, attempt: int, priority: Priority) -> float | None:
        """Seconds to wait before the next attempt, or None to give up (updating ``err``).

        A dead host is not retried; a time-out at most once (a look-up not at all: the user can
        ask again); other failures ``retries`` times."""
        if err.retry_after is not None and err.retry_after > self.max_retry_after:
            err.attempts = attempt
            err._amend(f", Retry-After {err.retry_after:.0f}s exceeds {self.max_retry_after:.0f}s")
            return None
        retries = self.retries
        if isinstance(err, HostDown):
            retries = 0
        elif isinstance(err, FetchTimeout):
            retries = min(retries, 0 if priority is Priority.INTERACTIVE else 1)
        if attempt > retries:
            err.attempts = attempt
            if attempt > 1:
                is_status = err.status is not None
                err._amend(f" after {attempt} attempts" if is_status else f" ({attempt} attempts)")
            return None
        backoff = min(self.backoff_cap, self.backoff_base * 2.0 ** (attempt - 1))
        # Jitter keeps several bots that failed together from retrying in lockstep.
        jitter = random.uniform(0, min(backoff, self.backoff_base) / 2)
        if err.retry_after is not None:
            return err.retry_after + jitter
        return backoff + jitter

    async def _attempt(self, call: _Call) -> FetchResult:
        """One request, bounded by ``total_timeout``; maps every failure to a FetchError."""
        import aiohttp

        url = call.url
        try:
            async with asyncio.timeout(self.total_timeout):
                return await self._request(call)
        except FetchError:
            raise
        except aiohttp.SocketTimeoutError:
            reason = f"timed out (no data for {self.idle_timeout:g}s)"
            raise _Retryable(FetchTimeout(url, reason)) from None
        except aiohttp.ConnectionTimeoutError:
            reason = f"connect timed out after {self.connect_timeout:g}s"
            raise _Retryable(FetchTimeout(url, reason, unreachable=True)) from None
        except TimeoutError:
            reason = f"timed out after {self.total_timeout:g}s"
            raise _Retryable(FetchTimeout(url, reason)) from None
        except aiohttp.ClientConnectorError as exc:
            raise _Retryable(HostDown(url, _connect_reason(exc))) from None
        except (aiohttp.ClientPayloadError, aiohttp.ServerDisconnectedError) as exc:
            reason = f"connection closed mid-response ({type(exc).__name__})"
            raise _Retryable(FetchError(url, reason)) from None
        except (aiohttp.ClientError, OSError) as exc:
            reason = f"connection error: {type(exc).__name__}: {redact_url(str(exc))}"
            raise _Retryable(FetchError(url, reason.splitlines()[0])) from None

    async def _request(self, call: _Call) -> FetchResult:
        session = self._get_session()
        url = call.url
        async with session.request(call.method, url, headers=call.headers, data=call.body) as resp:
            status = resp.status
            if status == 304:
                return _result(resp, b"", not_modified=True)
            if status in call.accept_status:
                return _result(resp, await self._read_capped(url, resp), not_modified=False)
            resp.close()  # we will not read this body: drop the connection instead
            retry_after = parse_retry_after(resp.headers.get("Retry-After"))
            if status in RETRY_STATUSES:
                err = FetchError(url, f"HTTP {status}", status=status, retry_after=retry_after)
                raise _Retryable(err)
            raise HttpStatusError(url, f"HTTP {status}", status=status, retry_after=retry_after)

    async def _read_capped(self, url: str, resp: aiohttp.ClientResponse) -> bytes:
        """Stream the body, dropping the connection as soon as it passes ``max_bytes``."""
        too_large = f"response larger than {self.max_bytes} bytes"
        if resp.content_length is not None and resp.content_length > self.max_bytes:
            resp.close()
            raise ResponseTooLarge(url, too_large)
        body = bytearray()
        async for chunk in resp.content.iter_chunked(64 * 1024):
            body += chunk
            if len(body) > self.max_bytes:
                resp.close()
                raise ResponseTooLarge(url, too_large)
        return bytes(body)


def _host(url: str) -> str:
    parsed = URL(url)
    return f"{parsed.host}:{parsed.port}" if parsed.port else str(parsed.host)


def _connect_reason(exc: aiohttp.ClientConnectorError) -> str:
    os_error = exc.os_error
    if isinstance(os_error, ConnectionRefusedError) or exc.errno == errno.ECONNREFUSED:
        return "connection refused"
    return f"cannot connect: {os_error.strerror or type(os_error).__name__}"


def _result(resp: aiohttp.ClientResponse, body: bytes, *, not_modified: bool) -> FetchResult:
    return FetchResult(
        url=str(resp.url),
        status=resp.status,
        body=body,
        etag=resp.headers.get("ETag"),
        last_modified=resp.headers.get("Last-Modified"),
        not_modified=not_modified,
        elapsed=0.0,
        attempts=0,
        content_type=resp.content_type if "Content-Type" in resp.headers else None,
    )
