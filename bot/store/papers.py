"""Papers: bulk ingest (one transaction per listing, alerts queued in the same transaction),
look-ups by id, DOI and title words (FTS5, bm25)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from bot.model import ListingItem, Paper, Subscription, Version
from bot.store.db import StoreBase, iso, now_iso, parse_date, parse_dt

AUTHOR_SEP = "\x1f"
_COLUMNS = (
    "arxiv_id, version, title, authors, authors_raw, abstract, primary_category, categories, "
    "published, updated, announced, doi, comment, journal_ref, versions"
)
#: The staging table of :meth:`PaperStore._insert_papers` (per connection, no affinities).
_STAGE = "paperbot_paper_stage"
_STAGE_COLUMNS = f"{_COLUMNS}, first_seen, last_seen"
_UPSTAGE = "paperbot_update_stage"
_UPDATE_COLUMNS = (
    "version, title, authors, authors_raw, abstract, primary_category, categories, published, "
    "updated, doi, comment, journal_ref, versions, last_seen, arxiv_id"
)
_UPDATE_ROW_SQL = (
    "UPDATE papers SET version=?, title=?, authors=?, authors_raw=?, abstract=?, "
    "primary_category=?, categories=?, published=COALESCE(?, published), "
    "updated=?, doi=COALESCE(?, doi), comment=?, journal_ref=COALESCE(?, "
    "journal_ref), versions=?, last_seen=? WHERE arxiv_id=?"
)
# The same assignments as _UPDATE_ROW_SQL, from the staging table.
_UPDATE_STAGED_SQL = (
    "UPDATE papers SET version=s.version, title=s.title, authors=s.authors, "
    "authors_raw=s.authors_raw, abstract=s.abstract, primary_category=s.primary_category, "
    "categories=s.categories, published=COALESCE(s.published, papers.published), "
    "updated=s.updated, doi=COALESCE(s.doi, papers.doi), comment=s.comment, "
    "journal_ref=COALESCE(s.journal_ref, papers.journal_ref), versions=s.versions, "
    f"last_seen=s.last_seen FROM temp.{_UPSTAGE} AS s WHERE papers.arxiv_id = s.arxiv_id"
)
_WORD = re.compile(r"\w+", re.UNICODE)
#: Full-text matches ranked at most (the most recently stored); see ``PaperStore.search``.
RANK_WINDOW = 2000
#: SQLite allows 32766 host parameters; stay well below.
_CHUNK = 900

#: Matches a paper against the subscriptions: channel id -> the subscriptions that matched.
Matcher = Callable[[Paper], Mapping[int, Sequence[Subscription]]]


@dataclass(slots=True)
class IngestCounts:
    """What one ingest did. ``alerts`` counts outbox messages queued."""

    items: int = 0
    new_papers: int = 0
    new_versions: int = 0
    announced: int = 0
    alerts: int = 0
    alerted: list[tuple[str, int]] = field(default_factory=list)

    def add(self, other: IngestCounts) -> None:
        self.items += other.items
        self.new_papers += other.new_papers
        self.new_versions += other.new_versions
        self.announced += other.announced
        self.alerts += other.alerts
        self.alerted.extend(other.alerted)


@dataclass(frozen=True, slots=True)
class _Known:
    version: int
    announced: str | None
    versions: str


def paper_from_row(row: sqlite3.Row | tuple) -> Paper:
    """Build a :class:`Paper` from a row selected with ``_COLUMNS``."""
    (arxiv_id, version, title, authors, authors_raw, abstract, primary, categories) = row[:8]
    (published, updated, announced, doi, comment, journal_ref, versions) = row[8:15]
    return Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        authors=tuple(authors.split(AUTHOR_SEP)) if authors else (),
        authors_raw=authors_raw,
        abstract=abstract,
        primary_category=primary,
        categories=tuple(categories.split()),
        published=parse_dt(published),
        updated=parse_dt(updated),
        announced=parse_date(announced),
        doi=doi,
        comment=comment,
        journal_ref=journal_ref,
        versions=tuple(Version(n, parse_dt(d)) for n, d in json.loads(versions)),
    )


def _versions_json(existing: str | None, paper: Paper) -> str:
    known: dict[int, str | None] = {}
    if existing:
        known.update((int(n), d) for n, d in json.loads(existing))
    for v in paper.versions:
        known[v.number] = iso(v.date) or known.get(v.number)
    if paper.version not in known or known[paper.version] is None:
        known[paper.version] = iso(paper.updated) or known.get(paper.version)
    return json.dumps(sorted(known.items()))


def _row(paper: Paper, announced: str | None, versions: str, seen: str) -> tuple:
    return (
        paper.arxiv_id,
        paper.version,
        paper.title,
        AUTHOR_SEP.join(paper.authors),
        paper.authors_raw,
        paper.abstract,
        paper.primary_category,
        " ".join(paper.categories),
        iso(paper.published),
        iso(paper.updated),
        announced,
        paper.doi,
        paper.comment,
        paper.journal_ref,
        versions,
        seen,
        seen,
    )


def fts_query(text: str) -> str | None:
    """Turn any user string into a safe FTS5 query: every word quoted, implicit AND.

    Quoting each token makes FTS5 operators (``NEAR(``, ``OR``, ``*``, ``title:``) plain words,
    so no user input can raise an FTS syntax error. Returns None when no word is left.
    """
    words = _WORD.findall(text)
    if not words:
        return None
    return " ".join('"' + w.replace('"', '""') + '"' for w in words[:32])


class PaperStore(StoreBase):
    """Paper rows and their full-text index."""

    async def _known(self, ids: Sequence[str]) -> dict[str, _Known]:
        known: dict[str, _Known] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            sql = f"SELECT arxiv_id, version, announced, versions FROM papers WHERE arxiv_id IN ({marks})"  # noqa: E501
            for arxiv_id, version, announced, versions in await self.fetchall(sql, chunk):
                known[arxiv_id] = _Known(version, announced, versions)
        return known

    async def ingest(
        self,
        items: Iterable[ListingItem],
        *,
        announced_on: date | None = None,
        matcher: Matcher | None = None,
        thread_platform_channels: frozenset[int] = frozenset(),
    ) -> IngestCounts:
        """Store one listing's items in one transaction and queue the alerts they cause.

        A ``new`` or ``cross`` item announces a paper the bot has not seen announced (even if a
        look-up stored it); only then, and only with a ``matcher``, is an alert queued for each
        matching channel. A higher version of a stored paper updates its metadata and never
        alerts; for channels in ``thread_platform_channels`` that already had the alert, a
        ``version`` message (a thread reply) is queued instead.
        """
        items = list(items)
        counts = IngestCounts(items=len(items))
        if not items:
            return counts
        seen = now_iso()
        async with self.transaction() as conn:
            known = await self._known(list(dict.fromkeys(i.paper.arxiv_id for i in items)))
            inserts: list[tuple] = []
            updates: list[tuple] = []
            announce: list[tuple[str, str]] = []
            alerts: list[tuple] = []
            # Subscription.label formats an enum each time; a few subscriptions make most alerts.
            labels: dict[int, str] = {}
            bumped: list[tuple[str, int]] = []
            for item in items:
                paper = item.paper
                day = paper.announced or announced_on
                first = item.announce_type.is_first_announcement
                prior = known.get(paper.arxiv_id)
                if prior is None:
                    announced = (iso(day) or seen[:10]) if first else None
                    versions = _versions_json(None, paper)
                    inserts.append(_row(paper, announced, versions, seen))
                    known[paper.arxiv_id] = _Known(paper.version, announced, versions)
                    counts.new_papers += 1
                else:
                    announced = prior.announced
                    if paper.version > prior.version:
                        versions = _versions_json(prior.versions, paper)
                        row = _row(paper, prior.announced, versions, seen)
                        updates.append((*row[1:10], *row[11:15], seen, paper.arxiv_id))
                        known[paper.arxiv_id] = _Known(paper.version, prior.announced, versions)
                        counts.new_versions += 1
                        if prior.announced is not None:
                            bumped.append((paper.arxiv_id, paper.version))
                    if not (first and prior.announced is None):
                        continue
                    announced = iso(day) or seen[:10]
                    announce.append((announced, paper.arxiv_id))
                    known[paper.arxiv_id] = replace(known[paper.arxiv_id], announced=announced)
                if not first:
                    continue
                counts.announced += 1
                if matcher is None:
                    continue
                for channel_id, subs in matcher(paper).items():
                    reasons = "\n".join(
                        [labels.get(s.id) or labels.setdefault(s.id, s.label) for s in subs]
                    )
                    alerts.append((paper.arxiv_id, channel_id, "alert", paper.version, reasons))
                    counts.alerted.append((paper.arxiv_id, channel_id))
            if inserts:
                await self._insert_papers(conn, inserts)
            if updates:
                await self._update_papers(conn, updates)
            if announce:
                await conn.executemany(
                    "UPDATE papers SET announced=? WHERE arxiv_id=? AND announced IS NULL",
                    announce,
                )
            counts.alerts = await self._queue(conn, alerts, seen)
            if bumped and thread_platform_channels:
                counts.alerts += await self._queue_version_notes(
                    conn, bumped, thread_platform_channels, seen
                )
        return counts

    async def _insert_papers(self, conn, rows: list[tuple]) -> None:
        """Insert new paper rows (and so their full-text entries) in one statement.

        FTS5 flushes its pending terms into a new segment at the end of every statement that
        fires the insert trigger, so ``executemany`` straight into ``papers`` writes one tiny
        segment per row and merges them over and over. Staging the rows in an untyped temp
        table and copying them with one ``INSERT ... SELECT`` indexes the batch at once (about
        40% less time per listing); rowids, values and affinities come out the same.
        """
        await conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} ({_STAGE_COLUMNS})")
        await conn.executemany(
            f"INSERT INTO temp.{_STAGE} VALUES ({','.join('?' * 17)})",
            rows,
        )
        await conn.execute(
            f"INSERT INTO papers ({_STAGE_COLUMNS}) SELECT {_STAGE_COLUMNS} "
            f"FROM temp.{_STAGE} ORDER BY rowid"
        )
        await conn.execute(f"DELETE FROM temp.{_STAGE}")

    async def _update_papers(self, conn, rows: list[tuple]) -> None:
        """Apply new versions: ``rows`` as :data:`_UPDATE_COLUMNS`, in order.

        Staged and applied with one ``UPDATE ... FROM`` for the reason given in
        :meth:`_insert_papers` (the update trigger re-indexes title, abstract and authors).
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

    async def _queue(self, conn, alerts: list[tuple], seen: str) -> int:
        if not alerts:
            return 0
        before = conn.total_changes
        await conn.executemany(
            "INSERT OR IGNORE INTO outbox(paper_id, channel_id, kind, version, reasons, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [(*a, seen) for a in alerts],
        )
        return conn.total_changes - before

    async def _queue_version_notes(
        self, conn, bumped: list[tuple[str, int]], channels: frozenset[int], seen: str
    ) -> int:
        rows: list[tuple] = []
        for arxiv_id, version in bumped:
            async with conn.execute(
                "SELECT id, channel_id FROM outbox WHERE paper_id = ? AND kind = 'alert' "
                "AND state != 'failed'",
                (arxiv_id,),
            ) as cur:
                for parent_id, channel_id in await cur.fetchall():
                    if channel_id in channels:
                        rows.append((arxiv_id, channel_id, "version", version, "", parent_id))
        if not rows:
            return 0
        before = conn.total_changes
        await conn.executemany(
            "INSERT OR IGNORE INTO outbox(paper_id, channel_id, kind, version, reasons, "
            "parent_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(*r, seen) for r in rows],
        )
        return conn.total_changes - before

    async def save_looked_up(self, papers: Iterable[Paper]) -> None:
        """Store papers fetched for a look-up. They stay unannounced: a later listing still
        alerts them."""
        seen = now_iso()
        papers = list(papers)
        async with self.transaction() as conn:
            known = await self._known([p.arxiv_id for p in papers])
            for paper in papers:
                prior = known.get(paper.arxiv_id)
                if prior is None:
                    await conn.execute(
                        f"INSERT OR IGNORE INTO papers ({_COLUMNS}, first_seen, last_seen) "
                        f"VALUES ({','.join('?' * 17)})",
                        _row(paper, None, _versions_json(None, paper), seen),
                    )
                elif paper.version > prior.version and prior.announced is None:
                    # An announced paper's new version is left to the listing that announces
                    # it, which also notes it in the alert's thread.
                    row = _row(paper, prior.announced, _versions_json(prior.versions, paper), seen)
                    await conn.execute(
                        "UPDATE papers SET version=?, title=?, authors=?, authors_raw=?, "
                        "abstract=?, primary_category=?, categories=?, "
                        "published=COALESCE(?, published), updated=?, doi=COALESCE(?, doi), "
                        "comment=?, journal_ref=COALESCE(?, journal_ref), versions=?, "
                        "last_seen=? WHERE arxiv_id=?",
                        (*row[1:10], *row[11:15], seen, paper.arxiv_id),
                    )

    async def get_paper(self, arxiv_id: str) -> Paper | None:
        row = await self.fetchone(f"SELECT {_COLUMNS} FROM papers WHERE arxiv_id = ?", (arxiv_id,))
        return paper_from_row(row) if row else None

    async def get_papers(self, arxiv_ids: Sequence[str]) -> dict[str, Paper]:
        found: dict[str, Paper] = {}
        for start in range(0, len(arxiv_ids), _CHUNK):
            chunk = list(arxiv_ids[start : start + _CHUNK])
            marks = ",".join("?" * len(chunk))
            for row in await self.fetchall(
                f"SELECT {_COLUMNS} FROM papers WHERE arxiv_id IN ({marks})", chunk
            ):
                found[row[0]] = paper_from_row(row)
        return found

    async def find_by_doi(self, doi: str) -> Paper | None:
        row = await self.fetchone(
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
        table, weights = ("titles_fts", "") if title_only else ("papers_fts", ", 10.0, 1.0, 3.0")
        floor = await self.fetchone(
            f"SELECT rowid FROM {table} WHERE {table} MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
            (query, RANK_WINDOW - 1),
        )
        window = f" AND {table}.rowid >= {int(floor[0])}" if floor else ""
        rows = await self.fetchall(
            f"SELECT {', '.join('p.' + c.strip() for c in _COLUMNS.split(','))} "
            f"FROM {table} JOIN papers p ON p.id = {table}.rowid "
            f"WHERE {table} MATCH ?{window} ORDER BY bm25({table}{weights}) LIMIT ?",
            (query, limit),
        )
        return [paper_from_row(r) for r in rows]

    async def count_papers(self) -> int:
        row = await self.fetchone("SELECT count(*) FROM papers")
        return int(row[0]) if row else 0
