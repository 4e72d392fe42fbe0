"""Channels: where alerts go. Config channels are keyed by their name, chat channels by the
platform's id (``slack``, ``C0123``)."""

from __future__ import annotations

import builtins
import sqlite3
from datetime import time

from bot.model import Channel
from bot.model.volume import Mode, VolumeSettings
from bot.store import outbox
from bot.store.db import Database, fetch_rows, now_iso, parse_dt

#: The volume settings' columns (migration 6), in :func:`settings_row` order.
SETTINGS_COLUMNS = "mode, digest_at, digest_day, tz, cap, quiet_from, quiet_to, ledger"
_COLUMNS = f"id, name, platform, external_id, paused_reason, paused_at, {SETTINGS_COLUMNS}"


def _time(text: str | None) -> time | None:
    return time.fromisoformat(text) if text else None


def settings_of(row: sqlite3.Row) -> VolumeSettings:
    """A channel row's volume settings."""
    begin, end = _time(row["quiet_from"]), _time(row["quiet_to"])
    return VolumeSettings(
        mode=Mode(row["mode"]),
        at=_time(row["digest_at"]),
        day=row["digest_day"],
        tz=row["tz"],
        cap=row["cap"],
        quiet=(begin, end) if begin is not None and end is not None else None,
        ledger=bool(row["ledger"]),
    )


def settings_row(s: VolumeSettings) -> tuple[object, ...]:
    """The values of :data:`SETTINGS_COLUMNS` for ``s``."""
    at = f"{s.at:%H:%M}" if s.at is not None else None
    quiet = (f"{s.quiet[0]:%H:%M}", f"{s.quiet[1]:%H:%M}") if s.quiet else (None, None)
    return (s.mode.value, at, s.day, s.tz, s.cap, *quiet, int(s.ledger))


def _channel(row: sqlite3.Row) -> Channel:
    return Channel(
        id=row["id"],
        name=row["name"],
        platform=row["platform"],
        external_id=row["external_id"],
        paused_reason=row["paused_reason"],
        paused_at=parse_dt(row["paused_at"]),
        volume=settings_of(row),
    )


class Channels:
    """Named methods for the channels table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def upsert_config(
        self, name: str, platform: str, external_id: str | None = None
    ) -> Channel:
        """Create or refresh a channel from the config file (identified by ``name``).

        A chat channel (``platform`` + ``external_id``) that chat already created keeps its row:
        the config name becomes its alias.
        """
        async with self.db.transaction() as conn:
            rows: list[sqlite3.Row] = []
            if external_id:
                rows = await fetch_rows(
                    conn,
                    f"SELECT {_COLUMNS} FROM channels WHERE platform=? AND external_id=?",
                    (platform, external_id),
                )
            if not rows:
                rows = await fetch_rows(
                    conn, f"SELECT {_COLUMNS} FROM channels WHERE name=? OR alias=?", (name, name)
                )
            if not rows:
                await conn.execute(
                    "INSERT INTO channels(name, alias, platform, external_id, created_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (name, name, platform, external_id, now_iso()),
                )
            else:
                row_id = rows[0]["id"]
                # The name may have meant another row under an earlier config: that row keeps
                # its subscriptions under a name of its own (``ml#3``), and the name moves here.
                await conn.execute(
                    "UPDATE channels SET alias=NULL WHERE alias=? AND id!=?", (name, row_id)
                )
                await conn.execute(
                    "UPDATE channels SET name = name || '#' || id WHERE name=? AND id!=?",
                    (name, row_id),
                )
                await conn.execute(
                    "UPDATE channels SET alias=?, platform=?, external_id=? WHERE id=?",
                    (name, platform, external_id, row_id),
                )
        channel = await self.find(name)
        assert channel is not None
        return channel

    async def ensure_chat(self, platform: str, external_id: str, name: str) -> Channel:
        """The channel a chat command runs in, created on first use (``slack:T/C``)."""
        async with self.db.transaction() as conn:
            rows = await fetch_rows(
                conn,
                "SELECT id, name FROM channels WHERE platform=? AND external_id=?",
                (platform, external_id),
            )
            if not rows:
                await conn.execute(
                    "INSERT INTO channels(name, platform, external_id, created_at) "
                    "VALUES (?, ?, ?, ?)",
                    (name, platform, external_id, now_iso()),
                )
            elif rows[0]["name"] != name:
                await conn.execute("UPDATE channels SET name=? WHERE id=?", (name, rows[0]["id"]))
        channel = await self.find(name)
        assert channel is not None
        return channel

    async def find(self, name: str) -> Channel | None:
        """A channel by its name or its config alias."""
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM channels WHERE name=? OR alias=? ORDER BY name=? DESC LIMIT 1",
            (name, name, name),
        )
        return _channel(row) if row else None

    async def by_external(self, platform: str, external_id: str) -> Channel | None:
        """A chat channel by the platform's own id."""
        row = await self.db.fetchone(
            f"SELECT {_COLUMNS} FROM channels WHERE platform=? AND external_id=?",
            (platform, external_id),
        )
        return _channel(row) if row else None

    async def get(self, channel_id: int) -> Channel | None:
        row = await self.db.fetchone(f"SELECT {_COLUMNS} FROM channels WHERE id=?", (channel_id,))
        return _channel(row) if row else None

    async def list(self) -> builtins.list[Channel]:
        rows = await self.db.fetchall(f"SELECT {_COLUMNS} FROM channels ORDER BY name")
        return [_channel(r) for r in rows]

    async def aliases(self) -> dict[int, str]:
        """Channel id -> its config name, for chat channels the config also names."""
        rows = await self.db.fetchall("SELECT id, alias FROM channels WHERE alias IS NOT NULL")
        return {r["id"]: r["alias"] for r in rows}

    async def pause(self, channel_id: int, reason: str) -> None:
        """Stop deliveries to a channel (the platform refused it) until :meth:`resume`."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE channels SET paused_reason=?, paused_at=? WHERE id=?",
                (reason, now_iso(), channel_id),
            )
            await outbox.release_channel(conn, channel_id)

    async def resume(self, channel_id: int) -> None:
        """Deliver to a paused channel again; what it is owed is due at once."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE channels SET paused_reason=NULL, paused_at=NULL WHERE id=?", (channel_id,)
            )
            await outbox.due_now(conn, channel_id)
