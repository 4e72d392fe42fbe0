"""The chat fixture itself: a console channel on a real App, alerts as the console prints them."""

from __future__ import annotations

from support.chat import Chat
from support.e2e import LISTING_0714


async def test_a_new_paper_by_a_followed_author_alerts(chat: Chat) -> None:
    assert "Subscribed" in await chat("subscribe author Arana-Catania, Miguel")
    chat.serve_listing(LISTING_0714)
    await chat.poll_and_deliver()
    assert len(chat.alerts) == 2
    assert all("Arana-Catania" in alert for alert in chat.alerts)
    assert all("matched author: Arana-Catania, Miguel" in alert for alert in chat.alerts)


async def test_nothing_alerts_before_a_listing_announces_it(chat: Chat) -> None:
    assert "Subscribed" in await chat("subscribe topic agents")
    assert chat.alerts == []
    assert "Deliveries: 0 pending" in await chat("status")
