"""The console adapter driven like a chat, in process: the real App, the real command grammar,
the fake arXiv for look-ups and the listing, alerts printed to the console."""

from __future__ import annotations

import io

from e2e_support import LISTING_0714, has_author, items_of, read_bytes, serve_body
from fake_arxiv import FakeArxiv

from bot.app import App
from bot.config import ArxivConfig, ChannelConfig, Config, DeliveryConfig


def _config(tmp_path, server) -> Config:
    return Config(
        database_path=tmp_path / "chat.sqlite3",
        arxiv=ArxivConfig(
            rss_url=server.url("/rss/"),
            api_url=server.url("/api/query"),
            categories=("cs.AI",),
            min_interval_seconds=0.05,
            backoff_seconds=0.05,
            retries=1,
            timeout_seconds=10,
        ),
        delivery=DeliveryConfig(backoff_base_seconds=0.05, per_channel_interval_seconds=0),
        channels=(ChannelConfig("console", "console"),),
    )


async def test_console_chat_session(tmp_path, fake_server):
    FakeArxiv(fake_server)
    body = read_bytes(LISTING_0714)
    serve_body(fake_server, "cs.AI", body)
    async with await App.create(_config(tmp_path, fake_server)) as app:
        app.load_adapters(["console"])
        console = app.adapters["console"]
        console.out = io.StringIO()  # type: ignore[attr-defined]
        say = console.say  # type: ignore[attr-defined]

        reply = await say("subscribe author Babuschkin, Igor")
        assert reply.startswith("Subscribed #1 author: Babuschkin, Igor")
        reply = await say("subscribe author Arana-Catania, Miguel")
        assert reply.startswith("Subscribed #2 author: Arana-Catania, Miguel")
        assert "already subscribed" in await say("SUBSCRIBE author Igor Babuschkin")
        listed = await say("list")
        assert "#1 author: Babuschkin, Igor" in listed and "#2 author: Arana-Catania" in listed
        assert await say("unsubscribe 1") == "Unsubscribed #1."
        assert "#1 " not in await say("list")
        assert (await say("unsubscribe 1")).startswith("error: This channel has no subscription")

        helptext = await say("help")
        assert '"language model"' in helptext and "a b OR c" in helptext  # the topic syntax
        assert "subscribe author|topic|category <value>" in helptext

        found = await say("2308.03526")
        assert found.startswith("Found (arxiv)") and "AlphaStar Unplugged" in found
        again = await say("lookup 2308.03526")  # the same command, now served from the store
        assert again.startswith("Found (store)") and "AlphaStar Unplugged" in again
        assert len(fake_server.requests_for("/api/query")) == 1

        assert await say("subscribe") == "error: Usage: subscribe author|topic|category <value>"
        assert (await say("subscribe colour blue")).startswith("error: Usage: subscribe")
        assert (await say("unsubscribe abc")).startswith("error: Usage: unsubscribe <id>")
        assert (await say('subscribe topic "unclosed')).startswith("error: Cannot subscribe")

        report = await app.poller.poll_all()
        assert not report.failures
        drained = await app.deliverer.drain(1)
        expected = [i for i in items_of(body) if i.first and has_author(i, "Arana-Catania",
                                                                          "Miguel")]  # fmt: skip
        assert drained.sent == len(expected) == 2
        out = console.out.getvalue()  # type: ignore[attr-defined]
        assert out.count("── new paper in console ──") == 2
        for item in expected:
            assert item.title in " ".join(out.split())
        assert "matched author: Arana-Catania, Miguel" in out
        assert "Pending deliveries: 0" in await say("status")
