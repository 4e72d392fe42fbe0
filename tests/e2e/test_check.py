"""End to end through ``paperbot check`` (a real subprocess) against a fake arXiv and fake Slack
and Discord incoming webhooks served from the test's event loop.

Expected alerts are computed here, independently of ``bot/``: the fixture is read with plain lxml
and matched with this file's own rules (surname + first name; whole words by regex).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from support.e2e import (
    CORPUS,
    EMPTY_LISTING,
    LISTING_0714,
    FakeWebhooks,
    add_subscriptions,
    cli,
    clone_item,
    derive_listing,
    has_author,
    has_words,
    items_of,
    read_bytes,
    serve_body,
    write_config,
)
from support.fake_arxiv import FakeArxiv
from support.fakeweb import FakeServer

BODY = read_bytes(LISTING_0714)
ITEMS = items_of(BODY)
FIRST = [i for i in ITEMS if i.first]


def expected_slack() -> set[str]:
    """author Arana-Catania, Miguel; topic "tree search" OR hallucination; category cs.CV."""
    return {
        i.arxiv_id
        for i in FIRST
        if has_author(i, "Arana-Catania", "Miguel")
        or has_words(i, "tree search")
        or has_words(i, "hallucination")
        or "cs.CV" in i.categories
    }


def expected_discord() -> set[str]:
    """author Arana-Catania, Miguel; topic "reinforcement learning" -planning."""
    return {
        i.arxiv_id
        for i in FIRST
        if has_author(i, "Arana-Catania", "Miguel")
        or (has_words(i, "reinforcement learning") and not has_words(i, "planning"))
    }


async def setup(tmp_path: Path, server: FakeServer, **config) -> tuple[Path, FakeWebhooks]:
    hooks = FakeWebhooks(server)
    FakeArxiv(server)  # the API, for catch-up (no entries: nothing was missed)
    serve_body(server, "cs.AI", BODY)
    serve_body(server, "cs.CV", read_bytes(EMPTY_LISTING))
    path = write_config(
        tmp_path,
        server,
        channels=[
            ("slack", "slack-webhook", hooks.url("slack")),
            ("disc", "discord-webhook", hooks.url("discord")),
        ],
        **config,
    )
    return path, hooks


async def subscribe_cli(path: Path) -> None:
    for args in (
        ("slack", "author", "Arana-Catania,", "Miguel"),
        ("slack", "topic", '"tree search" OR hallucination'),
        ("slack", "category", "cs.CV"),
        ("disc", "author", "Miguel", "Arana-Catania"),
        ("disc", "topic", "--", '"reinforcement learning" -planning'),
    ):
        result = await cli(path, "subscribe", *args)
        assert result.rc == 0, result.err


async def test_check_delivers_exactly_the_independently_computed_matches(tmp_path, fake_server):
    path, hooks = await setup(tmp_path, fake_server)
    await subscribe_cli(path)
    result = await cli(path, "check")
    assert result.rc == 0, result.err
    assert "Traceback" not in result.err
    slack, discord = hooks.accepted_ids("slack"), hooks.accepted_ids("discord")
    assert len(expected_slack()) >= 25 and len(expected_discord()) == 5  # the test is not vacuous
    assert Counter(slack) == Counter(expected_slack())  # each exactly once
    assert Counter(discord) == Counter(expected_discord())
    assert len(hooks.posts) == len(slack) + len(discord)  # no failed or extra POSTs
    for post in hooks.accepted("discord"):
        assert post.payload["allowed_mentions"] == {"parse": []}
    # The arXiv side: the two listings, no API call needed (a by-name `subscribe author` asks
    # OpenAlex whether the name is ambiguous: not arXiv).
    arxiv = [r for r in fake_server.requests if not r.path.startswith("/openalex")]
    assert {r.path for r in arxiv if r.method == "GET"} == {
        "/rss/cs.AI",
        "/rss/cs.CV",
    }
    assert f"{len(slack) + len(discord)} message(s) delivered" in result.out


async def test_revisions_crosslists_reserved_listings_and_new_subscriptions_never_alert(
    tmp_path, fake_server
):
    path, hooks = await setup(tmp_path, fake_server)
    await subscribe_cli(path)
    assert (await cli(path, "check")).rc == 0
    before = len(hooks.posts)
    assert before > 0
    # A "replace" of a paper never seen, by a subscribed author: stored, but no alert.
    never_seen = clone_item(
        BODY,
        FIRST[0].arxiv_id,
        new_id="2607.99991",
        version=2,
        announce="replace",
        creators="Miguel Arana-Catania",
    )
    # cs.AI re-served with every version bumped; cs.CV now lists the same papers (cross-lists
    # of papers already announced in cs.AI).
    serve_body(fake_server, "cs.AI", derive_listing(BODY, bump=True, extra=[never_seen]))
    announced = {i.arxiv_id for i in FIRST}
    cross = derive_listing(BODY, keep=announced, announce=dict.fromkeys(announced, "cross"))
    serve_body(fake_server, "cs.CV", cross)
    # A new subscription matching many stored papers must not alert on them.
    await add_subscriptions(
        path, [("disc", "topic", "benchmark"), ("slack", "author", "Lucas Pascotti Valem")]
    )
    result = await cli(path, "check")
    assert result.rc == 0, result.err
    assert len(hooks.posts) == before
    status = await cli(path, "lookup", "2607.99991")
    assert status.rc == 0 and "Arana-Catania" in status.out  # it was stored, from the store


async def test_mentions_in_a_title_are_inert_on_both_webhooks(tmp_path, fake_server):
    path, hooks = await setup(tmp_path, fake_server)
    target = next(i for i in FIRST if has_author(i, "Arana-Catania", "Miguel"))
    title = "Ping @everyone and <!channel> and <@U123> about @here"
    serve_body(
        fake_server,
        "cs.AI",
        derive_listing(BODY, keep={target.arxiv_id}, titles={target.arxiv_id: title}),
    )
    await add_subscriptions(
        path,
        [("slack", "author", "Arana-Catania, Miguel"), ("disc", "author", "Arana-Catania, Miguel")],
    )
    assert (await cli(path, "check")).rc == 0
    (slack,) = hooks.accepted("slack")
    (discord,) = hooks.accepted("discord")
    slack_text = json.dumps(slack.payload, ensure_ascii=False)
    assert "&lt;!channel&gt;" in slack_text and "<!channel>" not in slack_text
    assert "<@U123>" not in slack_text
    assert discord.payload["allowed_mentions"] == {"parse": []}
    strings = list(_strings(discord.payload))
    assert any("everyone" in s for s in strings)  # the title is there ...
    assert not any("@everyone" in s or "@here" in s for s in strings)  # ... but inert


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


# -- webhook failures --------------------------------------------------------------------------


async def _author_setup(tmp_path, server, **config):
    path, hooks = await setup(tmp_path, server, **config)
    await add_subscriptions(
        path,
        [("slack", "author", "Arana-Catania, Miguel"), ("disc", "author", "Arana-Catania, Miguel")],
    )
    wanted = {i.arxiv_id for i in FIRST if has_author(i, "Arana-Catania", "Miguel")}
    assert len(wanted) == 2
    return path, hooks, wanted


@pytest.mark.parametrize("kind", ["slack", "discord"])
async def test_429_with_retry_after_then_200_delivers_once_after_the_wait(
    tmp_path, fake_server, kind
):
    path, hooks, wanted = await _author_setup(tmp_path, fake_server)
    hooks.plan[kind].append((429, {"Retry-After": "1"}, '{"retry_after": 1}'))
    result = await cli(path, "check")
    assert result.rc == 0, result.err
    assert Counter(hooks.accepted_ids(kind)) == Counter(wanted)
    posts = [p for p in hooks.posts if p.kind == kind]
    assert posts[0].status == 429 and len(posts) == 3
    assert posts[1].at - posts[0].at >= 1.0  # Retry-After honoured


@pytest.mark.parametrize("kind", ["slack", "discord"])
async def test_500_then_200_delivers_once(tmp_path, fake_server, kind):
    path, hooks, wanted = await _author_setup(tmp_path, fake_server)
    hooks.plan[kind].extend([500, 502])
    result = await cli(path, "check")
    assert result.rc == 0, result.err
    assert Counter(hooks.accepted_ids(kind)) == Counter(wanted)


async def test_400_fails_that_message_with_the_reason_and_delivers_the_rest(tmp_path, fake_server):
    path, hooks, wanted = await _author_setup(tmp_path, fake_server)
    hooks.plan["slack"].append((400, {}, "invalid_blocks"))
    hooks.plan["discord"].append(
        (
            400,
            {"Content-Type": "application/json"},
            json.dumps({"message": "Invalid Form Body", "code": 50035}),
        )
    )
    result = await cli(path, "check")
    assert result.rc == 0, result.err
    assert "refused by the platform: 2 message(s)" in result.out
    refused_slack = hooks.posts[[p.kind for p in hooks.posts].index("slack")].paper_id
    assert hooks.accepted_ids("slack") == sorted(wanted - {refused_slack})
    assert len(hooks.accepted_ids("discord")) == 1
    status = await cli(path, "status")
    assert f"  alert {refused_slack}: invalid_blocks" in status.out
    assert "`paperbot retry slack` re-queues them" in status.out
    assert "Invalid Form Body" in status.out
    assert "Deliveries: 0 pending" in status.out
    again = await cli(path, "check")  # refused messages are not retried
    assert again.rc == 0 and len(hooks.accepted("slack")) == 1


async def test_paperbot_retry_requeues_refused_messages(tmp_path, fake_server):
    """#12: main had no way to re-queue a refused message (``resume`` touches only pending
    ones). ``paperbot retry CHANNEL`` or ``--all`` (exactly one): "re-queued N", exit 0 even
    for 0; an unknown channel exits 2."""
    path, hooks, wanted = await _author_setup(tmp_path, fake_server)
    hooks.plan["slack"].append((400, {}, "invalid_blocks"))
    assert (await cli(path, "check")).rc == 0
    assert len(hooks.accepted_ids("slack")) == len(wanted) - 1
    retry = await cli(path, "retry", "slack")
    assert (retry.rc, retry.out.strip()) == (0, "re-queued 1")
    assert (await cli(path, "check")).rc == 0
    assert sorted(hooks.accepted_ids("slack")) == sorted(wanted)  # the refused one, now sent
    none = await cli(path, "retry", "--all")
    assert (none.rc, none.out.strip()) == (0, "re-queued 0")
    unknown = await cli(path, "retry", "nowhere")
    assert unknown.rc == 2 and "unknown channel 'nowhere'" in unknown.err
    for args in ((), ("slack", "--all")):
        assert (await cli(path, "retry", *args)).rc == 2


async def test_404_pauses_the_channel_until_resume(tmp_path, fake_server):
    path, hooks, wanted = await _author_setup(tmp_path, fake_server)
    hooks.status["slack"] = 404
    result = await cli(path, "check")
    assert result.rc == 0, result.err  # paused is reported, not fatal
    assert "paused: slack: webhook gone (HTTP 404)" in result.out
    assert sorted(hooks.accepted_ids("discord")) == sorted(wanted)
    assert len([p for p in hooks.posts if p.kind == "slack"]) == 1  # stopped at the first 404
    status = await cli(path, "status")
    assert "  Paused: webhook gone (HTTP 404) (`paperbot resume slack`)" in status.out
    assert "slack (slack-webhook, instant): 2 pending" in status.out  # not lost
    hooks.status["slack"] = 200
    assert (await cli(path, "check")).rc == 0
    assert hooks.accepted("slack") == []  # still paused
    resumed = await cli(path, "resume", "slack")
    assert resumed.rc == 0 and "was paused: webhook gone" in resumed.out
    assert (await cli(path, "check")).rc == 0
    assert Counter(hooks.accepted_ids("slack")) == Counter(wanted)
    assert Counter(hooks.accepted_ids("discord")) == Counter(wanted)


async def test_messages_still_queued_at_max_wait_exit_3_one_line_per_channel(tmp_path, fake_server):
    path, hooks, _ = await _author_setup(tmp_path, fake_server, delivery={"max_wait_seconds": 1})
    hooks.status["slack"] = hooks.status["discord"] = 503
    result = await cli(path, "check")
    assert result.rc == 3
    assert "Traceback" not in result.err
    assert sorted(result.error_lines()) == [
        "paperbot: 2 message(s) for disc still queued (Discord server error (HTTP 503))",
        "paperbot: 2 message(s) for slack still queued (Slack webhook error (HTTP 503))",
    ]
    assert hooks.accepted("slack") == [] and len(hooks.posts) >= 4  # it did retry


async def test_a_failing_arxiv_source_exits_3_with_one_line(tmp_path, fake_server):
    path, hooks, _ = await _author_setup(tmp_path, fake_server)
    serve_body(fake_server, "cs.AI", b"busy", status=503)
    result = await cli(path, "check")
    assert result.rc == 3
    assert "Traceback" not in result.err
    (line,) = result.error_lines()
    assert line.startswith("paperbot: source cs.AI failed:") and "503" in line
    assert hooks.posts == []
    assert len(fake_server.requests_for("/rss/cs.AI")) == 2  # one retry (config retries = 1)


async def test_a_real_listing_reserved_with_bumped_versions_does_not_realert(tmp_path, fake_server):
    """The 06-04 and 06-05 cs.AI corpus files carry the same 4 June listing; in the second, 9
    guids went from vN to vN+1 (6 of them still marked new/cross)."""
    first = items_of(read_bytes(CORPUS / "2026-06-04-cs-ai.xml.gz"))
    second_body = read_bytes(CORPUS / "2026-06-05-cs-ai.xml.gz")
    versions = {i.arxiv_id: i.version for i in first}
    bumped = [i for i in items_of(second_body) if versions[i.arxiv_id] != i.version]
    assert len(bumped) == 9
    bumped_first = {i.arxiv_id for i in bumped if i.first}
    assert len(bumped_first) == 6
    path, hooks = await setup(tmp_path, fake_server)
    serve_body(fake_server, "cs.AI", read_bytes(CORPUS / "2026-06-04-cs-ai.xml.gz"))
    subs = []
    for item in bumped:
        given, *_, surname = item.authors[0].split()
        subs.append(("slack", "author", f"{surname}, {given}"))
    await add_subscriptions(path, subs)
    assert (await cli(path, "check")).rc == 0
    before = hooks.accepted_ids("slack")
    assert bumped_first <= set(before)
    serve_body(fake_server, "cs.AI", second_body)
    result = await cli(path, "check")
    assert result.rc == 0, result.err
    assert "0 new alert(s) queued" in result.out
    assert hooks.accepted_ids("slack") == before  # nothing more
    assert Counter(before)[bumped[0].arxiv_id] == 1
    looked_up = await cli(path, "lookup", bumped[0].arxiv_id)
    assert f"{bumped[0].arxiv_id}v{bumped[0].version}" in looked_up.out  # metadata updated
