"""Chat commands of author identity: ``authors NAME`` (candidates to follow), and what
``subscribe`` and ``list`` add for persons (:class:`PeopleCommands`).

``authors`` answers the caller only; a person subscription's reply names the person and points
out a by-name subscription of the channel that the person's names would also match (it still
alerts on its own); a by-name subscription whose name is ambiguous gets the candidates and how
to follow one of them instead.
"""

from __future__ import annotations

from bot.chat.errors import UserError
from bot.chat.people import Candidate, IndexUnavailable, NoCandidates, People
from bot.chat.registry import Command
from bot.chat.services import Services
from bot.config.identity import IdentityConfig
from bot.matching.names import author_matches, parse_person
from bot.model import Action, Channel, CommandContext, Reply, Subscription, SubscriptionKind
from bot.model.identity import (
    PERSON_PREFIX,
    AuthorRecord,
    is_person,
    person_id,
    valid_author_id,
)
from bot.model.text import literal

__all__ = [
    "IndexUnavailable",
    "NoCandidates",
    "PeopleCommands",
    "candidates_text",
    "follow_actions",
]


def _candidate_line(n: int, c: Candidate) -> str:
    r = c.record
    parts = [f"{n}. *{literal(r.display_name)}*"]
    parts.append(literal(r.institution) if r.institution else "no institution known")
    parts.append(f"{r.works_count:,} works")
    parts.append(f"ORCID {r.orcid}" if r.orcid else "no ORCID")
    parts.append(f"`{PERSON_PREFIX}{r.author_id}`")
    line = " · ".join(parts)
    if r.recent_titles:
        line += "\n   recent: " + "; ".join(literal(t) for t in r.recent_titles)
    return line


def candidates_text(name: str, found: list[Candidate], prefix: str = "") -> str:
    """The ``authors`` answer: one numbered block per candidate, best first."""
    head = (
        f"OpenAlex candidates for {literal(name)} (follow one with "
        f"`{prefix}subscribe author openalex:A…`):"
    )
    return "\n".join([head, *(_candidate_line(i, c) for i, c in enumerate(found, 1))])


def follow_actions(found: list[Candidate]) -> tuple[Action, ...]:
    """A Follow button per candidate, numbered as the list is: pressing it runs
    ``subscribe author openalex:A…`` for the presser, with ``subscribe``'s permission check."""
    return tuple(
        Action(f"Follow {i}: {c.record.display_name}", f"subscribe author {PERSON_PREFIX}{a}")
        for i, c in enumerate(found, 1)
        if valid_author_id(a := c.record.author_id)
    )


def person_text(record: AuthorRecord) -> str:
    """``Wei Wang (Tsinghua University)``, as ``list`` and replies name a person."""
    where = f" ({record.institution})" if record.institution else ""
    return f"{record.display_name}{where}"


def same_name(record: AuthorRecord, sub: Subscription) -> bool:
    """Whether a by-name subscription would match one of the person's names."""
    wanted = parse_person(sub.value)
    if wanted is None or is_person(sub):
        return False
    return any(
        (p := parse_person(n)) is not None and author_matches(wanted, p) for n in record.names
    )


class PeopleCommands:
    """The handlers and the notes ``subscribe``/``list`` take from here."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.people: People = services.people
        self.identity: IdentityConfig = services.config.identity

    def commands(self) -> list[Command]:
        return [
            Command(
                "authors",
                "authors <name>",
                "who is who: people of that name to follow (OpenAlex)",
                self.authors,
                may_fetch=True,
                accepts=bool,
            )
        ]

    async def authors(self, ctx: CommandContext, args: str) -> Reply:
        if not args.strip():
            return Reply("Usage: `authors <name>`", error=True)
        try:
            found = await self.people.candidates(args.strip())
        except NoCandidates as exc:
            return Reply(literal(f"{exc}."), error=True)
        except IndexUnavailable as exc:
            return Reply(literal(f"Cannot ask OpenAlex now: {exc}"), error=True)
        return Reply(candidates_text(args.strip(), found), actions=follow_actions(found))

    async def shown(self, subs: list[Subscription]) -> dict[int, str]:
        """How ``list`` shows each person subscription: name, institution and id."""
        ids = {
            s.id: i for s in subs if (i := person_id(s.value)) and s.kind is SubscriptionKind.AUTHOR
        }
        persons = await self.services.store.identity.persons(sorted(set(ids.values())))
        return {
            sid: f"{literal(person_text(persons[a].record))} — {PERSON_PREFIX}{a}"
            for sid, a in ids.items()
            if a in persons
        }

    async def subscribe_note(self, channel: Channel, sub: Subscription, prefix: str = "") -> str:
        """What a new subscription's reply adds (empty for most)."""
        if sub.kind is not SubscriptionKind.AUTHOR:
            return ""
        ident = person_id(sub.value)
        if ident is None:
            return await self._ambiguity(sub.value, prefix)
        person = await self.services.store.identity.person(ident)
        if person is None:
            return ""
        hours = f"{self.identity.wait_hours:g}"
        lines = [
            f"Following {literal(person_text(person.record))}: their new papers are posted once "
            f'OpenAlex confirms them ("verified"); a paper it has not indexed yet waits up to '
            f'{hours} h, then is posted "by name, not yet verified".'
        ]
        subs = await self.services.subscriptions(channel)
        for other in subs:
            if same_name(person.record, other):
                lines.append(
                    f"Note: #{other.id} author: {literal(other.value)} follows the name and still "
                    f"alerts on its own for everyone of that name (`{prefix}unsubscribe "
                    f"{other.id}` to keep only this person)."
                )
        return "\n".join(lines)

    async def _ambiguity(self, name: str, prefix: str) -> str:
        found = await self.people.namesakes(name)
        if not found:
            return ""
        return (
            f"{literal(name)} is ambiguous: {len(found)} people of that name published in the "
            f"last 3 years. To follow one person instead, `{prefix}subscribe author "
            "openalex:A…` with one of these ids:\n"
            + "\n".join(_candidate_line(i, c) for i, c in enumerate(found, 1))
        )


def unavailable(exc: UserError) -> bool:
    """Whether a subscribe failure is the index being unreachable (the CLI exits 3)."""
    return isinstance(exc, IndexUnavailable)
