"""``paperbot [--config FILE] [-v] [--debug] COMMAND``.

Exit codes (:class:`~bot.cli.errors.ExitCode`): 0 success; 1 not found (lookup); 2 usage or
config error; 3 a source failed or deliverable messages stay queued (``check``); 130
interrupted; 141 the reader of stdout went away (``paperbot status | head -1``), as for a tool
killed by SIGPIPE, but quietly. Expected failures print one line on stderr and no traceback
(``--debug`` shows one).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sqlite3
import sys
import traceback
from collections.abc import Awaitable, Callable
from importlib.metadata import PackageNotFoundError, version

from bot.cli.args import check_text
from bot.cli.commands import register
from bot.cli.errors import CliError, ExitCode
from bot.cli.logs import SafeLogFilter, quiet
from bot.config import Config, ConfigError, load_config, world_readable_secret_warning
from bot.port import StartupError
from bot.store import StoreError

log = logging.getLogger("paperbot")

#: The exit code of a process whose stdout reader went away (128 + SIGPIPE).
BROKEN_PIPE = 141


def _version() -> str:
    try:
        return version("paperbot")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


class _Stderr:
    """``sys.stderr`` as it is at each write: the console's prompt puts a proxy there that
    prints above the prompt, and log lines must go through it too."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        command = self.prog.removeprefix("paperbot").strip()
        raise CliError(f"{command}: {message}" if command else message, ExitCode.USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="paperbot", description="Alerts for new arXiv papers in team chats.")
    parser.add_argument("--config", metavar="FILE", help="config file (TOML)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument("--version", action="version", version=f"paperbot {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    register(sub)
    return parser


def _setup_logging(config: Config | None, verbose: int, *, terse: bool = False) -> None:
    """Log to stderr at the config's level (``-v`` INFO, ``-vv`` DEBUG). ``terse``: a person
    reads it (``chat``, ``demo``), so warnings are ``paperbot: …`` lines with no time stamp."""
    level = logging.WARNING
    if config is not None:
        level = getattr(logging, config.log_level, logging.WARNING)
    if verbose == 1:
        level = min(level, logging.INFO)
    elif verbose >= 2:
        level = logging.DEBUG
    form = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    if terse and level >= logging.WARNING:
        form = "paperbot: %(message)s"
    logging.basicConfig(level=level, format=form, stream=_Stderr())
    for handler in logging.getLogger().handlers:
        handler.addFilter(SafeLogFilter())
    libraries = [n for s in (config.specs.values() if config else ()) for n in s.library_loggers]
    quiet(["aiosqlite", "asyncio", *libraries], level)
    if level == logging.WARNING:
        # Each failed request is reported by its caller (a command's one-line error, the
        # poller's warning); the HTTP client's own warning would say it twice. ``-v`` shows it.
        logging.getLogger("paperbot.fetch").setLevel(logging.ERROR)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``paperbot`` console script."""
    argv = sys.argv[1:] if argv is None else argv
    debug = "--debug" in argv
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        check_text(parser, args)
        # `demo` brings its own config: a broken file of the user's must not stop it.
        config = load_config(args.config) if getattr(args, "needs_config", True) else None
        _setup_logging(config, args.verbose, terse=getattr(args, "terse_log", False))
        warning = world_readable_secret_warning(config) if config else None
        if warning:
            log.warning("%s", warning)
        handler: Callable[[argparse.Namespace, Config | None], Awaitable[ExitCode]]
        handler = args.handler
        code = int(asyncio.run(_call(handler, args, config)))
        sys.stdout.flush()  # inside the try: a reader that went away is a BrokenPipeError here
        return code
    except BrokenPipeError:
        return _reader_gone()
    except CliError as exc:
        return _fail(str(exc), exc.code, debug)
    except ConfigError as exc:
        return _fail(f"config error: {exc}", ExitCode.USAGE, debug)
    except (StoreError, sqlite3.Error) as exc:
        return _fail(f"database error: {exc}", ExitCode.FAILED, debug)
    except StartupError as exc:
        return _fail(str(exc), ExitCode.USAGE, debug)
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except SystemExit as exc:  # argparse --help
        return int(exc.code or 0)


async def _call(
    handler: Callable[[argparse.Namespace, Config | None], Awaitable[ExitCode]],
    args: argparse.Namespace,
    config: Config | None,
) -> ExitCode:
    return await handler(args, config)


def _reader_gone() -> int:
    """stdout's reader closed the pipe: say nothing more, and let the interpreter's last flush
    of stdout go to /dev/null instead of printing a BrokenPipeError of its own."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return BROKEN_PIPE


def _fail(message: str, code: ExitCode, debug: bool) -> int:
    if debug:
        traceback.print_exc()
    print(f"paperbot: {message}", file=sys.stderr)
    return int(code)
