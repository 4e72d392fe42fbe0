"""The held alerts digest assembly and overflow messages read, as :class:`HeldPaper`.

Apart from :mod:`bot.store.digests` so that module stays under the size limit; both
:meth:`Digests.assemble` and ``Volume.route`` read thousands of these rows at once."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from bot.model.digest import HeldPaper

HELD_PAPERS = (
    "SELECT o.id, o.paper_id, o.sub_ids, o.reasons, o.held_at, "
    "coalesce(p.announced, '') AS announced "
    "FROM outbox o LEFT JOIN papers p ON p.arxiv_id = o.paper_id "
    "WHERE o.channel_id = ? AND o.state = 'held' AND o.kind = 'alert' "
)


def held_papers(rows: Iterable[sqlite3.Row]) -> list[HeldPaper]:
    """The :data:`HELD_PAPERS` rows as held papers (read by position: a digest reads
    thousands). A channel's thousands of held rows repeat a few
    ``sub_ids`` and ``reasons`` texts (its subscriptions): each is split once."""
    subs: dict[str, tuple[int, ...]] = {}
    labels: dict[str, tuple[str, ...]] = {}
    papers: list[HeldPaper] = []
    add = papers.append
    for row in rows:
        ids, reasons = row[2], row[3]
        sub_ids = subs.get(ids)
        if sub_ids is None:
            sub_ids = subs[ids] = tuple(map(int, ids.split()))
        texts = labels.get(reasons)
        if texts is None:
            texts = labels[reasons] = tuple(reasons.split("\n")) if reasons else ()
        add(HeldPaper(row[0], row[1], row[5], sub_ids, texts))
    return papers


__all__ = ["HELD_PAPERS", "held_papers"]
