"""What the core knows of Slack: the bot (slash commands, threads) and incoming webhooks."""

from bot.port import AdapterSpec

BOT = AdapterSpec(
    name="slack",
    factory="adapters.slack.bot:SlackAdapter",
    section="slack",
    channel_keys=("channel_id",),
    external_id_key="channel_id",
    validate_section="adapters.slack.config:read_slack",
    command_prefix="/paper ",
    threads=True,
    receives=frozenset({"buttons"}),
    threads_digests=True,
    # A digest part: 10 full entries (2 blocks each, plus group headings) or 50 title lines
    # stay within 50 blocks and 3,000 characters a section (adapters/slack/render.py).
    digest_entries=10,
    digest_titles=50,
    # Each message carries metadata with its outbox key; conversations.history finds it.
    checks_unknown_outcome=True,
    library_loggers=("slack_bolt", "slack_sdk"),
)

WEBHOOK = AdapterSpec(
    name="slack-webhook",
    factory="adapters.slack.webhook:SlackWebhookAdapter",
    channel_keys=("webhook_url",),
    secret_keys=frozenset({"webhook_url"}),
    digest_entries=10,
    digest_titles=50,
)
