"""End to end through ``paperbot run`` (a real subprocess): a crash during delivery loses
nothing, and ``check`` running beside ``run`` on one database posts nothing twice and keeps the
arXiv politeness interval across both processes."""

from __future__ import annotations

import asyncio
import itertools
import signal
from collections import Counter

import pytest
from support.e2e import (
    LISTING_0714,
    FakeWebhooks,
    add_subscriptions,
    cli,
    has_words,
    items_of,
    read_bytes,
    serve_body,
    start_cli,
    wait_for,
    write_config,
)
from support.fake_arxiv import FakeArxiv

BODY = read_bytes(LISTING_0714)
FIRST = [i for i in items_of(BODY) if i.first]
#: Papers alerted by the subscriptions below, computed with the test's own rules.
TOPICS = ("benchmark", "retrieval")
EXPECTED = {i.arxiv_id for i in FIRST if any(has_words(i, t) for t in TOPICS)}


async def _setup(tmp_path, server, **arxiv):
    hooks = FakeWebhooks(server)
    FakeArxiv(server)
    serve_body(server, "cs.AI", BODY)
    path = write_config(
        tmp_path,
        server,
        channels=[
            ("slack", "slack-webhook", hooks.url("slack")),
            ("disc", "discord-webhook", hooks.url("discord")),
        ],
        arxiv={"poll_interval_seconds": 0.5, **arxiv},
    )
    await add_subscriptions(path, [(ch, "topic", t) for ch in ("slack", "disc") for t in TOPICS])
    return path, hooks


def all_delivered(hooks: FakeWebhooks) -> bool:
    """Every expected paper reached both webhooks at least once."""
    return all(set(hooks.accepted_ids(kind)) >= EXPECTED for kind in ("slack", "discord"))


async def _stop(proc: asyncio.subprocess.Process) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(proc.communicate(), 20)
    return proc.returncode, err.decode()


@pytest.mark.slow
async def test_killed_during_delivery_and_restarted_nothing_is_lost(tmp_path, fake_server):
    path, hooks = await _setup(tmp_path, fake_server)
    assert len(EXPECTED) >= 20
    hooks.delay = 0.1  # a slow platform: the kill lands mid-delivery
    kills = 0
    proc = await start_cli(path, "run")
    for threshold in (5, 15):
        await wait_for(lambda n=threshold: len(hooks.accepted("slack")) >= n, 30)
        proc.kill()  # SIGKILL: no clean-up of any kind
        await proc.wait()
        kills += 1
        proc = await start_cli(path, "run")
    await wait_for(lambda: all_delivered(hooks), 60)
    await asyncio.sleep(0.5)  # nothing else may arrive
    rc, err = await _stop(proc)
    assert rc == 0, err
    for kind in ("slack", "discord"):
        counts = Counter(hooks.accepted_ids(kind))
        assert set(counts) == EXPECTED  # every matched paper, and only those
        duplicates = sum(n - 1 for n in counts.values())
        assert duplicates <= kills  # at most the message in flight at each kill
    status = await cli(path, "status")
    assert "Deliveries: 0 pending" in status.out


@pytest.mark.slow
async def test_check_beside_run_posts_nothing_twice_and_stays_polite(tmp_path, fake_server):
    path, hooks = await _setup(tmp_path, fake_server, min_interval_seconds=0.3)
    hooks.delay = 0.05
    # Both start together: both poll the same listing, both ingest it, both drain the outbox.
    proc = await start_cli(path, "run")
    checked = await cli(path, "check")
    assert checked.rc == 0, checked.err
    assert "Deliveries: 0 pending" in (await cli(path, "status")).out  # check waited for run
    await wait_for(lambda: all_delivered(hooks), 30)
    await asyncio.sleep(1.5)  # let run poll a few more times
    rc, err = await _stop(proc)
    assert rc == 0, err
    for kind in ("slack", "discord"):
        assert Counter(hooks.accepted_ids(kind)) == Counter(EXPECTED)  # each exactly once
    arxiv = [r.time for r in fake_server.requests if r.path.startswith("/rss/")]
    assert len(arxiv) >= 4  # run polled more than once, and check polled too
    gaps = [b - a for a, b in itertools.pairwise(arxiv)]
    # 0.05 s of slack for scheduling jitter between a slot and the request reaching the server
    assert min(gaps) >= 0.3 - 0.05, gaps  # the limiter is shared through the database
