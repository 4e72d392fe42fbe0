"""Topics refused before they are stored: those that would flood a channel or never alert.

A topic whose terms match more than half of the papers announced in the last
:data:`WINDOW_DAYS` stored days (``model``, ``the``) would turn the channel into the whole
listing; one whose every alternative excludes what it requires (``x -x``) would never alert.
The count is taken only when the window holds at least :data:`MIN_WINDOW` announced papers (a
young database says nothing about a topic); below that only topics of stop words alone are
refused. The count is :func:`~bot.matching.explain.count_topic_matches`, the preview's rule.
"""

from __future__ import annotations

from datetime import timedelta

from bot.matching.explain import count_topic_matches
from bot.matching.topic import TopicQuery
from bot.store import Store

WINDOW_DAYS = 30
MIN_WINDOW = 1000


async def topic_refusal(store: Store, query: TopicQuery) -> str | None:
    """Why ``query`` cannot be subscribed to, or None when it can."""
    if query.never_matches:
        return (
            "this topic can never match: each alternative excludes a word or phrase it also "
            "requires (drop the exclusion, or exclude something else)"
        )
    last = await store.papers.last_announced()
    texts = []
    if last is not None:
        texts = await store.papers.announced_texts(last - timedelta(days=WINDOW_DAYS - 1))
    if len(texts) < MIN_WINDOW:
        if query.stop_words_only:
            return (
                "this topic looks only for common words (such as 'the', 'a', 'of') and would "
                "match nearly every paper; add a word that says what the papers are about"
            )
        return None
    count = count_topic_matches(query, texts)
    if 2 * count > len(texts):
        return (
            f"this topic would have matched {count:,} of the {len(texts):,} papers announced "
            f"in the last {WINDOW_DAYS} stored days (more than half): add a word or a phrase "
            "to narrow it"
        )
    return None
