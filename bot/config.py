"""Configuration: TOML read with tomllib into typed, validated, frozen objects.

Lookup order: ``--config FILE``, else ``$PAPERBOT_CONFIG``, else ``./paperbot.toml``, else
``$XDG_CONFIG_HOME/paperbot/config.toml``; with none, the embedded default (a SQLite file in the
XDG data dir, the default categories, the console channel). Secrets (bot tokens, signing secrets)
never come from this file: they are read from the environment by the adapters.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.sources.redact import redact_url

DEFAULT_CATEGORIES = ("cs.AI", "cs.CL", "cs.LG")
PLATFORMS = ("console", "slack-webhook", "discord-webhook", "slack", "discord")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class ConfigError(Exception):
    """A bad config file; the message names the file and the key."""


@dataclass(frozen=True, slots=True)
class ArxivConfig:
    rss_url: str = "https://rss.arxiv.org/rss/"
    api_url: str = "https://export.arxiv.org/api/query"
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    min_interval_seconds: float = 3.0
    poll_times_utc: tuple[str, ...] = ("01:30", "04:30", "06:30", "12:00")
    poll_interval_seconds: float = 0.0
    timeout_seconds: float = 60.0
    max_bytes: int = 50_000_000
    retries: int = 3
    backoff_seconds: float = 5.0
    catchup_max_days: int = 14
    catchup_margin_days: int = 3
    disable_after_failures: int = 20


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    max_wait_seconds: float = 60.0
    backoff_base_seconds: float = 2.0
    backoff_max_seconds: float = 900.0
    poll_seconds: float = 2.0
    per_channel_interval_seconds: float = 1.0


@dataclass(frozen=True, slots=True)
class ChannelConfig:
    name: str
    platform: str
    webhook_url: str | None = None
    channel_id: str | None = None


@dataclass(frozen=True, slots=True)
class LimitsConfig:
    max_subscriptions_per_channel: int = 200
    max_query_length: int = 300
    commands_per_minute: int = 20


@dataclass(frozen=True, slots=True)
class Config:
    database_path: Path
    arxiv: ArxivConfig = field(default_factory=ArxivConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    channels: tuple[ChannelConfig, ...] = ()
    log_level: str = "WARNING"
    source: Path | None = None  # the file read, None for the embedded default
    #: Adapter sections (``[slack]``, ``[discord]``) kept as plain mappings; each adapter
    #: validates its own section with :func:`section` and names keys as they appear here.
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def platforms(self) -> set[str]:
        return {c.platform for c in self.channels} | set(self.sections)


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else Path.home() / fallback


def default_database_path() -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share") / "paperbot" / "paperbot.sqlite3"


def find_config_file(explicit: str | None) -> Path | None:
    """The config file to read, by the documented lookup order (None: embedded default)."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{explicit}: config file not found")
        return path
    env = os.environ.get("PAPERBOT_CONFIG")
    if env:
        if not Path(env).is_file():
            raise ConfigError(f"{env}: config file not found (from $PAPERBOT_CONFIG)")
        return Path(env)
    for candidate in (
        Path("paperbot.toml"),
        _xdg("XDG_CONFIG_HOME", ".config") / "paperbot" / "config.toml",
    ):
        if candidate.is_file():
            return candidate
    return None


def load_config(explicit: str | None = None) -> Config:
    """Find and read the config; the embedded default when there is no file."""
    path = find_config_file(explicit)
    if path is None:
        return Config(
            database_path=default_database_path(),
            channels=(ChannelConfig(name="console", platform="console"),),
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    return parse_config(data, path)


class _Reader:
    """Reads one table, checking types and rejecting unknown keys, naming each key in errors."""

    def __init__(self, source: str, table: str, data: Any) -> None:
        self.where = f"{source}: [{table}]" if table else f"{source}:"
        if not isinstance(data, dict):
            raise ConfigError(f"{self.where} must be a table")
        self.data = data
        self.used: set[str] = set()

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.where} {key}: {problem}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        self.used.add(key)
        if key not in self.data:
            return default
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            shown = repr(redact_url(value)) if isinstance(value, str) else repr(value)
            raise self.fail(key, f"expected {_names(kinds)}, got {shown}")
        return value

    def number(self, key: str, default: float, minimum: float = 0.0) -> float:
        value = float(self.get(key, (int, float), default))
        if value < minimum:
            raise self.fail(key, f"must be at least {minimum:g}, got {value:g}")
        return value

    def integer(self, key: str, default: int, minimum: int = 0) -> int:
        value = self.get(key, int, default)
        if value < minimum:
            raise self.fail(key, f"must be at least {minimum}, got {value}")
        return value

    def strings(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.get(key, list, None)
        if value is None:
            return default
        if not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(key, "expected a list of non-empty strings")
        return tuple(v.strip() for v in value)

    def url(self, key: str, default: str | None) -> str | None:
        value = self.get(key, str, default)
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            # A webhook URL is a secret even when malformed: show only a redacted form.
            raise self.fail(key, f"expected an http(s) URL, got {redact_url(value)!r}")
        return value

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise ConfigError(f"{self.where} unknown key {unknown[0]!r}")


def _names(kinds: tuple[type, ...]) -> str:
    names = {int: "an integer", float: "a number", str: "a string", list: "a list",
             bool: "true or false", dict: "a table"}  # fmt: skip
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))


def section(config: Config, name: str) -> _Reader:
    """A reader over an adapter's own section (``[slack]``), for adapters to validate keys."""
    source = str(config.source) if config.source else "config"
    return _Reader(source, name, config.sections.get(name, {}))


def parse_config(data: dict[str, Any], path: Path) -> Config:
    """Validate a parsed TOML document into a :class:`Config`."""
    src = str(path)
    top = _Reader(src, "", data)
    db = _Reader(src, "database", top.get("database", dict, {}))
    db_path = db.get("path", str, None)
    db.done()
    arxiv = _read_arxiv(_Reader(src, "arxiv", top.get("arxiv", dict, {})))
    delivery = _read_delivery(_Reader(src, "delivery", top.get("delivery", dict, {})))
    limits_r = _Reader(src, "limits", top.get("limits", dict, {}))
    limits = LimitsConfig(
        max_subscriptions_per_channel=limits_r.integer("max_subscriptions_per_channel", 200, 1),
        max_query_length=limits_r.integer("max_query_length", 300, 10),
        commands_per_minute=limits_r.integer("commands_per_minute", 20, 1),
    )
    limits_r.done()
    log = _Reader(src, "logging", top.get("logging", dict, {}))
    level = log.get("level", str, "WARNING").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise log.fail("level", f"expected DEBUG, INFO, WARNING or ERROR, got {level!r}")
    log.done()
    channels = _read_channels(src, top.get("channels", list, []))
    sections = {name: top.get(name, dict, None) for name in ("slack", "discord")}
    top.done()
    base = path.absolute().parent  # a relative path must not follow later chdirs
    database = Path(db_path).expanduser() if db_path else default_database_path()
    if not database.is_absolute():
        database = base / database
    return Config(
        database_path=database,
        arxiv=arxiv,
        delivery=delivery,
        limits=limits,
        channels=channels,
        log_level=level,
        source=path,
        sections={k: v for k, v in sections.items() if v is not None},
    )


def _read_arxiv(r: _Reader) -> ArxivConfig:
    d = ArxivConfig()
    times = r.strings("poll_times_utc", d.poll_times_utc)
    for t in times:
        if not _TIME.match(t):
            raise r.fail("poll_times_utc", f'expected times like "04:30", got {t!r}')
    config = ArxivConfig(
        rss_url=r.url("rss_url", d.rss_url) or d.rss_url,
        api_url=r.url("api_url", d.api_url) or d.api_url,
        categories=r.strings("categories", d.categories),
        min_interval_seconds=r.number("min_interval_seconds", d.min_interval_seconds),
        poll_times_utc=times,
        poll_interval_seconds=r.number("poll_interval_seconds", d.poll_interval_seconds),
        timeout_seconds=r.number("timeout_seconds", d.timeout_seconds, 0.1),
        max_bytes=r.integer("max_bytes", d.max_bytes, 1024),
        retries=r.integer("retries", d.retries),
        backoff_seconds=r.number("backoff_seconds", d.backoff_seconds),
        catchup_max_days=r.integer("catchup_max_days", d.catchup_max_days),
        catchup_margin_days=r.integer("catchup_margin_days", d.catchup_margin_days),
        disable_after_failures=r.integer("disable_after_failures", d.disable_after_failures, 1),
    )
    r.done()
    return config


def _read_delivery(r: _Reader) -> DeliveryConfig:
    d = DeliveryConfig()
    config = DeliveryConfig(
        max_wait_seconds=r.number("max_wait_seconds", d.max_wait_seconds),
        backoff_base_seconds=r.number("backoff_base_seconds", d.backoff_base_seconds),
        backoff_max_seconds=r.number("backoff_max_seconds", d.backoff_max_seconds),
        poll_seconds=r.number("poll_seconds", d.poll_seconds, 0.01),
        per_channel_interval_seconds=r.number(
            "per_channel_interval_seconds", d.per_channel_interval_seconds
        ),
    )
    r.done()
    return config


def _read_channels(src: str, raw: list[Any]) -> tuple[ChannelConfig, ...]:
    channels: list[ChannelConfig] = []
    names: set[str] = set()
    for index, item in enumerate(raw):
        r = _Reader(src, f"channels #{index + 1}", item)
        name = r.get("name", str, None)
        if not name or not name.strip():
            raise r.fail("name", "every [[channels]] entry needs a name")
        r.where = f"{src}: [[channels]] {name!r}"
        if name in names:
            raise r.fail("name", "the same name is used twice")
        names.add(name)
        platform = r.get("platform", str, None)
        if platform not in PLATFORMS:
            raise r.fail("platform", f"expected one of {', '.join(PLATFORMS)}, got {platform!r}")
        webhook = r.url("webhook_url", None)
        channel_id = r.get("channel_id", str, None)
        if platform.endswith("-webhook") and not webhook:
            raise r.fail("webhook_url", f"a {platform} channel needs a webhook_url")
        if platform in ("slack", "discord") and not channel_id:
            raise r.fail("channel_id", f"a {platform} channel needs a channel_id")
        r.done()
        channels.append(ChannelConfig(name.strip(), platform, webhook, channel_id))
    return tuple(channels)


def world_readable_secret_warning(config: Config) -> str | None:
    """A warning when a config file that holds a secret (a webhook URL) is readable by others."""
    if config.source is None or not any(c.webhook_url for c in config.channels):
        return None
    try:
        mode = config.source.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        return (
            f"{config.source} holds webhook URLs (secrets) and is readable by other users; "
            f"run: chmod 600 {config.source}"
        )
    return None
