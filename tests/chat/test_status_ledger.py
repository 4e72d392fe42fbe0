"""``status``'s Ledger section: per polled category and announcement day what was announced
and what it caused; an empty listing is "no announcement"; a failing source says since when."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LISTING_0713 = FIXTURES / "arxiv_rss_cs_ai_2026-07-14.xml"
SUNDAY = FIXTURES / "arxiv_rss_cs_ai_empty_sunday_2026-06-07.xml"


async def test_status_shows_the_day_with_its_alerts(chat):
    await chat("subscribe category cs.AI")
    chat.serve_listing(LISTING_0713)
    await chat.poll_and_deliver()
    status = await chat("status")
    assert "Ledger" in status
    assert "• 2026-07-13 cs.AI: 27 new, 89 cross, 61 replaced -> 116 alerts to 1 channel" in status
    assert status.index("Ledger") < status.index("Channels")


async def test_a_weekend_listing_is_no_announcement_not_a_failure(chat):
    chat.serve_listing(SUNDAY)
    await chat.poll_and_deliver()
    status = await chat("status")
    assert "• 2026-06-07 cs.AI: no announcement" in status
    assert "failing" not in status


async def test_a_failing_source_says_since_when_and_why(chat):
    chat.serve_listing(LISTING_0713)
    await chat("subscribe category cs.CV")  # the fake arXiv does not serve cs.CV: HTTP 404
    await chat.poll()
    status = await chat("status")
    ledger = status[status.index("Ledger") : status.index("Channels")]
    assert "• cs.CV: failing since " in ledger
    assert "last reason " in ledger and "HTTP 404" in ledger
    assert "2026-07-13 cs.AI: 27 new" in ledger


async def test_status_without_any_listing_has_no_ledger_section(chat):
    assert "Ledger" not in await chat("status")
