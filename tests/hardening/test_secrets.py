"""Secrets never reach logs, errors, ``status`` or the database; a config file that holds a
webhook URL warns when others can read it; per-channel, per-query and per-user limits answer
with clear messages."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from support.fake_discord import FakeDiscord
from support.fake_slack import FakeSlack
from support.fakeweb import FakeServer, Reply
from support.hardening import LISTING, dump_database, make_config, run_paperbot, say

from bot.app import App
from bot.config import LimitsConfig, load_config
from bot.model import CommandContext, SubscriptionKind
from bot.model import Reply as ChatReply

BOT_TOKEN = "xoxb-1111111111-2222222222-SeCrEtBoTtOkEnAbCdEf"
APP_TOKEN = "xapp-1-A0000-3333-SeCrEtApPtOkEnXyZ"
SIGNING = "SeCrEtSiGnInG0123456789abcdef"
DISCORD_TOKEN = "MTEwMDAwMDAwMDAwMDAwMDAwMg.GsEcRe.DiScOrDtOkEnQwErTyUiOp"
SLACK_HOOK_SECRET = "SeCrEtHoOkAbCdEfGh123456"
DISCORD_HOOK_SECRET = "SeCrEtDiScOrDhOoK-abcdefghijklmnopqrstuvwxyz0123456789"
#: The scholarly-API keys later sources read (#12 plants them already: nothing may echo them).
OPENALEX_KEY = "SeCrEtOpEnAlExKeY0123456789"
S2_KEY = "SeCrEtS2aPiKeYaBcDeF0123456789"
SECRETS = (
    BOT_TOKEN,
    APP_TOKEN,
    SIGNING,
    DISCORD_TOKEN,
    SLACK_HOOK_SECRET,
    DISCORD_HOOK_SECRET,
    OPENALEX_KEY,
    S2_KEY,
)
SLACK_HOOK = f"/services/T000/B000/{SLACK_HOOK_SECRET}"
DISCORD_HOOK = f"/api/webhooks/123/{DISCORD_HOOK_SECRET}"


def assert_no_secret(where: str, text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{where} leaks {secret[:12]}…"
    assert "SeCrEt" not in text, where  # nor any part of one


def write_config(
    path: Path,
    db: Path,
    arxiv: FakeServer,
    extra: str = "",
    *,
    mode: int = 0o600,
    channels: str = "",
) -> Path:
    path.write_text(
        f'[database]\npath = "{db}"\n'
        '[semantic_scholar]\napi_url = ""\n'
        f'[arxiv]\nrss_url = "{arxiv.url("/rss/")}"\napi_url = "{arxiv.url("/api/query")}"\n'
        'categories = ["cs.AI"]\nmin_interval_seconds = 0\ntimeout_seconds = 5\nretries = 0\n'
        "poll_interval_seconds = 60\n"
        "[delivery]\nper_channel_interval_seconds = 0\nbackoff_base_seconds = 0.1\n"
        "max_wait_seconds = 3\n" + extra + channels
    )
    path.chmod(mode)
    return path


def webhook_channels(arxiv: FakeServer) -> str:
    return (
        f'[[channels]]\nname = "sw"\nplatform = "slack-webhook"\n'
        f'webhook_url = "{arxiv.url(SLACK_HOOK)}"\n'
        f'[[channels]]\nname = "dw"\nplatform = "discord-webhook"\n'
        f'webhook_url = "{arxiv.url(DISCORD_HOOK)}"\n'
    )


async def subscribe_all(config_path: Path) -> None:
    async with App.open(load_config(str(config_path))) as app:
        for channel in await app.store.channels.list():
            await app.store.subscriptions.add(
                channel.id, SubscriptionKind.TOPIC, "lattice OR agents", "lattice or agents", "t"
            )


@pytest.mark.slow
async def test_full_run_logs_status_and_store_hold_no_secret(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    """Slack and Discord bots plus both webhooks, every one failing in some way, at ``-vv``."""
    async with FakeServer() as arxiv, FakeSlack() as slack, FakeDiscord(token=DISCORD_TOKEN) as dc:
        slack.valid_tokens = {BOT_TOKEN, APP_TOKEN}
        slack.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "0"})
        slack.fail("chat.postMessage", "internal_error", status=500)
        arxiv.route("/rss/cs.AI", Reply(body=LISTING.read_bytes()))
        echo = f"invalid_payload (posted to {arxiv.url(SLACK_HOOK)})"  # a server echoing the URL
        arxiv.script(SLACK_HOOK, Reply(status=500), Reply(status=400, body=echo), method="POST")
        arxiv.route(SLACK_HOOK, Reply(body="ok"), method="POST")
        arxiv.script(
            DISCORD_HOOK,
            Reply(status=502),
            Reply(
                status=400,
                body=json.dumps(
                    {"message": f"bad request for {arxiv.url(DISCORD_HOOK)}", "code": 50006}
                ),
            ),
            method="POST",
        )
        arxiv.route(DISCORD_HOOK, Reply(body='{"id": "77"}'), method="POST")
        extra = (
            f'[slack]\napi_url = "{slack.api_url}"\n'
            f'[discord]\napi_url = "{dc.api}"\ngateway = false\n'
        )
        channels = webhook_channels(arxiv) + (
            '[[channels]]\nname = "s"\nplatform = "slack"\nchannel_id = "C0123"\n'
            '[[channels]]\nname = "d"\nplatform = "discord"\nchannel_id = "900"\n'
        )
        config = write_config(
            tmp_path / "paperbot.toml", tmp_path / "db.sqlite3", arxiv, extra, channels=channels
        )
        await subscribe_all(config)
        env = dict(
            cli_env,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_APP_TOKEN=APP_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING,
            DISCORD_BOT_TOKEN=DISCORD_TOKEN,
            OPENALEX_API_KEY=OPENALEX_KEY,
            S2_API_KEY=S2_KEY,
        )
        run = await run_paperbot(
            "-vv",
            "--config",
            str(config),
            "run",
            env=env,
            workdir=tmp_path / "logs",
            stop_after=6.0,
        )
        status = await run_paperbot(
            "--config", str(config), "status", env=env, workdir=tmp_path / "logs"
        )
        assert run.returncode == 0, run.err[-2000:]
        assert "DEBUG" in run.err and "GET " in run.err  # it really logged at -vv
        assert len(slack.calls("chat.postMessage")) >= 3
        assert arxiv.requests_for(SLACK_HOOK) and arxiv.requests_for(DISCORD_HOOK)
        assert "/services/T000/B000/***" in run.err  # the webhook is named, redacted
        assert "  Refused: " in status.out  # the echoing 400s are reported...
        assert "***" in status.out  # ...with the URL redacted
        assert_no_secret("run output", run.text)
        assert_no_secret("status", status.text)
        assert_no_secret("database", dump_database(tmp_path / "db.sqlite3"))


async def test_slack_invalid_auth_startup(tmp_path: Path, cli_env: dict[str, str]) -> None:
    async with FakeServer() as arxiv, FakeSlack() as slack:
        config = write_config(
            tmp_path / "paperbot.toml",
            tmp_path / "db.sqlite3",
            arxiv,
            f'[slack]\napi_url = "{slack.api_url}"\n',
            channels='[[channels]]\nname = "s"\nplatform = "slack"\nchannel_id = "C0123"\n',
        )
        env = dict(cli_env, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN)
        run = await run_paperbot(
            "-vv", "--config", str(config), "run", env=env, workdir=tmp_path / "logs"
        )
    assert run.returncode == 2
    assert run.err.strip().splitlines()[-1] == (
        "paperbot: Slack rejected SLACK_BOT_TOKEN (invalid_auth)"
    )
    assert "Traceback" not in run.err
    assert_no_secret("invalid_auth start-up", run.text)


async def test_discord_401_startup(tmp_path: Path, cli_env: dict[str, str]) -> None:
    async with FakeServer() as arxiv, FakeDiscord(token="the-real-token") as dc:
        config = write_config(
            tmp_path / "paperbot.toml",
            tmp_path / "db.sqlite3",
            arxiv,
            f'[discord]\napi_url = "{dc.api}"\ngateway = false\n',
            channels='[[channels]]\nname = "d"\nplatform = "discord"\nchannel_id = "900"\n',
        )
        env = dict(cli_env, DISCORD_BOT_TOKEN=DISCORD_TOKEN)
        run = await run_paperbot(
            "-vv", "--config", str(config), "run", env=env, workdir=tmp_path / "logs"
        )
        assert dc.requests  # it really tried the token
    assert run.returncode == 2
    last = run.err.strip().splitlines()[-1]
    assert last == "paperbot: Discord rejected DISCORD_BOT_TOKEN (401 Unauthorized)"
    assert_no_secret("Discord 401 start-up", run.text)


@pytest.mark.parametrize(
    ("platform", "env", "missing"),
    [
        ("slack", {}, "SLACK_BOT_TOKEN"),
        ("slack", {"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_APP_TOKEN"),
        ("discord", {}, "DISCORD_BOT_TOKEN"),
    ],
)
async def test_missing_env_vars_named_without_leaking(
    platform: str, env: dict[str, str], missing: str, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    async with FakeServer() as arxiv:
        config = write_config(
            tmp_path / "paperbot.toml",
            tmp_path / "db.sqlite3",
            arxiv,
            channels=f'[[channels]]\nname = "c"\nplatform = "{platform}"\nchannel_id = "900"\n',
        )
        run = await run_paperbot(
            "-vv",
            "--config",
            str(config),
            "run",
            env=dict(cli_env, **env),
            workdir=tmp_path / "logs",
        )
    assert run.returncode == 2
    last = run.err.strip().splitlines()[-1]
    assert last.startswith("paperbot: ") and missing in last
    assert_no_secret("missing-variable start-up", run.text)


@pytest.mark.parametrize(("mode", "warns"), [(0o644, True), (0o640, True), (0o600, False)])
async def test_world_readable_config_with_webhook_warns(
    mode: int, warns: bool, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    async with FakeServer() as arxiv:
        config = write_config(
            tmp_path / "paperbot.toml",
            tmp_path / "db.sqlite3",
            arxiv,
            mode=mode,
            channels=webhook_channels(arxiv),
        )
        run = await run_paperbot(
            "--config", str(config), "status", env=cli_env, workdir=tmp_path / "logs"
        )
    assert run.returncode == 0
    warning = [line for line in run.err.splitlines() if "readable by other users" in line]
    assert bool(warning) is warns, run.err
    if warns:
        assert "WARNING" in warning[0] and f"chmod 600 {config}" in warning[0]
    assert_no_secret("status", run.text)


async def test_unreachable_webhook_error_is_redacted(
    fake_server: FakeServer, make_app, tmp_path: Path, caplog
) -> None:
    """A webhook that cannot be reached: the stored error, ``status`` and logs show ``***``."""
    from support.hardening import free_port

    from bot.config import ChannelConfig

    base = make_config(tmp_path / "db.sqlite3", fake_server.base_url, categories=("cs.AI",))
    dead = f"http://127.0.0.1:{free_port()}"
    hooks = (
        ChannelConfig("sw", "slack-webhook", {"webhook_url": dead + SLACK_HOOK}),
        ChannelConfig("dw", "discord-webhook", {"webhook_url": dead + DISCORD_HOOK}),
    )
    app = await make_app(
        fake_server.base_url,
        config=replace(base, channels=hooks),
        adapters=("slack-webhook", "discord-webhook"),
    )
    fake_server.route("/rss/cs.AI", Reply(body=LISTING.read_bytes()))
    for channel in await app.store.channels.list():
        await app.store.subscriptions.add(
            channel.id, SubscriptionKind.TOPIC, "lattice", "lattice", "t"
        )
    caplog.set_level("DEBUG")
    await app.poller.poll_all()
    report = await app.deliverer.drain(0.5)
    assert report.retried >= 2 and report.sent == 0
    errors = [r[0] for r in await app.store.db.fetchall("SELECT last_error FROM outbox")]
    assert errors and all(e for e in errors)
    assert_no_secret("stored errors", "\n".join(errors))
    assert_no_secret("logs", caplog.text)
    assert "***" in caplog.text
    assert_no_secret("status", (await say(app, "status")).text)


async def test_limits_give_clear_messages(fake_server: FakeServer, make_app, tmp_path) -> None:
    base = make_config(tmp_path / "db.sqlite3", fake_server.base_url)
    limits = LimitsConfig(
        max_subscriptions_per_channel=3, max_query_length=40, commands_per_minute=8
    )
    app = await make_app(fake_server.base_url, config=replace(base, limits=limits))
    for n in range(3):
        assert not (await say(app, f"subscribe topic word{n}")).error
    full = await say(app, "subscribe topic word3")
    assert full.error
    assert "already has 3 subscriptions (the limit is 3)" in full.text
    assert "unsubscribe" in full.text
    long = await say(app, "lookup " + "x" * 41, user="bob")
    assert long.error and "too long (41 characters; at most 40)" in long.text
    # In a public chat (not the local console) a user gets 8 commands a minute, then is told
    # to slow down.
    assert app.front is not None

    async def in_slack(user: str) -> ChatReply:
        ctx = CommandContext(platform="slack", channel_name="slack:T1/C1", user_id=user)
        return await app.front.dispatch(ctx, "help")

    for _ in range(8):
        assert not (await in_slack("alice")).error
    slow = await in_slack("alice")
    assert slow.error and slow.text.startswith("Slow down: too many commands.")
    assert "Try again in" in slow.text
    assert not (await in_slack("carol")).error  # other users are not limited
    assert len(await app.store.subscriptions.list()) == 3


class EchoingAdapter:
    """A careless adapter: its refusals quote the webhook URL verbatim."""

    thread_kinds: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.calls = 0

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def deliver(self, outgoing) -> str | None:
        from bot.port import ChannelUnavailable, Refused, RetryLater

        self.calls += 1
        url = outgoing.destination.settings["webhook_url"]
        errors = [
            RetryLater(f"cannot reach {url}"),
            Refused(f"bad payload for {url}"),
            ChannelUnavailable(f"{url} is gone"),
        ]
        raise errors[min(self.calls - 1, 2)]


async def test_deliverer_scrubs_any_adapter_reason(
    fake_server: FakeServer, make_app, tmp_path: Path, caplog
) -> None:
    """Whatever an adapter puts in a reason, the webhook secret is masked before the reason is
    logged, stored or shown."""
    from bot.config import ChannelConfig

    base = make_config(tmp_path / "db.sqlite3", fake_server.base_url, categories=("cs.AI",))
    hook = ChannelConfig(
        "sw", "slack-webhook", {"webhook_url": "https://hooks.slack.com" + SLACK_HOOK}
    )
    app = await make_app(fake_server.base_url, config=replace(base, channels=(hook,)))
    app.adapters["slack-webhook"] = adapter = EchoingAdapter()  # type: ignore[assignment]
    fake_server.route("/rss/cs.AI", Reply(body=LISTING.read_bytes()))
    (channel,) = await app.store.channels.list()
    await app.store.subscriptions.add(channel.id, SubscriptionKind.TOPIC, "lattice", "lattice", "t")
    caplog.set_level("DEBUG")
    await app.poller.poll_all()
    for _ in range(3):
        await app.store.db.fetchall("UPDATE outbox SET not_before = 0")
        await app.deliverer.run_once()
    assert adapter.calls == 3
    status = (await say(app, "status")).text
    assert "Paused: https://hooks.slack.com/services/T000/B000/*** is gone" in status
    assert "bad payload for https://hooks.slack.com/services/T000/B000/***" in status
    assert_no_secret("status", status)
    assert_no_secret("logs", caplog.text)
    assert_no_secret("database", dump_database(tmp_path / "db.sqlite3"))
