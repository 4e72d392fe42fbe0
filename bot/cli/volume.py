"""The CLI of volume control, exactly as issue #14 names it:

``paperbot mode CHANNEL [instant [TZ] | daily HH:MM [TZ] | weekly DAY HH:MM [TZ]]`` (no mode:
show the settings), ``paperbot cap CHANNEL N | off``, ``paperbot quiet CHANNEL HH:MM-HH:MM |
off``, ``paperbot ledger CHANNEL on | off``, ``paperbot digest CHANNEL [--show]`` (send the
held digest now and deliver that channel's messages, no other's; ``--show``: only show what is
held).

Exit codes: 0 done (also when already so, and for a digest with nothing held), 2 usage (a bad
setting, an unknown channel), 3 the digest was queued but not every part could be delivered
now (the next ``run`` or ``check`` sends the rest).
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import Any

from bot.app import App, needed_platforms
from bot.chat.commands import Commands
from bot.chat.services import Services, UserError
from bot.chat.text import plain_text
from bot.chat.volume import VolumeService
from bot.cli.args import split_value
from bot.cli.errors import CliError, ExitCode
from bot.config import Config
from bot.model import Channel

Change = Callable[[VolumeService, Channel, list[str]], Awaitable[str]]


def register(sub: Any) -> None:
    """Add ``mode``, ``cap``, ``quiet``, ``ledger`` and ``digest``."""
    for name, metavar, help_text in (
        ("mode", "instant [TZ] | daily HH:MM [TZ] | weekly DAY HH:MM [TZ]", "a channel's mode"),
        ("cap", "N | off", "at most N instant alerts a day; the rest in one message"),
        ("quiet", "HH:MM-HH:MM | off", "quiet hours: instant alerts due then wait"),
        ("ledger", "on | off", "a ledger line in each digest (digest modes)"),
    ):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("channel", metavar="CHANNEL")
        p.add_argument("words", nargs=argparse.REMAINDER, metavar=metavar)
        p.set_defaults(handler=cmd_setting, setting=name, parser=p)
    p = sub.add_parser("digest", help="send a channel's held digest now (--show: only show it)")
    p.add_argument("channel", metavar="CHANNEL")
    p.add_argument("--show", action="store_true", help="show what is held; send nothing")
    p.set_defaults(handler=cmd_digest)


_CHANGES: dict[str, Change] = {
    "mode": VolumeService.set_mode,
    "cap": VolumeService.set_cap,
    "quiet": VolumeService.set_quiet,
    "ledger": VolumeService.set_ledger,
}


async def _channel(app: App, name: str) -> Channel:
    services = Services.over(app.store, app.config, app.arxiv, app.core.clock)
    try:
        return await services.channel_named(name)
    except UserError as exc:
        raise CliError(str(exc), ExitCode.USAGE) from None


async def cmd_setting(args: argparse.Namespace, config: Config) -> ExitCode:
    # -h/--help anywhere before a `--` (as in every value), before the channel is looked up.
    words = split_value(args.parser, args.words).text.split()
    async with App.open(config) as app:
        channel = await _channel(app, args.channel)
        volume = VolumeService(app.store, app.config, app.core.clock)
        try:
            if args.setting == "mode" and not words:
                text = await volume.describe(channel)
            else:
                text = await _CHANGES[args.setting](volume, channel, words)
        except UserError as exc:
            raise CliError(f"{args.setting}: {exc}", ExitCode.USAGE) from None
    print(f"{channel.name}: {plain_text(text)}")
    return ExitCode.OK


async def cmd_digest(args: argparse.Namespace, config: Config) -> ExitCode:
    if args.show:
        async with App.open(config) as app:
            channel = await _channel(app, args.channel)
            volume = VolumeService(app.store, app.config, app.core.clock)
            print(plain_text(await volume.held_text(channel)))
        return ExitCode.OK
    platforms = needed_platforms(config)
    async with App.open(config, adapters=platforms, front=Commands.from_core) as app:
        channel = await _channel(app, args.channel)
        volume = VolumeService(app.store, app.config, app.core.clock)
        made = await volume.settler.send_now(channel.id, channel.platform, app.core.clock.time())
        if made is None:
            print(f"{channel.name}: nothing is held for a digest; nothing sent")
            return ExitCode.OK
        # Only this channel's messages: the other channels' queues wait for `run`/`check`.
        await app.deliverer.drain(app.config.delivery.max_wait_seconds, only={channel.id})
        left = await app.store.digests.unsent_parts(made[0])
    digest_id, count = made
    print(f"{channel.name}: digest {digest_id} of {count} paper(s) queued", end="")
    if left:
        print(f"; {left} part(s) not delivered yet (the next run or check sends them)")
        return ExitCode.FAILED
    print("; sent")
    return ExitCode.OK
