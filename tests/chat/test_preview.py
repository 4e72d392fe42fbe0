"""``preview``: what a subscription would have posted on the last stored announcement days, on
real listings (four cs.AI days of June 2026), checked against the alert rule paper by paper."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.chat.preview import BadPreview, Preview, parse_days
from bot.ingest.ingestor import Ingestor
from bot.matching.explain import matching_papers
from bot.model import Subscription, SubscriptionKind
from bot.sources.files import parse_listing_file
from bot.store import Store

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"
DAYS = ("2026-06-04", "2026-06-10", "2026-06-11")  # pubDates 04, 09 and 11 June
A, T, C = SubscriptionKind.AUTHOR, SubscriptionKind.TOPIC, SubscriptionKind.CATEGORY


@pytest.fixture
async def june(store: Store) -> Store:
    ingestor = Ingestor(store)
    for name in DAYS:
        listing = parse_listing_file(CORPUS / f"{name}-cs-ai.xml.gz")
        await ingestor.ingest(
            listing.items, announced_on=listing.pub_date, alert=False, ledger=listing.category
        )
    return store


async def _expected(store: Store, kind: SubscriptionKind, value: str) -> dict[date, int]:
    """The alert rule (explain) over every stored announced paper, counted per day."""
    rows = await store.db.fetchall("SELECT arxiv_id FROM papers WHERE announced IS NOT NULL")
    papers = list((await store.papers.get_many([r["arxiv_id"] for r in rows])).values())
    counts: dict[date, int] = {}
    for p in matching_papers(Subscription(1, 1, kind, value), papers):
        assert p.announced is not None
        counts[p.announced] = counts.get(p.announced, 0) + 1
    return counts


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (T, '"language model" OR llm'),
        (T, "reinforcement -survey"),
        (A, "Wang"),
        (C, "cs.AI"),
        (C, "cs"),
    ],
)
async def test_counts_per_day_agree_with_the_alert_rule(june, kind, value):
    result = await Preview(june).run(kind, value)
    expected = await _expected(june, kind, value)
    assert result.days == (date(2026, 6, 11), date(2026, 6, 9), date(2026, 6, 4))
    assert dict(result.per_day()) == {d: expected.get(d, 0) for d in result.days}
    assert sum(expected.values()) > 0  # not vacuous


async def test_days_counts_announcement_days_not_calendar_days(june):
    result = await Preview(june).run(T, "agents", days=2)
    assert result.days == (date(2026, 6, 11), date(2026, 6, 9))
    assert all(p.day in result.days for p in result.papers)


async def test_an_accented_surname_is_found_unaccented(june):
    result = await Preview(june).run(A, "Takac, Martin")
    expected = await _expected(june, A, "Takac, Martin")
    assert len(result.papers) == sum(expected.values())


async def test_the_line_and_examples(june):
    result = await Preview(june).run(T, '"reward model"')
    n = len(result.papers)
    assert result.line().startswith(f"Preview: {n} papers in the last 3 announcement days")
    assert "(11 Jun " in result.line()
    assert result.text().count("\n• ") == min(3, n)


async def test_an_unpolled_category_says_so(june):
    result = await Preview(june).run(C, "math.CO")
    assert result.line() == "Preview: math.CO is not polled yet; subscribing adds it."
    assert result.line(subscribed=True).endswith("the next poll adds it.")


async def test_an_empty_store_has_nothing_to_count(store):
    result = await Preview(store).run(T, "agents")
    assert "no announcement days are stored yet" in result.line()


@pytest.mark.parametrize("given", ["0", "31", "x", "-1"])
def test_days_must_be_1_to_30(given):
    with pytest.raises(BadPreview, match="from 1 to 30"):
        parse_days(given)


async def test_a_value_no_subscription_could_take_is_refused(june):
    with pytest.raises(BadPreview):
        await Preview(june).run(C, "cs.FOO")
    with pytest.raises(BadPreview):
        await Preview(june).run(T, "x -x OR")


async def test_chat_preview_takes_days_and_subscribe_answers_with_the_preview(chat):
    chat.serve_listing(CORPUS.parent / "arxiv_rss_cs_ai_2026-07-14.xml")
    await chat.poll_and_deliver()
    answer = await chat("preview topic agents --days 3")
    assert "Preview: " in answer and "on the last announcement day" in answer
    assert "from 1 to 30" in await chat("preview topic agents --days 40")
    subscribed = await chat("subscribe topic agents")
    assert "Subscribed #1" in subscribed
    assert "Preview: " in subscribed.splitlines()[-1]


async def test_help_lists_why_and_preview(chat):
    answer = await chat("help")
    assert "why <arXiv id>" in answer
    assert "preview author|topic|category <value> [--days N]" in answer


async def test_a_topic_subscribe_would_refuse_is_refused_with_the_same_reason(june):
    with pytest.raises(BadPreview, match="only for common words"):
        await Preview(june).run(T, "the")
    with pytest.raises(BadPreview):
        await Preview(june).run(T, "agents -agents")


async def test_a_link_is_not_an_author(june):
    with pytest.raises(BadPreview, match="is a link"):
        await Preview(june).run(A, "https://orcid.org/0000-0002-1825-0097")


async def test_subscribing_an_author_link_is_refused_pointing_at_orcid(chat):
    answer = await chat("subscribe author https://orcid.org/0000-0002-1825-0097")
    assert "is a link, not a person's name" in answer and "orcid:0000-" in answer
    assert "No subscriptions" in await chat("list")
