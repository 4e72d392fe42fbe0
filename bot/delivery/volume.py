"""Volume control at delivery time. Before each delivery round, held rows whose time has come
are settled: a channel's due digest papers are assembled into a digest (its parts and which
paper goes in which, stored before the first is sent), its other due held alerts (new ones of
a channel with settings, quiet hours that ended, released holds) are routed by its settings.
And a digest or overflow part is read back as the neutral :class:`DigestPart` adapters render.

The platform decides only the part sizes (``AdapterSpec.digest_entries`` / ``digest_titles``)
and the threading (``threads_digests`` for digest parts, ``threads`` for an overflow message
under the batch's last alert); nothing is rendered here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from bot.model import OutboxMessage
from bot.model.adapter import AdapterSpec
from bot.model.digest import DigestPart, digest_entry
from bot.model.volume import Mode
from bot.store import Store

log = logging.getLogger("paperbot.delivery")

#: Part sizes for a platform without a spec (one that is not installed here).
_DEFAULT = AdapterSpec(name="", factory="")


#: ``(channel id, now) -> the ledger's line for the channel's digest``, or None for none.
LedgerLine = Callable[[int, float], Awaitable[str | None]]


#: The period a digest's ledger line covers, by mode: the day (or week) before the digest.
_LEDGER_PERIOD = {Mode.DAILY: 86_400.0, Mode.WEEKLY: 7 * 86_400.0}


class Settler:
    """Routes and assembles what the held rows owe, for every channel (paused ones too: a
    digest due while a channel is paused is assembled and sent after ``resume``).

    ``ledger_line`` gives the line a digest of a channel with ``ledger on`` carries under its
    heading; by default :meth:`ledger_of_period`: what the listings stored in the 24 hours (a
    weekly digest: 7 days) before the digest announced, and how many alerts they queued here.
    """

    def __init__(
        self,
        store: Store,
        specs: Mapping[str, AdapterSpec],
        ledger_line: LedgerLine | None = None,
    ) -> None:
        self.store = store
        self.specs = specs
        self.ledger_line = ledger_line or self.ledger_of_period

    async def ledger_of_period(self, channel_id: int, now: float) -> str | None:
        """The ledger's line for the period before a digest at ``now`` (None: instant mode)."""
        period = _LEDGER_PERIOD.get((await self.store.volume.settings(channel_id)).mode)
        if period is None:
            return None
        return await self.store.ledger.channel_line(channel_id, now - period, now)

    async def _ledger(self, channel_id: int, now: float) -> str | None:
        if self.ledger_line is None or not (await self.store.volume.settings(channel_id)).ledger:
            return None
        return await self.ledger_line(channel_id, now)

    def spec(self, platform: str) -> AdapterSpec:
        """The platform's spec (part sizes, threading); defaults when it is not installed."""
        return self.specs.get(platform, _DEFAULT)

    async def send_now(self, channel_id: int, platform: str, now: float) -> tuple[int, int] | None:
        """``digest now``: the channel's alerts still to route are routed first, then every
        paper held for its digest is assembled into one, due at once (``(digest id,
        papers)``; None when nothing is held: an empty digest posts nothing)."""
        await self.settle(now)
        spec = self.spec(platform)
        return await self.store.digests.assemble(
            channel_id,
            now,
            per_part_full=spec.digest_entries,
            per_part_titles=spec.digest_titles,
            thread=spec.threads_digests,
            due_only=False,
            ledger_line=await self._ledger(channel_id, now),
        )

    async def settle(self, now: float) -> int:
        """Settle every channel with held rows due at ``now``; how many papers moved. Routing
        goes first, so a round that runs late (or after a restart) assembles at once the
        digest its papers were matched for. Then, with a ledger, digest slots that passed
        with nothing held post the ledger's line alone."""
        due = await self.store.volume.due(now)
        owed = await self.store.volume.ledger_due(now)
        if not due and not owed:
            return 0
        platforms = {c.id: c.platform for c in await self.store.channels.list()}
        moved = 0
        for channel_id in sorted({cid for cid, digest in due if not digest}):
            moved += await self._route(channel_id, self.spec(platforms.get(channel_id, "")), now)
        for channel_id, digest in await self.store.volume.due(now):
            if digest:
                moved += max(
                    await self._assemble(channel_id, platforms.get(channel_id, ""), now), 0
                )
        for channel_id in await self.store.volume.ledger_due(now) if owed else []:
            if await self._assemble(channel_id, platforms.get(channel_id, ""), now) < 0:
                await self.store.volume.mark_digest(channel_id, now)  # no line: nothing owed
        return moved

    async def _assemble(self, channel_id: int, platform: str, now: float) -> int:
        """The channel's scheduled digest; its papers (-1: none was made)."""
        spec = self.spec(platform)
        made = await self.store.digests.assemble(
            channel_id,
            now,
            per_part_full=spec.digest_entries,
            per_part_titles=spec.digest_titles,
            thread=spec.threads_digests,
            ledger_line=await self._ledger(channel_id, now),
        )
        if made is None:
            return -1
        log.info("channel %d: digest %d of %d paper(s) queued", channel_id, *made)
        return made[1]

    async def _route(self, channel_id: int, spec: AdapterSpec, now: float) -> int:
        routed = await self.store.volume.route(
            channel_id, now, thread=spec.threads, per_part_titles=spec.digest_titles
        )
        if routed.overflow:
            log.info(
                "channel %d: %d alert(s) past the cap go in one overflow message",
                channel_id,
                routed.overflow,
            )
        return routed.admitted + routed.held + routed.overflow


async def bundle_part(store: Store, message: OutboxMessage) -> DigestPart | None:
    """The neutral part a digest or overflow message sends (None: its record is missing)."""
    stored = await store.digests.part(message)
    if stored is None:
        return None
    papers = await store.papers.get_many([e[0] for e in stored.entries])
    entries = tuple(
        digest_entry(papers[paper_id], full=full, group=group, also=also)
        for paper_id, full, group, also in stored.entries
        if paper_id in papers
    )
    return DigestPart(
        stored.kind, stored.title, stored.part, stored.parts, stored.papers, entries, stored.note
    )
