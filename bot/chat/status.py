"""The ``status`` report, in three sections that later changes add rows to, never layouts:

* **Sources**: this config's sources (the configured categories and those subscriptions ask
  for): last success, the listing seen, health (failing since when, how often, why; disabled),
  and the next poll as the scheduler will do it (after the back-off of a failing source); then
  the scholarly indexes: OpenAlex (author identity: health, parked, papers held for a check)
  and Semantic Scholar (look-up details: last success and health). An index failing never
  delays a poll.
* **Ledger**: per polled category and announcement day (the last :data:`LEDGER_DAYS` days up
  to the latest recorded), what was announced and what it caused
  (``2026-07-13 cs.AI: 27 new, 89 cross, 61 replaced -> 9 alerts to 3 channels``); an empty
  listing (a weekend, a holiday) is "no announcement", never a failure; a failing source is
  "failing since …, last reason …". The alert and channel counts cover every channel (only
  numbers, no names, so a chat asker's scope does not change them). Left out while there is
  nothing to show.
* **Channels**: per channel its delivery mode, pending, held and failed messages, when the next
  one is due and why it waits; a paused channel says how to resume it, refused messages how to
  re-queue them (``paperbot retry``).

The console and the CLI see everything. A chat ``status`` passes the asker's context: it shows
the same sections with only the channels of the asker's workspace or guild (chat channels are
named ``slack:T…/C…``, ``discord:GUILD/CHANNEL``) and the channel it is typed in; a channel named
in the config file appears in chat only in its own channel (the CLI shows it everywhere).
URLs are redacted; no secret is ever part of the report.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.config import Config
from bot.ingest.calendar import is_listing_day, next_poll_time
from bot.ingest.poller import backoff_until, polled_categories
from bot.model import Channel, CommandContext, SourceState, SubscriptionKind
from bot.model.text import literal
from bot.sources.arxiv import listing_url
from bot.sources.redact import redact_url
from bot.store import ChannelQueue, QueueSummary, Store

#: Calendar days of ledger rows ``status`` shows, ending at the latest recorded day.
LEDGER_DAYS = 7


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "never"
    seconds = int((now - when).total_seconds())
    if seconds < 120:
        return f"{seconds}s ago"
    if seconds < 7200:
        return f"{seconds // 60}m ago"
    if seconds < 172800:
        return f"{seconds // 3600}h ago"
    return f"{seconds // 86400}d ago"


def _at(epoch: float) -> str:
    return f"{datetime.fromtimestamp(epoch, UTC):%Y-%m-%d %H:%M:%S} UTC"


def visible(channel: Channel, ctx: CommandContext | None) -> bool:
    """Whether a chat asker (``ctx``; None: the CLI) may see ``channel`` in ``status``."""
    if ctx is None or ctx.scope is None:
        return True
    if channel.name.startswith(ctx.scope + "/"):
        return True
    return channel.platform == ctx.platform and channel.external_id == ctx.external_id


async def status_text(
    store: Store, config: Config, now: datetime | None = None, ctx: CommandContext | None = None
) -> str:
    """The report (see the module docstring); ``ctx`` scopes a chat asker's view."""
    now = now or datetime.now(UTC)
    lines = ["*Sources*"]
    lines += await _sources(store, config, now)
    lines += await _index_health(store, config, now)
    lines += await _indexes(store, config, now)
    lines += await _ledger(store, config)
    lines.append("*Channels*")
    channels = [c for c in await store.channels.list() if visible(c, ctx)]
    lines += _channels(channels, await store.outbox.summary(now=now.timestamp()), now)
    return "\n".join(lines)


async def _sources(store: Store, config: Config, now: datetime) -> list[str]:
    subscribed = await store.subscriptions.values(SubscriptionKind.CATEGORY)
    # Only the categories this config polls (a database shared with another config keeps rows
    # of others); a category's row under this config's feed URL wins over another feed's.
    own = listing_url(config.arxiv.rss_url, "")
    states: dict[str, SourceState] = {}
    for known in sorted(await store.sources.list(), key=lambda s: not s.url.startswith(own)):
        states.setdefault(_category_of(known.url), known)
    lines = []
    for category in polled_categories(config.arxiv.categories, subscribed):
        state = states.get(category)
        if state is None:
            when = next_poll_time(config.arxiv, now)
            lines.append(f"• {category}: not polled yet; next poll {when:%Y-%m-%d %H:%M} UTC")
            continue
        lines += _source(category, state, config, now)
    return lines or ["• none"]


async def _index_health(store: Store, config: Config, now: datetime) -> list[str]:
    """OpenAlex, the author-identity index: off, not asked yet, ok, failing, or parked."""
    if not config.openalex.enabled:
        return ["• OpenAlex (author identity): off ([openalex] api_url is empty)"]
    h = await store.identity.health()
    waiting = len(await store.outbox.identity_held())
    head = f"• OpenAlex (author identity, {redact_url(config.openalex.api_url)})"
    papers = "paper" if waiting == 1 else "papers"
    tail = f"; {waiting} {papers} held for an identity check" if waiting else ""
    if h is None:
        return [f"{head}: not asked yet{tail}"]
    last = _ago(datetime.fromtimestamp(h.last_success, UTC) if h.last_success else None, now)
    health = "ok"
    if h.parked_until and h.parked_until > now.timestamp():
        health = f"parked until {_at(h.parked_until)} (the day's request budget is spent)"
    elif h.failures:
        health = f"failing ×{h.failures}: {literal(h.last_error or '?')}"
    return [f"{head}: last success {last}; {health}{tail}"]


async def _indexes(store: Store, config: Config, now: datetime) -> list[str]:
    """One line per scholarly index this config asks (its health is recorded by the client)."""
    url = config.semantic_scholar.api_url
    if not url:
        return []
    head = f"• Semantic Scholar ({redact_url(url)})"
    state = await store.sources.get(url)
    if state is None:
        return [f"{head}: not asked yet"]
    health = "ok"
    if state.consecutive_failures:
        since = f" since {state.failing_since:%Y-%m-%d %H:%M} UTC" if state.failing_since else ""
        error = literal(state.last_error or "?")
        health = f"failing ×{state.consecutive_failures}{since}: {error}"
    return [f"{head}: last success {_ago(state.last_success, now)}; {health}"]


def _category_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def _source(category: str, s: SourceState, config: Config, now: datetime) -> list[str]:
    listing = f", listing of {s.last_pub_date:%a %d %b}" if s.last_pub_date else ""
    head = f"• {category} ({redact_url(s.url)}): last success {_ago(s.last_success, now)}{listing}"
    if s.disabled_reason:
        return [f"{head}; DISABLED ({literal(s.disabled_reason)}); `paperbot check` re-enables it"]
    next_at = next_poll_time(config.arxiv, now)
    until = backoff_until(s, config.arxiv)
    if until is not None and until > now.timestamp():
        next_at = next_poll_time(config.arxiv, datetime.fromtimestamp(until, UTC))
    health = "ok"
    if s.consecutive_failures:
        since = f" since {s.failing_since:%Y-%m-%d %H:%M} UTC" if s.failing_since else ""
        health = f"failing ×{s.consecutive_failures}{since}: {literal(s.last_error or '?')}"
    lines = [f"{head}; {health}; next poll {next_at:%Y-%m-%d %H:%M} UTC"]
    if s.last_pub_date is not None and s.last_items == 0 and is_listing_day(s.last_pub_date):
        lines.append("  (its weekday listing was empty: a holiday, or arXiv trouble)")
    return lines


async def _ledger(store: Store, config: Config) -> list[str]:
    """Per polled category and announcement day, newest first; then the failing sources."""
    subscribed = await store.subscriptions.values(SubscriptionKind.CATEGORY)
    categories = polled_categories(config.arxiv.categories, subscribed)
    last = await store.ledger.last_day()
    rows = []
    if last is not None:
        since = last - timedelta(days=LEDGER_DAYS - 1)
        rows = await store.ledger.rows(categories, since=since)
    lines = [f"• {row.text()}" for row in rows]
    own = listing_url(config.arxiv.rss_url, "")
    for state in await store.sources.list():
        category = _category_of(state.url)
        if state.url.startswith(own) and category in categories and state.consecutive_failures:
            since_text = f"{state.failing_since:%Y-%m-%d %H:%M} UTC" if state.failing_since else "?"
            lines.append(
                f"• {category}: failing since {since_text}, last reason "
                f"{literal(state.last_error or '?')}"
            )
    return ["*Ledger*", *lines] if lines else []


def _mode(channel: Channel) -> str:
    """The channel's mode as ``mode`` takes it, the default zone (UTC) left out."""
    return channel.volume.mode_text().removesuffix(" UTC")


def _channels(channels: list[Channel], summary: QueueSummary, now: datetime) -> list[str]:
    lines: list[str] = []
    totals = [0, 0, 0]
    for c in channels:
        q = summary.channels.get(c.id, ChannelQueue())
        totals = [totals[0] + q.pending, totals[1] + q.held, totals[2] + q.failed]
        line = (
            f"• {literal(c.name)} ({c.platform}, {_mode(c)}): {q.pending} pending, "
            f"{q.held} held, {q.failed} failed"
        )
        if q.pending and q.next_due is not None:
            due = "now" if q.next_due <= now.timestamp() else _at(q.next_due)
            why = f" ({literal(q.reason)})" if q.reason else ""
            line += f"; next due {due}{why}"
        if q.held and q.held_until is not None:
            line += f"; held until {_at(q.held_until)}"
        lines.append(line)
        if c.paused_reason:
            lines.append(f"  Paused: {literal(c.paused_reason)} (`paperbot resume {c.name}`)")
        if q.failed:
            lines.append(f"  Refused: {q.failed} (`paperbot retry {c.name}` re-queues them)")
            for channel_id, paper_id, kind, error in summary.failed:
                if channel_id == c.id:
                    lines.append(f"  {kind} {paper_id}: {literal(error)}")
    if not channels:
        lines.append("• none")
    lines.append(f"Deliveries: {totals[0]} pending, {totals[1]} held, {totals[2]} failed")
    return lines
