"""A slow-loris flood on a real ``paperbot run`` in Slack HTTP mode, measured.

``paperbot run`` runs as a child process under a file limit (``ulimit -n``, 1,024 by default),
its Slack API and arXiv being local fakes. :func:`flood` then holds ``slow`` connections that
send partial request headers a byte at a time (re-opening each one the server closes, as an
attacker would), and meanwhile sends ``commands`` correctly signed ``/paper help`` commands
(``concurrency`` at a time), timing each acknowledgement. It reports the acknowledgement times,
the child's peak resident memory, how many alerts it delivered during the flood, and whether it
ever logged a failed ``accept()``.

Used by ``tests/e2e/test_slack_flood.py`` (slow) and ``bench/slack_flood.py`` (the figures).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import os
import resource
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

from support.fake_arxiv import FakeArxiv
from support.fake_slack import TEAM_ID, FakeSlack
from support.fakeweb import FakeServer

SECRET = "flood-signing-secret-0123456789"
TOKEN = "xoxb-flood-token"
REPO = Path(__file__).resolve().parents[2]
LISTING = REPO / "tests" / "fixtures" / "arxiv_rss_cs_ai_2026-07-14.xml"


@dataclass
class FloodResult:
    acks: list[float] = field(default_factory=list)  # seconds, one per command
    statuses: list[int] = field(default_factory=list)
    answered: int = 0  # answers that reached the response_url
    peak_rss_kb: int = 0
    alerts_during: int = 0
    slow_opened: int = 0
    slow_closed_by_server: int = 0
    accept_errors: int = 0
    stderr_tail: str = ""

    def percentile(self, q: float) -> float:
        ordered = sorted(self.acks)
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] if ordered else 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _signed(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    sig = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={sig}",
    }


def _raise_own_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _config(tmp: Path, port: int, slack: FakeSlack, arxiv: FakeArxiv) -> Path:
    config = tmp / "paperbot.toml"
    config.write_text(
        f'[database]\npath = "{tmp / "flood.sqlite3"}"\n'
        '[semantic_scholar]\napi_url = ""\n'
        f'[arxiv]\nrss_url = "{arxiv.rss_url}"\napi_url = "{arxiv.api_url}"\n'
        'categories = ["cs.AI"]\nmin_interval_seconds = 0\npoll_interval_seconds = 3600\n'
        "[delivery]\nper_channel_interval_seconds = 0.05\n"
        f'[slack]\nmode = "http"\nhttp_port = {port}\napi_url = "{slack.api_url}"\n'
        "[limits]\ncommands_per_minute = 100000\n"
        '[[channels]]\nname = "papers"\nplatform = "slack"\nchannel_id = "C0FLOOD"\n'
    )
    return config


async def _slow_client(port: int, stop: asyncio.Event, result: FloodResult) -> None:
    """One attacker connection: partial headers, a byte a second; re-opened when closed."""
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.5)
            continue
        result.slow_opened += 1
        try:
            writer.write(b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nX-a: ")
            while not stop.is_set():
                await asyncio.sleep(1.0)
                writer.write(b"a")
                await writer.drain()
                if reader.at_eof():
                    break
        except (ConnectionError, OSError):
            pass
        finally:
            result.slow_closed_by_server += 0 if stop.is_set() else 1
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()


async def _command(
    http: aiohttp.ClientSession, url: str, i: int, slack: FakeSlack
) -> tuple[float, int]:
    body = urlencode(
        {
            "token": "x", "team_id": TEAM_ID, "channel_id": "C0FLOOD", "user_id": f"U{i % 50:04d}",
            "user_name": "u", "command": "/paper", "text": "help",
            "response_url": slack.response_url, "trigger_id": f"{i}.1",
        }
    )  # fmt: skip
    started = time.monotonic()
    try:
        async with http.post(url, data=body, headers=_signed(body)) as resp:
            await resp.read()
            return time.monotonic() - started, resp.status
    except (aiohttp.ClientError, TimeoutError):
        return time.monotonic() - started, 0


async def _wait_listening(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            try:
                async with http.post(url, data="", headers=_signed("")) as resp:
                    if resp.status:
                        return
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.1)
    raise AssertionError("paperbot run never listened")


async def flood(
    tmp: Path,
    *,
    slow: int = 1000,
    commands: int = 2000,
    concurrency: int = 20,
    file_limit: int = 1024,
) -> FloodResult:
    """Run the flood described in the module docstring and return what was measured."""
    _raise_own_file_limit()
    result = FloodResult()
    port = _free_port()
    async with FakeSlack() as slack, FakeServer() as server:
        slack.valid_tokens.add(TOKEN)
        arxiv = FakeArxiv(server)
        arxiv.serve_listing("cs.AI", LISTING)
        config = _config(tmp, port, slack, arxiv)
        await _subscribe(config)
        env = {**os.environ, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET}
        env["PYTHONPATH"] = str(REPO)
        err_path = tmp / "run.err"
        with err_path.open("wb") as err:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "--config", str(config), "run",
                stdout=asyncio.subprocess.DEVNULL, stderr=err, env=env,
                preexec_fn=lambda: resource.setrlimit(
                    resource.RLIMIT_NOFILE, (file_limit, file_limit)
                ),
            )  # fmt: skip
            try:
                await _measure(proc.pid, port, slow, commands, concurrency, slack, result)
            finally:
                proc.terminate()
                await asyncio.wait_for(proc.wait(), 30)
        text = err_path.read_text(errors="replace")
        result.accept_errors = text.count("accept(") + text.count("Too many open files")
        result.stderr_tail = text[-2000:]
    return result


async def _measure(
    pid: int,
    port: int,
    slow: int,
    commands: int,
    concurrency: int,
    slack: FakeSlack,
    result: FloodResult,
) -> None:
    url = f"http://127.0.0.1:{port}/slack/events"
    await _wait_listening(url)
    stop = asyncio.Event()
    attackers = [asyncio.create_task(_slow_client(port, stop, result)) for _ in range(slow)]
    sampler = asyncio.create_task(_sample_rss(pid, stop, result))
    await asyncio.sleep(3.0 if slow else 0.5)  # the slow connections are all open now
    alerts_before = len(slack.calls("chat.postMessage"))
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(commands):
        queue.put_nowait(i)
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:

        async def worker() -> None:
            while not queue.empty():
                ack, status = await _command(http, url, queue.get_nowait(), slack)
                result.acks.append(ack)
                result.statuses.append(status)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    for _ in range(100):  # the answers follow through the response_url
        if len(slack.responses) >= commands:
            break
        await asyncio.sleep(0.1)
    result.answered = len(slack.responses)
    result.alerts_during = len(slack.calls("chat.postMessage")) - alerts_before
    stop.set()
    for task in (*attackers, sampler):
        task.cancel()
    await asyncio.gather(*attackers, sampler, return_exceptions=True)


async def _sample_rss(pid: int, stop: asyncio.Event, result: FloodResult) -> None:
    while not stop.is_set():
        result.peak_rss_kb = max(result.peak_rss_kb, _rss_kb(pid))
        await asyncio.sleep(0.2)


async def _subscribe(config: Path) -> None:
    """The flood's channel follows cs.AI: alerts are owed while the flood goes on."""
    from bot.app import App
    from bot.config import load_config
    from bot.model import SubscriptionKind

    async with App.open(load_config(str(config))) as app:
        channel = await app.store.channels.find("papers")
        assert channel is not None
        await app.store.subscriptions.add(
            channel.id, SubscriptionKind.CATEGORY, "cs.AI", "cs.ai", "t"
        )
