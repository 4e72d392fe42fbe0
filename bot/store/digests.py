"""Digests and overflow messages: papers posted together, in parts.

A *bundle* (table ``digests``, kind ``digest`` or ``overflow``) is written in one
transaction with every part (an outbox row of kind ``digest`` / ``overflow``, ``paper_id``
``digest:<id>`` / ``overflow:<id>``, ``version`` = the part number) and one
``digest_entries`` row per paper saying which part carries it. So which papers go in which
part is decided before the first part is sent, and survives crashes and restarts. Each carried
alert row is ``held`` with the reason ``carried`` until its part is accepted: then (in
``Outbox.mark_sent``'s transaction) it is ``sent`` with the part's platform reference.
``digest_entries.alert_id`` is unique: a paper reaches a channel in one message at most.

Threading: digest parts after the first are replies in the first part's thread where the
platform threads digests; an overflow message's parts reply under its anchor (the batch's last
alert) where the platform threads alerts. Elsewhere parts are consecutive messages (the
deliverer sends a channel's messages in id order).

Read API for explanations (``why``): :meth:`Digests.carrier` (which part carried a paper),
:meth:`Digests.held` (what a channel holds, why and until when), :meth:`Digests.recent`.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from operator import itemgetter

import aiosqlite

from bot.model import MessageKind, OutboxMessage
from bot.model.digest import HeldPaper, PlannedEntry, plan_digest
from bot.model.volume import VolumeSettings, local_date
from bot.store.channels import SETTINGS_COLUMNS, settings_of
from bot.store.db import Database, fetch_rows, now_iso
from bot.store.held import HELD_PAPERS, held_papers

#: Why a held row waits (``outbox.hold_reason``); other changes add their own (``identity``).
NEW = "new"  # matched in a channel with volume settings: the next delivery round routes it
DIGEST = "digest"  # waits for the channel's digest (``held_until``: its time)
QUIET = "quiet"  # waits for the end of the channel's quiet hours
CARRIED = "carried"  # in a digest or overflow part not yet accepted (``held_until`` NULL)
#: Held until an index confirms a followed person wrote the paper (``bot.ingest.identity``);
#: ``held_until`` is its deadline, which the identity check (not routing) acts on.
IDENTITY = "identity"


@dataclass(frozen=True, slots=True)
class Bundle:
    """What to write: a digest or an overflow message and its planned entries."""

    channel_id: int
    kind: MessageKind
    title: str
    local_date: date
    tz: str
    due_at: float
    entries: Sequence[PlannedEntry]
    #: Digest parts after the first reply in its thread (the platform threads digests).
    thread: bool = False
    #: The alert an overflow message's parts reply under (None: plain messages).
    anchor_id: int | None = None
    #: An extra line under the heading of the first part (the ledger's line).
    note: str = ""


@dataclass(frozen=True, slots=True)
class Carrier:
    """The message that carried (or is to carry) a paper to a channel."""

    digest_id: int
    kind: str  # digest | overflow
    title: str
    local_date: date
    part: int
    parts: int
    part_id: int  # the part's outbox id
    state: str  # the part's outbox state
    sent_at: str | None


@dataclass(frozen=True, slots=True)
class StoredPart:
    """One part as the deliverer renders it: the bundle's heading, its place, its entries
    (``(paper id, full, group label, also ids)``, in order) and the bundle's size."""

    digest_id: int
    kind: str
    title: str
    part: int
    parts: int
    papers: int
    entries: tuple[tuple[str, bool, str, tuple[int, ...]], ...]
    note: str = ""  # the first part's extra line


@dataclass(frozen=True, slots=True)
class HeldEntry:
    """A held paper of a channel: why it waits, until when (None: until released), since."""

    alert_id: int
    paper_id: str
    reason: str
    until: float | None
    since: float | None
    sub_ids: tuple[int, ...]


async def write_bundle(conn: aiosqlite.Connection, bundle: Bundle, now: float) -> int:
    """Write a bundle, its parts and entries inside the caller's transaction; its id. The
    carried alerts become ``held``/``carried``; version notes waiting under them are dropped
    (a paper in a digest or an overflow message gets none)."""
    parts = max((e.part for e in bundle.entries), default=1)  # a ledger line alone: one part
    b = bundle
    cur = await conn.execute(
        "INSERT INTO digests(channel_id, kind, title, local_date, tz, due_at, created_at, "
        "papers, parts, anchor_id, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (b.channel_id, b.kind.value, b.title, b.local_date.isoformat(), b.tz, b.due_at, now,
         len(b.entries), parts, b.anchor_id, b.note),
    )  # fmt: skip
    digest_id = cur.lastrowid
    await cur.close()
    assert digest_id is not None
    part_ids = await _write_parts(conn, bundle, digest_id, parts, now)
    rows = _entry_rows(bundle.entries, digest_id, part_ids)
    await conn.executemany(
        "INSERT INTO digest_entries(alert_id, digest_id, part_id, part, position, paper_id, "
        "full, group_sub, group_label, also) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    carried = json.dumps([r[0] for r in rows])
    # One statement for all the ids, in id order, found by rowid (``+state``: never through
    # a state index): about half the time of one statement per id (measured in
    # bench/digest.py). Held already (assembly and routing take held rows only): ``state``
    # is not set again, so the indexes on it stay; only outbox_held and outbox_held_due move.
    await conn.execute(
        f"UPDATE outbox SET hold_reason='{CARRIED}', held_until=NULL "
        "WHERE id IN (SELECT value FROM json_each(?)) AND +state = 'held'",
        (carried,),
    )
    # ``+state`` and ``IS NOT NULL`` steer SQLite to the parent index: by ``state`` it would
    # scan every held row of every channel (quadratic over many digests).
    await conn.execute(
        "UPDATE outbox SET state='dropped', drop_reason=?, dropped_at=? "
        "WHERE parent_id IS NOT NULL AND parent_id IN (SELECT value FROM json_each(?)) "
        "AND +state IN ('pending', 'held')",
        (f"its paper went in {bundle.kind.value} {digest_id}", now, carried),
    )
    return digest_id


def _entry_rows(
    entries: Sequence[PlannedEntry], digest_id: int, part_ids: list[int]
) -> list[tuple[object, ...]]:
    """The ``digest_entries`` rows, in alert id order: they land at neighbouring places of
    the table's B-tree (about a sixth less time than the digest's order for 2,000 entries;
    the order read is ``position``). Each distinct ``also`` is joined once."""
    texts: dict[tuple[int, ...], str] = {}
    rows: list[tuple[object, ...]] = []
    add = rows.append
    for alert_id, paper_id, part, position, full, sub, label, also in entries:
        text = texts.get(also)
        if text is None:
            text = texts[also] = " ".join(map(str, also))
        add((alert_id, digest_id, part_ids[part - 1], part, position, paper_id, int(full), sub,
             label, text))  # fmt: skip
    rows.sort(key=itemgetter(0))
    return rows


async def _write_parts(
    conn: aiosqlite.Connection, bundle: Bundle, digest_id: int, parts: int, now: float
) -> list[int]:
    """One pending outbox row per part (the first, then the rest in one statement); their ids
    in order."""
    key, kind = f"{bundle.kind.value}:{digest_id}", bundle.kind.value
    insert = (
        "INSERT INTO outbox(paper_id, channel_id, kind, version, parent_id, admitted_at, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    created = now_iso()
    first_parent = bundle.anchor_id if bundle.kind is MessageKind.OVERFLOW else None
    cur = await conn.execute(insert, (key, bundle.channel_id, kind, 1, first_parent, now, created))
    first = cur.lastrowid
    await cur.close()
    assert first is not None
    parent = first_parent
    if bundle.kind is MessageKind.DIGEST and bundle.thread:
        parent = first
    await conn.executemany(
        insert,
        [(key, bundle.channel_id, kind, n, parent, now, created) for n in range(2, parts + 1)],
    )
    rows = await fetch_rows(
        conn,
        "SELECT id FROM outbox WHERE paper_id = ? AND channel_id = ? AND kind = ? ORDER BY version",
        (key, bundle.channel_id, kind),
    )
    return [r[0] for r in rows]


def digest_title(settings: VolumeSettings, day: date, *, scheduled: bool) -> str:
    """``Daily digest · Tue 14 Jul 2026`` (``Digest · …`` when sent on request)."""
    name = {"daily": "Daily digest", "weekly": "Weekly digest"}.get(settings.mode.value)
    return f"{name if scheduled and name else 'Digest'} · {day:%a %d %b %Y}"


class Digests:
    """Named methods for digests, their parts and entries."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def assemble(
        self,
        channel_id: int,
        now: float,
        *,
        per_part_full: int,
        per_part_titles: int,
        thread: bool,
        due_only: bool = True,
        ledger_line: str | None = None,
    ) -> tuple[int, int] | None:
        """Turn the channel's held digest papers (those due at ``now``; all of them with
        ``due_only`` false: "send the digest now") into a digest; ``(digest id, papers)``,
        or None when nothing was held (an empty digest posts nothing). ``ledger_line``: one
        extra line under the first part's heading (the daily ledger's "what arXiv announced
        and what this channel got", built elsewhere); with it, a digest of no papers is
        posted too (the line alone), so that "nothing today" is visible as such."""
        async with self.db.transaction() as conn:
            rows = await fetch_rows(
                conn,
                HELD_PAPERS
                + f"AND o.hold_reason = '{DIGEST}'"
                + (" AND o.held_until <= ?" if due_only else "")
                + " ORDER BY o.id",
                (channel_id, now) if due_only else (channel_id,),
            )
            if not rows and not ledger_line:
                return None
            found = await fetch_rows(
                conn, f"SELECT {SETTINGS_COLUMNS} FROM channels WHERE id=?", (channel_id,)
            )
            settings = settings_of(found[0])
            day = local_date(settings, now)
            entries = plan_digest(
                held_papers(rows),
                per_part_full=per_part_full,
                per_part_titles=per_part_titles,
            )
            title = digest_title(settings, day, scheduled=due_only and settings.digest)
            bundle = Bundle(
                channel_id,
                MessageKind.DIGEST,
                title,
                day,
                settings.tz,
                now,
                entries,
                thread,
                note=ledger_line or "",
            )
            digest_id = await write_bundle(conn, bundle, now)
            if due_only:  # the scheduled digest of this slot is made (the ledger's clock)
                await conn.execute(
                    "UPDATE channels SET last_digest_at=? WHERE id=?", (now, channel_id)
                )
        return digest_id, len(entries)

    async def part(self, message: OutboxMessage) -> StoredPart | None:
        """The part an outbox message of kind digest/overflow sends (None: not a part)."""
        kind, _, number = message.paper_id.partition(":")
        head = await self.db.fetchone(
            "SELECT id, kind, title, parts, papers, note FROM digests "
            "WHERE id = ? AND kind = ? AND channel_id = ?",
            (int(number) if number.isdigit() else -1, kind, message.channel_id),
        )
        if head is None:
            return None
        rows = await self.db.fetchall(
            "SELECT paper_id, full, group_label, also FROM digest_entries WHERE part_id = ? "
            "ORDER BY position",
            (message.id,),
        )
        entries = tuple(
            (r["paper_id"], bool(r["full"]), r["group_label"], tuple(map(int, r["also"].split())))
            for r in rows
        )
        return StoredPart(
            head["id"],
            head["kind"],
            head["title"],
            message.version,
            head["parts"],
            head["papers"],
            entries,
            head["note"] if message.version == 1 else "",
        )

    async def unsent_parts(self, digest_id: int) -> int:
        """How many parts of a digest or overflow message are not sent yet."""
        row = await self.db.fetchone(
            "SELECT count(*) AS n FROM digests d JOIN outbox o ON o.channel_id = d.channel_id "
            "AND o.paper_id = d.kind || ':' || d.id WHERE d.id = ? AND o.state != 'sent'",
            (digest_id,),
        )
        return int(row["n"]) if row else 0

    async def carrier(self, paper_id: str, channel_id: int) -> Carrier | None:
        """Which digest or overflow part carried ``paper_id`` to the channel (None: none)."""
        row = await self.db.fetchone(
            "SELECT d.id, d.kind, d.title, d.local_date, d.parts, e.part, e.part_id, o.state, "
            "o.sent_at FROM outbox a JOIN digest_entries e ON e.alert_id = a.id "
            "JOIN digests d ON d.id = e.digest_id JOIN outbox o ON o.id = e.part_id "
            "WHERE a.paper_id = ? AND a.channel_id = ? AND a.kind = 'alert'",
            (paper_id, channel_id),
        )
        if row is None:
            return None
        return Carrier(
            row["id"],
            row["kind"],
            row["title"],
            date.fromisoformat(row["local_date"]),
            row["part"],
            row["parts"],
            row["part_id"],
            row["state"],
            row["sent_at"],
        )

    async def held_papers(self, channel_id: int, reason: str) -> builtins.list[HeldPaper]:
        """The channel's alerts held for ``reason`` (not yet in a part), in queue order, as
        digest assembly reads them (``digest`` shows what the next digest holds)."""
        rows = await self.db.fetchall(
            HELD_PAPERS + "AND o.hold_reason = ? ORDER BY o.id", (channel_id, reason)
        )
        return held_papers(rows)

    async def held(self, channel_id: int) -> builtins.list[HeldEntry]:
        """The channel's held papers not yet in a part, oldest first (``digest`` shows them)."""
        rows = await self.db.fetchall(
            "SELECT id, paper_id, hold_reason, held_until, held_at, sub_ids FROM outbox "
            f"WHERE channel_id = ? AND state = 'held' AND hold_reason != '{CARRIED}' "
            "AND kind = 'alert' ORDER BY id",
            (channel_id,),
        )
        return [
            HeldEntry(
                r["id"],
                r["paper_id"],
                r["hold_reason"],
                r["held_until"],
                r["held_at"],
                tuple(int(s) for s in r["sub_ids"].split()),
            )
            for r in rows
        ]

    async def recent(self, channel_id: int, limit: int = 5) -> builtins.list[Carrier]:
        """The channel's latest bundles (the first part of each), newest first."""
        rows = await self.db.fetchall(
            "SELECT d.id, d.kind, d.title, d.local_date, d.parts, o.id AS part_id, o.state, "
            "o.sent_at FROM digests d JOIN outbox o ON o.paper_id = d.kind || ':' || d.id "
            "AND o.channel_id = d.channel_id AND o.version = 1 "
            "WHERE d.channel_id = ? ORDER BY d.id DESC LIMIT ?",
            (channel_id, limit),
        )
        return [
            Carrier(
                r["id"],
                r["kind"],
                r["title"],
                date.fromisoformat(r["local_date"]),
                1,
                r["parts"],
                r["part_id"],
                r["state"],
                r["sent_at"],
            )
            for r in rows
        ]


__all__ = ["CARRIED", "DIGEST", "NEW", "QUIET", "Bundle", "Carrier", "Digests", "HeldEntry"]
