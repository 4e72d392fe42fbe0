"""A missed listing day caught up from the arXiv API, end to end through ``paperbot check``.

The real corpus files: ``2026-06-10-cs-ai`` carries the listing of Tue 9 Jun 2026 and
``2026-06-11-cs-ai`` the one of Thu 11 Jun; the Wed 10 Jun listing was never served. The fake
API answers the catch-up query with entries built on a real API entry (invented ids, see
``fixtures/DERIVED.md``).
"""

from __future__ import annotations

from collections import Counter

from support.e2e import (
    CORPUS,
    FakeWebhooks,
    add_subscriptions,
    api_entry,
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

TUESDAY = read_bytes(CORPUS / "2026-06-10-cs-ai.xml.gz")  # pubDate Tue, 09 Jun 2026
THURSDAY = read_bytes(CORPUS / "2026-06-11-cs-ai.xml.gz")  # pubDate Thu, 11 Jun 2026
WORD = "quorblewug"  # an invented word: only the invented catch-up papers hold it
AUTHOR = ("Farhan", "Mujtaba")  # first author of 2606.07720, new on Tuesday


def _matches(item) -> bool:
    return has_author(item, *AUTHOR) or has_words(item, WORD)


def _catchup_entries():
    return [
        # v1 on Wed 10 Jun: announced on the missed day -> alerts.
        api_entry(
            "2606.90001",
            1,
            title=f"{WORD.title()} networks",
            authors=["Ada Lovelace"],
            published="2026-06-10T12:00:00Z",
        ),
        # v1 on Sun 7 Jun, inside the window (it starts 3 days before Tuesday) -> alerts.
        api_entry(
            "2606.90003",
            1,
            title=f"Sparse {WORD} search",
            authors=["Alan Turing"],
            published="2026-06-07T09:30:00Z",
        ),
        # A revision: v1 in May, v2 on the missed day -> a replace, no alert.
        api_entry(
            "2605.90002",
            2,
            title=f"{WORD.title()} revisited",
            authors=["Grace Hopper"],
            published="2026-05-20T08:00:00Z",
            updated="2026-06-10T08:00:00Z",
        ),
        # Already announced on Tuesday (real id, subscribed author) -> not alerted again.
        api_entry(
            "2606.07720",
            1,
            title="Already announced",
            authors=["Mujtaba Farhan"],
            published="2026-06-08T10:00:00Z",
        ),
    ]


async def test_a_missed_day_is_caught_up_from_the_api(tmp_path, fake_server):
    tuesday, thursday = items_of(TUESDAY), items_of(THURSDAY)
    assert any(i.arxiv_id == "2606.07720" and i.first and _matches(i) for i in tuesday)
    expected_thursday = {i.arxiv_id for i in thursday if i.first and _matches(i)}
    arxiv = FakeArxiv(fake_server, page_cap=2)  # the 4 entries come in 2 pages
    arxiv.catchup = _catchup_entries()
    hooks = FakeWebhooks(fake_server)
    path = write_config(
        tmp_path,
        fake_server,
        channels=[
            ("slack", "slack-webhook", hooks.url("slack")),
            ("disc", "discord-webhook", hooks.url("discord")),
        ],
    )
    await add_subscriptions(
        path, [("slack", "author", "Farhan, Mujtaba"), ("slack", "topic", WORD)]
    )

    serve_body(fake_server, "cs.AI", TUESDAY)
    assert (await cli(path, "check")).rc == 0
    first_round = hooks.accepted_ids("slack")
    assert "2606.07720" in first_round
    assert arxiv.api_requests == []  # the first listing ever seen: nothing to catch up

    serve_body(fake_server, "cs.AI", THURSDAY)
    result = await cli(path, "check")
    assert result.rc == 0, result.err
    new = hooks.accepted_ids("slack")[len(first_round) :]
    assert Counter(new) == Counter({"2606.90001", "2606.90003"} | expected_thursday)

    queries = arxiv.api_requests
    assert len(queries) == 2  # paged: 2 + 2 entries
    for q in queries:
        assert q.query["search_query"] == (
            "cat:cs.AI AND submittedDate:[202606060000 TO 202606120000]"
        )
        assert q.query["sortBy"] == "submittedDate"
    assert [q.query["start"] for q in queries] == ["0", "2"]
    status = await cli(path, "status")
    assert "listing of Thu 11 Jun" in status.out


async def test_caught_up_papers_count_as_announced(tmp_path, fake_server):
    """A paper first announced by catch-up is stored as announced: when a later listing lists
    it as new, a subscription added since then does not alert on it (it is a stored paper)."""
    arxiv = FakeArxiv(fake_server)
    arxiv.catchup = _catchup_entries()
    hooks = FakeWebhooks(fake_server)
    path = write_config(
        tmp_path,
        fake_server,
        channels=[
            ("slack", "slack-webhook", hooks.url("slack")),
            ("disc", "discord-webhook", hooks.url("discord")),
        ],
    )
    await add_subscriptions(path, [("slack", "topic", WORD)])
    serve_body(fake_server, "cs.AI", TUESDAY)
    assert (await cli(path, "check")).rc == 0
    serve_body(fake_server, "cs.AI", THURSDAY)
    assert (await cli(path, "check")).rc == 0
    assert sorted(hooks.accepted_ids("slack")) == ["2606.90001", "2606.90003"]
    # Thursday's listing served again, now also listing 2606.90001 as new.
    late = clone_item(
        THURSDAY,
        items_of(THURSDAY)[0].arxiv_id,
        new_id="2606.90001",
        version=1,
        announce="new",
        title=f"{WORD.title()} networks",
    )
    await add_subscriptions(path, [("disc", "topic", WORD)])
    serve_body(fake_server, "cs.AI", derive_listing(THURSDAY, extra=[late]))
    result = await cli(path, "check")
    assert result.rc == 0, result.err
    assert hooks.accepted("discord") == []
    assert sorted(hooks.accepted_ids("slack")) == ["2606.90001", "2606.90003"]
