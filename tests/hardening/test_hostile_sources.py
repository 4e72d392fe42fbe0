"""Bad listings and bad servers: one category (cs.LG) is hostile, the other (cs.AI) serves a
real listing. Every case checks the same three things: cs.AI's alerts are delivered, cs.LG's
failure is recorded with a clear reason that ``status`` shows, and chat commands keep working
during and after the poll."""

from __future__ import annotations

import asyncio
import re
import time
import tracemalloc
from pathlib import Path

import pytest
from support.fakeweb import FakeServer, Reply
from support.hardening import (
    LISTING,
    console_out,
    dump_database,
    free_port,
    poll_with_commands,
    say,
)

from bot.app import App
from bot.sources.arxiv_parse import parse_listing

LISTING_BODY = LISTING.read_bytes()
EXPECTED_ALERTS = sum(
    1
    for i in parse_listing(LISTING_BODY, category="cs.AI").items
    if i.announce_type.is_first_announcement
)
RSS_HEADERS = {"Content-Type": "application/rss+xml; charset=utf-8"}

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title>
<guid>oai:arXiv.org:2607.99001v1</guid></item></channel></rss>
"""


def xxe_document(target: Path, *, external_dtd: bool = False) -> bytes:
    """An RSS document whose entity would pull ``target``'s content into an item title."""
    uri = target.as_uri()
    if external_dtd:
        # No internal subset: the entity is declared in a DTD file the parser must not load.
        head = f'<!DOCTYPE rss SYSTEM "{uri}">'
    else:
        head = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "{uri}">]>'
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{head}\n<rss version="2.0"><channel>'
        "<title>cs.LG updates on arXiv.org</title>"
        "<pubDate>Mon, 13 Jul 2026 00:00:00 -0400</pubDate><item><title>&xxe;</title>"
        "<guid>oai:arXiv.org:2607.99001v1</guid><category>cs.LG</category>"
        "<description>arXiv:2607.99001v1 Announce Type: new Abstract: &xxe;</description>"
        "</item></channel></rss>"
    ).encode()


def not_utf8() -> bytes:
    """The real listing with Latin-1 bytes in a title while it declares UTF-8."""
    return LISTING_BODY.replace(b"Interval Certifications", b"Interval Certifi\xe9ations", 1)


async def setup(server: FakeServer, make_app, **arxiv) -> App:
    server.route("/rss/cs.AI", Reply(body=LISTING_BODY, headers=RSS_HEADERS))
    app = await make_app(server.base_url, **arxiv)
    for line in ("subscribe category cs.AI", "subscribe category cs.LG"):
        assert not (await say(app, line)).error
    return app


async def assert_isolated_failure(app: App, report, reason: str) -> str:
    """cs.AI delivered, cs.LG failed with ``reason`` (a regex) shown by ``status``."""
    by_cat = {r.category: r for r in report.results}
    assert by_cat["cs.AI"].ok, by_cat["cs.AI"].error
    assert not by_cat["cs.LG"].ok
    assert re.search(reason, by_cat["cs.LG"].error or ""), by_cat["cs.LG"].error
    drained = await app.deliverer.drain(2.0)
    assert drained.sent == EXPECTED_ALERTS
    assert console_out(app).count("── new paper in console ──") == EXPECTED_ALERTS
    status = (await say(app, "status")).text
    line = next(x for x in status.splitlines() if "/rss/cs.LG" in x)
    assert "failing ×1" in line and re.search(reason, line), line
    assert "/rss/cs.AI" in status and "cs.AI: last success" not in line
    # Commands keep answering from the store after the failure.
    found = await say(app, "2607.08773")
    assert not found.error and found.papers[0].arxiv_id == "2607.08773"
    return status


HOSTILE = {
    "truncated": (
        Reply(body=LISTING_BODY[: len(LISTING_BODY) // 2], headers=RSS_HEADERS),
        r"malformed XML: Premature end of data",
    ),
    "declared-utf16-but-utf8": (
        Reply(body=LISTING_BODY.replace(b"encoding='UTF-8'", b"encoding='UTF-16'")),
        r"malformed XML",
    ),
    "unknown-declared-encoding": (
        Reply(body=LISTING_BODY.replace(b"encoding='UTF-8'", b"encoding='x-nonsense-42'")),
        r"Unsupported encoding",
    ),
    "latin1-bytes-declared-utf8": (
        Reply(body=not_utf8()),
        r"malformed XML: Invalid bytes in character encoding",
    ),
    "html-error-page-200": (
        Reply(
            body=b"<!DOCTYPE html><html><body><h1>Oops</h1></body></html>",
            headers={"Content-Type": "text/html"},
        ),
        r"got an HTML page, not XML",
    ),
    "html-without-doctype": (
        Reply(body=b"<html><body>Service unavailable</body></html>"),
        r"got an HTML page",
    ),
    "empty-body": (Reply(body=b""), r"empty response body"),
    "whitespace-body": (Reply(body=b"\n\n   \n"), r"empty response body"),
    "not-a-feed": (
        Reply(body=b"<?xml version='1.0'?><feedback/>"),
        r"unexpected root element <feedback>",
    ),
    "reset-mid-body": (
        Reply(body=LISTING_BODY, reset_after=2000),
        r"connection closed mid-response",
    ),
    "http-404": (Reply(status=404, body=b"no such category"), r"HTTP 404"),
    "503-no-retry-after": (Reply(status=503), r"HTTP 503"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
async def test_hostile_listing_fails_alone(case: str, fake_server: FakeServer, make_app) -> None:
    answer, reason = HOSTILE[case]
    fake_server.route("/rss/cs.LG", answer)
    app = await setup(fake_server, make_app)
    report, slowest = await poll_with_commands(app)
    assert slowest < 1.0
    await assert_isolated_failure(app, report, reason)
    # Nothing of cs.LG was stored.
    assert await app.store.papers.count() == len(parse_listing(LISTING_BODY).items)


async def test_listing_with_items_missing_fields(fake_server: FakeServer, make_app) -> None:
    """Items without a usable id are skipped; items missing title, authors or categories are
    kept (empty fields) and still alert; the rest of the listing is unaffected."""
    items = [
        # complete
        "<item><title>Complete paper</title><guid>oai:arXiv.org:2607.99001v1</guid>"
        "<category>cs.LG</category><dc:creator>Ada Lovelace</dc:creator>"
        "<description>arXiv:2607.99001v1 Announce Type: new Abstract: Fine.</description>"
        "<arxiv:announce_type>new</arxiv:announce_type></item>",
        # no title, no authors, no announce type (a v1 counts as new)
        "<item><guid>oai:arXiv.org:2607.99002v1</guid><category>cs.LG</category>"
        "<description>arXiv:2607.99002v1 Announce Type: new Abstract: No title.</description>"
        "</item>",
        # no id anywhere: skipped
        "<item><title>Ghost</title><category>cs.LG</category></item>",
        # a garbage guid and no description: skipped
        "<item><title>Garbage</title><guid>not-an-id</guid></item>",
        # empty item
        "<item/>",
    ]
    body = (
        "<?xml version='1.0' encoding='UTF-8'?><rss xmlns:arxiv='http://arxiv.org/schemas/atom' "
        "xmlns:dc='http://purl.org/dc/elements/1.1/' version='2.0'><channel>"
        "<title>cs.LG updates on arXiv.org</title>"
        "<pubDate>Mon, 13 Jul 2026 00:00:00 -0400</pubDate>" + "".join(items) + "</channel></rss>"
    )
    fake_server.route("/rss/cs.LG", Reply(body=body))
    app = await setup(fake_server, make_app)
    report, _ = await poll_with_commands(app)
    assert all(r.ok for r in report.results), report.failures
    drained = await app.deliverer.drain(2.0)
    assert drained.sent == EXPECTED_ALERTS + 2
    untitled = await app.store.papers.get("2607.99002")
    assert untitled is not None and untitled.title == "" and untitled.authors == ()
    assert "Ghost" not in dump_database(Path(app.store.path))
    assert not (await say(app, "2607.99002")).error


async def test_billion_laughs_refused_quickly_in_bounded_memory(
    fake_server: FakeServer, make_app
) -> None:
    fake_server.route("/rss/cs.LG", Reply(body=BILLION_LAUGHS))
    app = await setup(fake_server, make_app)
    tracemalloc.start()
    try:
        started = time.monotonic()
        report, _ = await poll_with_commands(app)
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 5.0
    assert peak < 64 * 1024 * 1024  # the expansion would be ~3 GB
    await assert_isolated_failure(app, report, r"refused a document whose DOCTYPE declares entit")
    assert "lollol" not in dump_database(Path(app.store.path))


async def test_billion_laughs_utf16_also_refused(fake_server: FakeServer, make_app) -> None:
    """The byte scan cannot see a UTF-16 DOCTYPE; the parser's own checks must still refuse."""
    body = BILLION_LAUGHS.replace(
        b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16"?>'
    )
    fake_server.route("/rss/cs.LG", Reply(body=body.decode().encode("utf-16")))
    app = await setup(fake_server, make_app)
    started = time.monotonic()
    report, _ = await poll_with_commands(app)
    assert time.monotonic() - started < 5.0
    await assert_isolated_failure(app, report, r"entit|malformed XML")
    assert "lollol" not in dump_database(Path(app.store.path))


@pytest.mark.parametrize("variant", ["internal-subset", "external-dtd", "utf16-internal"])
async def test_xxe_never_reads_the_file(
    variant: str, fake_server: FakeServer, make_app, tmp_path: Path, caplog
) -> None:
    marker = "XXE-MARKER-5f1d0c"
    secret = tmp_path / "secret.txt"
    secret.write_text(marker)
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY xxe SYSTEM "{secret.as_uri()}">')
    if variant == "external-dtd":
        body = xxe_document(dtd, external_dtd=True)
    elif variant == "utf16-internal":
        text = xxe_document(secret).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
        body = text.encode("utf-16")
    else:
        body = xxe_document(secret)
    fake_server.route("/rss/cs.LG", Reply(body=body))
    app = await setup(fake_server, make_app)
    caplog.set_level("DEBUG")
    report, _ = await poll_with_commands(app)
    status = await assert_isolated_failure(app, report, r"entit|malformed XML|Entity|external DTD")
    assert await app.store.papers.get("2607.99001") is None
    for where in (dump_database(Path(app.store.path)), caplog.text, status, console_out(app)):
        assert marker not in where


@pytest.mark.slow
@pytest.mark.parametrize("declared", [False, True])
async def test_oversized_response_cut_at_max_bytes(
    declared: bool, fake_server: FakeServer, make_app
) -> None:
    total = 200 * 1024 * 1024
    fake_server.route(
        "/rss/cs.LG",
        Reply(stream_total=total, content_length=total if declared else None),
    )
    app = await setup(fake_server, make_app, max_bytes=1_000_000, timeout_seconds=30.0)
    started = time.monotonic()
    report, _ = await poll_with_commands(app)
    assert time.monotonic() - started < 15.0
    await assert_isolated_failure(app, report, r"response larger than 1000000 bytes")
    record = fake_server.requests_for("/rss/cs.LG")[0]
    await asyncio.wait_for(record.done.wait(), 10)
    # The client hung up early: at most the cap plus socket buffers went over the wire.
    assert record.aborted
    assert record.bytes_sent < 40 * 1024 * 1024, record.bytes_sent


@pytest.mark.slow
async def test_slow_loris_times_out(fake_server: FakeServer, make_app) -> None:
    fake_server.route("/rss/cs.LG", Reply(body=LISTING_BODY, trickle=0.05))
    app = await setup(fake_server, make_app, timeout_seconds=1.0)
    started = time.monotonic()
    report, slowest = await poll_with_commands(app)
    assert 0.9 < time.monotonic() - started < 5.0
    assert slowest < 0.5  # commands were answered while the poll was stuck
    await assert_isolated_failure(app, report, r"timed out after 1s")


async def test_headers_never_come_times_out(fake_server: FakeServer, make_app) -> None:
    fake_server.route("/rss/cs.LG", Reply(body=LISTING_BODY, delay=10))
    app = await setup(fake_server, make_app, timeout_seconds=1.0)
    started = time.monotonic()
    report, _ = await poll_with_commands(app)
    assert time.monotonic() - started < 5.0
    await assert_isolated_failure(app, report, r"timed out")


async def test_port_where_nothing_listens(fake_server: FakeServer, make_app) -> None:
    app = await setup(fake_server, make_app)
    dead = f"http://127.0.0.1:{free_port()}/rss/"
    healthy = app.arxiv.listing_url
    # Only cs.LG points at the dead port; the instance attribute shadows the method.
    app.arxiv.listing_url = lambda c: dead + c if c == "cs.LG" else healthy(c)  # type: ignore[method-assign]
    report, _ = await poll_with_commands(app)
    by_cat = {r.category: r for r in report.results}
    assert "connection refused" in (by_cat["cs.LG"].error or "")
    assert by_cat["cs.AI"].ok
    assert (await app.deliverer.drain(2.0)).sent == EXPECTED_ALERTS
    status = (await say(app, "status")).text
    assert re.search(r"failing ×1 since [^:]+:[^:]+: .*connection refused", status), status


@pytest.mark.parametrize(
    ("answers", "requests", "reason", "min_gap"),
    [
        ([Reply(status=503)] * 2, 2, r"HTTP 503 after 2 attempts", 0.0),
        ([Reply(status=429)] * 2, 2, r"HTTP 429 after 2 attempts", 0.0),
        ([Reply(status=429, headers={"Retry-After": "1"})] * 2, 2, r"HTTP 429 after 2", 1.0),
        ([Reply(status=503, headers={"Retry-After": "1"})] * 2, 2, r"HTTP 503 after 2", 1.0),
        (
            [Reply(status=503, headers={"Retry-After": "86400"})],
            1,
            r"Retry-After 86400s exceeds",
            0.0,
        ),
        (
            [Reply(status=429, headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})],
            1,
            r"HTTP 429, Retry-After \d+s exceeds",
            0.0,
        ),
    ],
    ids=[
        "503",
        "429",
        "429-retry-after",
        "503-retry-after",
        "retry-after-too-long",
        "retry-after-date",
    ],
)
async def test_rate_limited_and_unavailable(
    answers: list[Reply],
    requests: int,
    reason: str,
    min_gap: float,
    fake_server: FakeServer,
    make_app,
) -> None:
    fake_server.script("/rss/cs.LG", *answers)
    fake_server.route("/rss/cs.LG", Reply(body=LISTING_BODY))  # would succeed on a 3rd try
    app = await setup(fake_server, make_app, retries=1)
    report, _ = await poll_with_commands(app)
    await assert_isolated_failure(app, report, reason)
    seen = fake_server.requests_for("/rss/cs.LG")
    assert len(seen) == requests
    if min_gap:
        assert seen[1].time - seen[0].time >= min_gap


async def test_transient_503_then_success(fake_server: FakeServer, make_app) -> None:
    fake_server.script("/rss/cs.LG", Reply(status=503, headers={"Retry-After": "0"}))
    fake_server.route("/rss/cs.LG", Reply(body=LISTING_BODY.replace(b"cs.AI updates", b"x")))
    app = await setup(fake_server, make_app, retries=2)
    report, _ = await poll_with_commands(app)
    assert all(r.ok for r in report.results)
    assert len(fake_server.requests_for("/rss/cs.LG")) == 2
    # The same papers in two listings: still one alert each.
    assert (await app.deliverer.drain(2.0)).sent == EXPECTED_ALERTS
