"""Slack link unfurls through real slack-bolt (HTTP mode) against the local fake Slack:
``link_shared`` in, ``chat.unfurl`` with the paper card out."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from support.adapters import adapter_context, store_commands
from support.fake_slack import FakeSlack
from support.slack_events import SECRET, event_callback, post

from adapters.slack.bot import SlackAdapter
from adapters.slack.unfurl import unfurl_reference
from bot.config import Config
from bot.model import Paper
from bot.store import Store

CHANNEL = "C0PAPERS"
PAPER = Paper(
    "2308.03526", 2, "AlphaStar Unplugged", ("Ann Lee",), "We study it.", "cs.AI", ("cs.AI",)
)
ABS = "https://arxiv.org/abs/2308.03526v2"
PDF = "https://arxiv.org/pdf/2308.03526"
DOI = "https://doi.org/10.48550/arXiv.2308.03526"


@pytest.mark.parametrize(
    ("url", "reference"),
    [
        (ABS, "2308.03526v2"),
        (PDF, "2308.03526"),
        ("https://export.arxiv.org/pdf/2308.03526v1.pdf", "2308.03526v1"),
        ("http://www.arxiv.org/abs/hep-th/9901001", "hep-th/9901001"),
        (DOI, "2308.03526"),
        ("https://dx.doi.org/10.48550/ARXIV.2308.03526", "2308.03526"),
        ("https://doi.org/10.1103/PhysRevD.76.013009", None),  # not arXiv's DOI
        ("https://arxiv.org/list/cs.AI/new", None),
        ("https://arxiv.org/html/2308.03526v2", None),
        ("https://example.org/abs/2308.03526", None),
    ],
)
def test_which_links_are_unfurled(url: str, reference: str | None) -> None:
    assert unfurl_reference(url) == reference


@pytest.fixture
async def slack():
    async with FakeSlack() as fake:
        yield fake


@pytest.fixture
async def bot(slack: FakeSlack, store: Store, tmp_path: Path):
    await store.papers.save_looked_up([PAPER])
    settings = {"mode": "http", "http_port": 0, "api_url": slack.api_url}
    config = Config(database_path=tmp_path / "db.sqlite3", sections={"slack": settings})
    ctx = adapter_context(config, "slack", front=store_commands(store, config), store=store)
    env = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET}
    adapter = SlackAdapter(ctx, env=env)
    await adapter.start()
    yield adapter
    await adapter.stop()


def link_shared(urls: list[str], **extra: str) -> dict[str, object]:
    return {
        "type": "link_shared",
        "channel": CHANNEL,
        "is_bot_user_member": True,
        "user": "U0ALICE",
        "message_ts": "1700000000.000100",
        "links": [{"domain": url.split("/")[2], "url": url} for url in urls],
        "event_ts": "1700000000.000200",
        **extra,
    }


async def unfurled(slack: FakeSlack, count: int = 1) -> list[dict[str, object]]:
    deadline = time.monotonic() + 5
    while len(slack.calls("chat.unfurl")) < count:
        assert time.monotonic() < deadline, "no chat.unfurl"
        await asyncio.sleep(0.02)
    return slack.calls("chat.unfurl")


async def test_arxiv_links_get_the_paper_card(bot: SlackAdapter, slack: FakeSlack) -> None:
    other = "https://doi.org/10.1103/PhysRevD.76.013009"
    body = event_callback(link_shared([ABS, PDF, DOI, other]))
    assert (await post(bot.port, body, json_body=True))[0] == 200
    (call,) = await unfurled(slack)
    assert call["channel"] == CHANNEL and call["ts"] == "1700000000.000100"
    unfurls = json.loads(call["unfurls"]) if isinstance(call["unfurls"], str) else call["unfurls"]
    assert set(unfurls) == {ABS, PDF, DOI}
    card = unfurls[ABS]["blocks"]
    assert card[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "AlphaStar Unplugged", "emoji": False},
    }
    assert "We study it." in json.dumps(card)


async def test_the_composer_is_answered_by_unfurl_id(bot: SlackAdapter, slack: FakeSlack) -> None:
    event = link_shared([ABS], unfurl_id="U123.abc", source="composer", channel="COMPOSER")
    await post(bot.port, event_callback(event), json_body=True)
    (call,) = await unfurled(slack)
    assert call["unfurl_id"] == "U123.abc" and call["source"] == "composer"
    assert "channel" not in call


async def test_unknown_papers_other_links_and_retries_are_not_unfurled(bot, slack) -> None:
    missing = "https://arxiv.org/abs/2312.99999"
    body = event_callback(link_shared(["https://arxiv.org/list/cs.AI/new", missing]))
    await post(bot.port, body, json_body=True)
    first = event_callback(link_shared([ABS]), "Ev0LINK")
    await post(bot.port, first, json_body=True)
    await unfurled(slack)
    await post(bot.port, first, json_body=True, retry=1)  # Slack's retry: handled already
    await asyncio.sleep(0.3)
    (call,) = slack.calls("chat.unfurl")
    assert ABS in json.dumps(call)


async def test_the_events_request_url_answers_slacks_challenge(bot: SlackAdapter) -> None:
    body = json.dumps(
        {"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9C", "type": "url_verification"}
    )
    status, text = await post(bot.port, body, json_body=True)
    assert status == 200 and "3eZbrw1aBm2rZgRNFdxV2595E9C" in text
