"""``why ID``: for one channel, why a stored paper was (or was not) posted there.

The answer has three parts:

* which of the channel's subscriptions match the paper as stored, and on what
  (:func:`~bot.matching.explain.explain`: the author as listed with the affiliation, the
  forms in which the text writes each topic term, the categories);
* the alert's state from the outbox: posted (as an alert, on which day, queued by which
  listing), queued, refused, held (until when, why), dropped (why); a paper delivered in a
  digest or an overflow message says so through ``via`` (:func:`state_text`), which the
  digest tables of volume control fill;
* when nothing was alerted: why not — the paper was stored before the subscription existed,
  was only replaced (never announced), is in no polled category — or, when nothing matches,
  the closest subscription (the most satisfied terms; ties: the lowest id) and each missing
  term, author or category.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.chat.errors import UserError
from bot.chat.ids import classify_query
from bot.config import Config
from bot.ingest.poller import polled_categories
from bot.matching.explain import Explanation, Shortfall, explain, shortfall
from bot.model import Channel, Paper, Subscription, SubscriptionKind
from bot.model.identity import person_id
from bot.model.text import literal
from bot.store import AlertRecord, Store

#: Authors and categories listed when saying what a paper has instead.
SHOWN = 6


class PaperNotStored(UserError):
    """The paper is not in the store (the CLI exits 1)."""


def _at(epoch: float) -> str:
    return f"{datetime.fromtimestamp(epoch, UTC):%Y-%m-%d %H:%M} UTC"


def _listing(credit: tuple[str, date] | None) -> str:
    return f" (queued by the {credit[0]} listing of {credit[1]:%a %d %b %Y})" if credit else ""


def state_text(
    record: AlertRecord, credit: tuple[str, date] | None, channel: str, via: str | None = None
) -> str:
    """The alert's state as one line. ``via``: the sentence saying which digest or overflow
    message carried (or is to carry) the paper, when it goes out that way."""
    listing = _listing(credit)
    if via is not None:
        return f"{via}{listing}."
    if record.state == "sent":
        day = f" on {record.sent_at:%Y-%m-%d %H:%M} UTC" if record.sent_at else ""
        return f"Posted here as an alert{day}{listing}."
    if record.state == "held":
        until = f"until {_at(record.held_until)}" if record.held_until else "until released"
        return f"Held {until}: {literal(record.hold_reason or 'no reason recorded')}{listing}."
    if record.state == "dropped":
        reason = literal(record.drop_reason or "no reason recorded")
        return f"Dropped, it will not be posted: {reason}{listing}."
    if record.state == "failed":
        return (
            f"The platform refused the alert: {literal(record.last_error or '?')} "
            f"(`paperbot retry {literal(channel)}` re-queues it){listing}."
        )
    error = f"; the last attempt failed: {literal(record.last_error)}" if record.last_error else ""
    return f"Queued as an alert, not delivered yet{error}{listing}."


def _hit_text(found: Explanation) -> str:
    if found.authors:
        names = ", ".join(
            literal(a.name) + (f" ({literal(a.affiliation)})" if a.affiliation else "")
            for a in found.authors
        )
        return f"listed as {names}"
    if found.terms:
        parts = [
            f"{literal(t.term)} as {', '.join(literal(f) for f in t.forms)}"
            if t.forms
            else literal(t.term)
            for t in found.terms
        ]
        return "found " + "; ".join(parts)
    return "in " + ", ".join(found.categories)


def _missing_text(short: Shortfall, paper: Paper) -> str:
    sub = short.subscription
    if sub.kind is SubscriptionKind.AUTHOR:
        authors = ", ".join(literal(a) for a in paper.authors[:SHOWN]) or "none listed"
        more = " …" if len(paper.authors) > SHOWN else ""
        return f"missing author {literal(sub.value)} (the paper's authors: {authors}{more})"
    if sub.kind is SubscriptionKind.CATEGORY:
        cats = ", ".join(dict.fromkeys((paper.primary_category, *paper.categories)))
        return f"missing category {sub.value} (the paper is in {cats})"
    total = short.satisfied + len([m for m in short.missing if not m.startswith("-")])
    missing = ", ".join(literal(m) for m in short.missing)
    return f"has {short.satisfied} of {total} terms; missing {missing}"


def _usable(
    subs: list[Subscription], paper: Paper, names: dict[int, tuple[str, ...]]
) -> list[tuple[Subscription, Explanation]]:
    found = []
    for sub in subs:
        try:
            found.append((sub, explain(sub, paper, names.get(sub.id, ()))))
        except ValueError:  # a value stored by an older version that no longer parses
            continue
    return found


class Why:
    """The ``why`` answer over the store and the config (for the polled categories)."""

    def __init__(self, store: Store, config: Config) -> None:
        self.store = store
        self.config = config

    async def paper(self, text: str) -> Paper:
        """The stored paper ``text`` names (an arXiv id or arxiv.org link)."""
        query = classify_query(text.strip())
        if query.kind != "id":
            raise UserError(f"why: give an arXiv id or arxiv.org link, got {text.strip()!r}")
        paper = await self.store.papers.get(query.value)
        if paper is None:
            raise PaperNotStored(
                f"{query.value} is not stored here (look it up first: `lookup {query.value}`)"
            )
        return paper

    async def text(self, channel: Channel, text: str) -> str:
        """Why the paper ``text`` names was or was not posted in ``channel``."""
        paper = await self.paper(text)
        subs = await self.store.subscriptions.list(channel.id)
        names = await self._person_names(subs)
        explained = _usable(subs, paper, names)
        matched = [(s, e) for s, e in explained if e.matched]
        record = await self.store.history.alert(paper.arxiv_id, channel.id)
        lines = [f"*{paper.arxiv_id}* {literal(paper.title)}"]
        if matched:
            lines.append("Matched here by:")
            lines += [f"• #{s.id} {literal(s.label)} — {_hit_text(e)}" for s, e in matched]
        if record is not None:
            if not matched:
                then = "; ".join(literal(r) for r in record.reasons) or "?"
                lines.append(f"No subscription here matches it now; it matched then ({then}).")
            credit = await self.store.ledger.credit(record.id)
            via = await self._carried_by(paper.arxiv_id, channel.id)
            lines.append(state_text(record, credit, channel.name, via=via))
            return "\n".join(lines)
        if matched:
            lines.append(await self._not_alerted(paper, [s for s, _ in matched]))
            return "\n".join(lines)
        lines += self._closest(explained, paper, names)
        lines += await self._notes(paper)
        return "\n".join(lines)

    async def _carried_by(self, paper_id: str, channel_id: int) -> str | None:
        """The digest or overflow message that carried (or is to carry) the paper here."""
        c = await self.store.digests.carrier(paper_id, channel_id)
        if c is None:
            return None
        what = "the overflow message" if c.kind == "overflow" else f"the digest “{c.title}”"
        where = f"{what} of {c.local_date.isoformat()} (part {c.part} of {c.parts}"
        if c.state == "sent":
            return f"Posted here in {where})"
        return f"To be posted here in {where}, {c.state})"

    async def _not_alerted(self, paper: Paper, matched: list[Subscription]) -> str:
        if paper.announced is None:
            return (
                "No alert: arXiv has listed it only as a replacement (or it was only looked "
                "up), and a paper never announced does not alert."
            )
        seen = await self.store.history.first_seen(paper.arxiv_id)
        newer = [s for s in matched if seen and s.created_at and s.created_at >= seen]
        if len(newer) == len(matched):
            subs = ", ".join(f"#{s.id} (added {s.created_at:%Y-%m-%d})" for s in newer)
            return (
                f"No alert: the paper was stored (announced {paper.announced}) before {subs} "
                "existed; a new subscription does not alert on papers already stored."
            )
        return (
            f"No alert: it did not match this channel when it was announced ({paper.announced}); "
            "it matches as a later listing changed it, or it was stored without alerts "
            "(`paperbot ingest` without `--alert`)."
        )

    async def _person_names(self, subs: list[Subscription]) -> dict[int, tuple[str, ...]]:
        """The names the index knows for each followed person (``openalex:A…``) among
        ``subs``, by subscription id (a person not stored yet: none, so not explained)."""
        ids = {
            s.id: a for s in subs if s.kind is SubscriptionKind.AUTHOR and (a := person_id(s.value))
        }
        persons = await self.store.identity.persons(sorted(set(ids.values())))
        return {
            sub_id: (p.record.display_name, *p.record.alternatives)
            for sub_id, author in ids.items()
            if (p := persons.get(author)) is not None
        }

    def _closest(
        self,
        explained: list[tuple[Subscription, Explanation]],
        paper: Paper,
        names: dict[int, tuple[str, ...]],
    ) -> list[str]:
        if not explained:
            return ["This channel has no subscriptions, so nothing here matches it."]
        shorts = [shortfall(s, paper, names.get(s.id, ())) for s, _ in explained]
        best = max(shorts, key=lambda s: (s.satisfied, -s.subscription.id))
        sub = best.subscription
        return [
            "No subscription of this channel matches it.",
            f"Closest: #{sub.id} {literal(sub.label)} — {_missing_text(best, paper)}.",
        ]

    async def _notes(self, paper: Paper) -> list[str]:
        notes = []
        if paper.announced is None:
            notes.append(
                "arXiv has listed it here only as a replacement (or it was only looked up): "
                "a paper never announced does not alert."
            )
        subscribed = await self.store.subscriptions.values(SubscriptionKind.CATEGORY)
        polled = set(polled_categories(self.config.arxiv.categories, subscribed))
        cats = dict.fromkeys(c for c in (paper.primary_category, *paper.categories) if c)
        if not polled.intersection(cats):
            notes.append(
                f"It is in no polled category ({', '.join(cats) or 'none'}): no listing this bot "
                "reads announces it (it came from a look-up or another source)."
            )
        return notes
