"""Signed requests to a Slack adapter in HTTP mode (real signatures, a real 127.0.0.1
socket): Events API callbacks and interactivity payloads, shaped as Slack sends them."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

import aiohttp

from support.fake_slack import TEAM_ID

SECRET = "test-signing-secret-0123456789"
_EVENT_IDS = itertools.count(1)


def sign(body: str, timestamp: int, secret: str = SECRET) -> str:
    """Slack's request signature: v0= + hex HMAC-SHA256 over ``v0:{ts}:{body}``."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


async def post(
    port: int | None, body: str, *, json_body: bool = False, retry: int = 0
) -> tuple[int, str]:
    """POST ``body`` to ``/slack/events``, signed; ``retry``: Slack's retry headers."""
    ts = int(time.time())
    headers = {
        "Content-Type": "application/json" if json_body else "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": sign(body, ts),
    }
    if retry:
        headers["X-Slack-Retry-Num"] = str(retry)
        headers["X-Slack-Retry-Reason"] = "http_timeout"
    url = f"http://127.0.0.1:{port}/slack/events"
    async with aiohttp.ClientSession() as s, s.post(url, data=body, headers=headers) as resp:
        return resp.status, await resp.text()


def event_callback(event: dict[str, Any], event_id: str | None = None) -> str:
    """An Events API ``event_callback`` envelope around ``event`` (a JSON body)."""
    return json.dumps(
        {
            "token": "x",
            "team_id": TEAM_ID,
            "api_app_id": "A0APP",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_EVENT_IDS):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": "U0BOT0001", "is_bot": True}],
        }
    )


def reaction(kind: str, channel: str, ts: str, user: str, name: str = "pushpin") -> dict[str, Any]:
    """A ``reaction_added`` / ``reaction_removed`` event on the message ``ts``."""
    return {
        "type": kind,
        "user": user,
        "reaction": name,
        "item": {"type": "message", "channel": channel, "ts": ts},
        "item_user": "U0BOT0001",
        "event_ts": f"{time.time():.6f}",
    }


def block_action(
    action_id: str, value: str, channel: str, message_ts: str, response_url: str, user: str
) -> str:
    """A ``block_actions`` payload (a button pressed on the message ``message_ts``)."""
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM_ID, "domain": "test"},
        "user": {"id": user, "username": "alice", "name": "alice", "team_id": TEAM_ID},
        "api_app_id": "A0APP",
        "token": "x",
        "trigger_id": "1.2.3",
        "channel": {"id": channel, "name": "papers"},
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "message": {"type": "message", "ts": message_ts, "text": ""},
        "response_url": response_url,
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "value": value,
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})
