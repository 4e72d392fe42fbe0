"""The plan of a listing: what its items change in the store, and which alerts they cause.

Pure: given the items, what the store already holds of them and a matcher, it decides the
writes (new papers, new versions, announcements, alerts, version notes) that the store then
makes in one transaction. The rules:

* A ``new`` or ``cross`` item announces a paper the bot has not seen announced (even when a
  look-up stored it); only that first announcement alerts, once per matching channel.
* A higher version of a stored paper updates its metadata and never alerts; a channel that
  already had the paper's alert gets a note in the alert's thread (where its platform threads).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from bot.model import ListingItem, Paper, Subscription
from bot.model.paper import merged_versions
from bot.store import KnownPaper, ListingWrites, QueuedAlert

#: Matches a paper against the subscriptions: channel id -> the subscriptions that matched.
Matcher = Callable[[Paper], Mapping[int, Sequence[Subscription]]]


@dataclass(slots=True)
class IngestCounts:
    """What one ingest did. ``alerts`` counts outbox messages queued."""

    items: int = 0
    new_papers: int = 0
    new_versions: int = 0
    announced: int = 0
    alerts: int = 0
    alerted: list[tuple[str, int]] = field(default_factory=list)

    def add(self, other: IngestCounts) -> None:
        self.items += other.items
        self.new_papers += other.new_papers
        self.new_versions += other.new_versions
        self.announced += other.announced
        self.alerts += other.alerts
        self.alerted.extend(other.alerted)


def plan_listing(
    items: Sequence[ListingItem],
    known: Mapping[str, KnownPaper],
    *,
    announced_on: date | None,
    today: date,
    matcher: Matcher | None,
    thread_channels: frozenset[int] = frozenset(),
    counts: IngestCounts | None = None,
) -> ListingWrites:
    """The writes one listing makes; ``counts`` (if given) is filled in as it goes.

    ``announced_on`` is the listing's announcement day (an item's own ``announced`` wins);
    ``today`` stands in when neither is known.
    """
    counts = counts if counts is not None else IngestCounts()
    counts.items += len(items)
    state = dict(known)
    writes = ListingWrites(thread_channels=thread_channels)
    # Subscription.label formats an enum each time; a few subscriptions make most alerts.
    labels: dict[int, str] = {}
    for item in items:
        paper = item.paper
        arxiv_id = paper.arxiv_id
        first = item.announce_type.is_first_announcement
        day = paper.announced or announced_on or today
        prior = state.get(arxiv_id)
        if prior is None:
            stored = replace(paper, versions=merged_versions((), paper))
            writes.inserts.append((stored, day if first else None))
            state[arxiv_id] = KnownPaper(paper.version, day if first else None, stored.versions)
            counts.new_papers += 1
        else:
            if paper.version > prior.version:
                stored = replace(paper, versions=merged_versions(prior.versions, paper))
                writes.updates.append(stored)
                prior = state[arxiv_id] = KnownPaper(
                    paper.version, prior.announced, stored.versions
                )
                counts.new_versions += 1
                if prior.announced is not None:
                    writes.version_notes.append((arxiv_id, paper.version))
            if not first or prior.announced is not None:
                continue
            writes.announcements.append((arxiv_id, day))
            state[arxiv_id] = replace(prior, announced=day)
        if not first:
            continue
        counts.announced += 1
        if matcher is None:
            continue
        for channel_id, subs in matcher(paper).items():
            reasons = tuple(labels.get(s.id) or labels.setdefault(s.id, s.label) for s in subs)
            writes.alerts.append(QueuedAlert(arxiv_id, channel_id, paper.version, reasons))
            counts.alerted.append((arxiv_id, channel_id))
    return writes
