"""Discord's answers by what they mean for the message: its JSON error codes first (the
``code`` of the error body, discord.py's ``HTTPException.code``), then the HTTP status.

* **retry**: Discord did not take it now (slowmode, the channel's write limit, an overloaded
  resource, 429 without a usable Retry-After, 5xx: re-posting with the same nonce is safe);
* **pause**: nothing reaches this channel until a person acts (unknown channel, missing access
  or permissions, the token);
* **refuse**: this message will never be accepted as it is (invalid form body, too large,
  an archived or locked thread for a reply); ``paperbot retry`` re-queues it.

A code not listed falls back to its HTTP status: 401/403/404 pause, 429 and 5xx retry, other
4xx refuse.
"""

from __future__ import annotations

import discord

from bot.port import ChannelUnavailable, DeliveryError, Refused, RetryLater

RETRY_CODES = {
    20016: "slowmode is on in this channel",
    20028: "the channel's write rate limit was hit",
    30046: "the channel's edit limit was hit",
    130000: "the API resource is overloaded",
}
PAUSE_CODES = {
    10003: "unknown channel",
    10004: "unknown guild: the bot was removed from it",
    40002: "the bot's account must be verified",
    50001: "missing access: invite the bot to the channel",
    50007: "cannot send messages to this user",
    50013: "missing permissions (Send Messages, Embed Links, Create Public Threads)",
    50024: "the bot cannot post in this kind of channel",
    160002: "the bot cannot read this channel's history (View Channel, Read Message History)",
}
REFUSE_CODES = {
    10008: "unknown message (the alert was deleted)",
    40005: "request entity too large",
    50006: "cannot send an empty message",
    50035: "invalid form body",
    50083: "the thread is archived",
    50109: "the request body is not valid JSON",
    160005: "the thread is locked",
    240000: "blocked by the server's AutoMod (harmful links)",
    200000: "blocked by the server's AutoMod",
}


def delivery_error(exc: discord.HTTPException) -> DeliveryError:
    """A discord.py HTTP error as the delivery contract."""
    text = (exc.text or "").strip()
    detail = f": {text}" if text else ""
    code = exc.code
    if code in RETRY_CODES:
        return RetryLater(f"Discord {code}: {RETRY_CODES[code]}")
    if code in PAUSE_CODES:
        return ChannelUnavailable(f"Discord {code}: {PAUSE_CODES[code]} (HTTP {exc.status})")
    if code in REFUSE_CODES:
        return Refused(f"Discord {code}: {REFUSE_CODES[code]}{detail}"[:500])
    if isinstance(exc, discord.Forbidden):
        return ChannelUnavailable(f"missing permissions (403){detail}")
    if isinstance(exc, discord.NotFound):
        return ChannelUnavailable(f"unknown channel (404){detail}")
    if exc.status == 401:
        return ChannelUnavailable("Discord rejected the bot token (401)")
    if exc.status == 429 or exc.status >= 500:  # 429 without Via: Cloudflare, back off
        return RetryLater(f"Discord answered HTTP {exc.status}")
    return Refused(f"HTTP {exc.status}: {text or 'refused'}"[:500])
