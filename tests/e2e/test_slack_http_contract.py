"""The HTTP-mode contract, exactly as documented, with the real `paperbot run` process:

`paperbot --config FILE run` with `[slack] mode = "http"`, `http_port = N`, `api_url = URL`
serves `POST /slack/events`, answers slash commands there, posts alerts for `platform = "slack"`
channels with `chat.postMessage` to `api_url`, and `paperbot subscriptions` lists what Slack
subscribed under `slack:<team_id>/<channel_id>`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import signal
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest
from support.fake_arxiv import FakeArxiv
from support.fake_slack import TEAM_ID, FakeSlack
from support.fakeweb import FakeServer

pytestmark = pytest.mark.slow

SECRET = "contract-signing-secret-42"
TOKEN = "xoxb-contract-token-0042"
FIXTURES = Path(__file__).parent.parent / "fixtures"
EMPTY = FIXTURES / "arxiv_rss_cs_ai_empty_holiday_2025-12-31.xml"
LISTING = FIXTURES / "arxiv_rss_cs_ai_2026-07-14.xml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def signed(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    sig = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={sig}",
    }


async def paperbot(config: Path, *args: str, env: dict[str, str]) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode(), err.decode()


async def test_http_mode_contract(tmp_path: Path) -> None:
    port = free_port()
    async with FakeSlack() as slack, FakeServer() as server:
        arxiv = FakeArxiv(server)
        arxiv.serve_listing("cs.AI", EMPTY)
        config = tmp_path / "paperbot.toml"
        config.write_text(
            f"""
[database]
path = "db.sqlite3"
[semantic_scholar]
api_url = ""
[arxiv]
rss_url = "{arxiv.rss_url}"
api_url = "{arxiv.api_url}"
categories = ["cs.AI"]
min_interval_seconds = 0.05
poll_interval_seconds = 1
[delivery]
per_channel_interval_seconds = 0
[slack]
mode = "http"
http_host = "127.0.0.1"
http_port = {port}
api_url = "{slack.api_url}"
"""
        )
        env = {**os.environ, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET}
        env["PYTHONPATH"] = str(Path(__file__).parents[2])
        slack.valid_tokens.add(TOKEN)
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "--config",
            str(config),
            "run",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        try:
            url = f"http://127.0.0.1:{port}/slack/events"
            async with aiohttp.ClientSession() as http:
                for _ in range(100):  # wait for the server to listen
                    try:
                        async with http.post(url, data="", headers=signed("")) as resp:
                            if resp.status:
                                break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.1)
                body = urlencode(
                    {
                        "team_id": TEAM_ID,
                        "channel_id": "C0PAPERS",
                        "user_id": "U0ALICE",
                        "user_name": "alice",
                        "command": "/paper",
                        "text": "subscribe author Jo\\~ao Marques-Silva",
                        "response_url": slack.response_url,
                        "trigger_id": "1.2.3",
                    }
                )
                async with http.post(url, data=body, headers=signed(body)) as resp:
                    assert resp.status == 200
                    answer = await resp.text()
                bad = dict(signed(body), **{"X-Slack-Signature": "v0=" + "0" * 64})
                async with http.post(url, data=body, headers=bad) as resp:
                    assert resp.status == 401
            replies = answer + " ".join(str(r) for r in slack.responses)
            assert "Subscribed #1" in replies
            # Now arXiv announces the listing holding the subscribed author's paper.
            arxiv.serve_listing("cs.AI", LISTING)
            for _ in range(150):
                if slack.calls("chat.postMessage"):
                    break
                await asyncio.sleep(0.1)
            for _ in range(100):  # the alert, then the full abstract in its thread
                if len(slack.calls("chat.postMessage")) >= 2:
                    break
                await asyncio.sleep(0.1)
            posts = slack.calls("chat.postMessage")
            assert [p["channel"] for p in posts][:1] == ["C0PAPERS"]
            assert "Interval Certifications" in str(posts[0])
            alert_ts = slack.messages["C0PAPERS"][0]["ts"]  # the alert, as the fake posted it
            assert posts[1].get("thread_ts") == alert_ts
            assert "ParallelepipedoNN" in str(posts[1])  # the abstract's last sentence
            # arXiv serves the listing again with the paper at v2: a thread note, no new alert.
            bumped = tmp_path / "bumped.xml"
            bumped.write_bytes(LISTING.read_bytes().replace(b"2607.08773v1", b"2607.08773v2"))
            arxiv.serve_listing("cs.AI", bumped)
            for _ in range(100):
                if len(slack.calls("chat.postMessage")) >= 3:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.5)  # a wrongly repeated alert would arrive by now
            posts = slack.calls("chat.postMessage")
            assert len(posts) == 3
            assert posts[2].get("thread_ts") == alert_ts
            assert "v2" in str(posts[2])
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(proc.communicate(), 20)
        assert proc.returncode == 0, err.decode()
        assert TOKEN not in out.decode() + err.decode()
        assert SECRET not in out.decode() + err.decode()
        code, out_s, _ = await paperbot(config, "subscriptions", env=env)
        assert code == 0
        assert f"slack:{TEAM_ID}/C0PAPERS\tauthor\tJo\\~ao Marques-Silva" in out_s
