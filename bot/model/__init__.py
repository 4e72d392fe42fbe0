"""Platform-neutral types shared by the whole bot: small frozen dataclasses and enums.

This package imports nothing but the standard library (an import-linter contract checks it).
"""

from bot.model.chat import (
    Action,
    Alert,
    Channel,
    CommandContext,
    Document,
    MessageKind,
    OutboxMessage,
    Reply,
    Subscription,
    SubscriptionKind,
)
from bot.model.paper import ARXIV_ABS, ARXIV_PDF, AnnounceType, Listing, ListingItem, Paper, Version
from bot.model.reading import Mark, SavedBy, SavedPaper, SaveVia
from bot.model.source import SourceState

__all__ = [
    "ARXIV_ABS",
    "ARXIV_PDF",
    "Action",
    "Alert",
    "AnnounceType",
    "Channel",
    "CommandContext",
    "Document",
    "Listing",
    "ListingItem",
    "Mark",
    "MessageKind",
    "OutboxMessage",
    "Paper",
    "Reply",
    "SaveVia",
    "SavedBy",
    "SavedPaper",
    "SourceState",
    "Subscription",
    "SubscriptionKind",
    "Version",
]
