"""Store: config and chat channels (merged by platform id), subscriptions and their limits."""

from __future__ import annotations

import pytest

from bot.model import SubscriptionKind
from bot.store import DuplicateSubscription, Store

AUTHOR = SubscriptionKind.AUTHOR
TOPIC = SubscriptionKind.TOPIC


async def test_config_channel_upsert_is_idempotent(store: Store) -> None:
    first = await store.channels.upsert_config("team", "console")
    again = await store.channels.upsert_config("team", "console")
    assert first.id == again.id
    assert [c.name for c in await store.channels.list()] == ["team"]


async def test_config_channel_and_chat_channel_merge(store: Store) -> None:
    configured = await store.channels.upsert_config("ml-papers", "slack", "C1")
    chat = await store.channels.ensure_chat("slack", "C1", "slack:T1/C1")
    assert chat.id == configured.id
    channels = await store.channels.list()
    assert len(channels) == 1
    by_config = await store.channels.find("ml-papers")
    by_chat = await store.channels.find("slack:T1/C1")
    assert by_config is not None and by_chat is not None
    assert by_config.id == by_chat.id == configured.id
    assert by_chat.external_id == "C1" and by_chat.platform == "slack"
    assert await store.channels.aliases() == {configured.id: "ml-papers"}
    # Config re-read on the next start: still the same row.
    again = await store.channels.upsert_config("ml-papers", "slack", "C1")
    assert again.id == configured.id
    assert len(await store.channels.list()) == 1


async def test_chat_channel_first_then_config(store: Store) -> None:
    chat = await store.channels.ensure_chat("discord", "123", "discord:9/123")
    configured = await store.channels.upsert_config("robots", "discord", "123")
    assert configured.id == chat.id
    assert len(await store.channels.list()) == 1
    found = await store.channels.by_external("discord", "123")
    assert found is not None and found.id == chat.id
    assert (await store.channels.find("robots")) == found


async def test_same_external_id_on_other_platform_is_another_channel(store: Store) -> None:
    a = await store.channels.ensure_chat("slack", "X1", "slack:T/X1")
    b = await store.channels.ensure_chat("discord", "X1", "discord:G/X1")
    assert a.id != b.id


async def test_duplicate_subscription_raises_with_existing_id(store: Store) -> None:
    ch = await store.channels.upsert_config("team", "console")
    first = await store.subscriptions.add(ch.id, AUTHOR, "Babuschkin, Igor", "babuschkin i", "u1")
    with pytest.raises(DuplicateSubscription) as err:
        await store.subscriptions.add(ch.id, AUTHOR, "Igor Babuschkin", "babuschkin i", "u2")
    assert err.value.existing == first.id
    # Same value as another kind, or in another channel, is fine.
    await store.subscriptions.add(ch.id, TOPIC, "babuschkin i", "babuschkin i", "u1")
    other = await store.channels.upsert_config("other", "console")
    await store.subscriptions.add(other.id, AUTHOR, "Babuschkin, Igor", "babuschkin i", "u1")
    assert len(await store.subscriptions.list(ch.id)) == 2
    assert len(await store.subscriptions.list()) == 3


async def test_per_channel_limit(store: Store) -> None:
    ch = await store.channels.upsert_config("team", "console")
    other = await store.channels.upsert_config("other", "console")
    for n in range(3):
        await store.subscriptions.add(ch.id, TOPIC, f"t{n}", f"t{n}", None, max_per_channel=3)
    with pytest.raises(ValueError, match="limit is 3"):
        await store.subscriptions.add(ch.id, TOPIC, "t9", "t9", None, max_per_channel=3)
    # The limit is per channel.
    await store.subscriptions.add(other.id, TOPIC, "t9", "t9", None, max_per_channel=3)
    assert len(await store.subscriptions.list(ch.id)) == 3


async def test_remove_only_within_channel(store: Store) -> None:
    a = await store.channels.upsert_config("a", "console")
    b = await store.channels.upsert_config("b", "console")
    sub = await store.subscriptions.add(a.id, TOPIC, "agents", "agents", None)
    assert await store.subscriptions.remove(sub.id, b.id) is False
    assert [s.id for s in await store.subscriptions.list(a.id)] == [sub.id]
    assert await store.subscriptions.remove(sub.id, a.id) is True
    assert await store.subscriptions.remove(sub.id, a.id) is False
    assert await store.subscriptions.list() == []


async def test_subscription_ids_never_reused(store: Store) -> None:
    ch = await store.channels.upsert_config("a", "console")
    first = await store.subscriptions.add(ch.id, TOPIC, "agents", "agents", None)
    second = await store.subscriptions.add(ch.id, TOPIC, "planning", "planning", None)
    assert await store.subscriptions.remove(second.id, None)
    assert await store.subscriptions.remove(first.id, None)
    third = await store.subscriptions.add(ch.id, TOPIC, "agents", "agents", None)
    assert third.id > second.id


async def test_subscription_fields_and_version_marker(store: Store) -> None:
    ch = await store.channels.upsert_config("a", "console")
    assert await store.subscriptions.version() == (0, 0)
    sub = await store.subscriptions.add(ch.id, AUTHOR, "Babuschkin, Igor", "babuschkin i", "U42")
    assert sub.channel_id == ch.id and sub.kind is AUTHOR
    assert sub.value == "Babuschkin, Igor" and sub.created_by == "U42"
    assert sub.created_at is not None
    assert sub.label == "author: Babuschkin, Igor"
    marker = await store.subscriptions.version()
    await store.subscriptions.remove(sub.id, ch.id)
    assert await store.subscriptions.version() != marker


async def test_a_config_name_can_move_to_a_chat_channel(store: Store) -> None:
    """`ml` was a webhook channel; the config now names the Slack channel chat created."""
    old = await store.channels.upsert_config("ml", "slack-webhook")
    chat = await store.channels.ensure_chat("slack", "C1", "slack:T1/C1")
    moved = await store.channels.upsert_config("ml", "slack", "C1")
    assert moved.id == chat.id
    found = await store.channels.find("ml")
    assert found is not None and found.id == chat.id
    renamed = await store.channels.get(old.id)
    assert renamed is not None and renamed.name == f"ml#{old.id}"
