"""The one reading of ``Retry-After`` that sources and adapters share.

Only what a server says plainly counts: delta-seconds, an HTTP date, or a JSON number. Anything
else (unparsable, negative, ``inf``, ``nan``, absurdly large) is handled here or capped by the
caller: a platform's wait at ``[delivery] backoff_max_seconds``, a source's at the 60 s hold
(beyond it the source gives up for this poll).
"""

from __future__ import annotations

import email.utils
import math
from datetime import UTC, datetime


def parse_retry_after(*values: object) -> float | None:
    """Seconds to wait, from the first value that says: a ``Retry-After`` header (delta-seconds
    or an HTTP date) or a JSON number (Discord's ``retry_after``).

    A value that is absent, unparsable, negative-signed nonsense or not finite (``inf``,
    ``nan``) says nothing and is skipped; a date in the past means 0. Callers cap the result.
    """
    for value in values:
        seconds = _retry_after_one(value)
        if seconds is not None:
            return seconds
    return None


def _retry_after_one(value: object) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip()
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            return _http_date_delay(text)
    if not math.isfinite(number) or number < 0:
        return None
    return number


def _http_date_delay(text: str) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
