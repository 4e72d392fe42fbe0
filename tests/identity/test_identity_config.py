"""``[openalex]`` and ``[identity]``: every key, the defaults, ``api_url = ""`` turning identity
off, and a bad value or unknown key named."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config
from bot.config.identity import IdentityConfig, OpenAlexConfig


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "paperbot.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_every_key_is_read(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            '[openalex]\napi_url = "http://127.0.0.1:9/oa/"\nmin_interval_seconds = 0.5\n'
            '[identity]\nwait_hours = 24\nunverified = "drop"\nother_record = "post"\n'
            "cache_days = 3\n",
        )
    )
    assert config.openalex.api_url == "http://127.0.0.1:9/oa"
    assert config.openalex.min_interval_seconds == 0.5
    assert config.identity == IdentityConfig(
        wait_hours=24, unverified="drop", other_record="post", cache_days=3
    )


def test_the_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""))
    assert config.openalex.api_url == "https://api.openalex.org" and config.openalex.enabled
    assert config.openalex.min_interval_seconds == 0.1
    assert config.identity == IdentityConfig(48, "post", "hold", 7)


def test_an_empty_api_url_turns_identity_off(tmp_path: Path) -> None:
    assert not load_config(write(tmp_path, '[openalex]\napi_url = ""\n')).openalex.enabled


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[identity]\nunverified = "later"\n', "[identity] unverified"),
        ('[identity]\nother_record = "drop"\n', "[identity] other_record"),
        ("[identity]\nwait_hours = -1\n", "[identity] wait_hours"),
        ('[openalex]\napi_url = "ftp://x"\n', "[openalex] api_url"),
        ('[openalex]\napi_key = "k"\n', "[openalex] unknown key 'api_key'"),
    ],
)
def test_a_bad_value_names_the_key(tmp_path: Path, text: str, named: str) -> None:
    with pytest.raises(ConfigError, match=named.replace("[", r"\[").replace("]", r"\]")):
        load_config(write(tmp_path, text))


def test_the_key_comes_only_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENALEX_API_KEY", " k-123 ")
    assert OpenAlexConfig.api_key() == "k-123"
    monkeypatch.setenv("OPENALEX_API_KEY", "")
    assert OpenAlexConfig.api_key() is None
