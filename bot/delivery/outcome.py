"""What became of one send: the deliverer's own record, one type per outcome."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sent:
    """The platform accepted it (``ref``: its message id, when it gave one)."""

    ref: str | None


@dataclass(frozen=True, slots=True)
class Retry:
    """Try again in ``delay`` seconds (this message and the rest of the channel's share);
    ``unknown``: this message may have been posted, so its next attempt checks first."""

    delay: float
    reason: str
    unknown: bool = False


@dataclass(frozen=True, slots=True)
class Failed:
    """Refused for good (or impossible): the message is marked failed, delivery goes on."""

    reason: str


@dataclass(frozen=True, slots=True)
class Paused:
    """The channel cannot take messages until someone acts; it is paused."""

    reason: str


Outcome = Sent | Retry | Failed | Paused
