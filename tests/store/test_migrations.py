"""Upgrading databases written by earlier versions: every later migration keeps their data.

Each migration that lands extends :func:`test_schema2_database_upgrades_to_the_latest` with
what it must preserve or recompute.
"""

from __future__ import annotations

import gzip
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite
import pytest

from bot.ingest.files import ingest_files
from bot.ingest.ingestor import Ingestor
from bot.model import SaveVia
from bot.model.scholarly import SEMANTIC_SCHOLAR, PaperRecord
from bot.store import Store
from bot.store.db import migrate
from bot.store.migrations import MIGRATIONS

DB_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "db"
SCHEMA2 = DB_FIXTURES / "schema2_main_3fae120.sqlite3.gz"


def unpack(fixture: Path, tmp_path: Path) -> Path:
    target = tmp_path / fixture.name.removesuffix(".gz")
    with gzip.open(fixture, "rb") as src, target.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return target


def columns(path: Path, table: str) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
    finally:
        conn.close()


def tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()


def test_the_fixture_is_what_its_readme_says(tmp_path: Path) -> None:
    path = unpack(SCHEMA2, tmp_path)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
        assert conn.execute("SELECT count(*) FROM papers").fetchone()[0] == 344
        assert conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 204
    finally:
        conn.close()
    assert "meta" in tables(path) and "next_poll_at" in columns(path, "source_state")


async def test_schema2_database_upgrades_to_the_latest(tmp_path: Path) -> None:
    path = unpack(SCHEMA2, tmp_path)
    async with await Store.open(path) as store:
        assert await store.db.schema_version() == len(MIGRATIONS)
        # Migration 3: no stored schedule, no key-value table; everything else kept.
        assert "meta" not in tables(path)
        assert "next_poll_at" not in columns(path, "source_state")
        assert await store.papers.count() == 344
        assert (await store.papers.search("language model", limit=1))[0].title
        channels = {c.name: c for c in await store.channels.list()}
        assert set(channels) == {"console", "ml-papers", "slack:T1/C0123"}
        assert channels["ml-papers"].paused_reason == "webhook gone (HTTP 404)"
        assert channels["slack:T1/C0123"].external_id == "C0123"
        subs = await store.subscriptions.list()
        assert [s.value for s in subs][:1] == ["Babuschkin, Igor"] and len(subs) == 5
        states = [s for _p, _c, _k, _v, s in await store.outbox.states()]
        assert (states.count("sent"), states.count("failed")) == (6, 1)
        assert states.count("pending") == len(states) - 7
        healthy = await store.sources.get("https://rss.arxiv.org/rss/cs.AI")
        assert healthy is not None and healthy.etag == '"abc"' and healthy.last_items == 177
        failing = await store.sources.get("https://rss.arxiv.org/rss/cs.LG")
        assert failing is not None and failing.consecutive_failures == 1
        # Migration 10: the reading list starts empty, and the alerts sent before it are found
        # by the platform's id of them (a reaction on an old alert saves its paper).
        ml = channels["ml-papers"].id
        assert await store.reading.list(ml) == []
        assert await store.reading.alert_at(ml, "1700000000.000005") == "2312.11522"
        assert await store.reading.alert_at(ml, "1700000000.000002") is None  # the console's
        when = datetime(2026, 7, 14, tzinfo=UTC)
        assert await store.reading.save(ml, "2312.11522", "U1", "", SaveVia.REACTION, when)
        assert [s.paper.arxiv_id for s in await store.reading.list(ml)] == ["2312.11522"]
        assert await store.events.first_time("slack", "Ev1", 1.0)


#: 2606.16371 of the 2026-06-16 cs.LG listing as main before migration 4 stored it: dc:creator
#: split at every comma (so "Abu Dhabi" and "UAE)" were authors) and the item's pubDate (the
#: mailing day) as ``published``.
TAKAC_RAW = (
    "Bishnu Dev (Mohamed bin Zayed University of Artificial Intelligence, Abu Dhabi, UAE), "
    "Martin Tak\\'a\\v{c} (Mohamed bin Zayed University of Artificial Intelligence, Abu Dhabi, UAE)"
)


def add_old_style_row(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        authors = "\x1f".join(a.strip() for a in TAKAC_RAW.split(","))
        conn.execute(
            "INSERT INTO papers (arxiv_id, version, title, authors, authors_raw, abstract, "
            "primary_category, categories, published, announced, versions, first_seen, "
            "last_seen) VALUES ('2606.16371', 1, 'CacheMuon', ?, ?, 'Muon.', 'cs.LG', 'cs.LG', "
            "'2026-06-16T00:00:00-04:00', '2026-06-16', '[[1, null]]', 'x', 'x')",
            (authors, TAKAC_RAW),
        )
        conn.commit()
    finally:
        conn.close()


async def test_migration_4_resplits_authors_with_their_affiliations(tmp_path: Path) -> None:
    path = unpack(SCHEMA2, tmp_path)
    add_old_style_row(path)
    async with await Store.open(path) as store:
        paper = await store.papers.get("2606.16371")
        assert paper is not None
        assert paper.authors == ("Bishnu Dev", "Martin Takáč")
        mbzuai = "Mohamed bin Zayed University of Artificial Intelligence, Abu Dhabi, UAE"
        assert paper.affiliations == (mbzuai, mbzuai)
        assert paper.listing_kind == "rss"
        # The author index holds the re-split names, not the fragments.
        assert [p.arxiv_id for p in await store.papers.search("Takáč")] == ["2606.16371"]
        assert await store.papers.search("UAE Bishnu") == []


async def test_migration_4_keeps_only_v1_dates_as_published(tmp_path: Path) -> None:
    path = unpack(SCHEMA2, tmp_path)
    add_old_style_row(path)
    async with await Store.open(path) as store:
        rss = await store.papers.get("2607.08773")  # stored with the listing's pubDate
        assert rss is not None and rss.published is None
        assert rss.announced is not None and rss.announced.isoformat() == "2026-07-13"
        takac = await store.papers.get("2606.16371")
        assert takac is not None and takac.published is None


async def test_migration_4_moves_rdf_announcements_to_the_mailing_day(tmp_path: Path) -> None:
    path = unpack(SCHEMA2, tmp_path)
    async with await Store.open(path) as store:
        rdf = await store.papers.get("2312.11473")  # the 2023-12-19T20:30-05:00 listing
        assert rdf is not None and rdf.listing_kind == "rdf"
        assert rdf.announced is not None and rdf.announced.isoformat() == "2023-12-20"
        gemini = await store.papers.get("2312.11805")
        assert gemini is not None and gemini.authors[-1] == "Jakub Sygnowski"
        assert gemini.affiliations == ()  # "et al. (890 additional authors not shown)" is none
        unannounced = await store.papers.get("2303.08774")  # an UPDATED item: never announced
        assert unannounced is not None and unannounced.announced is None


@pytest.mark.parametrize("number", range(1, len(MIGRATIONS) + 1))
async def test_each_migration_applies_on_the_one_before(tmp_path: Path, number: int) -> None:
    """A database stopped at migration ``number - 1`` (SQL and Python steps) takes migration
    ``number``."""
    path = tmp_path / "step.sqlite3"
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        conn.row_factory = sqlite3.Row
        await conn.execute("BEGIN IMMEDIATE")
        await migrate(conn, upto=number - 1)
        await conn.execute("COMMIT")
    async with await Store.open(path) as store:
        assert await store.db.schema_version() == len(MIGRATIONS)


async def test_migration_6_keeps_the_outbox_and_never_claims_held_or_dropped_rows(
    tmp_path: Path,
) -> None:
    path = unpack(SCHEMA2, tmp_path)
    async with await Store.open(path) as store:
        before = await store.outbox.states()
        assert len(before) == 204  # every row survives the rebuild, in its state
        conn = sqlite3.connect(path)
        try:
            pending = [r[0] for r in conn.execute("SELECT id FROM outbox WHERE state='pending'")]
            conn.execute(
                "UPDATE outbox SET state='held', hold_reason='identity' WHERE id=?", (pending[0],)
            )
            conn.execute(
                "UPDATE outbox SET state='dropped', drop_reason='x' WHERE id=?", (pending[1],)
            )
            conn.commit()
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute("UPDATE outbox SET state='lost' WHERE id=?", (pending[2],))
        finally:
            conn.close()
        claimed = await store.outbox.claim_due("w", now=2e9, limit=1000)
        ids = {m.id for m in claimed}
        assert pending[0] not in ids and pending[1] not in ids and pending[2] in ids


async def test_migration_7_adds_an_empty_ledger_that_old_alerts_are_not_credited_to(
    tmp_path: Path,
) -> None:
    path = unpack(SCHEMA2, tmp_path)
    async with await Store.open(path) as store:
        assert {"ledger", "ledger_alerts"} <= tables(path)
        assert await store.ledger.rows() == []  # no listing of the old database is invented
        first = await store.db.fetchone("SELECT min(id) AS id FROM outbox WHERE kind='alert'")
        assert first is not None and await store.ledger.credit(first["id"]) is None
        listing = DB_FIXTURES.parent / "arxiv_rss_cs_ai_2026-07-14.xml"
        await ingest_files(Ingestor(store), [listing], alert=True)
        (row,) = await store.ledger.rows()
        assert row.text().startswith("2026-07-13 cs.AI: 27 new, 89 cross, 61 replaced -> ")


async def test_migration_8_adds_persons_and_index_health_to_an_old_database(
    tmp_path: Path,
) -> None:
    path = unpack(SCHEMA2, tmp_path)
    async with await Store.open(path) as store:
        assert {"persons", "index_health"} <= tables(path)
        assert "orcid" in columns(path, "persons")
        assert await store.identity.followed_names() == {}
        assert len(await store.outbox.states()) == 204


async def test_migration_9_adds_the_index_record_cache_to_an_old_database(tmp_path: Path) -> None:
    path = unpack(SCHEMA2, tmp_path)
    async with await Store.open(path) as store:
        assert await store.papers.count() == 344  # nothing else touched
        record = PaperRecord("2303.08774", SEMANTIC_SCHOLAR, citations=5, tldr="Short.")
        await store.index_records.put([record], now=1000.0, ttl_seconds=60)
        assert await store.index_records.get_many(SEMANTIC_SCHOLAR, ["2303.08774"], now=1059.0)
        assert not await store.index_records.get_many(SEMANTIC_SCHOLAR, ["2303.08774"], now=1061)
        kept = await store.index_records.get_many(SEMANTIC_SCHOLAR, ["2303.08774"])
    assert kept == {"2303.08774": record}  # an expired record still gives an alert its TL;DR
    assert "expires_at" in columns(path, "index_records")


async def test_migration_11_gives_every_channel_instant_settings_and_digest_tables(
    tmp_path: Path,
) -> None:
    """Channels of an old database keep delivering each alert as it comes (instant, UTC, no
    cap, no quiet hours, no ledger), and the digest tables exist, empty."""
    path = unpack(SCHEMA2, tmp_path)
    async with await Store.open(path) as store:
        channels = await store.channels.list()
        assert channels and all(c.volume.plain and c.volume.tz == "UTC" for c in channels)
        assert not any(c.volume.ledger for c in channels)
    assert {"digests", "digest_entries"} <= tables(path)
    assert {"mode", "tz", "cap", "quiet_from", "quiet_to", "ledger"} <= columns(path, "channels")
