"""The reading list and BibTeX, shared by chat and the CLI: ``save``, ``unsave``, ``saved``,
``bibtex``, and the marks adapters pass in (an alert's Save button, a 📌 on an alert).

A channel's list holds one mark per person and paper, recording who made it, how (``save``
command, button, reaction) and when; anyone in the channel may save. ``unsave ID`` takes the
paper off the list whoever marked it; taking a 📌 off removes only the mark that 📌 made.
Papers are named by arXiv id (with or without version), arxiv.org link or DOI; an id not
stored is looked up on arXiv (and stored unannounced, like any look-up).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.chat.errors import UserError
from bot.chat.ids import classify_query
from bot.chat.lookup import Lookup, LookupFailed, SourceUnavailable
from bot.model import Channel, Mark, Paper, SavedPaper, SaveVia
from bot.model.clock import Clock
from bot.store import Store

#: At most this many papers in one ``bibtex`` (a chat line holds far fewer).
MAX_BIBTEX_IDS = 500


class NotAnId(UserError):
    """The text names no paper by id, link or DOI (title words are for ``lookup``)."""


@dataclass(frozen=True, slots=True)
class Found:
    """Papers found for the texts asked about, in the order asked, and the texts that named
    no paper arXiv knows. With ``find(partial=True)``, ``unreached`` are the ids that are not
    stored and arXiv could not be asked about (``failure`` says why)."""

    papers: tuple[Paper, ...]
    unknown: tuple[str, ...]
    unreached: tuple[str, ...] = ()
    failure: str | None = None


def paper_reference(text: str) -> tuple[str, str]:
    """``("id", arxiv_id)`` or ``("doi", doi)`` for one paper reference; :class:`NotAnId`
    for anything else."""
    query = classify_query(text)
    if query.kind == "words":
        raise NotAnId(
            f"{text!r} is not an arXiv id, arxiv.org link or DOI (find the paper with `lookup`)"
        )
    return query.kind, query.value


class Reading:
    """The reading-list operations over one store and look-up service."""

    def __init__(self, store: Store, lookup: Lookup, clock: Clock) -> None:
        self.store = store
        self.lookup = lookup
        self.clock = clock

    async def find(self, texts: Sequence[str], *, partial: bool = False) -> Found:
        """The papers ``texts`` name (ids asked of arXiv at once when not stored).
        :class:`SourceUnavailable` when arXiv cannot be reached for an id not stored; with
        ``partial``, the stored papers are still found and the rest are ``unreached``."""
        if len(texts) > MAX_BIBTEX_IDS:
            raise UserError(f"too many papers at once ({len(texts)}; at most {MAX_BIBTEX_IDS})")
        refs = [paper_reference(t) for t in texts]
        ids = [value for kind, value in refs if kind == "id"]
        failure = None
        try:
            by_id = await self.lookup.by_ids(ids)
        except SourceUnavailable as exc:
            if not partial:
                raise
            by_id, failure = await self.store.papers.get_many(list(dict.fromkeys(ids))), str(exc)
        papers: dict[str, Paper] = {}
        unknown: list[str] = []
        unreached: list[str] = []
        for text, (kind, value) in zip(texts, refs, strict=True):
            paper = by_id.get(value) if kind == "id" else await self.store.papers.by_doi(value)
            if paper is not None:
                papers.setdefault(paper.arxiv_id, paper)
            else:
                (unreached if failure and kind == "id" else unknown).append(text)
        return Found(tuple(papers.values()), tuple(unknown), tuple(unreached), failure)

    async def paper(self, text: str) -> Paper:
        """The one paper ``text`` names; :class:`LookupFailed` when there is none."""
        found = await self.find([text])
        if not found.papers:
            raise LookupFailed(f"no paper {text} (not stored, and arXiv has none)")
        return found.papers[0]

    async def save(
        self, channel: Channel, text: str, user_id: str, user_name: str
    ) -> tuple[Paper, bool]:
        """Save by command; the paper and whether this person's mark is new."""
        paper = await self.paper(text)
        added = await self.store.reading.save(
            channel.id, paper.arxiv_id, user_id, user_name, SaveVia.COMMAND, self.clock.now()
        )
        return paper, added

    async def unsave(self, channel: Channel, text: str) -> tuple[str, int]:
        """Take a paper off the channel's list; its id and how many marks it had (0: it was
        not on the list). Needs no look-up: the id is enough."""
        kind, value = paper_reference(text)
        paper_id = value
        if kind == "doi":
            paper = await self.store.papers.by_doi(value)
            if paper is None:
                return value, 0
            paper_id = paper.arxiv_id
        return paper_id, await self.store.reading.unsave(channel.id, paper_id)

    async def saved(self, channel: Channel) -> list[SavedPaper]:
        """The channel's list, the most recently marked first."""
        return await self.store.reading.list(channel.id)

    async def mark(
        self, channel: Channel, mark: Mark, user_id: str, user_name: str
    ) -> tuple[Paper, bool] | None:
        """Apply a button press or a reaction; None when its message is none of the bot's
        alerts in this channel (ignored). Else the paper and whether the list changed."""
        paper_id = await self.store.reading.alert_at(channel.id, mark.message_ref, mark.paper_id)
        paper = await self.store.papers.get(paper_id) if paper_id else None
        if paper is None:
            return None
        if mark.on:
            changed = await self.store.reading.save(
                channel.id, paper.arxiv_id, user_id, user_name, mark.via, self.clock.now()
            )
        else:
            changed = await self.store.reading.unmark(channel.id, paper.arxiv_id, user_id, mark.via)
        return paper, changed
