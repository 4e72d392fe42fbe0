"""What the core knows of Discord: the bot (slash commands, threads) and incoming webhooks."""

from bot.port import AdapterSpec

BOT = AdapterSpec(
    name="discord",
    factory="adapters.discord.bot:DiscordAdapter",
    section="discord",
    channel_keys=("channel_id",),
    external_id_key="channel_id",
    validate_section="adapters.discord.config:read_discord",
    command_prefix="/paper ",
    threads=True,
    visibility_before_run=True,
    threads_digests=True,
    # A digest part: 5 full entries (one embed each, 1,200 characters) or 20 title lines stay
    # within 10 embeds and 6,000 characters a message (adapters/discord/render.py).
    digest_entries=5,
    digest_titles=20,
    # A retried post carries the same nonce with enforce_nonce: within the few minutes
    # Discord keeps a nonce, it answers with the message already posted instead of a second.
    checks_unknown_outcome=True,
    library_loggers=("discord",),
)

WEBHOOK = AdapterSpec(
    name="discord-webhook",
    factory="adapters.discord.webhook:DiscordWebhookAdapter",
    channel_keys=("webhook_url",),
    secret_keys=frozenset({"webhook_url"}),
    digest_entries=5,
    digest_titles=20,
)
