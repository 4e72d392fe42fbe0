"""Property test: any user string sent to ``Lookup(store, None)`` (a store holding real papers)
reaches SQLite/FTS5 safely — a result or ``LookupFailed``, never ``sqlite3.Error`` — and the
papers table and its full-text index are intact afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.hardening import LISTING
from support.store import ingest

from bot.chat.lookup import Lookup, LookupFailed, LookupResult
from bot.sources.arxiv_parse import parse_listing
from bot.store import Store

FTS_SYNTAX = [
    '"',
    "'",
    "*",
    "^",
    ":",
    "(",
    ")",
    "{",
    "}",
    "-",
    "+",
    "NEAR",
    "NEAR(",
    "AND",
    "OR",
    "NOT",
    "title:",
    "abstract :",
    "authors:",
    "rowid",
    "papers_fts",
    "''",
    '""',
    "%",
    "_",
    ";",
    "DROP TABLE papers;--",
    "\x00",
    "\\",
    "/",
    ".",
    ",",
    "arXiv:",
    "2607.08773",
    "v2",
    "10.1145/",
    "https://arxiv.org/abs/",
    "hep-th/9901001",
    "  ",
    "\n",
    "é",
    "ß",
    "İ",
    "😀",
    "lattice",
    "Perceptrons",
    "\u200b",
    "\ufeff",
]
queries = st.one_of(
    st.text(max_size=120),
    st.lists(st.one_of(st.sampled_from(FTS_SYNTAX), st.text(max_size=8)), max_size=40).map(
        " ".join
    ),
    st.lists(st.sampled_from(FTS_SYNTAX), max_size=60).map("".join),
    st.text(min_size=290, max_size=400),
)


class Harness:
    """A store on its own event loop, so sync Hypothesis tests can drive it."""

    def __init__(self, path: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.store: Store = self.run(Store.open(path))
        items = parse_listing(LISTING.read_bytes()).items
        self.run(ingest(self.store, items))
        self.count = self.run(self.store.papers.count())
        self.lookup = Lookup(self.store, None)

    def run(self, coro):
        return self.loop.run_until_complete(coro)

    def close(self) -> None:
        self.run(self.store.close())
        self.loop.close()


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    h = Harness(tmp_path_factory.mktemp("lookup") / "papers.sqlite3")
    try:
        yield h
    finally:
        h.close()


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=queries)
def test_any_string_is_a_result_or_lookup_failed(harness: Harness, query: str) -> None:
    try:
        result = harness.run(harness.lookup(query))
    except LookupFailed as exc:
        assert str(exc)  # a message for the user
    else:
        assert isinstance(result, LookupResult) and result.papers
        assert result.origin == "store"
    # Also the raw search API, with and without the title column filter.
    for title_only in (False, True):
        found = harness.run(harness.store.papers.search(query, limit=3, title_only=title_only))
        assert len(found) <= 3


def test_store_intact_after_hostile_queries(harness: Harness) -> None:
    """Runs after the property (same module fixture): nothing was dropped or corrupted."""
    for query in ("DROP TABLE papers;--", "'); DELETE FROM papers; --", '" OR 1=1 --'):
        with contextlib.suppress(LookupFailed):
            harness.run(harness.lookup(query))
    assert harness.run(harness.store.papers.count()) == harness.count > 100
    conn = sqlite3.connect(harness.store.path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')")
    finally:
        conn.close()
    # And the index still answers: a title word query finds the paper.
    found = harness.run(harness.lookup("lattice traversal perceptrons"))
    assert found.papers[0].arxiv_id == "2607.08773"
