"""What reaches the log: one line per record, URLs redacted, at most :data:`MAX_LOG_CHARS`.

A log line is not trusted input's mirror: a library that logs a request body (slack_bolt at
INFO logs whole badly signed bodies) would otherwise let one unauthenticated POST write a
megabyte, forge lines with newlines, or record a ``response_url`` (a credential for 30 minutes).
Every record's message passes :class:`SafeLogFilter` on the handler; library loggers named by the
adapter specs stay at WARNING whatever ``-v`` says.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from bot.sources.redact import redact_urls

#: The longest message a log line carries; the rest is counted, not shown.
MAX_LOG_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_message(message: str, limit: int = MAX_LOG_CHARS) -> str:
    """``message`` on one line (control characters escaped), URLs redacted, capped."""
    if len(message) > 4 * limit:  # never scan megabytes: the end is cut anyway
        message = message[: 4 * limit]
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], redact_urls(message))
    if len(text) > limit:
        text = f"{text[:limit]}… ({len(text) - limit} more characters)"
    return text


class SafeLogFilter(logging.Filter):
    """Rewrites each record's message with :func:`safe_message` (tracebacks stay as they are)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: log what we have
            message = str(record.msg)
        record.msg = safe_message(message)
        record.args = None
        return True


def quiet(loggers: Iterable[str], level: int) -> None:
    """Keep library ``loggers`` at WARNING or above (their debug lines carry bodies)."""
    for name in loggers:
        logging.getLogger(name).setLevel(max(level, logging.WARNING))
