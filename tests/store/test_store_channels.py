"""Store: config and chat channels (merged by platform id), subscriptions and their limits."""

from __future__ import annotations

import pytest

from bot.model import SubscriptionKind
from bot.store import DuplicateSubscription, Store

AUTHOR = SubscriptionKind.AUTHOR
TOPIC = SubscriptionKind.TOPIC


async def test_config_channel_upsert_is_idempotent(store: Store) -> None:
    first = await store.upsert_config_channel("team", "console")
    again = await store.upsert_config_channel("team", "console")
    assert first.id == again.id
    assert [c.name for c in await store.list_channels()] == ["team"]


async def test_config_channel_and_chat_channel_merge(store: Store) -> None:
    configured = await store.upsert_config_channel("ml-papers", "slack", "C1")
    chat = await store.ensure_chat_channel("slack", "C1", "slack:T1/C1")
    assert chat.id == configured.id
    channels = await store.list_channels()
    assert len(channels) == 1
    by_config = await store.find_channel("ml-papers")
    by_chat = await store.find_channel("slack:T1/C1")
    assert by_config is not None and by_chat is not None
    assert by_config.id == by_chat.id == configured.id
    assert by_chat.external_id == "C1" and by_chat.platform == "slack"
    assert await store.channel_aliases() == {configured.id: "ml-papers"}
    # Config re-read on the next start: still the same row.
    again = await store.upsert_config_channel("ml-papers", "slack", "C1")
    assert again.id == configured.id
    assert len(await store.list_channels()) == 1


async def test_chat_channel_first_then_config(store: Store) -> None:
    chat = await store.ensure_chat_channel("discord", "123", "discord:9/123")
    configured = await store.upsert_config_channel("robots", "discord", "123")
    assert configured.id == chat.id
    assert len(await store.list_channels()) == 1
    found = await store.find_channel_by_external("discord", "123")
    assert found is not None and found.id == chat.id
    assert (await store.find_channel("robots")) == found


async def test_same_external_id_on_other_platform_is_another_channel(store: Store) -> None:
    a = await store.ensure_chat_channel("slack", "X1", "slack:T/X1")
    b = await store.ensure_chat_channel("discord", "X1", "discord:G/X1")
    assert a.id != b.id


async def test_duplicate_subscription_raises_with_existing_id(store: Store) -> None:
    ch = await store.upsert_config_channel("team", "console")
    first = await store.add_subscription(ch.id, AUTHOR, "Babuschkin, Igor", "babuschkin i", "u1")
    with pytest.raises(DuplicateSubscription) as err:
        await store.add_subscription(ch.id, AUTHOR, "Igor Babuschkin", "babuschkin i", "u2")
    assert err.value.existing == first.id
    # Same value as another kind, or in another channel, is fine.
    await store.add_subscription(ch.id, TOPIC, "babuschkin i", "babuschkin i", "u1")
    other = await store.upsert_config_channel("other", "console")
    await store.add_subscription(other.id, AUTHOR, "Babuschkin, Igor", "babuschkin i", "u1")
    assert len(await store.list_subscriptions(ch.id)) == 2
    assert len(await store.list_subscriptions()) == 3


async def test_per_channel_limit(store: Store) -> None:
    ch = await store.upsert_config_channel("team", "console")
    other = await store.upsert_config_channel("other", "console")
    for n in range(3):
        await store.add_subscription(ch.id, TOPIC, f"t{n}", f"t{n}", None, max_per_channel=3)
    with pytest.raises(ValueError, match="limit is 3"):
        await store.add_subscription(ch.id, TOPIC, "t9", "t9", None, max_per_channel=3)
    # The limit is per channel.
    await store.add_subscription(other.id, TOPIC, "t9", "t9", None, max_per_channel=3)
    assert len(await store.list_subscriptions(ch.id)) == 3


async def test_remove_only_within_channel(store: Store) -> None:
    a = await store.upsert_config_channel("a", "console")
    b = await store.upsert_config_channel("b", "console")
    sub = await store.add_subscription(a.id, TOPIC, "agents", "agents", None)
    assert await store.remove_subscription(sub.id, b.id) is False
    assert [s.id for s in await store.list_subscriptions(a.id)] == [sub.id]
    assert await store.remove_subscription(sub.id, a.id) is True
    assert await store.remove_subscription(sub.id, a.id) is False
    assert await store.list_subscriptions() == []


async def test_subscription_ids_never_reused(store: Store) -> None:
    ch = await store.upsert_config_channel("a", "console")
    first = await store.add_subscription(ch.id, TOPIC, "agents", "agents", None)
    second = await store.add_subscription(ch.id, TOPIC, "planning", "planning", None)
    assert await store.remove_subscription(second.id, None)
    assert await store.remove_subscription(first.id, None)
    third = await store.add_subscription(ch.id, TOPIC, "agents", "agents", None)
    assert third.id > second.id


async def test_subscription_fields_and_version_marker(store: Store) -> None:
    ch = await store.upsert_config_channel("a", "console")
    assert await store.subscriptions_version() == (0, 0)
    sub = await store.add_subscription(ch.id, AUTHOR, "Babuschkin, Igor", "babuschkin i", "U42")
    assert sub.channel_id == ch.id and sub.kind is AUTHOR
    assert sub.value == "Babuschkin, Igor" and sub.created_by == "U42"
    assert sub.created_at is not None
    assert sub.label == "author: Babuschkin, Igor"
    marker = await store.subscriptions_version()
    await store.remove_subscription(sub.id, ch.id)
    assert await store.subscriptions_version() != marker


async def test_a_config_name_can_move_to_a_chat_channel(store: Store) -> None:
    """`ml` was a webhook channel; the config now names the Slack channel chat created."""
    old = await store.upsert_config_channel("ml", "slack-webhook")
    chat = await store.ensure_chat_channel("slack", "C1", "slack:T1/C1")
    moved = await store.upsert_config_channel("ml", "slack", "C1")
    assert moved.id == chat.id
    found = await store.find_channel("ml")
    assert found is not None and found.id == chat.id
    renamed = await store.get_channel(old.id)
    assert renamed is not None and renamed.name == f"ml#{old.id}"
