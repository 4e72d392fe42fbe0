"""Reads for ``preview``: the last announcement days and the papers announced on them, through
the ``papers_announced`` index (migration 4), without building a :class:`Paper` for every row.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import date

from bot.store.db import Database

#: The separator of the ``authors`` column (``bot.store.papers.AUTHOR_SEP``).
_SEP = "\x1f"


@dataclass(frozen=True, slots=True)
class DayPaper:
    """A paper announced on ``day``: what a preview counts, matches and shows."""

    arxiv_id: str
    day: date
    title: str
    abstract: str = ""
    authors: str = ""  # display names joined by U+001F

    @property
    def author_names(self) -> tuple[str, ...]:
        return tuple(self.authors.split(_SEP)) if self.authors else ()


class Previews:
    """Named reads over the papers of recent announcement days."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def announcement_days(self, count: int) -> builtins.list[date]:
        """The latest ``count`` announcement days stored, newest first (one index probe each:
        a ``DISTINCT`` would walk the whole index)."""
        days: list[date] = []
        below = "9999-12-31"
        for _ in range(count):
            row = await self.db.fetchone(
                "SELECT max(announced) AS day FROM papers WHERE announced < ?", (below,)
            )
            if row is None or row["day"] is None:
                break
            below = row["day"]
            days.append(date.fromisoformat(below))
        return days

    async def in_category(self, pattern: str, since: date) -> builtins.list[DayPaper]:
        """Papers announced on ``since`` or later whose categories contain ``pattern`` as a
        whole word (``cs.LG``) or, ending in a dot, as a prefix (``cs.``: the archive)."""
        like = f"% {pattern}%" if pattern.endswith(".") else f"% {pattern} %"
        rows = await self.db.fetchall(
            "SELECT arxiv_id, announced, title FROM papers WHERE announced >= ? "
            "AND (' ' || categories || ' ') LIKE ? ORDER BY announced DESC, id DESC",
            (since.isoformat(), like),
        )
        return [
            DayPaper(r["arxiv_id"], date.fromisoformat(r["announced"]), r["title"]) for r in rows
        ]

    async def texts(self, since: date) -> builtins.list[DayPaper]:
        """Title and abstract of every paper announced on ``since`` or later, newest first."""
        rows = await self.db.fetchall(
            "SELECT arxiv_id, announced, title, abstract FROM papers WHERE announced >= ? "
            "ORDER BY announced DESC, id DESC",
            (since.isoformat(),),
        )
        return [
            DayPaper(r["arxiv_id"], date.fromisoformat(r["announced"]), r["title"], r["abstract"])
            for r in rows
        ]

    async def authors(self, since: date) -> builtins.list[DayPaper]:
        """The author lists of every paper announced on ``since`` or later, newest first."""
        rows = await self.db.fetchall(
            "SELECT arxiv_id, announced, title, authors FROM papers WHERE announced >= ? "
            "ORDER BY announced DESC, id DESC",
            (since.isoformat(),),
        )
        return [
            DayPaper(
                r["arxiv_id"], date.fromisoformat(r["announced"]), r["title"], authors=r["authors"]
            )
            for r in rows
        ]
