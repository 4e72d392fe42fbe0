"""Slack link unfurls: an arXiv link posted where the app is gets the paper card.

Slack sends ``link_shared`` for a link whose domain the app lists in ``unfurl_domains``
(``arxiv.org``, ``doi.org``), in messages and in the message composer alike; the app answers
with ``chat.unfurl`` (``links:read`` to receive, ``links:write`` to answer). Unfurled are
arxiv.org ``abs`` and ``pdf`` links (``www.`` and ``export.`` too) and doi.org links of arXiv
DOIs (``10.48550/arXiv.…``); any other link of those domains (a journal's DOI, arXiv's listing
pages, ``html`` views) is left alone, as is a paper arXiv does not know. A paper not stored
is looked up like ``/paper lookup`` (and stored unannounced). At most :data:`MAX_LINKS` links
of one event are unfurled; each ``event_id`` is handled once (Slack retries events).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.errors import SlackApiError

from adapters.slack.reading import SlackHost
from adapters.slack.render import paper_blocks
from bot.chat.text import find_references
from bot.model import CommandContext

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

log = logging.getLogger(__name__)

MAX_LINKS = 5
ARXIV_HOSTS = frozenset({"arxiv.org", "www.arxiv.org", "export.arxiv.org"})
DOI_HOSTS = frozenset({"doi.org", "dx.doi.org", "www.doi.org"})


def unfurl_reference(url: str) -> str | None:
    """The arXiv id (with its version, when the link has one) an unfurlable link names, else
    None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").casefold()
    path = parts.path
    if host in ARXIV_HOSTS:
        if not (path.startswith("/abs/") or path.startswith("/pdf/")):
            return None
    elif host not in DOI_HOSTS:
        return None
    found = find_references(f"{host}{path}", limit=1)
    if not found or found[0].startswith("10."):  # a DOI that is not arXiv's
        return None
    return found[0]


class SlackUnfurls:
    """The ``link_shared`` handler, bound to one :class:`SlackHost` (the adapter)."""

    def __init__(self, adapter: SlackHost) -> None:
        self.adapter = adapter

    def register(self, app: AsyncApp) -> None:
        app.event("link_shared")(self.on_link_shared)

    async def on_link_shared(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        links = [str(link.get("url") or "") for link in event.get("links") or []]
        wanted = {url: ref for url in links if (ref := unfurl_reference(url))}
        if not wanted:
            return
        event_id = str(body.get("event_id") or "")
        if event_id and not await self.adapter.ctx.first_seen(event_id):
            log.info("Slack event %s retried: already handled", event_id)
            return
        unfurls = await self.cards(body, event, dict(list(wanted.items())[:MAX_LINKS]))
        if unfurls:
            await self.answer(event, unfurls)

    async def cards(
        self, body: dict[str, Any], event: dict[str, Any], wanted: dict[str, str]
    ) -> dict[str, Any]:
        """``{url: {"blocks": card}}`` for each link whose paper was found."""
        team = str(body.get("team_id") or self.adapter.team_id)
        channel = str(event.get("channel") or "")
        ctx = CommandContext(
            platform="slack",
            channel_name=f"slack:{team}/{channel}",
            external_id=channel,
            user_id=str(event.get("user") or ""),
            scope=f"slack:{team}",
        )
        unfurls: dict[str, Any] = {}
        for url, reference in wanted.items():
            reply = await self.adapter.ctx.dispatch(ctx, f"lookup {reference}")
            if reply.error or not reply.papers:
                log.info("not unfurling %s: %s", url, reply.text)
                continue
            unfurls[url] = {"blocks": paper_blocks(reply.papers[0])}
        return unfurls

    async def answer(self, event: dict[str, Any], unfurls: dict[str, Any]) -> None:
        client = self.adapter.client
        assert client is not None
        where: dict[str, Any] = {"channel": event.get("channel"), "ts": event.get("message_ts")}
        if event.get("unfurl_id") and event.get("source"):  # the composer has no message yet
            where = {"unfurl_id": event["unfurl_id"], "source": event["source"]}
        try:
            await client.chat_unfurl(unfurls=unfurls, **where)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            why = exc.response.get("error") if isinstance(exc, SlackApiError) else None
            log.warning("chat.unfurl failed: %s", why or type(exc).__name__)
