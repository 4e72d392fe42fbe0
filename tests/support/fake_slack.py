"""A local fake of the Slack Web API (and of ``response_url`` / incoming-webhook endpoints).

Real slack_sdk / slack-bolt code talks to it over HTTP on 127.0.0.1::

    async with FakeSlack() as slack:
        client = AsyncWebClient(token="xoxb-test", base_url=slack.api_url, retry_handlers=[])
        slack.fail("chat.postMessage", "channel_not_found")          # next call only
        slack.fail("chat.postMessage", "ratelimited", status=429, headers={"Retry-After": "7"})
        ...
        slack.calls("chat.postMessage")[0]["channel"]

Each Web API method answers ``{"ok": true, ...}`` by default; ``fail`` queues one-off answers.
Every call's parameters (query, form or JSON body merged) are recorded in order.

Posted messages are kept per channel (``slack.messages[channel]``) with their ``metadata``, and
``conversations.history`` / ``conversations.replies`` serve them as Slack does (newest first,
``oldest`` honoured, metadata only with ``include_all_metadata``). ``files_upload_v2``'s three
steps land in ``slack.files``. Faults where Slack posted
the message but the answer says otherwise: ``fail(..., posted=True)`` (``fatal_error``) and
``stall(method, seconds, posted=True)`` (the answer comes too late, or never).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from support.fakeweb import FakeServer

TEAM_ID = "T0TEAM001"
BOT_USER = "U0BOT0001"


@dataclass
class Call:
    """One recorded request: the API method (or path) and its merged parameters."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlack:
    """Scriptable fake Slack; see the module docstring."""

    def __init__(self) -> None:
        self.server = FakeServer()
        self.log: list[Call] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.responses: list[dict[str, Any]] = []  # bodies POSTed to response URLs
        self._scripts: defaultdict[
            str, deque[tuple[int, dict[str, Any], dict[str, str], bool, float]]
        ] = defaultdict(deque)
        self.messages: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self._ts = itertools.count(1)
        self.valid_tokens = {"xoxb-test", "xapp-test"}
        self.sockets: list[web.WebSocketResponse] = []
        self.socket_messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        #: Files shared by ``files_upload_v2``: {"channel", "filename", "title", "content",
        #: "initial_comment"}, once files.completeUploadExternal names the channel.
        self.files: list[dict[str, Any]] = []
        self._uploads: dict[str, dict[str, Any]] = {}

    async def __aenter__(self) -> FakeSlack:
        await self.server.start()
        # FakeServer matches exact paths: one route per known Web API method.
        for method in (
            "auth.test",
            "chat.postMessage",
            "chat.update",
            "users.info",
            "apps.connections.open",
            "conversations.history",
            "conversations.replies",
            "files.getUploadURLExternal",
            "files.completeUploadExternal",
            "chat.unfurl",
        ):
            self.server.route(f"/api/{method}", self._api, method="*")
        self.server.route("/upload/1", self._upload, method="POST")
        self.server.route("/respond/1", self._respond, method="POST")
        self.server.route("/socket", self._socket, method="GET")
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.server.close()

    @property
    def api_url(self) -> str:
        """Base URL for ``AsyncWebClient(base_url=...)``."""
        return self.server.url("/api/")

    @property
    def response_url(self) -> str:
        """A ``response_url`` to put in slash-command and action payloads."""
        return self.server.url("/respond/1")

    def fail(
        self,
        method: str,
        error: str,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        posted: bool = False,
        **extra: Any,
    ) -> None:
        """Make the next call of ``method`` answer ``{"ok": false, "error": error}``; with
        ``posted``, the message is posted all the same (Slack's ``fatal_error``)."""
        body = {"ok": False, "error": error, **extra}
        self._scripts[method].append((status, body, headers or {}, posted, 0.0))

    def stall(self, method: str, seconds: float, *, posted: bool = True) -> None:
        """The next call of ``method`` is handled (posted, with ``posted``) but answered only
        after ``seconds``."""
        self._scripts[method].append((200, {}, {}, posted, seconds))

    def calls(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every call to ``method``, oldest first."""
        return [c.params for c in self.log if c.method == method]

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if raw and request.content_type == "application/json":
            params.update(json.loads(raw))
        elif raw:
            params.update(parse_qsl(raw.decode()))
        return params

    async def _api(self, request: web.Request) -> web.Response:
        method = request.path.removeprefix("/api/")
        params = await self._params(request)
        self.log.append(Call(method, params, dict(request.headers)))
        if self._scripts[method]:
            status, body, headers, posted, delay = self._scripts[method].popleft()
            answer = self._answer(method, params) if posted or delay else {}
            if delay:
                await asyncio.sleep(delay)
                body = {"ok": True, **answer}
            return web.json_response(body, status=status, headers=headers)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.valid_tokens:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response({"ok": True, **self._answer(method, params)})

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "team_id": TEAM_ID,
                "team": "Test",
                "user_id": BOT_USER,
                "bot_id": "B0BOT",
                "url": "https://test.slack.com/",
            }
        if method in ("chat.postMessage", "chat.update"):
            ts = params.get("ts") or f"{time.time():.0f}.{next(self._ts):06d}"
            message = {"type": "message", "ts": ts, "text": params.get("text", "")}
            for key in ("metadata", "thread_ts", "blocks"):
                if key in params:
                    message[key] = params[key]
            if method == "chat.postMessage":
                self.messages[str(params.get("channel"))].append(message)
            return {"channel": params.get("channel"), "ts": ts, "message": {"ts": ts}}
        if method in ("conversations.history", "conversations.replies"):
            return {"messages": self._history(method, params), "has_more": False}
        if method == "apps.connections.open":
            return {"url": self.server.url("/socket").replace("http://", "ws://")}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            self._uploads[file_id] = {"filename": params.get("filename"), "content": b""}
            url = self.server.url("/upload/1") + f"?file={file_id}"
            return {"upload_url": url, "file_id": file_id}
        if method == "files.completeUploadExternal":
            return {"files": self._complete(params)}
        if method == "users.info":
            user = params.get("user", "")
            return {"user": self.users.get(user, {"id": user, "is_admin": False})}
        return {}

    def _history(self, method: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        oldest = float(params.get("oldest") or 0)
        found = self.messages.get(str(params.get("channel")), [])
        if method == "conversations.replies":
            parent = params.get("ts")
            found = [m for m in found if m["ts"] == parent or m.get("thread_ts") == parent]
        else:
            found = [m for m in found if "thread_ts" not in m]
        with_meta = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
        shown = [
            {k: v for k, v in m.items() if k != "metadata" or with_meta}
            for m in found
            if float(m["ts"]) >= oldest
        ]
        return sorted(shown, key=lambda m: float(m["ts"]), reverse=True)

    async def _upload(self, request: web.Request) -> web.Response:
        """Step 2 of files_upload_v2: the file's bytes POSTed to the upload URL."""
        self._uploads[request.query["file"]]["content"] = await request.read()
        return web.Response(text="OK - 0")

    def _complete(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        files = params.get("files")
        listed = json.loads(files) if isinstance(files, str) else files or []
        done = []
        for item in listed:
            upload = self._uploads.pop(item["id"])
            self.files.append(
                {
                    "channel": params.get("channel_id"),
                    "filename": upload["filename"],
                    "title": item.get("title"),
                    "content": upload["content"].decode(),
                    "initial_comment": params.get("initial_comment"),
                }
            )
            done.append({"id": item["id"], "title": item.get("title")})
        return done

    async def _respond(self, request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        self.responses.append(body)
        self.log.append(Call("response_url", body, dict(request.headers)))
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, then queue every message the app sends (its acks)."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1})
        async for msg in ws:
            if msg.type == web.WSMsgType.TEXT:
                await self.socket_messages.put(json.loads(msg.data))
        return ws

    async def send_envelope(self, kind: str, payload: dict[str, Any], envelope_id: str) -> None:
        """Push a Socket Mode envelope (``slash_commands``, ``interactive``) to the app."""
        await self.sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": True,
            }
        )
