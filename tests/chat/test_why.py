"""``why ID``: which subscriptions matched a paper here and on what, and what became of its
alert; when nothing matched, the closest subscription and what it misses (real listings)."""

from __future__ import annotations

from pathlib import Path

from bot.chat.text import plain_text
from bot.chat.why import Why
from bot.chat.why import state_text as why_state
from bot.model import Paper
from bot.store.history import AlertRecord

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LISTING_0713 = FIXTURES / "arxiv_rss_cs_ai_2026-07-14.xml"  # pubDate Mon 13 Jul 2026
REWARD_HACKING = "2607.09492"  # new: "Multimodal Reward Hacking in Reinforcement Learning"
OPENPROVER = "2607.09217"  # new, cs.AI + cs.MS: Matěj Kripner, Milan Straka, ...


async def test_a_posted_paper_names_the_subscriptions_the_words_and_the_listing(chat):
    await chat('subscribe topic "reward hacking"')
    await chat("subscribe category cs.AI")
    chat.serve_listing(LISTING_0713)
    await chat.poll_and_deliver()
    answer = await chat(f"why {REWARD_HACKING}")
    assert 'topic: "reward hacking" — found "reward hacking" as reward hacking' in answer
    assert "category: cs.AI — in cs.AI" in answer
    assert "Posted here as an alert on " in answer
    assert "queued by the cs.AI listing of Mon 13 Jul 2026" in answer


async def test_an_author_is_shown_as_listed(chat):
    await chat("subscribe author Kripner, Matej")
    chat.serve_listing(LISTING_0713)
    await chat.poll_and_deliver()
    answer = await chat(f"why {OPENPROVER}")
    assert "author: Kripner, Matej — listed as Matěj Kripner" in answer


async def test_a_paper_stored_before_the_subscription_says_so(chat):
    chat.serve_listing(LISTING_0713)
    await chat.poll_and_deliver()
    await chat('subscribe topic "reward hacking"')
    answer = await chat(f"why {REWARD_HACKING}")
    assert "No alert: the paper was stored (announced 2026-07-13) before #1" in answer
    assert "a new subscription does not alert on papers already stored" in answer


async def test_nothing_matched_names_the_closest_subscription_and_what_it_misses(chat):
    await chat("subscribe topic diffusion transformer")  # #1: no term in the paper
    await chat('subscribe topic "reward hacking" survey')  # #2: one of two
    await chat("subscribe author Babuschkin, Igor")  # #3
    chat.serve_listing(LISTING_0713)
    await chat.poll_and_deliver()
    answer = await chat(f"why {REWARD_HACKING}")
    assert "No subscription of this channel matches it." in answer
    assert 'Closest: #2 topic: "reward hacking" survey — has 1 of 2 terms; missing survey' in answer


async def test_closest_ties_go_to_the_lowest_id_and_list_a_missing_author(chat):
    await chat("subscribe author Babuschkin, Igor")  # #1
    await chat("subscribe author Hinton, Geoffrey")  # #2
    chat.serve_listing(LISTING_0713)
    await chat.poll_and_deliver()
    answer = await chat(f"why {OPENPROVER}")
    assert "Closest: #1 author: Babuschkin, Igor — missing author Babuschkin, Igor" in answer
    assert "(the paper's authors: Matěj Kripner, Milan Straka" in answer


async def test_an_excluded_word_found_is_listed_as_missing(chat):
    await chat('subscribe topic "reward hacking" -multimodal')
    chat.serve_listing(LISTING_0713)
    await chat.poll_and_deliver()
    answer = await chat(f"why {REWARD_HACKING}")
    assert "missing -multimodal (present)" in answer


async def test_a_paper_in_no_polled_category_says_so(chat):
    await chat("subscribe author Babuschkin, Igor")
    looked_up = Paper(
        "2607.90001", 1, "A lemma", primary_category="math.CO", categories=("math.CO",)
    )
    await chat.app.store.papers.save_looked_up([looked_up])
    answer = await chat("why 2607.90001")
    assert "It is in no polled category (math.CO)" in answer
    assert "only as a replacement (or it was only looked up)" in answer


async def test_a_paper_not_stored_is_an_error(chat):
    answer = await chat("why 2607.99999")
    assert "2607.99999 is not stored here" in answer


async def test_why_needs_an_arxiv_id(chat):
    assert "Usage: why <arXiv id>" in await chat("why")
    assert "give an arXiv id" in await chat("why reward")


def _record(state: str, **kw: object) -> AlertRecord:
    base: dict[str, object] = dict(
        id=1,
        state=state,
        version=1,
        sub_ids=(),
        reasons=(),
        created_at=None,
        sent_at=None,
        last_error=None,
        hold_reason=None,
        held_until=None,
        drop_reason=None,
    )
    base.update(kw)
    return AlertRecord(**base)  # type: ignore[arg-type]


def test_held_and_dropped_states_say_until_when_and_why() -> None:
    def state_text(*args: object, **kw: object) -> str:
        return plain_text(why_state(*args, **kw))  # type: ignore[arg-type]

    held = state_text(
        _record("held", hold_reason="quiet hours", held_until=1_784_000_000), None, "c"
    )
    assert held == "Held until 2026-07-14 03:33 UTC: quiet hours."
    assert state_text(_record("held", hold_reason="digest"), None, "c") == (
        "Held until released: digest."
    )
    dropped = state_text(_record("dropped", drop_reason="author not verified"), None, "c")
    assert dropped == "Dropped, it will not be posted: author not verified."
    failed = state_text(_record("failed", last_error="HTTP 400"), None, "team")
    assert "refused the alert: HTTP 400 (`paperbot retry team` re-queues it)" in failed
    via = state_text(
        _record("sent"), None, "c", via="Posted here in the daily digest of 2026-07-14"
    )
    assert via == "Posted here in the daily digest of 2026-07-14."


async def test_a_held_alert_is_explained_from_the_outbox(chat):
    await chat('subscribe topic "reward hacking"')
    chat.serve_listing(LISTING_0713)
    await chat.poll()
    store = chat.app.store
    async with store.db.transaction() as conn:
        await conn.execute(
            "UPDATE outbox SET state='held', hold_reason='daily digest at 09:00 Europe/Berlin', "
            "held_until=1784012400 WHERE paper_id=?",
            (REWARD_HACKING,),
        )
    channel = await store.channels.find("console")
    assert channel is not None
    answer = plain_text(await Why(store, chat.app.config).text(channel, REWARD_HACKING))
    assert "Held until 2026-07-14 07:00 UTC: daily digest at 09:00 Europe/Berlin" in answer


async def test_an_alert_whose_subscription_is_gone_says_what_matched_then(chat):
    await chat('subscribe topic "reward hacking"')
    chat.serve_listing(LISTING_0713)
    await chat.poll_and_deliver()
    await chat("unsubscribe 1")
    answer = await chat(f"why {REWARD_HACKING}")
    assert (
        'No subscription here matches it now; it matched then (topic: "reward hacking").' in answer
    )
    assert "Posted here as an alert on " in answer
