"""The composition root: builds config, store, HTTP client, sources, services and adapters, and
hands them to each other through constructors. Nothing else in the bot creates these."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field

from bot.chat.commands import Commands
from bot.chat.lookup import Lookup
from bot.config import ChannelConfig, Config
from bot.delivery import Deliverer
from bot.ingest.poller import Poller
from bot.matching.index import SubscriptionIndex
from bot.port import Adapter, AdapterContext, load_adapter_class
from bot.sources.arxiv import ArxivSource
from bot.sources.http import HttpClient
from bot.sources.limiter import PolitenessLimiter
from bot.store import Matcher, Store

log = logging.getLogger("paperbot")

#: Platforms whose alerts have threads (full abstract, new versions go there).
THREAD_PLATFORMS = frozenset({"slack", "discord"})


@dataclass
class App:
    """Everything one paperbot process uses. Create with ``await App.create(config)``."""

    config: Config
    store: Store
    http: HttpClient
    arxiv: ArxivSource
    lookup: Lookup
    commands: Commands
    poller: Poller = field(init=False)
    adapters: dict[str, Adapter] = field(default_factory=dict)
    _index: tuple[tuple[int, int], SubscriptionIndex] | None = None
    _deliverer: Deliverer | None = None

    def __post_init__(self) -> None:
        self.poller = Poller(
            self.store, self.arxiv, self.config.arxiv, self.alert_matcher, self._wake_delivery
        )

    @classmethod
    async def create(cls, config: Config, *, command_prefix: str = "") -> App:
        store = await Store.open(config.database_path)
        a = config.arxiv
        limiter = PolitenessLimiter(
            a.min_interval_seconds,
            claim=functools.partial(store.claim_rate_slot, "arxiv"),
            hold=functools.partial(store.hold_rate_slot, "arxiv"),
        )
        http = HttpClient(
            limiter=limiter,
            max_bytes=a.max_bytes,
            total_timeout=a.timeout_seconds,
            idle_timeout=min(20.0, a.timeout_seconds),
            retries=a.retries,
            backoff_base=a.backoff_seconds,
        )
        arxiv = ArxivSource(http, rss_url=a.rss_url, api_url=a.api_url)
        lookup = Lookup(store, arxiv, max_length=config.limits.max_query_length)
        commands = Commands(store, lookup, config, prefix=command_prefix)
        app = cls(config=config, store=store, http=http, arxiv=arxiv, lookup=lookup,
                  commands=commands)  # fmt: skip
        for channel in config.channels:
            await store.upsert_config_channel(channel.name, channel.platform, channel.channel_id)
        return app

    async def alert_matcher(self) -> tuple[Matcher, frozenset[int]]:
        """The current subscriptions as a matcher, and the channels whose alerts have threads.

        The index is rebuilt only when the subscriptions changed (any process may change them).
        """
        marker = await self.store.subscriptions_version()
        if self._index is None or self._index[0] != marker:
            index = SubscriptionIndex(await self.store.list_subscriptions())
            self._index = (marker, index)
        channels = await self.store.list_channels()
        threads = frozenset(c.id for c in channels if c.platform in THREAD_PLATFORMS)
        return self._index[1].match, threads

    def delivery_platforms(self) -> list[str]:
        """Adapters this config needs: its channels' platforms and its adapter sections."""
        return sorted({c.platform for c in self.config.channels} | set(self.config.sections))

    def load_adapters(self, names: list[str], on_stop=None) -> dict[str, Adapter]:
        """Instantiate the named adapters (found through the ``paperbot.adapters`` entry
        points) with one shared context."""
        ctx = AdapterContext(
            config=self.config,
            dispatch=self.commands.dispatch,
            commands=self.commands,
            store=self.store,
        )
        if on_stop is not None:
            ctx.request_stop = on_stop
        for name in names:
            if name not in self.adapters:
                self.adapters[name] = load_adapter_class(name)(ctx)
        return self.adapters

    @property
    def deliverer(self) -> Deliverer:
        if self._deliverer is None:
            configs: dict[str, ChannelConfig] = {c.name: c for c in self.config.channels}
            self._deliverer = Deliverer(self.store, self.adapters, configs, self.config.delivery)
        return self._deliverer

    def _wake_delivery(self) -> None:
        if self._deliverer is not None:
            self._deliverer.wake.set()

    async def close(self) -> None:
        for adapter in self.adapters.values():
            try:
                await adapter.stop()
            except Exception:  # shutting down: report, keep closing the rest
                log.exception("stopping an adapter failed")
        await self.http.close()
        await self.store.close()

    async def __aenter__(self) -> App:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
