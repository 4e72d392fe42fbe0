"""A small fake of Discord's REST API (aiohttp, 127.0.0.1) for driving the REAL discord.py.

Point discord.py at it with ``discord.http.Route.BASE = fake.api`` (restore afterwards) or the
adapter's ``[discord] api_url``. It answers what the adapter uses: login (``/users/@me``,
``/oauth2/applications/@me``), command sync, ``/gateway/bot``, channel messages, threads,
interaction callbacks, followups, and incoming webhooks (``/api/webhooks/{id}/{token}``).

Pitfalls it respects: Content-Type exactly ``application/json``; interaction callbacks answer
``{"interaction": {...}}``; a 429 carries a ``Via`` header and a JSON ``retry_after``.
``fail(method, path, status, body)`` queues one-shot failures before the normal answer;
``stall(method, path, seconds)`` handles the next such request normally but answers late.
A message posted with a ``nonce`` and ``enforce_nonce`` is remembered: the same nonce in the
same channel again answers with the first message instead of a second one (Discord keeps a
nonce for a few minutes; ``created`` lists every message really made). A multipart request
(a message with an attachment) is recorded with its ``payload_json`` as ``json`` and its files.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

APP_ID = 1100000000000000001
BOT_ID = 1100000000000000002
GOOD_TOKEN = "fake-bot-token"


@dataclass
class Seen:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    #: Files of a multipart request (an attachment): name → bytes.
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass
class FakeDiscord:
    token: str = GOOD_TOKEN
    requests: list[Seen] = field(default_factory=list)
    base_url: str = ""
    _failures: dict[tuple[str, str], deque[tuple[int, Any, dict[str, str]]]] = field(
        default_factory=dict
    )
    _ids: Any = field(default_factory=lambda: itertools.count(1200000000000000001))
    _stalls: dict[tuple[str, str], deque[float]] = field(default_factory=dict)
    _nonces: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    created: list[dict[str, Any]] = field(default_factory=list)
    _runner: web.AppRunner | None = None

    @property
    def api(self) -> str:
        """The REST base discord.py should use (``Route.BASE``)."""
        return f"{self.base_url}/api/v10"

    async def __aenter__(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Answer the next ``method path`` (path after /api/v10, or a full /api/... path) once
        with ``status`` and JSON ``body``."""
        self._failures.setdefault((method, path), deque()).append((status, body, headers or {}))

    def stall(self, method: str, path: str, seconds: float) -> None:
        """Handle the next ``method path`` (path after /api/v10) but answer after ``seconds``."""
        self._stalls.setdefault((method, path), deque()).append(seconds)

    def sent(self, method: str, pattern: str) -> list[Seen]:
        """Requests whose path fully matches the regex ``pattern``."""
        return [r for r in self.requests if r.method == method and re.fullmatch(pattern, r.path)]

    def next_id(self) -> str:
        return str(next(self._ids))

    async def _handle(self, request: web.Request) -> web.Response:
        body: Any = None
        files: dict[str, bytes] = {}
        if request.content_type == "multipart/form-data":  # discord.py's way with files
            form = await request.post()
            body = json.loads(str(form.get("payload_json") or "null"))
            for value in form.values():
                if isinstance(value, web.FileField):
                    files[value.filename] = value.file.read()
        else:
            raw = await request.read()
            if raw and request.content_type == "application/json":
                body = json.loads(raw)
        seen = Seen(
            request.method, request.path, dict(request.query), dict(request.headers), body, files
        )
        self.requests.append(seen)
        short = request.path.removeprefix("/api/v10")
        for key in ((request.method, short), (request.method, request.path)):
            queue = self._failures.get(key)
            if queue:
                status, payload, headers = queue.popleft()
                return _json(payload if payload is not None else {}, status, headers)
        if request.path.startswith("/api/webhooks/"):
            return _json(self.message(request.path.split("/")[3], body), 200)
        if short != request.path and short.split("/")[1:2] != ["interactions"]:
            auth = request.headers.get("Authorization", "")
            if short.startswith(("/users", "/oauth2")) and auth != f"Bot {self.token}":
                return _json({"message": "401: Unauthorized", "code": 0}, 401)
        if short.startswith("/webhooks/") and request.method == "DELETE":
            return web.Response(status=204)  # delete_original_response
        answer = self._answer(request.method, short, body)
        stalls = self._stalls.get((request.method, short))
        if stalls:
            await asyncio.sleep(stalls.popleft())
        return _json(*answer)

    def _answer(self, method: str, path: str, body: Any) -> tuple[Any, int]:
        parts = path.strip("/").split("/")
        if path == "/users/@me":
            return user(BOT_ID, "paperbot", bot=True), 200
        if path == "/oauth2/applications/@me":
            return application(), 200
        if path == "/gateway/bot":
            gw = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
            return {"url": "ws://127.0.0.1:1/", "shards": 1, "session_start_limit": gw}, 200
        if parts[0] == "applications" and parts[-1] == "commands" and method == "PUT":
            # As Discord answers a bulk overwrite: each command with its id, and the empty
            # description it gives message and user commands.
            return [
                {"description": "", **c, "id": self.next_id(), "application_id": str(APP_ID)}
                for c in body
            ], 200
        if parts[0] == "channels" and parts[-1] == "messages" and method == "POST":
            nonce = (body or {}).get("nonce")
            if nonce and (body or {}).get("enforce_nonce"):
                key = (parts[1], str(nonce))
                if key not in self._nonces:
                    self._nonces[key] = self.message(parts[1], body)
                    self.created.append(self._nonces[key])
                return self._nonces[key], 200
            made = self.message(parts[1], body)
            self.created.append(made)
            return made, 200
        if parts[0] == "channels" and parts[-1] == "threads" and method == "POST":
            return thread(parts[3], parts[1], body["name"]), 201
        if parts[0] == "interactions" and parts[-1] == "callback":
            return {"interaction": {"id": parts[1], "type": 2}}, 200
        if parts[0] == "webhooks" and method == "POST":
            return self.message("1", body), 200
        if parts[0] == "webhooks" and method == "PATCH":
            return self.message("1", body), 200
        return {"message": "404: Not Found", "code": 0}, 404

    def message(self, channel_id: str, body: Any) -> dict[str, Any]:
        """A message object as Discord returns it for a post of ``body``."""
        body = body or {}
        return {
            "id": self.next_id(),
            "channel_id": channel_id,
            "type": 0,
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "attachments": [],
            "author": user(BOT_ID, "paperbot", bot=True),
            "timestamp": "2026-07-14T00:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "pinned": False,
            "flags": body.get("flags", 0),
            "nonce": body.get("nonce"),
        }


def _json(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly "application/json": with a charset discord.py reads the body as text.
    resp = web.Response(status=status, body=json.dumps(payload).encode(), headers=headers or {})
    resp.headers["Content-Type"] = "application/json"
    return resp


def user(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "avatar": None,
        "global_name": name,
        "bot": bot,
    }


def application() -> dict[str, Any]:
    return {
        "id": str(APP_ID),
        "name": "paperbot",
        "description": "",
        "icon": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "00",
        "owner": user(1, "owner"),
        "flags": 0,
    }


def thread(thread_id: str, parent_id: str, name: str) -> dict[str, Any]:
    return {
        "id": thread_id,
        "parent_id": parent_id,
        "guild_id": "900",
        "type": 11,
        "name": name,
        "owner_id": str(BOT_ID),
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 10080,
            "archive_timestamp": "2026-07-14T00:00:00+00:00",
            "locked": False,
        },
    }


def rate_limited(retry_after: float) -> tuple[int, dict[str, Any], dict[str, str]]:
    """A realistic 429: JSON ``retry_after`` plus the ``Via`` header Discord's edge adds."""
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
    header = str(max(int(retry_after), 1)) if math.isfinite(retry_after) else str(retry_after)
    return 429, body, {"Via": "1.1 google", "Retry-After": header}


def interaction(
    *,
    sub: str,
    options: list[dict[str, Any]] | None = None,
    autocomplete: bool = False,
    permissions: int = 0,
    guild_id: int = 900,
    channel_id: int = 500,
    user_id: int = 42,
) -> dict[str, Any]:
    """A raw INTERACTION_CREATE for ``/paper <sub> ...`` (type 2) or its autocomplete (4)."""
    return {
        "id": str(1300000000000000000 + user_id),
        "application_id": str(APP_ID),
        "type": 4 if autocomplete else 2,
        "token": "itoken-" + sub,
        "version": 1,
        "guild_id": str(guild_id),
        "channel_id": str(channel_id),
        "channel": {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(guild_id),
            "name": "papers",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
        },
        "app_permissions": str(0xFFFFFFFF),
        "attachment_size_limit": 10_000_000,
        "locale": "en-US",
        "member": {
            "user": user(user_id, "igor"),
            "roles": [],
            "joined_at": "2026-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": str(permissions),
        },
        "data": {
            "id": "1400000000000000000",
            "name": "paper",
            "type": 1,
            "guild_id": str(guild_id),
            "options": [{"name": sub, "type": 1, "options": options or []}],
        },
    }


def message_interaction(
    content: str, *, guild_id: int = 900, channel_id: int = 500, user_id: int = 42
) -> dict[str, Any]:
    """A raw INTERACTION_CREATE for the message command "Look up paper" on a message holding
    ``content`` (type 2, ``data.type`` 3, the message in ``data.resolved.messages``)."""
    payload = interaction(sub="x", guild_id=guild_id, channel_id=channel_id, user_id=user_id)
    target = "1500000000000000000"
    author = user(user_id + 1, "someone")
    message = {
        "id": target,
        "channel_id": str(channel_id),
        "type": 0,
        "content": content,
        "embeds": [],
        "attachments": [],
        "author": author,
        "timestamp": "2026-07-14T00:00:00+00:00",
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "pinned": False,
        "flags": 0,
    }
    payload["token"] = "itoken-message"
    payload["data"] = {
        "id": "1400000000000000001",
        "name": "Look up paper",
        "type": 3,
        "guild_id": str(guild_id),
        "target_id": target,
        "resolved": {"messages": {target: message}},
    }
    return payload
