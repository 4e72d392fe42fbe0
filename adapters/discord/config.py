"""The ``[discord]`` section, read at config load (``AdapterSpec.validate_section``): a pure
function that imports no discord.py, so a mistake is reported when the file is read.

The permission names ``manage_permission`` accepts are listed here rather than read from
``discord.Permissions.VALID_FLAGS`` (that would import discord.py for every command);
``tests/adapters/test_discord_config.py`` checks the two stay equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.config import SectionReader

#: ``discord.Permissions.VALID_FLAGS`` of discord.py 2.7.
PERMISSIONS = frozenset(
    {
        "add_reactions",
        "administrator",
        "attach_files",
        "ban_members",
        "bypass_slowmode",
        "change_nickname",
        "connect",
        "create_events",
        "create_expressions",
        "create_instant_invite",
        "create_polls",
        "create_private_threads",
        "create_public_threads",
        "deafen_members",
        "embed_links",
        "external_emojis",
        "external_stickers",
        "kick_members",
        "manage_channels",
        "manage_emojis",
        "manage_emojis_and_stickers",
        "manage_events",
        "manage_expressions",
        "manage_guild",
        "manage_messages",
        "manage_nicknames",
        "manage_permissions",
        "manage_roles",
        "manage_threads",
        "manage_webhooks",
        "mention_everyone",
        "moderate_members",
        "move_members",
        "mute_members",
        "pin_messages",
        "priority_speaker",
        "read_message_history",
        "read_messages",
        "request_to_speak",
        "send_messages",
        "send_messages_in_threads",
        "send_polls",
        "send_tts_messages",
        "send_voice_messages",
        "set_voice_channel_status",
        "speak",
        "stream",
        "use_application_commands",
        "use_embedded_activities",
        "use_external_apps",
        "use_external_emojis",
        "use_external_sounds",
        "use_external_stickers",
        "use_soundboard",
        "use_voice_activation",
        "view_audit_log",
        "view_channel",
        "view_creator_monetization_analytics",
        "view_guild_insights",
    }
)


@dataclass(frozen=True, slots=True)
class DiscordSettings:
    """``[discord]`` as the adapter uses it."""

    api_url: str | None = None
    guild_ids: tuple[int, ...] = field(default_factory=tuple)
    shards: int | str | None = None
    manage_permission: str = "manage_channels"
    threads: bool = True
    gateway: bool = True


def read_discord(r: SectionReader) -> DiscordSettings:
    """Check every ``[discord]`` key (unknown keys refused) and return the settings."""
    api_url = r.url("api_url", None)
    guilds = r.get("guild_ids", list, [])
    if any(isinstance(g, bool) for g in guilds) or not all(
        str(g).strip().isdigit() for g in guilds
    ):
        raise r.fail("guild_ids", "expected a list of guild ids (numbers)")
    shards = r.get("shards", (int, str), None)
    if shards is not None and shards != "auto" and not (isinstance(shards, int) and shards > 0):
        raise r.fail("shards", f'expected a positive integer or "auto", got {shards!r}')
    flag = r.get("manage_permission", str, "manage_channels")
    if flag != "everyone" and flag not in PERMISSIONS:
        raise r.fail(
            "manage_permission", f'expected a Discord permission name or "everyone", got {flag!r}'
        )
    settings = DiscordSettings(
        api_url=api_url.rstrip("/") if api_url else None,
        guild_ids=tuple(int(str(g).strip()) for g in guilds),
        shards=shards,
        manage_permission=flag,
        threads=r.get("threads", bool, True),
        gateway=r.get("gateway", bool, True),
    )
    r.done()
    return settings
