"""The one kind of expected failure chat commands and the CLI report: a :class:`UserError`
whose message is meant for the user as it stands (chat capitalises its first letter; the CLI
prints it after ``paperbot:``)."""

from __future__ import annotations


class UserError(Exception):
    """An expected failure; the message is meant for the user."""
