"""Store: the outbox (atomic claims across processes, leases, threads, pauses, failures)."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from pathlib import Path

from support.store import ingest

from bot.model import AnnounceType, ListingItem, Paper, Subscription, SubscriptionKind
from bot.store import Store


def _item(arxiv_id: str, version: int = 1, kind: AnnounceType = AnnounceType.NEW) -> ListingItem:
    paper = Paper(arxiv_id, version, f"Paper {arxiv_id}", ("A. Author",), "Abstract.", "cs.AI")
    return ListingItem(paper, kind)


async def queue_alerts(store: Store, channel_ids: list[int], n: int, prefix: str = "2607") -> None:
    """Queue ``n`` alerts for each channel through a real ingest."""
    subs = {c: [Subscription(1, c, SubscriptionKind.TOPIC, "x")] for c in channel_ids}
    items = [_item(f"{prefix}.{i:05d}") for i in range(n)]
    await ingest(store, items, announced_on=date(2026, 7, 13), matcher=lambda _p: subs)


async def states(store: Store) -> dict[tuple[str, int, str], str]:
    return {(p, c, k): s for p, c, k, _v, s in await store.outbox.states()}


async def test_claim_due_is_atomic_across_two_stores(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    one, two = await Store.open(path), await Store.open(path)
    try:
        ch = await one.channels.upsert_config("team", "console")
        await queue_alerts(one, [ch.id], 60)
        got: dict[str, list[int]] = {"w1": [], "w2": []}
        while True:
            a, b = await asyncio.gather(
                one.outbox.claim_due("w1", limit=7), two.outbox.claim_due("w2", limit=7)
            )
            if not a and not b:
                break
            got["w1"] += [m.id for m in a]
            got["w2"] += [m.id for m in b]
        assert got["w1"] and got["w2"]
        assert not set(got["w1"]) & set(got["w2"])
        assert len(got["w1"]) + len(got["w2"]) == 60
        assert sorted(await one.outbox.claim_owners()) == ["w1", "w2"]
    finally:
        await one.close()
        await two.close()


async def test_lease_expiry_makes_message_claimable_again(store: Store) -> None:
    ch = await store.channels.upsert_config("team", "console")
    await queue_alerts(store, [ch.id], 1)
    first = await store.outbox.claim_due("w1", lease=0.05)
    assert len(first) == 1 and first[0].attempts == 1
    assert await store.outbox.claim_due("w2") == []  # still leased
    await asyncio.sleep(0.1)
    second = await store.outbox.claim_due("w2")
    assert [m.id for m in second] == [first[0].id]
    assert second[0].attempts == 2


async def test_mark_sent_queues_replies_that_carry_the_parent_ref(store: Store) -> None:
    ch = await store.channels.upsert_config("team", "slack", "C1")
    await queue_alerts(store, [ch.id], 1)
    (alert,) = await store.outbox.claim_due("w")
    await store.outbox.mark_sent(alert, "1700000000.000100", replies=("abstract",))
    assert await states(store) == {
        ("2607.00000", ch.id, "alert"): "sent",
        ("2607.00000", ch.id, "abstract"): "pending",
    }
    (reply,) = await store.outbox.claim_due("w")
    assert reply.kind == "abstract" and reply.parent_id == alert.id
    assert reply.parent_ref == "1700000000.000100"
    assert reply.key == f"2607.00000:{ch.id}:abstract:1"
    # Marking the same alert sent again (a retry after a crash) does not double the reply.
    await store.outbox.mark_sent(alert, "1700000000.000100", replies=("abstract",))
    assert len(await store.outbox.states()) == 2


async def test_thread_reply_waits_for_parent_sent(store: Store) -> None:
    ch = await store.channels.upsert_config("team", "slack", "C1")
    await queue_alerts(store, [ch.id], 1)
    counts = await ingest(
        store,
        [_item("2607.00000", 2, AnnounceType.REPLACE)],
        thread_platform_channels=frozenset({ch.id}),
    )
    assert counts.new_versions == 1 and counts.alerts == 1
    (alert,) = await store.outbox.claim_due("w")  # the version note is not due yet
    assert alert.kind == "alert"
    assert await store.outbox.claim_due("w") == []
    await store.outbox.mark_sent(alert, "ts-1")
    (note,) = await store.outbox.claim_due("w")
    assert note.kind == "version" and note.version == 2 and note.parent_ref == "ts-1"


async def test_mark_failed_also_fails_children(store: Store) -> None:
    ch = await store.channels.upsert_config("team", "slack", "C1")
    await queue_alerts(store, [ch.id], 1)
    await ingest(
        store,
        [_item("2607.00000", 2, AnnounceType.REPLACE)],
        thread_platform_channels=frozenset({ch.id}),
    )
    (alert,) = await store.outbox.claim_due("w")
    await store.outbox.mark_failed(alert.id, "HTTP 400 invalid_blocks")
    assert set((await states(store)).values()) == {"failed"}
    assert await store.outbox.claim_due("w") == []
    summary = await store.outbox.summary()
    assert summary.pending == {}
    assert (ch.id, "2607.00000", "alert", "HTTP 400 invalid_blocks") in summary.failed


async def test_paused_channel_is_skipped_and_resume_makes_it_due(store: Store) -> None:
    paused = await store.channels.upsert_config("paused", "console")
    live = await store.channels.upsert_config("live", "console")
    await queue_alerts(store, [paused.id, live.id], 2)
    # Claims of a channel being paused go back to the queue.
    claimed = await store.outbox.claim_due("w", channel_ids=[paused.id])
    assert len(claimed) == 2 and {m.channel_id for m in claimed} == {paused.id}
    await store.channels.pause(paused.id, "channel_not_found")
    channel = await store.channels.get(paused.id)
    assert channel is not None and channel.paused_reason == "channel_not_found"
    assert channel.paused_at is not None
    due = await store.outbox.claim_due("w2", limit=100)
    assert len(due) == 2 and {m.channel_id for m in due} == {live.id}
    assert await store.outbox.claim_due("w2", channel_ids=[paused.id]) == []
    await store.channels.resume(paused.id)
    channel = await store.channels.get(paused.id)
    assert channel is not None and channel.paused_reason is None
    resumed = await store.outbox.claim_due("w3", limit=100)
    assert sorted(m.id for m in resumed) == sorted(m.id for m in claimed)


async def test_resume_makes_backed_off_messages_due(store: Store) -> None:
    ch = await store.channels.upsert_config("team", "console")
    await queue_alerts(store, [ch.id], 1)
    (msg,) = await store.outbox.claim_due("w")
    await store.outbox.retry_later([msg.id], time.time() + 3600, "HTTP 503")
    assert await store.outbox.claim_due("w") == []
    await store.channels.pause(ch.id, "rate limited for good")
    assert await store.outbox.claim_due("w") == []
    await store.channels.resume(ch.id)
    assert [m.id for m in await store.outbox.claim_due("w")] == [msg.id]


async def test_release_claims_of_dead_workers(store: Store) -> None:
    ch = await store.channels.upsert_config("team", "console")
    await queue_alerts(store, [ch.id], 3)
    dead = await store.outbox.claim_due("dead", limit=2, lease=3600)
    alive = await store.outbox.claim_due("alive", limit=10, lease=3600)
    assert len(dead) == 2 and len(alive) == 1
    assert await store.outbox.claim_due("new") == []
    assert await store.outbox.release_claims_of(["dead", "nobody"]) == 2
    assert await store.outbox.release_claims_of([]) == 0
    again = await store.outbox.claim_due("new")
    assert sorted(m.id for m in again) == sorted(m.id for m in dead)
    assert await store.outbox.claim_owners() in (["alive", "new"], ["new", "alive"])


async def test_release_returns_messages_untouched(store: Store) -> None:
    ch = await store.channels.upsert_config("team", "console")
    await queue_alerts(store, [ch.id], 2)
    claimed = await store.outbox.claim_due("w")
    await store.outbox.release([m.id for m in claimed])
    again = await store.outbox.claim_due("w")
    assert [m.attempts for m in again] == [1, 1]


async def test_claim_caps_each_channel_so_a_backlog_does_not_hold_up_others(store: Store) -> None:
    busy = await store.channels.upsert_config("busy", "console")
    quiet = await store.channels.upsert_config("quiet", "console")
    await queue_alerts(store, [busy.id], 50, prefix="2607")
    await queue_alerts(store, [quiet.id], 1, prefix="2608")
    claimed = await store.outbox.claim_due("w1", limit=100, per_channel=5)
    by_channel = [m.channel_id for m in claimed]
    assert by_channel.count(busy.id) == 5 and by_channel.count(quiet.id) == 1


async def test_next_due_waits_for_a_reply_whose_parent_is_not_sent(store: Store) -> None:
    """A version note under an alert that is waiting to retry is not due (else the delivery
    loop would spin on a message it cannot claim)."""
    ch = await store.channels.upsert_config("team", "slack", "C1")
    await queue_alerts(store, [ch.id], 1)
    (alert,) = await store.outbox.claim_due("w1")
    await store.outbox.retry_later([alert.id], time.time() + 3600, "HTTP 503")
    counts = await ingest(
        store,
        [_item(alert.paper_id, 2, AnnounceType.REPLACE)],
        thread_platform_channels=frozenset({ch.id}),
    )
    assert counts.alerts == 1  # the version note, queued under the unsent alert
    due = await store.outbox.next_due({ch.id})
    assert due is not None and due > time.time() + 3000
    assert await store.outbox.claim_due("w1") == []
