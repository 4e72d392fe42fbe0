"""Papers: what the ingest plan says to write (one transaction per listing, alerts queued in
the same transaction), look-ups by id, DOI and title words (FTS5, bm25)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import aiosqlite

from bot.model import Paper, Version
from bot.model.paper import merge_paper, merged_versions
from bot.store import ledger, outbox
from bot.store.db import Database, iso, now_iso, parse_date, parse_dt
from bot.store.ledger import LedgerEntry
from bot.store.outbox_identity import QueuedAlert

AUTHOR_SEP = "\x1f"
_COLUMNS = (
    "arxiv_id, version, title, authors, authors_raw, affiliations, abstract, primary_category, "
    "categories, published, updated, announced, doi, comment, journal_ref, versions, listing_kind"
)
_N_COLUMNS = len(_COLUMNS.split(","))
#: The staging table of :meth:`Papers._insert` (per connection, no affinities).
_STAGE = "paperbot_paper_stage"
_STAGE_COLUMNS = f"{_COLUMNS}, first_seen, last_seen"
_UPSTAGE = "paperbot_update_stage"
#: What a later listing rewrites: everything but the id, the announcement and first_seen.
_UPDATED_TEXT = (
    "version, title, authors, authors_raw, affiliations, abstract, primary_category, categories, "
    "published, updated, doi, comment, journal_ref, versions, listing_kind, last_seen"
)
_UPDATED = _UPDATED_TEXT.split(", ")
_UPDATE_COLUMNS = ", ".join([*_UPDATED, "arxiv_id"])
_UPDATE_ROW_SQL = f"UPDATE papers SET {', '.join(f'{c}=?' for c in _UPDATED)} WHERE arxiv_id=?"
# The same assignments as _UPDATE_ROW_SQL, from the staging table.
_UPDATE_STAGED_SQL = (
    f"UPDATE papers SET {', '.join(f'{c}=s.{c}' for c in _UPDATED)} "
    f"FROM temp.{_UPSTAGE} AS s WHERE papers.arxiv_id = s.arxiv_id"
)
_WORD = re.compile(r"\w+", re.UNICODE)
#: Full-text matches ranked at most (the most recently stored); see ``Papers.search``.
RANK_WINDOW = 2000
#: SQLite allows 32766 host parameters; stay well below.
_CHUNK = 900


@dataclass(slots=True)
class ListingWrites:
    """What one listing changes, decided by the ingest plan and written as it says.

    ``inserts`` are new papers (``announced`` set when the listing announced them);
    ``updates`` are stored papers a later listing changed (a new version, categories, corrected
    metadata); ``announcements`` mark stored papers as announced on a day; ``version_notes``
    queue a thread reply under each alert that the paper (``arxiv id``, new version) has in
    one of ``thread_channels``. ``ledger``: the listing's ledger entry, credited with the
    alerts this transaction queues (None: not a category's listing).
    """

    inserts: list[Paper] = field(default_factory=list)
    updates: list[Paper] = field(default_factory=list)
    announcements: list[tuple[str, date]] = field(default_factory=list)
    alerts: list[QueuedAlert] = field(default_factory=list)
    version_notes: list[tuple[str, int]] = field(default_factory=list)
    thread_channels: frozenset[int] = frozenset()
    ledger: LedgerEntry | None = None


def paper_from_row(row: sqlite3.Row) -> Paper:
    """Build a :class:`Paper` from a row selected with ``_COLUMNS``."""
    authors, affiliations = row["authors"], row["affiliations"]
    return Paper(
        arxiv_id=row["arxiv_id"],
        version=row["version"],
        title=row["title"],
        authors=tuple(authors.split(AUTHOR_SEP)) if authors else (),
        affiliations=tuple(affiliations.split(AUTHOR_SEP)) if affiliations else (),
        authors_raw=row["authors_raw"],
        abstract=row["abstract"],
        primary_category=row["primary_category"],
        categories=tuple(row["categories"].split()),
        published=parse_dt(row["published"]),
        updated=parse_dt(row["updated"]),
        announced=parse_date(row["announced"]),
        doi=row["doi"],
        comment=row["comment"],
        journal_ref=row["journal_ref"],
        versions=_versions(row["versions"]),
        listing_kind=row["listing_kind"],
    )


def _versions(text: str) -> tuple[Version, ...]:
    return tuple(Version(int(n), parse_dt(d)) for n, d in json.loads(text))


def _versions_json(versions: tuple[Version, ...]) -> str:
    return json.dumps([[v.number, iso(v.date)] for v in versions])


def _row(paper: Paper, seen: str) -> tuple[object, ...]:
    """A paper as the values of ``_STAGE_COLUMNS``."""
    return (
        paper.arxiv_id,
        paper.version,
        paper.title,
        AUTHOR_SEP.join(paper.authors),
        paper.authors_raw,
        AUTHOR_SEP.join(paper.affiliations),
        paper.abstract,
        paper.primary_category,
        " ".join(paper.categories),
        iso(paper.published),
        iso(paper.updated),
        iso(paper.announced),
        paper.doi,
        paper.comment,
        paper.journal_ref,
        _versions_json(paper.versions),
        paper.listing_kind,
        seen,
        seen,
    )


def _update_row(paper: Paper, seen: str) -> tuple[object, ...]:
    """A changed paper as the values of ``_UPDATE_COLUMNS``."""
    row = _row(paper, seen)
    return (*row[1:11], *row[12:17], seen, paper.arxiv_id)


def fts_query(text: str) -> str | None:
    """Turn any user string into a safe FTS5 query: every word quoted, implicit AND.

    Quoting each token makes FTS5 operators (``NEAR(``, ``OR``, ``*``, ``title:``) plain words,
    so no user input can raise an FTS syntax error. Returns None when no word is left.
    """
    words = _WORD.findall(text)
    if not words:
        return None
    return " ".join('"' + w.replace('"', '""') + '"' for w in words[:32])


Plan = Callable[[Mapping[str, Paper]], ListingWrites]


class Papers:
    """Paper rows and their full-text index."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def _known(self, ids: Sequence[str]) -> dict[str, Paper]:
        return await self.get_many(ids)

    async def apply_listing(
        self, ids: Sequence[str], plan: Plan, *, now: float | None = None
    ) -> tuple[ListingWrites, int]:
        """Write what ``plan`` decides for a listing, in one transaction.

        ``plan`` gets what the store holds of ``ids`` (read under the write lock, so a second
        process ingesting the same listing sees this one's result). Returns the writes and the
        number of outbox messages queued. ``now``: the ingest's clock (when alerts are admitted).
        """
        seen = now_iso()
        async with self.db.transaction() as conn:
            writes = plan(await self._known(list(dict.fromkeys(ids))))
            before = await ledger.last_outbox_id(conn) if writes.ledger else 0
            if writes.inserts:
                await self._insert(conn, [_row(p, seen) for p in writes.inserts])
            if writes.updates:
                await self._update(conn, [_update_row(p, seen) for p in writes.updates])
            if writes.announcements:
                await conn.executemany(
                    "UPDATE papers SET announced=? WHERE arxiv_id=? AND announced IS NULL",
                    [(day.isoformat(), arxiv_id) for arxiv_id, day in writes.announcements],
                )
            queued = await outbox.queue_alerts(conn, writes.alerts, now=now)
            queued += await outbox.queue_version_notes(
                conn, writes.version_notes, writes.thread_channels
            )
            if writes.ledger is not None:
                await ledger.record(conn, writes.ledger, before)
        return writes, queued

    async def _insert(self, conn: aiosqlite.Connection, rows: list[tuple[object, ...]]) -> None:
        """Insert new paper rows (and so their full-text entries) in one statement.

        FTS5 flushes its pending terms into a new segment at the end of every statement that
        fires the insert trigger, so ``executemany`` straight into ``papers`` writes one tiny
        segment per row and merges them over and over. Staging the rows in an untyped temp
        table and copying them with one ``INSERT ... SELECT`` indexes the batch at once (about
        40% less time per listing); rowids, values and affinities come out the same.
        """
        await conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} ({_STAGE_COLUMNS})")
        await conn.executemany(
            f"INSERT INTO temp.{_STAGE} VALUES ({','.join('?' * (_N_COLUMNS + 2))})",
            rows,
        )
        await conn.execute(
            f"INSERT INTO papers ({_STAGE_COLUMNS}) SELECT {_STAGE_COLUMNS} "
            f"FROM temp.{_STAGE} ORDER BY rowid"
        )
        await conn.execute(f"DELETE FROM temp.{_STAGE}")

    async def _update(self, conn: aiosqlite.Connection, rows: list[tuple[object, ...]]) -> None:
        """Apply new versions: ``rows`` as :data:`_UPDATE_COLUMNS`, in order.

        Staged and applied with one ``UPDATE ... FROM`` for the reason given in
        :meth:`_insert` (the update trigger re-indexes title, abstract and authors).
        Row by row when one id is updated twice in a batch (the later row must see the
        earlier one) or when SQLite predates ``UPDATE ... FROM`` (3.33).
        """
        ids = {r[-1] for r in rows}
        if len(ids) < len(rows) or sqlite3.sqlite_version_info < (3, 33, 0):
            await conn.executemany(_UPDATE_ROW_SQL, rows)
            return
        await conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_UPSTAGE} ({_UPDATE_COLUMNS})")
        await conn.executemany(
            f"INSERT INTO temp.{_UPSTAGE} VALUES ({','.join('?' * len(rows[0]))})", rows
        )
        await conn.execute(_UPDATE_STAGED_SQL)
        await conn.execute(f"DELETE FROM temp.{_UPSTAGE}")

    async def save_looked_up(self, papers: Iterable[Paper]) -> None:
        """Store papers fetched for a look-up. They stay unannounced: a later listing still
        alerts them. A stored paper takes what the record adds only while unannounced: an
        announced paper's changes are left to the listing that brings them, which also notes a
        new version in the alert's thread."""
        seen = now_iso()
        papers = list(papers)
        async with self.db.transaction() as conn:
            known = await self._known([p.arxiv_id for p in papers])
            for paper in papers:
                prior = known.get(paper.arxiv_id)
                if prior is None:
                    paper = replace(paper, announced=None, versions=merged_versions((), paper))
                    await conn.execute(
                        f"INSERT OR IGNORE INTO papers ({_STAGE_COLUMNS}) "
                        f"VALUES ({','.join('?' * (_N_COLUMNS + 2))})",
                        _row(paper, seen),
                    )
                elif prior.announced is None and (merged := merge_paper(prior, paper)) != prior:
                    await conn.execute(_UPDATE_ROW_SQL, _update_row(merged, seen))

    async def get(self, arxiv_id: str) -> Paper | None:
        """The stored paper with this id (no version)."""
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM papers WHERE arxiv_id = ?", (arxiv_id,)
        )
        return paper_from_row(row) if row else None

    async def get_many(self, arxiv_ids: Sequence[str]) -> dict[str, Paper]:
        """The stored papers among ``arxiv_ids``, by id."""
        found: dict[str, Paper] = {}
        for start in range(0, len(arxiv_ids), _CHUNK):
            chunk = list(arxiv_ids[start : start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            for row in await self.db.fetchall(
                f"SELECT {_COLUMNS} FROM papers WHERE arxiv_id IN ({marks})", chunk
            ):
                found[row["arxiv_id"]] = paper_from_row(row)
        return found

    async def by_doi(self, doi: str) -> Paper | None:
        """A stored paper with this DOI (any case)."""
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM papers WHERE doi = ? COLLATE NOCASE LIMIT 1", (doi,)
        )
        return paper_from_row(row) if row else None

    async def search(self, text: str, *, limit: int = 5, title_only: bool = False) -> list[Paper]:
        """Full-text search ranked by bm25 (title weighted highest). Any string is safe here.

        Ranking costs a few microseconds per matching row, so a query matching more than
        :data:`RANK_WINDOW` papers (``learning models``) is ranked among the most recently
        stored :data:`RANK_WINDOW` of them: the answer stays fast at a million papers.
        """
        query = fts_query(text)
        if query is None:
            return []
        if not title_only:
            await self.index_pending()
        table, weights = ("titles_fts", "") if title_only else ("papers_fts", ", 10.0, 1.0, 3.0")
        floor = await self.db.fetchone(
            f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
            (query, RANK_WINDOW - 1),
        )
        window = f" AND {table}.rowid >= {int(floor['rowid'])}" if floor else ""
        rows = await self.db.fetchall(
            f"SELECT {', '.join('p.' + c.strip() for c in _COLUMNS.split(','))} "
            f"FROM {table} JOIN papers p ON p.id = {table}.rowid "
            f"WHERE {table} MATCH ?{window} ORDER BY bm25({table}{weights}) LIMIT ?",
            (query, limit),
        )
        return [paper_from_row(r) for r in rows]

    async def author_lists(
        self, words: Sequence[str], *, limit: int = 5000
    ) -> list[tuple[str, tuple[str, ...]]]:
        """``(arxiv id, authors)`` of the most recently stored papers (at most ``limit``) whose
        author list holds every word of ``words`` (a surname: the author page then checks the
        whole name and reads only the papers it keeps)."""
        query = fts_query(" ".join(words))
        if query is None:
            return []
        await self.index_pending()
        rows = await self.db.fetchall(
            "SELECT p.arxiv_id, p.authors FROM papers_fts JOIN papers p ON p.id = papers_fts.rowid "
            "WHERE papers_fts MATCH ? ORDER BY papers_fts.rowid DESC LIMIT ?",
            (f"authors : ({query})", limit),
        )
        return [(r["arxiv_id"], tuple(filter(None, r["authors"].split(AUTHOR_SEP)))) for r in rows]

    async def pending_index(self) -> int:
        """How many papers the abstract index does not hold yet (see :meth:`index_pending`)."""
        row = await self.db.fetchone("SELECT count(*) AS n FROM fts_pending")
        return int(row["n"]) if row else 0

    async def index_pending(self) -> int:
        """Bring the abstract full-text index up to date; the number of papers indexed.

        Listings only queue their new and changed papers (``fts_pending``, filled by triggers):
        indexing abstracts inside every listing's transaction was half of ingest's store time,
        and one batch here writes one FTS5 segment instead of one per listing. The poller calls
        this after each poll cycle (idle time); :meth:`search` calls it before any abstract
        search, so an answer is never missing a stored paper.
        """
        if await self.db.fetchone("SELECT 1 FROM fts_pending LIMIT 1") is None:
            return 0
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO papers_fts(rowid, title, abstract, authors) "
                "SELECT p.id, p.title, p.abstract, p.authors FROM fts_pending q "
                "JOIN papers p ON p.id = q.id ORDER BY q.id"
            )
            count = cur.rowcount
            await cur.close()
            await conn.execute("DELETE FROM fts_pending")
        return count

    async def last_announced(self) -> date | None:
        """The latest announcement day stored."""
        row = await self.db.fetchone("SELECT max(announced) AS day FROM papers")
        return parse_date(row["day"]) if row else None

    async def announced_texts(self, since: date) -> list[tuple[str, str]]:
        """``(title, abstract)`` of every paper announced on ``since`` or later."""
        rows = await self.db.fetchall(
            "SELECT title, abstract FROM papers WHERE announced >= ?", (since.isoformat(),)
        )
        return [(r["title"], r["abstract"]) for r in rows]

    async def count(self) -> int:
        row = await self.db.fetchone("SELECT count(*) AS n FROM papers")
        return int(row["n"]) if row else 0
