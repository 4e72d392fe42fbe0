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
from bot.model.digest import part_text
from bot.model.text import record_of, split_literals
from bot.port import AdapterContext, AdapterSpec, Outgoing, Refused

SPEC = AdapterSpec(
    name="console",
    factory="adapters.console:ConsoleAdapter",
    pace_seconds=0.0,  # a terminal has no rate limit
    rate_limit_commands=False,  # one local user: no "Slow down" for the person at the keyboard
    default_channel="console",
    interactive=True,
    # A terminal has no message limit: a digest is one message unless it is very long.
    digest_entries=50,
    digest_titles=500,
)

PROMPT = "paperbot> "
QUIT_WORDS = frozenset({"quit", "exit"})


def render_reply(reply: Reply) -> str:
    """A neutral reply as terminal text: the core's Markdown marks dropped, what a user typed
    shown exactly as typed (its backticks and underscores kept)."""
    text = "".join(
        piece if is_literal else _unmark(piece) for piece, is_literal in split_literals(reply.text)
    )
    parts = [f"error: {text}" if reply.error else text]
    parts.extend(paper_card_text(p, record=record_of(reply.records, p)) for p in reply.papers)
    if reply.document is not None:  # a terminal takes any length: the file's text as it is
        parts.append(reply.document.content.rstrip("\n"))
    # No buttons in a terminal: each action as the command to type.
    parts.append("\n".join(f"{a.label} → type `{a.command}`" for a in reply.actions))
    return "\n\n".join(p for p in parts if p)


def _unmark(text: str) -> str:
    return text.replace("`", "").replace("*", "").replace("\n_", "\n").removeprefix("_").rstrip("_")


class ConsoleAdapter:
    """Serves the ``console`` platform: one local channel, the terminal.

    On a terminal the prompt is prompt_toolkit's: alerts and log lines are printed above it and
    it is redrawn; Ctrl-C, Ctrl-D, ``quit`` and ``exit`` end the chat. From a pipe, lines are
    read as they come, with no prompt, until the input ends.
    """

    thread_kinds: tuple[MessageKind, ...] = ()

    def __init__(self, ctx: AdapterContext, *, out: TextIO | None = None) -> None:
        self.ctx = ctx
        #: None: whatever ``sys.stdout`` is when writing (prompt_toolkit swaps in a proxy that
        #: prints above the prompt).
        self.out = out
        names = [c.name for c in ctx.config.channels if c.platform == ctx.spec.name]
        self.channel_name = names[0] if names else (ctx.spec.default_channel or ctx.spec.name)
        self._reader: asyncio.Task[None] | None = None

    def _write(self, text: str) -> None:
        out = self.out or sys.stdout
        out.write(text + "\n")
        out.flush()

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
        if outgoing.digest is not None:  # a digest's parts follow each other
            part = outgoing.digest
            self._write(f"\n── {outgoing.channel.name} ──\n{part_text(part)}")
            return None
        if outgoing.message.kind != MessageKind.ALERT:
            raise Refused(f"the console has no threads for {outgoing.message.kind!r} messages")
        self._write(f"\n── new paper in {outgoing.channel.name} ──\n{alert_text(outgoing.card)}")
        return None

    async def start(self) -> None:
        if self.ctx.interactive:
            self._reader = asyncio.create_task(self._read_loop())

    async def _read_loop(self) -> None:
        try:
            if sys.stdin.isatty() and sys.stdout.isatty():
                await self._prompt_loop()
            else:
                await self._line_loop()
        finally:
            self.ctx.request_stop()

    async def _handle(self, line: str) -> bool:
        """Run one typed line; False when it ends the chat."""
        line = line.strip()
        if line.lower() in QUIT_WORDS:
            return False
        if line:
            self._write(await self.say(line))
        return True

    async def _prompt_loop(self) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.patch_stdout import patch_stdout

        session: PromptSession[str] = PromptSession()
        with patch_stdout(raw=True):
            while True:
                try:
                    # handle_sigint=False: the bot's own SIGINT handler stays in place (Ctrl-C
                    # at the prompt is a key press here, raised as KeyboardInterrupt).
                    line = await session.prompt_async(PROMPT, handle_sigint=False)
                except (EOFError, KeyboardInterrupt):
                    return
                if not await self._handle(line):
                    return

    async def _line_loop(self) -> None:
        loop = asyncio.get_running_loop()
        lines: asyncio.Queue[str] = asyncio.Queue()

        def read() -> None:  # a daemon thread: a blocked readline never holds up shutdown
            try:
                for line in sys.stdin:
                    loop.call_soon_threadsafe(lines.put_nowait, line)
                loop.call_soon_threadsafe(lines.put_nowait, "")
            except (RuntimeError, ValueError, OSError):  # the loop or stdin closed meanwhile
                return

        threading.Thread(target=read, name="console-input", daemon=True).start()
        while (line := await lines.get()) and await self._handle(line):
            pass

    async def stop(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
