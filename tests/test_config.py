"""Config: every documented key, type and unknown-key errors, lookup order, paths, permissions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.app import needed_platforms
from bot.config import (
    DEFAULT_CATEGORIES,
    ChannelConfig,
    ConfigError,
    find_config_file,
    load_config,
    world_readable_secret_warning,
)

FULL = """
[database]
path = "/srv/paperbot/papers.sqlite3"

[arxiv]
rss_url = "http://127.0.0.1:9/rss/"
api_url = "http://127.0.0.1:9/api/query"
categories = ["cs.AI", "stat.ML"]
min_interval_seconds = 0.05

[[channels]]
name = "ml-papers"
platform = "slack-webhook"
webhook_url = "https://hooks.slack.com/services/T000/B000/XXXX"

[[channels]]
name = "console"
platform = "console"
"""


def write(tmp_path: Path, text: str, name: str = "paperbot.toml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test sees the real home, the real XDG folders or a stray $PAPERBOT_CONFIG."""
    monkeypatch.delenv("PAPERBOT_CONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)


def test_every_documented_key(tmp_path: Path) -> None:
    config = load_config(str(write(tmp_path, FULL)))
    assert config.database_path == Path("/srv/paperbot/papers.sqlite3")
    assert config.arxiv.rss_url == "http://127.0.0.1:9/rss/"
    assert config.arxiv.api_url == "http://127.0.0.1:9/api/query"
    assert config.arxiv.categories == ("cs.AI", "stat.ML")
    assert config.arxiv.min_interval_seconds == 0.05
    slack, console = config.channels
    assert (slack.name, slack.platform) == ("ml-papers", "slack-webhook")
    assert slack.settings["webhook_url"] == "https://hooks.slack.com/services/T000/B000/XXXX"
    assert (console.name, console.platform, console.settings.get("webhook_url")) == (
        "console",
        "console",
        None,
    )
    assert set(needed_platforms(config)) == {"slack-webhook", "console"}


def test_defaults_for_missing_keys(tmp_path: Path) -> None:
    config = load_config(str(write(tmp_path, "")))
    assert config.arxiv.categories == DEFAULT_CATEGORIES
    assert config.arxiv.min_interval_seconds == 3.0
    assert config.arxiv.api_url == "https://export.arxiv.org/api/query"


def test_a_file_without_channels_has_the_console_channel(tmp_path: Path) -> None:
    config = load_config(str(write(tmp_path, "[arxiv]\ncategories = ['cs.LG']\n")))
    assert config.channels == (ChannelConfig("console", "console"),)


def test_channels_given_are_exactly_those(tmp_path: Path) -> None:
    text = '[[channels]]\nname = "rl"\nplatform = "discord-webhook"\n'
    text += 'webhook_url = "https://discord.com/api/webhooks/1/x"\n'
    config = load_config(str(write(tmp_path, text)))
    assert [(c.name, c.platform) for c in config.channels] == [("rl", "discord-webhook")]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[database]\npath = 3\n", "path"),
        ('[arxiv]\nmin_interval_seconds = "3"\n', "min_interval_seconds"),
        ("[arxiv]\nmin_interval_seconds = true\n", "min_interval_seconds"),
        ("[arxiv]\nmin_interval_seconds = -1\n", "min_interval_seconds"),
        ('[arxiv]\ncategories = "cs.AI"\n', "categories"),
        ("[arxiv]\ncategories = [1, 2]\n", "categories"),
        ("[arxiv]\nrss_url = 5\n", "rss_url"),
        ('[arxiv]\napi_url = "ftp://example.org/x"\n', "api_url"),
        ('[[channels]]\nname = "a"\nplatform = "irc"\n', "platform"),
        ('[[channels]]\nname = "a"\nplatform = "slack-webhook"\n', "webhook_url"),
        ('[[channels]]\nname = "a"\nplatform = "slack-webhook"\nwebhook_url = 7\n', "webhook_url"),
        ('[[channels]]\nplatform = "console"\n', "name"),
        ('database = "x.db"\n', "database"),
    ],
)
def test_wrong_type_names_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(str(path))
    message = str(err.value)
    assert key in message
    assert str(path) in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[arxiv]\nrss_ur = 'https://rss.arxiv.org/rss/'\n", "rss_ur"),
        ("[database]\npaht = 'x'\n", "paht"),
        ("[datbase]\npath = 'x'\n", "datbase"),
        ('[[channels]]\nname = "a"\nplatform = "console"\nwebhook = "x"\n', "webhook"),
    ],
)
def test_unknown_key_is_named(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError, match=f"unknown key '{key}'"):
        load_config(str(write(tmp_path, text)))


def test_invalid_toml_is_one_line_error(tmp_path: Path) -> None:
    path = write(tmp_path, "[arxiv\n")
    with pytest.raises(ConfigError, match="not valid TOML") as err:
        load_config(str(path))
    assert str(path) in str(err.value)


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    xdg = write(tmp_path / "xdg-config", "[database]\npath = 'xdg.db'\n", "paperbot/config.toml")
    assert find_config_file(None) == xdg
    cwd_file = write(tmp_path / "cwd", "[database]\npath = 'cwd.db'\n")
    assert find_config_file(None) == Path("paperbot.toml")
    assert load_config().database_path == cwd_file.parent / "cwd.db"
    env = write(tmp_path, "[database]\npath = 'env.db'\n", "env.toml")
    monkeypatch.setenv("PAPERBOT_CONFIG", str(env))
    assert find_config_file(None) == env
    explicit = write(tmp_path, "[database]\npath = 'explicit.db'\n", "explicit.toml")
    assert find_config_file(str(explicit)) == explicit
    assert load_config(str(explicit)).database_path == tmp_path / "explicit.db"


def test_embedded_default_uses_xdg_data_dir(tmp_path: Path) -> None:
    config = load_config()
    assert config.source is None
    assert config.database_path == tmp_path / "xdg-data" / "paperbot" / "paperbot.sqlite3"
    assert [c.platform for c in config.channels] == ["console"]
    assert config.arxiv.categories == DEFAULT_CATEGORIES


def test_default_without_xdg_vars_uses_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.delenv("XDG_CONFIG_HOME")
    write(tmp_path / "home", "[arxiv]\ncategories = ['math.CO']\n", ".config/paperbot/config.toml")
    config = load_config()
    assert config.arxiv.categories == ("math.CO",)
    assert config.database_path == tmp_path / "home/.local/share/paperbot/paperbot.sqlite3"


def test_missing_explicit_or_env_file_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(str(tmp_path / "nope.toml"))
    monkeypatch.setenv("PAPERBOT_CONFIG", str(tmp_path / "gone.toml"))
    with pytest.raises(ConfigError, match="PAPERBOT_CONFIG"):
        load_config()


def test_relative_database_path_is_resolved_against_config_folder(tmp_path: Path) -> None:
    path = write(tmp_path / "etc", "[database]\npath = 'data/papers.sqlite3'\n")
    config = load_config(str(path))
    assert config.database_path == tmp_path / "etc" / "data" / "papers.sqlite3"


def test_world_readable_config_with_webhook_warns(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    assert world_readable_secret_warning(load_config(str(path))) is None
    path.chmod(0o644)
    warning = world_readable_secret_warning(load_config(str(path)))
    assert warning is not None and "chmod 600" in warning and str(path) in warning
    assert "hooks.slack.com" not in warning  # the secret itself is never echoed


def test_world_readable_config_without_secret_does_not_warn(tmp_path: Path) -> None:
    path = write(tmp_path, "[arxiv]\ncategories = ['cs.AI']\n")
    os.chmod(path, 0o644)
    assert world_readable_secret_warning(load_config(str(path))) is None


def test_a_malformed_webhook_url_is_not_echoed(tmp_path: Path) -> None:
    config = tmp_path / "paperbot.toml"
    config.write_text(
        '[[channels]]\nname = "ml"\nplatform = "slack-webhook"\n'
        'webhook_url = "hooks.slack.com/services/T0/B0/SECRETSECRETSECRET1234"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        load_config(str(config))
    assert "webhook_url" in str(info.value) and "SECRETSECRET" not in str(info.value)


# -- #12: the whole file is validated at load, once, by the rules the commands apply --------


@pytest.mark.parametrize("bad", ["cs.FOO", "nonsense", "math.XX"])
def test_arxiv_categories_follow_the_subscribe_rules(tmp_path: Path, bad: str) -> None:
    """Main polled ``cs.FOO`` as written (and failed forever) while ``subscribe category
    cs.FOO`` was refused; now the file is refused, naming the key."""
    path = write(tmp_path, f'[arxiv]\ncategories = ["cs.AI", "{bad}"]\n')
    with pytest.raises(ConfigError, match=r"\[arxiv\] categories: .*(Unknown|Malformed)"):
        load_config(str(path))


def test_arxiv_categories_are_normalised_once(tmp_path: Path) -> None:
    path = write(tmp_path, '[arxiv]\ncategories = ["CS.lg", "cs.LG", "hep-th"]\n')
    assert load_config(str(path)).arxiv.categories == ("cs.LG", "hep-th")


@pytest.mark.parametrize(
    ("section", "problem"),
    [
        ('[slack]\nmode = "pigeon"\n', r"\[slack\] mode: expected"),
        ('[slack]\nmanage = ["alice"]\n', r"\[slack\] manage: expected Slack user ids"),
        ('[slack]\ncolour = "red"\n', r"\[slack\] unknown key 'colour'"),
        ('[discord]\nmanage_permission = "be_boss"\n', r"\[discord\] manage_permission"),
        ("[discord]\nshards = 0\n", r"\[discord\] shards"),
    ],
)
def test_adapter_sections_are_checked_at_load(tmp_path: Path, section: str, problem: str) -> None:
    """Main found these only when the adapter started (``paperbot run``), after every other
    command had accepted the file."""
    with pytest.raises(ConfigError, match=problem):
        load_config(str(write(tmp_path, section)))


def test_checking_adapter_sections_imports_no_platform_library(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = write(
        tmp_path, '[slack]\nmode = "http"\n[discord]\nmanage_permission = "administrator"\n'
    )
    code = (
        "import sys; from bot.config import load_config; "
        f"c = load_config({str(path)!r}); "
        "assert c.settings['discord'].manage_permission == 'administrator'; "
        "assert c.settings['slack'].mode == 'http'; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('discord', 'slack_bolt', 'slack_sdk', 'aiohttp')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_bad_slack_section_fails_any_command_with_one_line(tmp_path: Path) -> None:
    from bot.cli.main import main

    path = write(tmp_path, '[database]\npath = "db.sqlite3"\n[slack]\nmode = "pigeon"\n')
    assert main(["--config", str(path), "subscriptions"]) == 2


def test_semantic_scholar_and_identity_sections_are_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[semantic_scholar]\napi_url = "http://127.0.0.1:9/graph/v1/"\nmin_interval_seconds = 2\n'
        "[identity]\ncache_days = 3\n",
    )
    config = load_config(str(path))
    assert config.semantic_scholar.api_url == "http://127.0.0.1:9/graph/v1"
    assert config.semantic_scholar.min_interval_seconds == 2.0
    assert config.identity.cache_days == 3.0


def test_semantic_scholar_defaults_and_off(tmp_path: Path) -> None:
    default = load_config(str(write(tmp_path, "")))
    assert default.semantic_scholar.api_url == "https://api.semanticscholar.org/graph/v1"
    assert default.semantic_scholar.min_interval_seconds == 1.0
    assert default.identity.cache_days == 7.0
    off = load_config(str(write(tmp_path, '[semantic_scholar]\napi_url = ""\n')))
    assert off.semantic_scholar.api_url == ""


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[semantic_scholar]\napi_url = "ftp://x"\n', "api_url"),
        ("[semantic_scholar]\nmin_interval_seconds = -1\n", "min_interval_seconds"),
        ('[semantic_scholar]\napi_key = "k"\n', "api_key"),  # keys come from $S2_API_KEY only
        ('[identity]\ncache_days = "a week"\n', "cache_days"),
    ],
)
def test_bad_semantic_scholar_and_identity_keys_are_named(
    tmp_path: Path, text: str, key: str
) -> None:
    with pytest.raises(ConfigError, match=key):
        load_config(str(write(tmp_path, text)))


def test_the_example_config_is_valid() -> None:
    example = Path(__file__).resolve().parent.parent / "config.example.toml"
    config = load_config(str(example))
    assert config.semantic_scholar.min_interval_seconds == 1.0
