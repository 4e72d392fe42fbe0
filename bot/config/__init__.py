"""Configuration: TOML read with tomllib into typed, validated, frozen objects.

Lookup order: ``--config FILE``, else ``$PAPERBOT_CONFIG``, else ``./paperbot.toml``, else
``$XDG_CONFIG_HOME/paperbot/config.toml``; with none, the embedded default (a SQLite file in the
XDG data dir, the default categories, the console channel). Secrets (bot tokens, signing secrets)
never come from this file: they are read from the environment by the adapters.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

from bot.config.identity import IdentityConfig, OpenAlexConfig, read_identity, read_openalex
from bot.config.reader import ConfigError as ConfigError
from bot.config.reader import SectionReader as SectionReader
from bot.config.scholar import SemanticScholarConfig, read_semantic_scholar
from bot.model.adapter import AdapterSpec
from bot.model.text import MAX_QUERY_CHARS
from bot.sources.taxonomy import normalize_category

DEFAULT_CATEGORIES = ("cs.AI", "cs.CL", "cs.LG")
#: Where adapters declare themselves (``pyproject.toml`` of each adapter package).
ENTRY_POINT_GROUP = "paperbot.adapters"
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True, slots=True)
class ArxivConfig:
    rss_url: str = "https://rss.arxiv.org/rss/"
    api_url: str = "https://export.arxiv.org/api/query"
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    min_interval_seconds: float = 3.0
    poll_times_utc: tuple[time, ...] = (time(1, 30), time(4, 30), time(6, 30), time(12, 0))
    poll_interval_seconds: float = 0.0
    timeout_seconds: float = 30.0
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
    #: The longest one platform call may take; a send that outlives it has an unknown outcome.
    timeout_seconds: float = 30.0


@dataclass(frozen=True, slots=True)
class ChannelConfig:
    """One ``[[channels]]`` entry: its name, platform and the platform's own keys."""

    name: str
    platform: str
    settings: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LimitsConfig:
    max_subscriptions_per_channel: int = 200
    max_query_length: int = MAX_QUERY_CHARS
    commands_per_minute: int = 20


@functools.cache
def installed_specs() -> Mapping[str, AdapterSpec]:
    """Every adapter declared in the ``paperbot.adapters`` entry points, by platform name.

    A declaration is light (it imports no platform library); one that fails to load is left
    out, so a broken plugin never stops the others.
    """
    found: dict[str, AdapterSpec] = {}
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            spec = entry.load()
        except Exception:  # a third-party plugin's problem: its platform is just unknown
            continue
        if isinstance(spec, AdapterSpec) and spec.name == entry.name:
            found[entry.name] = spec
    return dict(sorted(found.items()))


@dataclass(frozen=True, slots=True)
class Config:
    database_path: Path
    arxiv: ArxivConfig = field(default_factory=ArxivConfig)
    delivery: DeliveryConfig = field(default_factory=DeliveryConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    openalex: OpenAlexConfig = field(default_factory=OpenAlexConfig)
    semantic_scholar: SemanticScholarConfig = field(default_factory=SemanticScholarConfig)
    identity: IdentityConfig = field(default_factory=IdentityConfig)
    channels: tuple[ChannelConfig, ...] = ()
    log_level: str = "WARNING"
    source: Path | None = None  # the file read, None for the embedded default
    #: Adapter sections (``[slack]``, ``[discord]``) kept as plain mappings; each adapter
    #: validates its own section with :func:`section` and names keys as they appear here.
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Each adapter section as its spec's ``validate_section`` read it at load (see
    #: :func:`adapter_settings`).
    settings: Mapping[str, object] = field(default_factory=dict)
    #: The platforms this config was read with, by name (``installed_specs()`` by default).
    specs: Mapping[str, AdapterSpec] = field(default_factory=installed_specs)


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


def default_channels(specs: Mapping[str, AdapterSpec]) -> tuple[ChannelConfig, ...]:
    """The channels of a config that names none: each platform's default one (the console)."""
    return tuple(
        ChannelConfig(spec.default_channel, spec.name)
        for spec in specs.values()
        if spec.default_channel
    )


def load_config(
    explicit: str | None = None, specs: Mapping[str, AdapterSpec] | None = None
) -> Config:
    """Find and read the config (validated against ``specs``, by default the installed
    adapters); the embedded default when there is no file."""
    specs = installed_specs() if specs is None else specs
    path = find_config_file(explicit)
    if path is None:
        return Config(
            database_path=default_database_path(), channels=default_channels(specs), specs=specs
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    return parse_config(data, path, specs)


def section(config: Config, name: str) -> SectionReader:
    """A reader over an adapter's own section (``[slack]``), for adapters to validate keys:
    ``get`` / ``number`` / ``integer`` / ``strings`` / ``url``, ``fail(key, problem)``, and
    ``done()`` to refuse unknown keys."""
    source = str(config.source) if config.source else "config"
    return SectionReader(source, name, config.sections.get(name, {}))


def _validator(spec: AdapterSpec) -> Any:
    module, _, function = (spec.validate_section or "").partition(":")
    try:
        return getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"the {spec.name} adapter cannot check [{spec.section}]: {exc}") from None


def adapter_settings(config: Config, spec: AdapterSpec) -> Any:
    """The adapter's section as its ``validate_section`` reads it: checked at load when the
    config came from :func:`parse_config`, read now (same rules) for a hand-built Config."""
    if spec.section is not None and spec.section in config.settings:
        return config.settings[spec.section]
    return _validator(spec)(section(config, spec.section or spec.name))


def _read_sections(src: str, raw: dict[str, Any], specs: Mapping[str, AdapterSpec]) -> Any:
    """Every adapter section in the file, through its spec's validator (once, at load)."""
    parsed: dict[str, object] = {}
    for spec in specs.values():
        if spec.section in raw and spec.validate_section and spec.section not in parsed:
            parsed[spec.section] = _validator(spec)(
                SectionReader(src, spec.section, raw[spec.section])
            )
    return parsed


def parse_config(
    data: dict[str, Any], path: Path, specs: Mapping[str, AdapterSpec] | None = None
) -> Config:
    """Validate a parsed TOML document into a :class:`Config`."""
    specs = installed_specs() if specs is None else specs
    src = str(path)
    top = SectionReader(src, "", data)
    db = SectionReader(src, "database", top.get("database", dict, {}))
    db_path = db.get("path", str, None)
    db.done()
    arxiv = _read_arxiv(SectionReader(src, "arxiv", top.get("arxiv", dict, {})))
    delivery = _read_delivery(SectionReader(src, "delivery", top.get("delivery", dict, {})))
    limits_r = SectionReader(src, "limits", top.get("limits", dict, {}))
    limits = LimitsConfig(
        max_subscriptions_per_channel=limits_r.integer("max_subscriptions_per_channel", 200, 1),
        max_query_length=limits_r.integer("max_query_length", MAX_QUERY_CHARS, 10),
        commands_per_minute=limits_r.integer("commands_per_minute", 20, 1),
    )
    limits_r.done()
    openalex = read_openalex(SectionReader(src, "openalex", top.get("openalex", dict, {})))
    s2 = read_semantic_scholar(
        SectionReader(src, "semantic_scholar", top.get("semantic_scholar", dict, {}))
    )
    identity = read_identity(SectionReader(src, "identity", top.get("identity", dict, {})))
    log = SectionReader(src, "logging", top.get("logging", dict, {}))
    level = log.get("level", str, "WARNING").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise log.fail("level", f"expected DEBUG, INFO, WARNING or ERROR, got {level!r}")
    log.done()
    # No [[channels]]: the console channel, as without a file; [[channels]]: exactly those.
    channels = (
        _read_channels(src, top.get("channels", list, []), specs)
        if "channels" in data
        else default_channels(specs)
    )
    names = sorted({s.section for s in specs.values() if s.section})
    sections = {n: v for n in names if (v := top.get(n, dict, None)) is not None}
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
        openalex=openalex,
        semantic_scholar=s2,
        identity=identity,
        channels=channels,
        log_level=level,
        source=path,
        sections=sections,
        settings=_read_sections(src, sections, specs),
        specs=specs,
    )


def _read_arxiv(r: SectionReader) -> ArxivConfig:
    d = ArxivConfig()
    texts = r.strings("poll_times_utc", ())
    for t in texts:
        if not _TIME.match(t):
            raise r.fail("poll_times_utc", f'expected times like "04:30", got {t!r}')
    times = tuple(time.fromisoformat(t) for t in texts) if texts else d.poll_times_utc
    config = ArxivConfig(
        rss_url=r.url("rss_url", d.rss_url) or d.rss_url,
        api_url=r.url("api_url", d.api_url) or d.api_url,
        categories=_categories(r, d.categories),
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


def _categories(r: SectionReader, default: tuple[str, ...]) -> tuple[str, ...]:
    """Categories by the rule ``subscribe category`` applies (``cs.FOO`` is refused)."""
    try:
        return tuple(dict.fromkeys(normalize_category(c) for c in r.strings("categories", default)))
    except ValueError as exc:
        raise r.fail("categories", str(exc)) from None


def _read_delivery(r: SectionReader) -> DeliveryConfig:
    d = DeliveryConfig()
    config = DeliveryConfig(
        max_wait_seconds=r.number("max_wait_seconds", d.max_wait_seconds),
        backoff_base_seconds=r.number("backoff_base_seconds", d.backoff_base_seconds),
        backoff_max_seconds=r.number("backoff_max_seconds", d.backoff_max_seconds),
        poll_seconds=r.number("poll_seconds", d.poll_seconds, 0.01),
        per_channel_interval_seconds=r.number(
            "per_channel_interval_seconds", d.per_channel_interval_seconds
        ),
        timeout_seconds=r.number("timeout_seconds", d.timeout_seconds, 0.1),
    )
    r.done()
    return config


def _read_channels(
    src: str, raw: list[Any], specs: Mapping[str, AdapterSpec]
) -> tuple[ChannelConfig, ...]:
    """``[[channels]]``: each entry's platform must be installed and give the keys it needs."""
    channels: list[ChannelConfig] = []
    names: set[str] = set()
    for index, item in enumerate(raw):
        r = SectionReader(src, f"channels #{index + 1}", item)
        name = r.get("name", str, None)
        if not name or not name.strip():
            raise r.fail("name", "every [[channels]] entry needs a name")
        r.where = f"{src}: [[channels]] {name!r}"
        if name in names:
            raise r.fail("name", "the same name is used twice")
        names.add(name)
        platform = r.get("platform", str, None)
        spec = specs.get(platform) if isinstance(platform, str) else None
        if spec is None:
            raise r.fail("platform", f"expected one of {', '.join(specs)}, got {platform!r}")
        settings: dict[str, str] = {}
        for key in spec.keys:
            value = r.url(key, None) if key in spec.secret_keys else r.get(key, str, None)
            if value is not None:
                settings[key] = value
        for key in spec.channel_keys:
            if not settings.get(key, "").strip():
                raise r.fail(key, f"a {spec.name} channel needs a {key}")
        r.done()
        channels.append(ChannelConfig(name.strip(), spec.name, settings))
    return tuple(channels)


def world_readable_secret_warning(config: Config) -> str | None:
    """A warning when a config file that holds a secret (a webhook URL) is readable by others."""
    if config.source is None or not any(_secrets(c, config.specs) for c in config.channels):
        return None
    try:
        mode = config.source.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        return (
            f"{config.source} holds secrets (webhook URLs) and is readable by other users; "
            f"run: chmod 600 {config.source}"
        )
    return None


def _secrets(channel: ChannelConfig, specs: Mapping[str, AdapterSpec]) -> list[str]:
    spec = specs.get(channel.platform)
    keys = spec.secret_keys if spec else frozenset()
    return [v for k, v in channel.settings.items() if k in keys and v]


def channel_secrets(config: Config, channel: ChannelConfig) -> list[str]:
    """The secret values a channel entry holds (its webhook URL), for masking."""
    return _secrets(channel, config.specs)
