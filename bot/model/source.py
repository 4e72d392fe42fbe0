"""What the bot remembers about each polled URL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class SourceState:
    """What we remember about one polled URL (conditional GET, health)."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    last_success: datetime | None = None
    last_attempt: datetime | None = None
    consecutive_failures: int = 0
    last_error: str | None = None
    last_pub_date: date | None = None
    disabled_reason: str | None = None
    last_items: int | None = None
    failing_since: datetime | None = None  # when the current run of failures began
