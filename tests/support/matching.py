"""Matching helpers for tests."""

from __future__ import annotations

from bot.matching.names import parse_person, same_person


def author_matches(subscription_value: str, author: str) -> bool:
    """Whether an author subscription (a name, any supported form) matches one paper author."""
    sub = parse_person(subscription_value)
    person = parse_person(author)
    return sub is not None and person is not None and same_person(sub, person)
