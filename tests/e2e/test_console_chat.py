"""The console adapter driven like a chat, in process: the real App, the real command grammar,
the fake arXiv for look-ups and the listing, alerts printed to the console."""

from __future__ import annotations

from support.chat import Chat
from support.e2e import LISTING_0714, has_author, items_of, read_bytes


async def test_console_chat_session(chat: Chat, fake_server):
    chat.serve_listing(LISTING_0714)

    reply = await chat("subscribe author Babuschkin, Igor")
    assert reply.startswith("Subscribed #1 author: Babuschkin, Igor")
    reply = await chat("subscribe author Arana-Catania, Miguel")
    assert reply.startswith("Subscribed #2 author: Arana-Catania, Miguel")
    assert "already subscribed" in await chat("SUBSCRIBE author Igor Babuschkin")
    listed = await chat("list")
    assert "#1 author: Babuschkin, Igor" in listed and "#2 author: Arana-Catania" in listed
    assert await chat("unsubscribe 1") == "Unsubscribed #1."
    assert "#1 " not in await chat("list")
    assert (await chat("unsubscribe 1")).startswith("error: This channel has no subscription")

    helptext = await chat("help")
    assert '"language model"' in helptext and "a b OR c" in helptext  # the topic syntax
    assert "subscribe author|topic|category <value>" in helptext

    found = await chat("2308.03526")
    assert found.startswith("Found (arxiv)") and "AlphaStar Unplugged" in found
    again = await chat("lookup 2308.03526")  # the same command, now served from the store
    assert again.startswith("Found (store)") and "AlphaStar Unplugged" in again
    assert len(fake_server.requests_for("/api/query")) == 1

    assert await chat("subscribe") == "error: Usage: subscribe author|topic|category <value>"
    assert (await chat("subscribe colour blue")).startswith("error: Usage: subscribe")
    assert (await chat("unsubscribe abc")).startswith("error: Usage: unsubscribe <id>")
    assert (await chat('subscribe topic "unclosed')).startswith("error: Cannot subscribe")

    drained = await chat.poll_and_deliver()
    body = read_bytes(LISTING_0714)
    expected = [i for i in items_of(body) if i.first and has_author(i, "Arana-Catania", "Miguel")]
    assert drained.sent == len(expected) == 2
    assert chat.output.count("── new paper in console ──") == len(chat.alerts) == 2
    for item in expected:
        assert item.title in " ".join(chat.output.split())
    assert "matched author: Arana-Catania, Miguel" in chat.output
    assert "Deliveries: 0 pending" in await chat("status")
