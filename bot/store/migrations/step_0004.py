"""Migration 4's Python step: what issue #11 changed in how listings are read, applied to the
papers already stored.

* ``authors`` are re-split from ``authors_raw`` (commas inside an affiliation no longer make
  fake authors) and ``affiliations`` filled; rows without ``authors_raw`` (API records) keep
  their authors.
* ``listing_kind`` is inferred where the raw text shows it: RDF-era ``dc:creator`` is HTML
  with ``<a>`` links, RSS 2.0's is plain text.
* ``published`` becomes the v1 date from ``versions`` when known; an API record keeps its own
  (the API's ``published`` is the v1 date); otherwise it is emptied (it held a listing's date).
* ``announced`` of RDF-era rows moves to the next mailing day (RDF dated the evening before).
"""

from __future__ import annotations

import json
from datetime import date

import aiosqlite

from bot.sources.creators import rdf_creators, split_creators
from bot.sources.mailing import next_mailing_day

_SEP = "\x1f"
_BATCH = 2000


def _kind(raw: str | None) -> str | None:
    if raw is None:
        return None
    return "rdf" if "<a " in raw.lower() else "rss"


def _v1_date(versions: str) -> str | None:
    for number, when in json.loads(versions):
        if int(number) == 1:
            return str(when) if when else None
    return None


def upgraded(row: aiosqlite.Row) -> tuple[object, ...]:
    """The new (authors, affiliations, listing_kind, published, announced, id) of a row."""
    raw, kind = row["authors_raw"], _kind(row["authors_raw"])
    authors, affiliations = row["authors"], ""
    if raw is not None:
        creators = rdf_creators(raw) if kind == "rdf" else split_creators(raw)
        authors = _SEP.join(name for name, _ in creators)
        if any(a for _, a in creators):
            affiliations = _SEP.join(a for _, a in creators)
    published = _v1_date(row["versions"]) or (row["published"] if raw is None else None)
    announced = row["announced"]
    if kind == "rdf" and announced:
        announced = next_mailing_day(date.fromisoformat(announced)).isoformat()
    return (authors, affiliations, kind, published, announced, row["id"])


async def upgrade(conn: aiosqlite.Connection) -> None:
    """Rewrite every paper row, in batches of ids (the rows are read before they change)."""
    last = 0
    while True:
        async with conn.execute(
            "SELECT id, authors, authors_raw, published, announced, versions FROM papers "
            "WHERE id > ? ORDER BY id LIMIT ?",
            (last, _BATCH),
        ) as cur:
            rows = list(await cur.fetchall())
        if not rows:
            return
        last = rows[-1]["id"]
        await conn.executemany(
            "UPDATE papers SET authors=?, affiliations=?, listing_kind=?, published=?, "
            "announced=? WHERE id=?",
            [upgraded(r) for r in rows],
        )
