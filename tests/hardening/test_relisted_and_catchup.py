"""Listings that come back changed (reordered, re-dated, bumped versions) never repeat an
alert; an arXiv API page that comes back empty in the middle of catch-up paging is retried, and
when it stays empty the catch-up fails loudly and is redone on the next poll without doubles."""

from __future__ import annotations

import copy
import re
from datetime import date

from lxml import etree
from support.fake_arxiv import ATOM, FakeArxiv, alphastar_entry
from support.fakeweb import FakeServer, Reply
from support.hardening import LISTING, console_out, poll_with_commands, say

from bot.sources.arxiv_parse import parse_listing

BODY = LISTING.read_bytes()
FIRST = sum(1 for i in parse_listing(BODY).items if i.announce_type.is_first_announcement)
ALERT_MARK = "── new paper in console ──"


def relisted(body: bytes, *, reverse: bool, day: str | None, bump: bool) -> bytes:
    """The listing served again: items reversed, every date moved to ``day``, versions + 1."""
    root = etree.fromstring(body)
    channel = root.find("channel")
    items = channel.findall("item")
    if reverse:
        for item in items:
            channel.remove(item)
        for item in reversed(items):
            channel.append(item)
    out = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    if day:
        out = re.sub(rb"<pubDate>[^<]*</pubDate>", b"<pubDate>" + day.encode() + b"</pubDate>", out)
    if bump:

        def up(m: re.Match[bytes]) -> bytes:
            return m.group(1) + b"v" + str(int(m.group(2)) + 1).encode()

        out = re.sub(rb"(oai:arXiv\.org:\d{4}\.\d{4,5})v(\d+)", up, out)
        out = re.sub(rb"(arXiv:\d{4}\.\d{4,5})v(\d+)", up, out)
    return out


async def test_reordered_redated_bumped_listing_never_realerts(
    fake_server: FakeServer, make_app
) -> None:
    fake_server.route("/rss/cs.AI", Reply(body=BODY))
    app = await make_app(fake_server.base_url, categories=("cs.AI",))
    assert not (await say(app, "subscribe category cs.AI")).error
    await app.poller.poll_all()
    assert (await app.deliverer.drain(2.0)).sent == FIRST
    variants = [
        relisted(BODY, reverse=True, day=None, bump=False),
        relisted(BODY, reverse=True, day="Tue, 14 Jul 2026 00:00:00 -0400", bump=False),
        relisted(BODY, reverse=False, day="Tue, 14 Jul 2026 00:00:00 -0400", bump=True),
        relisted(BODY, reverse=True, day="Fri, 10 Jul 2026 00:00:00 -0400", bump=True),
    ]
    for body in variants:
        fake_server.route("/rss/cs.AI", Reply(body=body))
        report, _ = await poll_with_commands(app)
        assert report.results[0].ok and report.results[0].changed
        assert report.alerts == 0
        assert (await app.deliverer.drain(1.0)).sent == 0
    assert console_out(app).count(ALERT_MARK) == FIRST
    # The bumped versions were recorded; the announcement day was not moved.
    paper = await app.store.papers.get("2607.08773")
    assert paper is not None and paper.version == 2 and paper.announced == date(2026, 7, 13)
    states = await app.store.outbox.states()
    assert len(states) == FIRST and all(s[4] == "sent" for s in states)


def catchup_entries(count: int) -> list[etree._Element]:
    """``count`` cs.AI papers first submitted on a missed listing day (derived entries)."""
    entries = []
    for n in range(count):
        entry = copy.deepcopy(alphastar_entry())
        arxiv_id = f"2607.0{5000 + n}"
        entry.find(f"{ATOM}id").text = f"http://arxiv.org/abs/{arxiv_id}v1"
        entry.find(f"{ATOM}title").text = f"Caught up paper number {n}"
        for tag in ("published", "updated"):
            entry.find(f"{ATOM}{tag}").text = "2026-07-09T12:00:00Z"
        entries.append(entry)
    return entries


async def _gap_app(fake_server: FakeServer, make_app, empty_pages: dict[int, int]):
    arxiv = FakeArxiv(fake_server, page_cap=3)
    arxiv.catchup = catchup_entries(8)
    arxiv.empty_pages = dict(empty_pages)
    fake_server.route("/rss/cs.AI", Reply(body=BODY))
    app = await make_app(fake_server.base_url, categories=("cs.AI",))
    assert not (await say(app, "subscribe category cs.AI")).error
    # We last saw Wednesday's listing: Thursday's and Friday's were missed.
    await app.store.sources.record_success(
        app.arxiv.listing_url("cs.AI"),
        etag=None,
        last_modified=None,
        body_hash=None,
        pub_date=date(2026, 7, 8),
        items=10,
    )
    return app, arxiv


async def test_empty_api_page_mid_paging_is_retried(fake_server: FakeServer, make_app) -> None:
    app, arxiv = await _gap_app(fake_server, make_app, {3: 2, 6: 1})
    report, _ = await poll_with_commands(app)
    result = report.results[0]
    assert result.ok, result.error
    assert result.caught_up == 8
    starts = [int(r.query["start"]) for r in arxiv.api_requests]
    assert starts == [0, 3, 3, 3, 6, 6]
    assert (await app.deliverer.drain(2.0)).sent == FIRST + 8
    assert (await app.store.papers.get("2607.05007")) is not None


async def test_api_pages_stay_empty_catchup_fails_then_recovers(
    fake_server: FakeServer, make_app
) -> None:
    app, arxiv = await _gap_app(fake_server, make_app, {3: 100})
    report, _ = await poll_with_commands(app)
    result = report.results[0]
    assert not result.ok
    assert "kept returning empty pages at 3 of 8" in (result.error or "")
    assert "catch-up incomplete" in (await say(app, "status")).text
    # The listing itself was ingested: its alerts go out; none of the catch-up's yet.
    assert (await app.deliverer.drain(2.0)).sent == FIRST
    assert await app.store.papers.get("2607.05000") is None
    state = await app.store.sources.get(app.arxiv.listing_url("cs.AI"))
    assert state is not None and state.last_pub_date == date(2026, 7, 8)  # gap kept open
    arxiv.empty_pages.clear()
    report, _ = await poll_with_commands(app)
    assert report.results[0].ok and report.results[0].caught_up == 8
    assert (await app.deliverer.drain(2.0)).sent == 8
    assert console_out(app).count(ALERT_MARK) == FIRST + 8
    state = await app.store.sources.get(app.arxiv.listing_url("cs.AI"))
    assert state is not None and state.last_pub_date == date(2026, 7, 13)
    assert "failing" not in (await say(app, "status")).text
