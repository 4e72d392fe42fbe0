"""What ``mode``, ``cap``, ``quiet``, ``ledger`` and ``digest`` do, shared by chat and the CLI:
read and change a channel's volume settings, show what it holds, send its digest now.

Settings change in one transaction with the re-routing of the channel's alerts nobody is
sending yet (:meth:`bot.store.volume.Volume.configure`): switching a digest channel to instant
makes its held digest due at once, so the next delivery round sends it, as a digest. Texts are
the core's Markdown subset; every bad argument is a :class:`~bot.chat.errors.UserError`
naming it.
"""

from __future__ import annotations

from dataclasses import replace

from bot.chat.errors import UserError
from bot.config import Config
from bot.delivery.volume import Settler
from bot.model import Channel
from bot.model.clock import SYSTEM_CLOCK, Clock
from bot.model.digest import PlannedEntry, plan_digest
from bot.model.text import literal
from bot.model.volume import (
    SettingError,
    VolumeSettings,
    local,
    next_digest,
    parse_cap,
    parse_mode,
    parse_quiet,
)
from bot.store import Store
from bot.store.digests import DIGEST, NEW, QUIET

#: Titles ``digest`` shows in chat; the rest are counted.
SHOWN = 20


def when_text(settings: VolumeSettings, instant: float) -> str:
    """``Tue 14 Jul 2026 09:00 Europe/Berlin``: an instant on the channel's wall clock."""
    return f"{local(settings.zone, instant):%a %d %b %Y %H:%M} {settings.tz}"


class VolumeService:
    """The operations, over one store (and the platforms' specs for the digest's parts)."""

    def __init__(self, store: Store, config: Config, clock: Clock = SYSTEM_CLOCK) -> None:
        self.store = store
        self.clock = clock
        self.settler = Settler(store, config.specs)

    async def _settings(self, channel: Channel) -> VolumeSettings:
        return await self.store.volume.settings(channel.id)

    async def describe(self, channel: Channel) -> str:
        """Every setting on one line, and when the next digest goes out."""
        settings = await self._settings(channel)
        text = settings.describe()
        if settings.digest:
            held = len(await self.store.digests.held_papers(channel.id, DIGEST))
            due = when_text(settings, next_digest(settings, self.clock.time()))
            text += f"\nNext digest {due}; {held} paper{'s' if held != 1 else ''} held."
        return text

    async def _configure(self, channel: Channel, settings: VolumeSettings) -> VolumeSettings:
        return await self.store.volume.configure(channel.id, settings, now=self.clock.time())

    async def set_mode(self, channel: Channel, words: list[str]) -> str:
        old = await self._settings(channel)
        try:
            new = parse_mode(words, old)
        except SettingError as exc:
            raise UserError(str(exc)) from None
        held = len(await self.store.digests.held_papers(channel.id, DIGEST))
        await self._configure(channel, new)
        text = f"Mode of this channel: {new.mode_text()}."
        if new.digest:
            due = when_text(new, next_digest(new, self.clock.time()))
            text += f" Matching papers are held and posted as one digest; the next {due}."
        elif old.digest and held:
            papers = "paper goes" if held == 1 else "papers go"
            text += f" The {held} held {papers} out now as a digest."
        return text

    async def set_cap(self, channel: Channel, words: list[str]) -> str:
        old = await self._settings(channel)
        try:
            cap = parse_cap(words)
        except SettingError as exc:
            raise UserError(str(exc)) from None
        await self._configure(channel, replace(old, cap=cap))
        if cap is None:
            return "No cap: every instant alert is posted."
        text = (
            f"Cap: at most {cap} instant alert{'s' if cap != 1 else ''} a day ({old.tz} days); "
            "the rest of a batch go out as one “+M more today” message."
        )
        return text + (" It applies in instant mode only." if old.digest else "")

    async def set_quiet(self, channel: Channel, words: list[str]) -> str:
        old = await self._settings(channel)
        try:
            quiet = parse_quiet(words)
        except SettingError as exc:
            raise UserError(str(exc)) from None
        await self._configure(channel, replace(old, quiet=quiet))
        if quiet is None:
            return "No quiet hours."
        span = f"{quiet[0]:%H:%M}-{quiet[1]:%H:%M} {old.tz}"
        text = f"Quiet hours {span}: instant alerts due then wait until {quiet[1]:%H:%M}."
        return text + (" They never delay a digest." if old.digest else "")

    async def set_ledger(self, channel: Channel, words: list[str]) -> str:
        word = words[0].lower() if len(words) == 1 else ""
        if word not in ("on", "off"):
            raise UserError("give on or off")
        settings = await self._settings(channel)
        if word == "on" and not settings.digest:
            raise UserError("the ledger line goes in digests: set `mode daily HH:MM` first")
        await self.store.volume.set_ledger(channel.id, word == "on", now=self.clock.time())
        if word == "off":
            return "Ledger off."
        return "Ledger on: each digest says what arXiv announced and what this channel got."

    async def held_text(self, channel: Channel) -> str:
        """What the channel holds: the next digest's papers by subscription (newest first),
        alerts waiting for quiet hours to end, alerts not yet routed."""
        settings = await self._settings(channel)
        papers = await self.store.digests.held_papers(channel.id, DIGEST)
        lines: list[str] = []
        if papers:
            due = when_text(settings, next_digest(settings, self.clock.time()))
            if not settings.digest:
                due = "now"
            count = f"{len(papers)} paper{'s' if len(papers) != 1 else ''}"
            lines.append(f"Held for the next digest ({due}): {count}.")
            lines += await self._titles(plan_digest(papers, per_part_full=1, per_part_titles=1))
        quiet = await self.store.digests.held_papers(channel.id, QUIET)
        if quiet:
            lines.append(f"{len(quiet)} alert(s) wait for the end of quiet hours.")
        fresh = await self.store.digests.held_papers(channel.id, NEW)
        if fresh:
            lines.append(f"{len(fresh)} alert(s) just matched (routed at the next delivery).")
        if not lines:
            mode = "digest" if settings.digest else "alert"
            return f"Nothing is held here (mode {settings.mode_text()}; no {mode} waiting)."
        return "\n".join(lines)

    async def _titles(self, planned: list[PlannedEntry]) -> list[str]:
        found = await self.store.papers.get_many([e.paper_id for e in planned[:SHOWN]])
        lines: list[str] = []
        group = None
        for e in planned[:SHOWN]:
            if e.group_label != group:
                group = e.group_label
                lines.append(f"*{literal(group or 'no subscription')}*")
            paper = found.get(e.paper_id)
            title = paper.title if paper else ""
            also = " (also " + ", ".join(f"#{i}" for i in e.also) + ")" if e.also else ""
            lines.append(f"• *{e.paper_id}* {literal(title)}{also}")
        if len(planned) > SHOWN:
            lines.append(f"…and {len(planned) - SHOWN} more.")
        return lines

    async def send_now(self, channel: Channel) -> str:
        """Queue the held digest now; what was queued."""
        made = await self.settler.send_now(channel.id, channel.platform, self.clock.time())
        if made is None:
            return "Nothing is held for a digest here: no digest sent."
        digest_id, count = made
        papers = f"{count} paper{'s' if count != 1 else ''}"
        return f"Digest {digest_id} of {papers} queued: it goes out with the next delivery round."
