"""Who holds a claim, and what a drain did: worker ids that let a restarted process recognise
the claims of dead ones, and the counts a delivery round reports."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field


def new_worker_id() -> str:
    """``host:pid:nonce`` — lets a restarted process recognise claims of dead processes."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class DrainReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    paused: list[str] = field(default_factory=list)

    def add(self, other: DrainReport) -> None:
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed
        self.paused.extend(other.paused)


def dead_owners(owners: Iterable[str], me: str) -> list[str]:
    """The claim owners that are paperbot processes on this host no longer running (or this
    very worker, whose claims a restart inherits)."""
    host = socket.gethostname()
    dead = []
    for owner in owners:
        parts = owner.split(":")
        mine = len(parts) == 3 and parts[0] == host and parts[1].isdigit()
        if mine and (owner == me or not _pid_alive(int(parts[1]))):
            dead.append(owner)
    return dead
