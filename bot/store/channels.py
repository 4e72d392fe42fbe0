"""Channels and their subscriptions."""

from __future__ import annotations

import sqlite3

from bot.model import Channel, Subscription, SubscriptionKind
from bot.store.db import StoreBase, now_iso, parse_dt

_CHANNEL_COLUMNS = "id, name, platform, external_id, paused_reason, paused_at"
_SUB_COLUMNS = "id, channel_id, kind, value, created_by, created_at"


class DuplicateSubscription(Exception):
    """The channel already has this subscription; ``existing`` is its id."""

    def __init__(self, existing: int) -> None:
        super().__init__(f"already subscribed (#{existing})")
        self.existing = existing


def _channel(row: sqlite3.Row | tuple) -> Channel:
    return Channel(
        id=row[0],
        name=row[1],
        platform=row[2],
        external_id=row[3],
        paused_reason=row[4],
        paused_at=parse_dt(row[5]),
    )


def _subscription(row: sqlite3.Row | tuple) -> Subscription:
    return Subscription(
        id=row[0],
        channel_id=row[1],
        kind=SubscriptionKind(row[2]),
        value=row[3],
        created_by=row[4],
        created_at=parse_dt(row[5]),
    )


class ChannelStore(StoreBase):
    """Named methods for channels and subscriptions."""

    async def upsert_config_channel(
        self, name: str, platform: str, external_id: str | None = None
    ) -> Channel:
        """Create or refresh a channel from the config file (identified by ``name``).

        A chat channel (``platform`` + ``external_id``) that chat already created keeps its row:
        the config name becomes its alias.
        """
        async with self.transaction() as conn:
            row = None
            if external_id:
                async with conn.execute(
                    f"SELECT {_CHANNEL_COLUMNS} FROM channels WHERE platform=? AND external_id=?",
                    (platform, external_id),
                ) as cur:
                    row = await cur.fetchone()
            if row is None:
                async with conn.execute(
                    f"SELECT {_CHANNEL_COLUMNS} FROM channels WHERE name=? OR alias=?",
                    (name, name),
                ) as cur:
                    row = await cur.fetchone()
            if row is None:
                await conn.execute(
                    "INSERT INTO channels(name, alias, platform, external_id, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (name, name, platform, external_id, now_iso()),
                )
            else:
                # The name may have meant another row under an earlier config: that row keeps
                # its subscriptions under a name of its own (``ml#3``), and the name moves here.
                await conn.execute(
                    "UPDATE channels SET alias=NULL WHERE alias=? AND id!=?", (name, row[0])
                )
                await conn.execute(
                    "UPDATE channels SET name = name || '#' || id WHERE name=? AND id!=?",
                    (name, row[0]),
                )
                await conn.execute(
                    "UPDATE channels SET alias=?, platform=?, external_id=? WHERE id=?",
                    (name, platform, external_id, row[0]),
                )
        channel = await self.find_channel(name)
        assert channel is not None
        return channel

    async def ensure_chat_channel(self, platform: str, external_id: str, name: str) -> Channel:
        """The channel a chat command runs in, created on first use (``slack:T/C``)."""
        async with self.transaction() as conn:
            async with conn.execute(
                "SELECT id, name FROM channels WHERE platform=? AND external_id=?",
                (platform, external_id),
            ) as cur:
                row = await cur.fetchone()
            if row is None:
                await conn.execute(
                    "INSERT INTO channels(name, platform, external_id, created_at) "
                    "VALUES (?, ?, ?, ?)",
                    (name, platform, external_id, now_iso()),
                )
            elif row[1] != name:
                await conn.execute("UPDATE channels SET name=? WHERE id=?", (name, row[0]))
        channel = await self.find_channel(name)
        assert channel is not None
        return channel

    async def find_channel(self, name: str) -> Channel | None:
        """A channel by its name or its config alias."""
        row = await self.fetchone(
            f"SELECT {_CHANNEL_COLUMNS} FROM channels WHERE name=? OR alias=? "
            "ORDER BY name=? DESC LIMIT 1",
            (name, name, name),
        )
        return _channel(row) if row else None

    async def find_channel_by_external(self, platform: str, external_id: str) -> Channel | None:
        row = await self.fetchone(
            f"SELECT {_CHANNEL_COLUMNS} FROM channels WHERE platform=? AND external_id=?",
            (platform, external_id),
        )
        return _channel(row) if row else None

    async def get_channel(self, channel_id: int) -> Channel | None:
        row = await self.fetchone(
            f"SELECT {_CHANNEL_COLUMNS} FROM channels WHERE id=?", (channel_id,)
        )
        return _channel(row) if row else None

    async def list_channels(self) -> list[Channel]:
        rows = await self.fetchall(f"SELECT {_CHANNEL_COLUMNS} FROM channels ORDER BY name")
        return [_channel(r) for r in rows]

    async def channel_aliases(self) -> dict[int, str]:
        rows = await self.fetchall("SELECT id, alias FROM channels WHERE alias IS NOT NULL")
        return {r[0]: r[1] for r in rows}

    async def pause_channel(self, channel_id: int, reason: str) -> None:
        """Stop deliveries to a channel (the platform refused it) until :meth:`resume_channel`."""
        async with self.transaction() as conn:
            await conn.execute(
                "UPDATE channels SET paused_reason=?, paused_at=? WHERE id=?",
                (reason, now_iso(), channel_id),
            )
            await conn.execute(
                "UPDATE outbox SET state='pending', claimed_by=NULL, claimed_until=NULL "
                "WHERE channel_id=? AND state='sending'",
                (channel_id,),
            )

    async def resume_channel(self, channel_id: int) -> None:
        async with self.transaction() as conn:
            await conn.execute(
                "UPDATE channels SET paused_reason=NULL, paused_at=NULL WHERE id=?", (channel_id,)
            )
            await conn.execute(
                "UPDATE outbox SET not_before=0 WHERE channel_id=? AND state='pending'",
                (channel_id,),
            )

    async def add_subscription(
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
        ``ValueError`` when the channel already holds ``max_per_channel`` subscriptions."""
        async with self.transaction() as conn:
            async with conn.execute(
                "SELECT id FROM subscriptions WHERE channel_id=? AND kind=? AND norm=?",
                (channel_id, kind.value, norm),
            ) as cur:
                row = await cur.fetchone()
            if row is not None:
                raise DuplicateSubscription(row[0])
            if max_per_channel is not None:
                async with conn.execute(
                    "SELECT count(*) FROM subscriptions WHERE channel_id=?", (channel_id,)
                ) as cur:
                    (count,) = await cur.fetchone() or (0,)
                if count >= max_per_channel:
                    raise ValueError(
                        f"this channel already has {count} subscriptions "
                        f"(the limit is {max_per_channel}); unsubscribe from one first"
                    )
            async with conn.execute(
                "INSERT INTO subscriptions(channel_id, kind, value, norm, created_by, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?) RETURNING " + _SUB_COLUMNS,
                (channel_id, kind.value, value, norm, created_by, now_iso()),
            ) as cur:
                row = await cur.fetchone()
        assert row is not None
        return _subscription(row)

    async def remove_subscription(self, subscription_id: int, channel_id: int | None) -> bool:
        """Remove a subscription; with ``channel_id`` only if it belongs to that channel."""
        async with self.transaction() as conn:
            if channel_id is None:
                cur = await conn.execute("DELETE FROM subscriptions WHERE id=?", (subscription_id,))
            else:
                cur = await conn.execute(
                    "DELETE FROM subscriptions WHERE id=? AND channel_id=?",
                    (subscription_id, channel_id),
                )
            removed = cur.rowcount > 0
            await cur.close()
        return removed

    async def list_subscriptions(self, channel_id: int | None = None) -> list[Subscription]:
        if channel_id is None:
            rows = await self.fetchall(f"SELECT {_SUB_COLUMNS} FROM subscriptions ORDER BY id")
        else:
            rows = await self.fetchall(
                f"SELECT {_SUB_COLUMNS} FROM subscriptions WHERE channel_id=? ORDER BY id",
                (channel_id,),
            )
        return [_subscription(r) for r in rows]

    async def subscription_values(self, kind: SubscriptionKind) -> list[str]:
        """The distinct values of one kind of subscription (the polled categories, say)."""
        rows = await self.fetchall(
            "SELECT DISTINCT value FROM subscriptions WHERE kind = ? ORDER BY value", (kind.value,)
        )
        return [r[0] for r in rows]

    async def subscriptions_version(self) -> tuple[int, int]:
        """Cheap change marker (count, max id) so callers can cache a matcher index."""
        row = await self.fetchone("SELECT count(*), coalesce(max(id), 0) FROM subscriptions")
        return (int(row[0]), int(row[1])) if row else (0, 0)
