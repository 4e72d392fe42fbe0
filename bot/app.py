"""The composition root: builds the store, the HTTP client, the sources, ingest, delivery and the
adapters, and hands them to each other through constructors. Nothing else in the bot creates
these, and nothing is patched on after construction.

``App.open(config)`` is an async context manager; everything it opened is closed when the block
ends, whichever step failed (an ``AsyncExitStack`` holds the lifetimes).
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.config import Config
from bot.config.identity import OpenAlexConfig
from bot.delivery import Deliverer
from bot.ingest.identity import IdentityVerifier
from bot.ingest.ingestor import Ingestor
from bot.ingest.poller import Poller
from bot.model import Subscription
from bot.model.clock import SYSTEM_CLOCK, Clock
from bot.port import Adapter, AdapterContext, Front, always_answers, load_adapter
from bot.sources.arxiv import ArxivSource
from bot.sources.http import HttpClient
from bot.sources.limiter import PolitenessLimiter
from bot.sources.listings import ListingSource
from bot.sources.openalex import OpenAlexClient
from bot.sources.semantic_scholar import SemanticScholar, api_key_from_env
from bot.store import Store, StorePark

log = logging.getLogger("paperbot")


@dataclass(frozen=True, slots=True)
class Core:
    """What every command needs: the config, the store, arXiv (None in an app opened on local
    listings: look-ups then answer from the store), the clock, and the scholarly indexes
    (OpenAlex, Semantic Scholar: None when turned off or the app asks no remote service)."""

    config: Config
    store: Store
    arxiv: ArxivSource | None
    clock: Clock
    #: OpenAlex for author identity (None: ``[openalex] api_url = ""``, or local listings).
    openalex: OpenAlexClient | None = None
    #: Semantic Scholar for look-up details (None: ``[semantic_scholar] api_url = ""``).
    scholar: SemanticScholar | None = None


#: Builds the chat front end (``bot.chat.commands.Commands.from_core``) over the core; passed
#: in by the layer above, so that the root never imports the chat layer.
FrontFactory = Callable[[Core], Front]


@dataclass(frozen=True, slots=True)
class App:
    """Everything one paperbot process uses."""

    core: Core
    http: HttpClient
    ingestor: Ingestor
    poller: Poller
    deliverer: Deliverer
    adapters: Mapping[str, Adapter]
    front: Front | None

    @property
    def config(self) -> Config:
        return self.core.config

    @property
    def store(self) -> Store:
        return self.core.store

    @property
    def arxiv(self) -> ArxivSource | None:
        return self.core.arxiv

    @classmethod
    @contextlib.asynccontextmanager
    async def open(
        cls,
        config: Config,
        *,
        adapters: Sequence[str] = (),
        front: FrontFactory | None = None,
        interactive: bool = False,
        on_stop: Callable[[], None] = lambda: None,
        clock: Clock = SYSTEM_CLOCK,
        listings: ListingSource | None = None,
    ) -> AsyncIterator[App]:
        """Build the app; with ``adapters`` (platform names) and ``front``, the adapters that
        serve them, wired to the chat front end.

        ``listings``: where polls read listings instead of arXiv (``paperbot demo``'s local
        listings). Such an app asks no remote service anything: look-ups answer from the store.
        """
        async with contextlib.AsyncExitStack() as stack:
            store = await Store.open(config.database_path)
            stack.push_async_callback(store.close)
            http = _http_client(config, store)  # opens no connection until it is first used
            stack.push_async_callback(http.close)
            arxiv = None
            if listings is None:
                a = config.arxiv
                arxiv = listings = ArxivSource(http, rss_url=a.rss_url, api_url=a.api_url)
            openalex, scholar = (
                _indexes(config, store, clock, stack) if arxiv is not None else (None, None)
            )
            core = Core(config, store, arxiv, clock, openalex, scholar)
            for channel in config.channels:
                spec = config.specs.get(channel.platform)
                key = spec.external_id_key if spec else None
                external = channel.settings.get(key) if key else None
                await store.channels.upsert_config(channel.name, channel.platform, external)
            chat = front(core) if front is not None else None
            loaded: dict[str, Adapter] = {}
            if adapters:
                if chat is None:
                    raise ValueError("adapters need a chat front end to pass commands to")
                for name in adapters:
                    ctx = _adapter_context(core, name, chat, interactive, on_stop)
                    loaded[name] = adapter = load_adapter(config.specs[name], ctx)
                    stack.push_async_callback(_stop, name, adapter)
            deliverer = Deliverer(
                store,
                loaded,
                config.specs,
                {c.name: c for c in config.channels},
                config.delivery,
                clock=clock,
            )
            threads = frozenset(n for n, s in config.specs.items() if s.threads)
            ingestor = Ingestor(
                store, thread_platforms=threads, clock=clock, on_queued=deliverer.wake.set
            )
            poller = _poller(core, listings, ingestor, deliverer)
            yield cls(core, http, ingestor, poller, deliverer, loaded, chat)


def needed_platforms(config: Config) -> list[str]:
    """The platforms a config serves: its channels' and those whose section it has."""
    sections = {n for n, s in config.specs.items() if s.section and s.section in config.sections}
    return sorted({c.platform for c in config.channels} | sections)


def _http_client(config: Config, store: Store) -> HttpClient:
    a = config.arxiv
    limiter = PolitenessLimiter(
        a.min_interval_seconds,
        claim=functools.partial(store.rates.claim, "arxiv"),
        hold=functools.partial(store.rates.hold, "arxiv"),
    )
    return HttpClient(
        limiter=limiter,
        max_bytes=a.max_bytes,
        total_timeout=a.timeout_seconds,
        idle_timeout=min(20.0, a.timeout_seconds),
        retries=a.retries,
        backoff_base=a.backoff_seconds,
    )


def _poller(
    core: Core, listings: ListingSource, ingestor: Ingestor, deliverer: Deliverer
) -> Poller:
    """The poller, re-checking identity-held alerts after each poll (a release wakes delivery)."""
    verifier = IdentityVerifier(
        core.store,
        core.openalex,
        core.config.identity,
        clock=core.clock,
        on_released=deliverer.wake.set,
    )
    return Poller(
        core.store, listings, core.config.arxiv, ingestor, clock=core.clock, identity=verifier
    )


def _indexes(
    config: Config, store: Store, clock: Clock, stack: contextlib.AsyncExitStack
) -> tuple[OpenAlexClient | None, SemanticScholar | None]:
    """The scholarly indexes the config turns on, each on an HTTP client of its own that
    ``stack`` closes."""
    openalex = _openalex_client(config, store, clock)
    if openalex is not None:
        stack.push_async_callback(openalex.http.close)
    scholar = _scholar(config, store) if config.semantic_scholar.api_url else None
    if scholar is not None:
        stack.push_async_callback(scholar.http.close)
    return openalex, scholar


def _openalex_client(config: Config, store: Store, clock: Clock) -> OpenAlexClient | None:
    """OpenAlex on an HTTP client of its own (None when ``[openalex] api_url`` is empty): its
    limiter spaces OpenAlex requests only (shared by the processes on this database), never
    arXiv's."""
    o = config.openalex
    if not o.enabled:
        return None
    limiter = PolitenessLimiter(
        o.min_interval_seconds,
        claim=functools.partial(store.rates.claim, "openalex"),
        hold=functools.partial(store.rates.hold, "openalex"),
    )
    http = HttpClient(
        limiter=limiter,
        max_bytes=o.max_bytes,
        total_timeout=o.timeout_seconds,
        idle_timeout=min(20.0, o.timeout_seconds),
        retries=o.retries,
        backoff_base=1.0,
    )
    return OpenAlexClient(
        http,
        o.api_url,
        api_key=OpenAlexConfig.api_key(),
        clock=clock.time,
        park=StorePark(store.identity, clock.time),
    )


def _scholar(config: Config, store: Store) -> SemanticScholar:
    """Semantic Scholar on an HTTP client of its own: its own limiter (rate slot
    ``semantic_scholar``), short time-outs, a 5 MB cap, Retry-After honoured up to 30 s; its
    health is recorded under its API URL for ``status``."""
    s2 = config.semantic_scholar
    key = "semantic_scholar"
    limiter = PolitenessLimiter(
        s2.min_interval_seconds,
        claim=functools.partial(store.rates.claim, key),
        hold=functools.partial(store.rates.hold, key),
    )
    http = HttpClient(
        limiter=limiter,
        max_bytes=5_000_000,
        total_timeout=10.0,
        idle_timeout=5.0,
        connect_timeout=3.0,
        retries=2,
        backoff_base=1.0,
        max_retry_after=30.0,
    )

    async def health(problem: str | None) -> None:
        if problem is None:
            await store.sources.record_success(
                s2.api_url, etag=None, last_modified=None, body_hash=None, pub_date=None
            )
        else:
            await store.sources.record_failure(s2.api_url, problem)

    return SemanticScholar(http, s2.api_url, api_key=api_key_from_env(), on_health=health)


def _adapter_context(
    core: Core, name: str, chat: Front, interactive: bool, on_stop: Callable[[], None]
) -> AdapterContext:
    store = core.store

    async def subscriptions(external_id: str) -> list[Subscription]:
        channel = await store.channels.by_external(name, external_id)
        return await store.subscriptions.list(channel.id) if channel else []

    async def first_seen(event_id: str) -> bool:
        return await store.events.first_time(name, event_id, core.clock.time())

    spec = core.config.specs[name]
    return AdapterContext(
        config=core.config,
        spec=spec,
        dispatch=always_answers(chat.dispatch),
        may_fetch=chat.may_fetch,
        public=chat.public,
        manages=chat.manages,
        paper=store.papers.get,
        subscriptions=subscriptions,
        request_stop=on_stop,
        interactive=interactive and spec.interactive,
        mark=chat.mark,
        first_seen=first_seen,
    )


async def _stop(name: str, adapter: Adapter) -> None:
    try:
        await adapter.stop()
    except Exception:  # shutting down: report, keep closing the rest
        log.exception("stopping the %s adapter failed", name)
