"""Listing files parsed, and their papers' texts matched, in a second process.

``paperbot ingest`` of many files is bound by Python work that holds the GIL: parsing (as long
as a bare lxml pass over the files) and matching each paper's text against the subscriptions
(tokenizing, stemming, author names). A worker process does both for the next file while this
process plans and writes the current one, so the machine's second core is used. The worker
sends each item's author and topic matches as subscription ids; they seed the matcher's
result caches (:meth:`~bot.matching.index.SubscriptionIndex.seed`), and matching the same text
here then costs a dictionary look-up. Categories, which depend on the stored paper, are always
matched here.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bot.matching.index import SubscriptionIndex, TextMatches
from bot.model import Listing, Subscription
from bot.sources.files import parse_listing_file

#: Fewer files than this are parsed in a thread: a process start costs more than it saves.
MIN_FILES = 3

_INDEX: SubscriptionIndex | None = None


@dataclass(frozen=True, slots=True)
class Prepared:
    """A parsed listing and, when subscriptions were given, its items' text matches."""

    listing: Listing
    matches: TextMatches | None = None


def _start(subscriptions: Sequence[Subscription] | None) -> None:
    global _INDEX
    _INDEX = SubscriptionIndex(subscriptions) if subscriptions is not None else None


def prepare(path: Path) -> Prepared:
    """Parse ``path`` and, in a worker started with subscriptions, match its texts."""
    listing = parse_listing_file(path)
    if _INDEX is None:
        return Prepared(listing)
    return Prepared(listing, _INDEX.text_matches([i.paper for i in listing.items]))


def worker(subscriptions: Sequence[Subscription] | None) -> Executor:
    """One worker process (spawned: this process may run threads) for :func:`prepare`."""
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start,
        initargs=(list(subscriptions) if subscriptions is not None else None,),
    )
