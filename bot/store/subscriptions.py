"""Subscriptions: what each channel follows (an author, a topic or a category)."""

from __future__ import annotations

import builtins
import sqlite3

from bot.model import Subscription, SubscriptionKind
from bot.store.db import Database, fetch_rows, now_iso, parse_dt
from bot.store.volume import forget_subscription

_COLUMNS = "id, channel_id, kind, value, created_by, created_at"


class DuplicateSubscription(Exception):
    """The channel already has this subscription; ``existing`` is its id."""

    def __init__(self, existing: int) -> None:
        super().__init__(f"already subscribed (#{existing})")
        self.existing = existing


class TooManySubscriptions(ValueError):
    """The channel holds as many subscriptions as it may; the message says so."""


def _subscription(row: sqlite3.Row) -> Subscription:
    return Subscription(
        id=row["id"],
        channel_id=row["channel_id"],
        kind=SubscriptionKind(row["kind"]),
        value=row["value"],
        created_by=row["created_by"],
        created_at=parse_dt(row["created_at"]),
    )


class Subscriptions:
    """Named methods for the subscriptions table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add(
        self,
        channel_id: int,
        kind: SubscriptionKind,
        value: str,
        norm: str,
        created_by: str | None,
        *,
        max_per_channel: int | None = None,
    ) -> Subscription:
        """Add a subscription. Raises :class:`DuplicateSubscription` for a repeat and
        :class:`TooManySubscriptions` when the channel already holds ``max_per_channel``."""
        async with self.db.transaction() as conn:
            rows = await fetch_rows(
                conn,
                "SELECT id FROM subscriptions WHERE channel_id=? AND kind=? AND norm=?",
                (channel_id, kind.value, norm),
            )
            if rows:
                raise DuplicateSubscription(rows[0]["id"])
            if max_per_channel is not None:
                rows = await fetch_rows(
                    conn,
                    "SELECT count(*) AS n FROM subscriptions WHERE channel_id=?",
                    (channel_id,),
                )
                count = rows[0]["n"]
                if count >= max_per_channel:
                    raise TooManySubscriptions(
                        f"this channel already has {count} subscriptions "
                        f"(the limit is {max_per_channel}); unsubscribe from one first"
                    )
            rows = await fetch_rows(
                conn,
                "INSERT INTO subscriptions(channel_id, kind, value, norm, created_by, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) RETURNING " + _COLUMNS,
                (channel_id, kind.value, value, norm, created_by, now_iso()),
            )
        return _subscription(rows[0])

    async def remove(self, subscription_id: int, channel_id: int | None) -> bool:
        """Remove a subscription; with ``channel_id`` only if it belongs to that channel.
        Held papers lose it too, and those nothing else matched are dropped."""
        async with self.db.transaction() as conn:
            rows = await fetch_rows(
                conn,
                "DELETE FROM subscriptions WHERE id=? AND (? IS NULL OR channel_id=?) "
                "RETURNING channel_id",
                (subscription_id, channel_id, channel_id),
            )
            for row in rows:
                await forget_subscription(conn, row["channel_id"], subscription_id)
        return bool(rows)

    async def list(self, channel_id: int | None = None) -> builtins.list[Subscription]:
        """Every subscription (of one channel), oldest first."""
        if channel_id is None:
            rows = await self.db.fetchall(f"SELECT {_COLUMNS} FROM subscriptions ORDER BY id")
        else:
            rows = await self.db.fetchall(
                f"SELECT {_COLUMNS} FROM subscriptions WHERE channel_id=? ORDER BY id",
                (channel_id,),
            )
        return [_subscription(r) for r in rows]

    async def values(self, kind: SubscriptionKind) -> builtins.list[str]:
        """The distinct values of one kind of subscription (the polled categories, say)."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT value FROM subscriptions WHERE kind = ? ORDER BY value", (kind.value,)
        )
        return [r["value"] for r in rows]

    async def version(self) -> tuple[int, int]:
        """Cheap change marker (count, max id) so callers can cache a matcher index."""
        row = await self.db.fetchone(
            "SELECT count(*) AS n, coalesce(max(id), 0) AS top FROM subscriptions"
        )
        return (int(row["n"]), int(row["top"])) if row else (0, 0)
