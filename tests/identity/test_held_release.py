"""A paper held for a person is posted at once when another subscription of the channel
matches it later (a cross-listing, a corrected author list): the plan asks for the release and
the outbox makes the held row pending."""

from __future__ import annotations

from datetime import date

from bot.ingest.plan import plan_listing
from bot.model import AnnounceType, ListingItem, Paper, Subscription, SubscriptionKind
from bot.store import QueuedAlert, Store
from bot.store.outbox import queue_alerts

PERSON = Subscription(1, 7, SubscriptionKind.AUTHOR, "openalex:A5100000001", None, None)
TOPIC = Subscription(2, 7, SubscriptionKind.TOPIC, "world model", None, None)


def paper(categories: tuple[str, ...]) -> Paper:
    return Paper(
        arxiv_id="2606.16533",
        version=1,
        title="Kairos: A Native World Model Stack for Physical AI",
        abstract="",
        authors=("Wei Wang",),
        categories=categories,
        primary_category="cs.AI",
        announced=date(2026, 6, 16),
    )


def test_only_a_person_matching_holds_the_alert() -> None:
    item = ListingItem(paper(("cs.AI",)), AnnounceType.NEW)
    writes = plan_listing(
        [item], {}, announced_on=None, today=date(2026, 6, 16), matcher=lambda p: {7: [PERSON]}
    )
    (alert,) = writes.alerts
    assert alert.hold == "identity" and not alert.release_identity


def test_a_later_match_by_another_subscription_releases_the_held_alert() -> None:
    before = paper(("cs.AI",))
    item = ListingItem(paper(("cs.AI", "cs.CV")), AnnounceType.CROSS)

    def matcher(p: Paper) -> dict[int, list[Subscription]]:
        return {7: [PERSON, TOPIC] if "cs.CV" in p.categories else [PERSON]}

    writes = plan_listing(
        [item],
        {before.arxiv_id: before},
        announced_on=None,
        today=date(2026, 6, 17),
        matcher=matcher,
    )
    (alert,) = writes.alerts
    assert alert.hold is None and alert.release_identity
    assert alert.reasons == ("topic: world model",)


async def test_the_outbox_releases_a_held_row_with_both_reasons(store: Store) -> None:
    channel = await store.channels.upsert_config("c", "console", None)
    held = QueuedAlert("2606.16533", channel.id, 1, ("author: openalex:A1",), hold="identity")
    async with store.db.transaction() as conn:
        await queue_alerts(conn, [held])
    assert not await store.outbox.claim_due("w", now=2e9)
    later = QueuedAlert("2606.16533", channel.id, 1, ("topic: world model",), release_identity=True)
    async with store.db.transaction() as conn:
        await queue_alerts(conn, [later])
    (message,) = await store.outbox.claim_due("w", now=2e9)
    assert message.reasons == ("author: openalex:A1", "topic: world model")
