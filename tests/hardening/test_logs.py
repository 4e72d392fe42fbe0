"""What reaches the log (#12 item 8): no request body, no response_url, no forged line, no
megabyte line — whatever an unauthenticated client sends to the Slack HTTP port.

On main d7e86c4, slack_bolt (given the adapter's logger) logged the whole body of every badly
signed request at ``-v`` (one 1 MB POST made a 1,000,312-character line, and its newlines
started lines of their own) and, at ``-vv``, each command's ``response_url``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import signal
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from support.fake_arxiv import FakeArxiv
from support.fake_slack import TEAM_ID, FakeSlack
from support.fakeweb import FakeServer
from support.hardening import free_port

from bot.cli.logs import MAX_LOG_CHARS, safe_message

SECRET = "log-test-signing-secret-0123"
TOKEN = "xoxb-log-test-token"
EMPTY = Path(__file__).parent.parent / "fixtures" / "arxiv_rss_cs_ai_empty_holiday_2025-12-31.xml"
FORGED = "2026-07-14 00:00:00,000 ERROR paperbot: FORGED admin password reset"
RESPONSE_SECRET = "Qx7pLr2kVmB9tWzYc4nH8sDf"


def test_safe_message_is_one_capped_redacted_line() -> None:
    raw = "body: a=1\n" + FORGED + "\r\n" + "x" * 5000
    raw += " response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1%2F2%2F" + RESPONSE_SECRET
    text = safe_message(raw)
    assert "\n" not in text and "\r" not in text and "\\n" + FORGED in text
    assert len(text) <= MAX_LOG_CHARS + 40 and text.endswith("more characters)")
    assert RESPONSE_SECRET not in safe_message(raw[-200:])
    assert RESPONSE_SECRET not in safe_message(
        f"url https://hooks.slack.com/commands/T1/2/{RESPONSE_SECRET}"
    )


def signed(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    sig = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={sig}",
    }


async def test_vv_run_logs_no_body_no_response_url_and_no_forged_line(tmp_path) -> None:
    port = free_port()
    async with FakeSlack() as slack, FakeServer() as server:
        slack.valid_tokens.add(TOKEN)
        arxiv = FakeArxiv(server)
        arxiv.serve_listing("cs.AI", EMPTY)
        config = tmp_path / "paperbot.toml"
        config.write_text(
            f'[database]\npath = "{tmp_path / "db.sqlite3"}"\n'
            '[semantic_scholar]\napi_url = ""\n[arxiv]\n'
            f'rss_url = "{arxiv.rss_url}"\napi_url = "{arxiv.api_url}"\ncategories = ["cs.AI"]\n'
            f'[slack]\nmode = "http"\nhttp_port = {port}\napi_url = "{slack.api_url}"\n'
        )
        env = {**os.environ, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET}
        env["PYTHONPATH"] = str(Path(__file__).parents[2])
        err_file = (tmp_path / "run.err").open("wb")  # a file: a pipe left unread would block it
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--config", str(config), "-vv", "run",
            stdout=asyncio.subprocess.DEVNULL, stderr=err_file, env=env,
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}/slack/events"
            timeout = aiohttp.ClientTimeout(total=20)
            async with aiohttp.ClientSession(timeout=timeout) as http:
                for _ in range(100):
                    try:
                        async with http.post(url, data="", headers=signed("")):
                            break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.1)
                bad = "text=BODYMARK" + "y" * 1_000_000 + "\n" + FORGED + "\n"
                headers = dict(signed(bad), **{"X-Slack-Signature": "v0=" + "0" * 64})
                async with http.post(url, data=bad, headers=headers) as resp:
                    assert resp.status == 401
                response_url = slack.server.url(f"/respond/1?{RESPONSE_SECRET}")
                body = urlencode(
                    {
                        "team_id": TEAM_ID, "channel_id": "C1", "user_id": "U1", "user_name": "u",
                        "command": "/paper", "text": "help", "response_url": response_url,
                        "trigger_id": "1.2",
                    }
                )  # fmt: skip
                async with http.post(url, data=body, headers=signed(body)) as resp:
                    assert resp.status == 200
                for _ in range(100):
                    if slack.responses:
                        break
                    await asyncio.sleep(0.05)
        finally:
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), 30)
            err_file.close()
    log = (tmp_path / "run.err").read_text(errors="replace")
    assert "DEBUG" in log  # it really logged at -vv
    assert "BODYMARK" not in log
    assert not any(line.startswith(FORGED) for line in log.splitlines())
    assert max(len(line) for line in log.splitlines()) < MAX_LOG_CHARS + 200
    assert RESPONSE_SECRET not in log
    assert slack.responses  # the command was answered (through its response_url)
