"""Reading one TOML table: types checked, unknown keys refused, every error naming the file, the
table and the key. The core's sections and each adapter's ``validate_section`` use it."""

from __future__ import annotations

import re
from typing import Any

from bot.sources.redact import redact_url


class ConfigError(Exception):
    """A bad config file; the message names the file and the key."""


class SectionReader:
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
        value: int = self.get(key, int, default)
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
        value: str | None = self.get(key, str, default)
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            # A webhook URL is a secret even when malformed: show only a redacted form.
            raise self.fail(key, f"expected an http(s) URL, got {redact_url(value)!r}")
        return value

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise ConfigError(f"{self.where} unknown key {unknown[0]!r}")


def _names(kinds: tuple[type, ...]) -> str:
    names = {int: "an integer", float: "a number", str: "a string", list: "a list"}
    names |= {bool: "true or false", dict: "a table"}
    return " or ".join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))
