"""Checking a followed person's candidate papers against OpenAlex.

A paper that only person subscriptions matched (by name) waits in the outbox as ``held``
(``hold_reason='identity'``). After each poll :class:`IdentityVerifier` asks OpenAlex for the
works of every held paper, by arXiv DOI, 50 to a request (and the single work, which lists
every author, when a list cut the authorships and the person was not among the first 100):

* **verified**: the person's record, or a record with the person's ORCID, is an author — the
  alert is posted, its reason saying "verified";
* **contradicted**: the index credits the name to another record (without the person's ORCID)
  — not posted (``dropped``, ``why`` shows "held out: the index credits another Wei Wang
  (openalex:A…)"), or posted marked when ``[identity] other_record = "post"``;
* **unknown**: the index does not hold the work yet (or lists no one of that name) — still
  held until ``wait_hours`` after the announcement (00:00 UTC of the announcement day; the
  first check stores that as ``held_until``), after which the alert is posted "by name, not
  yet verified" (or dropped with ``unverified = "drop"``).

OpenAlex failing (down, parked after a 429, a bad payload) leaves every row held and is
recorded as the index's health; it never raises into the poll.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from bot.config.identity import IdentityConfig
from bot.matching.names import author_matches, parse_person
from bot.model.clock import SYSTEM_CLOCK, Clock
from bot.model.identity import PERSON_PREFIX, AuthorRecord, Verdict, WorkRecord, person_label
from bot.sources.openalex import BATCH, OpenAlexClient, OpenAlexError, arxiv_doi
from bot.store import Store
from bot.store.outbox_identity import IdentityHeld

log = logging.getLogger("paperbot.identity")

#: A followed person's reason line: ``author: Wei Wang (openalex:A…)`` (or, queued before the
#: person's names were known, ``author: openalex:A…``).
_PERSON_REASON = re.compile(r"^author: (?:openalex:(A[0-9]+)|.*\(openalex:(A[0-9]+)\))$")


@dataclass(frozen=True, slots=True)
class Judgement:
    verdict: Verdict
    other: tuple[str, str] | None = None  # contradicted: (name, author id) the index credits


@dataclass(slots=True)
class VerifyReport:
    """What one pass did; ``error`` is the index's failure, if it had one."""

    held: int = 0
    verified: int = 0
    contradicted: int = 0
    unverified_posted: int = 0
    dropped: int = 0
    requests: int = 0
    error: str | None = None
    released_ids: list[int] = field(default_factory=list)


def judge(work: WorkRecord | None, person: AuthorRecord) -> Judgement:
    """The index's verdict on ``person`` and ``work`` (None: the index lacks the work)."""
    if work is None:
        return Judgement(Verdict.UNKNOWN)
    for a in work.authorships:
        if a.author_id == person.author_id or (person.orcid and a.orcid == person.orcid):
            return Judgement(Verdict.VERIFIED)
    names = [p for p in map(parse_person, person.names) if p is not None]
    for a in work.authorships:
        parsed = parse_person(a.name)
        if parsed is None or not any(author_matches(n, parsed) for n in names):
            continue
        if a.author_id is not None:
            return Judgement(Verdict.CONTRADICTED, (a.name, a.author_id))
    return Judgement(Verdict.UNKNOWN)


def person_ids(reasons: str) -> list[str]:
    """The followed persons an alert's reasons name (``author: openalex:A…`` lines)."""
    return [
        m.group(1) or m.group(2)
        for line in reasons.split("\n")
        if (m := _PERSON_REASON.match(line))
    ]


def shown_reasons(reasons: str, persons: dict[str, AuthorRecord], mark: str) -> str:
    """The reasons with each person's line as an alert shows it: name, id and ``mark``."""
    lines = []
    for line in reasons.split("\n"):
        m = _PERSON_REASON.match(line)
        ident = (m.group(1) or m.group(2)) if m else None
        if ident is not None and ident in persons:
            line = f"{person_label(ident, persons[ident].display_name)}, {mark}"
        lines.append(line)
    return "\n".join(lines)


class IdentityVerifier:
    """One pass over the identity-held alerts (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        client: OpenAlexClient | None,
        config: IdentityConfig,
        *,
        clock: Clock = SYSTEM_CLOCK,
        on_released: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.client = client
        self.config = config
        self.clock = clock
        self.on_released = on_released

    async def run(self) -> VerifyReport:
        """Check every held alert once; never raises for the index's failures."""
        report = VerifyReport()
        rows = await self.store.outbox.identity_held()
        rows = await self._drop_unfollowed(rows, report)
        report.held = len(rows)
        if not rows:
            return report
        wanted = {p for r in rows for p in person_ids(r.reasons)}
        persons = {
            k: v.record for k, v in (await self.store.identity.persons(sorted(wanted))).items()
        }
        works = await self._works(rows, persons, report)
        await self._settle(rows, persons, works, report)
        if report.released_ids:
            self.on_released()
        return report

    async def _drop_unfollowed(
        self, rows: list[IdentityHeld], report: VerifyReport
    ) -> list[IdentityHeld]:
        """Drop the held alerts whose channel no longer follows any of their persons (it
        unsubscribed while the index was being asked); the rest, to check."""
        live = {(s.channel_id, s.value) for s in await self.store.subscriptions.list()}
        gone = [
            r
            for r in rows
            if not any((r.channel_id, PERSON_PREFIX + i) in live for i in person_ids(r.reasons))
        ]
        if gone:
            why = "no longer followed in this channel"
            await self.store.outbox.settle_identity(
                dropped=[(r.id, why) for r in gone], now=self.clock.time()
            )
            report.dropped += len(gone)
        return [r for r in rows if r not in gone]

    async def _works(
        self, rows: Sequence[IdentityHeld], persons: dict[str, AuthorRecord], report: VerifyReport
    ) -> dict[str, WorkRecord]:
        """The works OpenAlex holds among the held papers (empty when it cannot answer)."""
        if self.client is None:
            return {}
        papers = sorted({r.paper_id for r in rows})
        before = self.client.requests
        now = self.clock.time()
        try:
            works = await self._fetch(papers, rows, persons)
        except OpenAlexError as exc:
            report.error = str(exc)
            log.warning("identity checks wait: %s", exc)
            await self.store.identity.record_failure(now, str(exc), parked_until=exc.parked_until)
            return {}
        finally:
            report.requests = self.client.requests - before
        await self.store.identity.record_success(now)
        return works

    async def _fetch(
        self, papers: list[str], rows: Sequence[IdentityHeld], persons: dict[str, AuthorRecord]
    ) -> dict[str, WorkRecord]:
        assert self.client is not None
        works: dict[str, WorkRecord] = {}
        for start in range(0, len(papers), BATCH):
            for work in await self.client.works_by_arxiv(papers[start : start + BATCH]):
                if work.arxiv_id is not None:
                    works[work.arxiv_id.lower()] = work
        # A list cuts authorships at 100: ask for the whole work when that may hide the person.
        by_paper: dict[str, set[str]] = {}
        for r in rows:
            by_paper.setdefault(r.paper_id.lower(), set()).update(person_ids(r.reasons))
        for paper, ids in sorted(by_paper.items()):
            listed = works.get(paper)
            if listed is None or not listed.authors_truncated:
                continue
            if all(
                judge(listed, persons[i]).verdict is Verdict.VERIFIED for i in ids if i in persons
            ):
                continue
            full = await self.client.work(f"doi:{arxiv_doi(paper)}")
            if full is not None:
                works[paper] = full
        return works

    async def _announced(self, rows: Sequence[IdentityHeld]) -> dict[str, float]:
        """When each held paper was announced (epoch s: 00:00 UTC of its announcement day,
        the start of the mailing), which ``wait_hours`` counts from; a paper with no
        announcement day (looked up, not listed) counts from its first check."""
        papers = await self.store.papers.get_many(sorted({r.paper_id for r in rows}))
        return {
            i: datetime.combine(p.announced, time(), UTC).timestamp()
            for i, p in papers.items()
            if p.announced is not None
        }

    async def _settle(
        self,
        rows: Sequence[IdentityHeld],
        persons: dict[str, AuthorRecord],
        works: dict[str, WorkRecord],
        report: VerifyReport,
    ) -> None:
        now = self.clock.time()
        released: list[tuple[int, str]] = []
        dropped: list[tuple[int, str]] = []
        deadlines: list[tuple[int, float]] = []
        announced = await self._announced(rows)
        wait = self.config.wait_hours * 3600
        for row in rows:
            ids = [i for i in person_ids(row.reasons) if i in persons]
            work = works.get(row.paper_id.lower())
            judged = [judge(work, persons[i]) for i in ids]
            if any(j.verdict is Verdict.VERIFIED for j in judged):
                released.append((row.id, shown_reasons(row.reasons, persons, "verified")))
                report.verified += 1
            elif judged and all(j.verdict is Verdict.CONTRADICTED for j in judged):
                name, other = judged[0].other or ("", "")
                why = f"held out: the index credits another {name} ({PERSON_PREFIX}{other})"
                report.contradicted += 1
                if self.config.other_record == "post":
                    mark = f"by name; the index credits another {name} ({PERSON_PREFIX}{other})"
                    released.append((row.id, shown_reasons(row.reasons, persons, mark)))
                else:
                    dropped.append((row.id, why))
            elif now < (until := row.held_until or announced.get(row.paper_id, now) + wait):
                if row.held_until is None:
                    deadlines.append((row.id, until))
            else:
                if self.config.unverified == "post":
                    mark = "by name, not yet verified"
                    released.append((row.id, shown_reasons(row.reasons, persons, mark)))
                    report.unverified_posted += 1
                else:
                    hours = f"{self.config.wait_hours:g}"
                    dropped.append((row.id, f"not verified by the index within {hours} h"))
                    report.dropped += 1
        await self.store.outbox.settle_identity(
            released=released, dropped=dropped, deadlines=deadlines, now=now
        )
        report.released_ids = [i for i, _ in released]
