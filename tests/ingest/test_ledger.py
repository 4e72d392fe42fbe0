"""The daily ledger: per category and announcement day, what a listing announced and the alerts
it queued, replayed on real listings against an independent count of their XML (lxml only)."""

from __future__ import annotations

import gzip
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

from lxml import etree
from support.clock import FakeClock

from bot.ingest.files import ingest_files
from bot.ingest.ingestor import Ingestor
from bot.model import SubscriptionKind
from bot.store import Store

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
#: In ingest order: cs.AI and cs.LG of 04 Jun (papers in both), the cs.AI 04 Jun listing
#: re-served with bumped versions, cs.AI of 09 Jun, 11 Jun, then 13 Jul.
REPLAY = [
    FIXTURES / "corpus" / f"{name}.xml.gz"
    for name in (
        "2026-06-04-cs-ai",
        "2026-06-04-cs-lg",
        "2026-06-05-cs-ai",
        "2026-06-10-cs-ai",
        "2026-06-11-cs-ai",
    )
] + [FIXTURES / "arxiv_rss_cs_ai_2026-07-14.xml"]
NS = {"arxiv": "http://arxiv.org/schemas/atom"}


def _read(path: Path) -> etree._Element:
    data = path.read_bytes()
    return etree.fromstring(gzip.decompress(data) if path.suffix == ".gz" else data)


def reference(
    paths: list[Path], wanted: dict[str, str]
) -> dict[tuple[str, date], tuple[int, int, int, dict[str, int]]]:
    """An independent replay: per listing category and announcement day, the (new, cross,
    replaced) items of the latest listing of that day, and per channel the alerts a category
    subscription (``wanted``: channel -> category) gets there: a paper alerts a channel at a
    new/cross item when its categories so far (the listing's own included) include the
    category and did not before it was announced."""
    cats: dict[str, set[str]] = defaultdict(set)
    announced: set[str] = set()
    alerted: set[tuple[str, str]] = set()
    out: dict[tuple[str, date], tuple[int, int, int, dict[str, int]]] = {}
    for path in paths:
        root = _read(path)
        pub = root.findtext("channel/pubDate") or ""
        listing_category = (root.findtext("channel/title") or "").split(" ", 1)[0]
        day = date(int(pub[12:16]), _MONTHS.index(pub[8:11]) + 1, int(pub[5:7]))
        kinds = {"new": 0, "cross": 0, "replaced": 0}
        key = (listing_category, day)
        credit = dict(out[key][3]) if key in out else {}
        for item in root.iter("item"):
            guid = re.sub(r"v[0-9]+$", "", (item.findtext("guid") or "").rsplit(":", 1)[-1])
            kind = item.findtext("arxiv:announce_type", namespaces=NS) or ""
            kinds["replaced" if kind.startswith("replace") else kind] += 1
            before = set(cats[guid]) if guid in announced else set()
            cats[guid] |= {c.text or "" for c in item.findall("category")} | {listing_category}
            if kind not in ("new", "cross"):
                continue
            for channel, category in wanted.items():
                if (
                    category in cats[guid]
                    and category not in before
                    and (guid, channel) not in alerted
                ):
                    alerted.add((guid, channel))
                    credit[channel] = credit.get(channel, 0) + 1
            announced.add(guid)
        out[key] = (kinds["new"], kinds["cross"], kinds["replaced"], credit)
    return out


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


async def _subscribe(store: Store, wanted: dict[str, str]) -> dict[str, int]:
    ids = {}
    for name, category in wanted.items():
        channel = await store.channels.upsert_config(name, "console")
        await store.subscriptions.add(
            channel.id, SubscriptionKind.CATEGORY, category, category.casefold(), None
        )
        ids[name] = channel.id
    return ids


async def test_replayed_ledger_counts_equal_an_independent_count_of_the_xml(store):
    wanted = {"ai-team": "cs.AI", "lg-team": "cs.LG", "cl-team": "cs.CL"}
    ids = await _subscribe(store, wanted)
    await ingest_files(Ingestor(store), REPLAY, alert=True)
    expected = reference(REPLAY, wanted)
    rows = {(r.entry.category, r.entry.day): r for r in await store.ledger.rows()}
    june = [date(2026, 6, d) for d in (4, 9, 11)]
    assert (
        set(rows)
        == set(expected)
        == {
            *(("cs.AI", d) for d in [*june, date(2026, 7, 13)]),
            ("cs.LG", date(2026, 6, 4)),
        }
    )
    for key, (new, cross, replaced, credit) in expected.items():
        row = rows[key]
        assert (row.entry.new, row.entry.cross, row.entry.replaced) == (new, cross, replaced)
        assert row.alerts == sum(credit.values()), key
        assert row.channels == sum(1 for n in credit.values() if n), key
        for name, count in credit.items():
            got = await store.db.fetchone(
                "SELECT count(*) AS n FROM ledger_alerts WHERE category=? AND day=? "
                "AND channel_id=?",
                (key[0], key[1].isoformat(), ids[name]),
            )
            assert got is not None and got["n"] == count, (key, name)
    # Papers in both listings of 04 Jun alerted the cs.LG channel at the cs.AI listing (ingested
    # first), so they are credited there, and not again to the cs.LG listing.
    assert expected["cs.AI", date(2026, 6, 4)][3]["lg-team"] > 0
    lg = rows["cs.LG", date(2026, 6, 4)]
    assert lg.alerts < lg.entry.new + lg.entry.cross
    total = await store.db.fetchone("SELECT count(*) AS n FROM outbox WHERE kind='alert'")
    assert total is not None and total["n"] == sum(r.alerts for r in rows.values())


async def test_the_status_row_reads_as_the_issue_writes_it(store):
    await _subscribe(store, {"ai-team": "cs.AI", "lg-team": "cs.LG"})
    await ingest_files(Ingestor(store), REPLAY[-1:], alert=True)
    (row,) = await store.ledger.rows()
    wanted = {"ai-team": "cs.AI", "lg-team": "cs.LG"}
    expected = reference(REPLAY[-1:], wanted)["cs.AI", date(2026, 7, 13)]
    alerts = sum(expected[3].values())
    assert (
        row.text()
        == f"2026-07-13 cs.AI: 27 new, 89 cross, 61 replaced -> {alerts} alerts to 2 channels"
    )


async def test_an_empty_listing_is_no_announcement(store):
    ingestor = Ingestor(store)
    for name in (
        "arxiv_rss_cs_ai_empty_sunday_2026-06-07.xml",
        "arxiv_rss_cs_ai_empty_holiday_2025-12-31.xml",
    ):
        await ingest_files(ingestor, [FIXTURES / name], alert=True)
    texts = [r.text() for r in await store.ledger.rows()]
    assert texts == ["2026-06-07 cs.AI: no announcement", "2025-12-31 cs.AI: no announcement"]


async def test_the_channel_line_of_a_local_day(store):
    ids = await _subscribe(store, {"ai-team": "cs.AI", "quiet-team": "astro-ph.SR"})
    clock = FakeClock()
    from datetime import UTC, datetime

    clock.set(datetime(2026, 7, 14, 4, 30, tzinfo=UTC))  # 06:30 in Berlin on 14 July
    await ingest_files(Ingestor(store, clock=clock), REPLAY[-1:], alert=True)
    line = await store.ledger.day_line(ids["ai-team"], date(2026, 7, 14), "Europe/Berlin")
    assert line == "Ledger: cs.AI Mon 13 Jul: 27 new, 89 cross, 61 replaced -> 116 alerts here."
    quiet = await store.ledger.day_line(ids["quiet-team"], date(2026, 7, 14), "Europe/Berlin")
    assert quiet.endswith("-> 0 alerts here.")
    before = await store.ledger.day_line(ids["ai-team"], date(2026, 7, 13), "Europe/Berlin")
    assert before.startswith("Ledger: no listing was stored")
