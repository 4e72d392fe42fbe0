"""The console adapter: type chat commands in a terminal and see alerts arrive, no token needed.

``paperbot chat`` reads lines from standard input (``help``, ``subscribe author Babuschkin,
Igor``, ``2308.03526``…) and prints replies and alerts on standard output. Tests drive it like a
chat with ``await console.say("subscribe author Babuschkin, Igor")``.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import TextIO

from bot.chat.text import alert_text, paper_card_text
from bot.model import CommandContext, MessageKind, Reply
from bot.model.text import split_literals
from bot.port import AdapterContext, AdapterSpec, Outgoing, Refused

SPEC = AdapterSpec(
    name="console",
    factory="adapters.console:ConsoleAdapter",
    pace_seconds=0.0,  # a terminal has no rate limit
    default_channel="console",
    interactive=True,
)

PROMPT = "paperbot> "


def render_reply(reply: Reply) -> str:
    """A neutral reply as terminal text: the core's Markdown marks dropped, what a user typed
    shown exactly as typed (its backticks and underscores kept)."""
    text = "".join(
        piece if is_literal else _unmark(piece) for piece, is_literal in split_literals(reply.text)
    )
    parts = [f"error: {text}" if reply.error else text]
    parts.extend(paper_card_text(p) for p in reply.papers)
    return "\n\n".join(p for p in parts if p)


def _unmark(text: str) -> str:
    return text.replace("`", "").replace("*", "").replace("\n_", "\n").removeprefix("_").rstrip("_")


class ConsoleAdapter:
    """Serves the ``console`` platform: one local channel, the terminal."""

    thread_kinds: tuple[MessageKind, ...] = ()

    def __init__(self, ctx: AdapterContext, *, out: TextIO | None = None) -> None:
        self.ctx = ctx
        self.out = out or sys.stdout
        names = [c.name for c in ctx.config.channels if c.platform == ctx.spec.name]
        self.channel_name = names[0] if names else (ctx.spec.default_channel or ctx.spec.name)
        self._reader: asyncio.Task[None] | None = None

    def _write(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    async def say(self, text: str, user: str = "console") -> str:
        """Run one command line as a chat user would and return the rendered reply."""
        ctx = CommandContext(
            platform=self.ctx.spec.name,
            channel_name=self.channel_name,
            user_id=user,
            user_name=user,
        )
        return render_reply(await self.ctx.dispatch(ctx, text))

    async def deliver(self, outgoing: Outgoing) -> str | None:
        if outgoing.message.kind != MessageKind.ALERT:
            raise Refused(f"the console has no threads for {outgoing.message.kind!r} messages")
        self._write(f"\n── new paper in {outgoing.channel.name} ──\n{alert_text(outgoing.alert)}")
        return None

    async def start(self) -> None:
        if self.ctx.interactive:
            self._reader = asyncio.create_task(self._read_loop())

    async def _read_loop(self) -> None:
        loop = asyncio.get_running_loop()
        lines: asyncio.Queue[str] = asyncio.Queue()

        def read() -> None:  # a daemon thread: a blocked readline never holds up shutdown
            try:
                for line in sys.stdin:
                    loop.call_soon_threadsafe(lines.put_nowait, line)
                loop.call_soon_threadsafe(lines.put_nowait, "")
            except RuntimeError:  # the loop closed while we waited for input
                return

        threading.Thread(target=read, name="console-input", daemon=True).start()
        while True:
            self.out.write(PROMPT)
            self.out.flush()
            line = await lines.get()
            if not line:  # end of input
                break
            line = line.strip()
            if line in ("quit", "exit"):
                break
            if line:
                self._write(await self.say(line))
        self.ctx.request_stop()

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
