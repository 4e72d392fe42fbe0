"""The plan of a listing: what its items change in the store, and which alerts they cause.

Pure: given the items, what the store already holds of them and a matcher, it decides the
writes (new papers, changed papers, announcements, alerts, version notes) that the store then
makes in one transaction. The rules (README "What alerts, exactly"):

* Every item updates the paper (:func:`~bot.model.paper.merge_paper`): categories accumulate,
  the same or a newer version brings its metadata (a cross-listing days later, a corrected
  author name, a changed primary category).
* At an announcement A of paper P (a ``new`` or ``cross`` item; catch-up makes ``new`` ones),
  P alerts channel C when one of C's subscriptions matches P as updated by A and none matched
  P as it stood before A. A paper never announced before (stored by a look-up, or by a
  replacement only) matched nothing. The outbox keeps one alert per (P, C), ever.
* Replacements (``replace``, ``replace-cross``) never alert, even when they add a category:
  that is arXiv's own "replacements" section. A higher version of an announced paper queues a
  note in the threads of its alerts (where the platform threads).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from bot.model import ListingItem, Paper, Subscription
from bot.model.identity import is_person
from bot.model.paper import merge_paper, merged_versions
from bot.store import ListingWrites, QueuedAlert

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


@dataclass(slots=True)
class _Planner:
    writes: ListingWrites
    counts: IngestCounts
    matcher: Matcher | None
    # Subscription.label formats an enum each time; a few subscriptions make most alerts.
    labels: dict[int, str] = field(default_factory=dict)

    def store(self, prior: Paper | None, paper: Paper, announced: date | None) -> Paper:
        """Record what ``paper`` (an item; announced on ``announced`` when this item is its
        first announcement) changes; the paper as it stands after it."""
        if prior is None:
            versions = merged_versions((), paper)
            stored = replace(paper, versions=versions, announced=announced)
            self.writes.inserts.append(stored)
            self.counts.new_papers += 1
            return stored
        merged = merge_paper(prior, paper, announced)
        if paper.version > prior.version:
            self.counts.new_versions += 1
            if prior.announced is not None:
                self.writes.version_notes.append((paper.arxiv_id, paper.version))
        if merged != prior:
            self.writes.updates.append(merged)
        return merged

    def alert(self, before: Paper | None, after: Paper) -> None:
        """Queue the alerts of an announcement: channels matching ``after`` and not ``before``."""
        if self.matcher is None:
            return
        was = self.matcher(before) if before is not None else {}
        for channel_id, subs in self.matcher(after).items():
            # Only person subscriptions matched: held until the index confirms the author.
            # Matched before only so, and now by another subscription: posted at once.
            plain = [s for s in subs if not is_person(s)]
            prior = was.get(channel_id)
            if prior is not None and (not plain or not all(map(is_person, prior))):
                continue
            labels = self.labels
            shown = subs if prior is None else plain
            reasons = tuple(labels.get(s.id) or labels.setdefault(s.id, s.label) for s in shown)
            ids = tuple(s.id for s in shown)
            self.writes.alerts.append(
                QueuedAlert(
                    after.arxiv_id,
                    channel_id,
                    after.version,
                    reasons,
                    ids,
                    hold=None if plain else "identity",
                    release_identity=prior is not None,
                )
            )
            self.counts.alerted.append((after.arxiv_id, channel_id))


def plan_listing(
    items: Sequence[ListingItem],
    known: Mapping[str, Paper],
    *,
    announced_on: date | None,
    today: date,
    matcher: Matcher | None,
    thread_channels: frozenset[int] = frozenset(),
    counts: IngestCounts | None = None,
    labels: Mapping[int, str] | None = None,
) -> ListingWrites:
    """The writes one listing makes; ``counts`` (if given) is filled in as it goes.

    ``known`` holds the stored papers among the items' ids. ``announced_on`` is the listing's
    mailing day (an item's own ``announced`` wins); ``today`` stands in when neither is known.
    ``labels``: how alerts name some subscriptions (a followed person by name and id) instead
    of their ``label``.
    """
    counts = counts if counts is not None else IngestCounts()
    counts.items += len(items)
    state = dict(known)
    planner = _Planner(ListingWrites(thread_channels=thread_channels), counts, matcher)
    planner.labels.update(labels or {})
    for item in items:
        paper = item.paper
        prior = state.get(paper.arxiv_id)
        first = item.announce_type.is_first_announcement
        day = None
        if first and (prior is None or prior.announced is None):
            day = paper.announced or announced_on or today
        after = state[paper.arxiv_id] = planner.store(prior, paper, day)
        if not first:
            continue
        if prior is not None and prior.announced is None:
            planner.writes.announcements.append((paper.arxiv_id, after.announced or today))
        if prior is None or prior.announced is None:
            counts.announced += 1
            before = None  # never announced: it matched nothing
        else:
            before = prior
        planner.alert(before, after)
    return planner.writes
