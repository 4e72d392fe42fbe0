"""The author page: recent papers from the store (with S2's cached venue and TL;DR), top
collaborators, both name forms, works from another index merged by arXiv id / DOI."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest
from support.store import ingest

from bot.chat.author import (
    AuthorPages,
    NoSuchAuthor,
    author_page_text,
    build_author_page,
    person_of,
)
from bot.chat.errors import UserError
from bot.model import AnnounceType, Listing, ListingItem, Paper
from bot.model.scholarly import SEMANTIC_SCHOLAR, PaperRecord, Work
from bot.model.text import without_marks
from bot.sources.arxiv_parse import parse_listing
from bot.store import Store

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
GPT4_2024 = FIXTURES / "arxiv_rss_cs_ai_2024-03-04_gpt4_replace_cross.xml"
GPT4_RDF = FIXTURES / "arxiv_rss_cs_ai_2023-12-21_rdf.xml"


def listing_of(path: Path) -> Listing:
    return parse_listing(path.read_bytes())


async def load(store: Store, path: Path) -> None:
    listing = listing_of(path)
    await ingest(store, listing.items, announced_on=listing.pub_date)


def paper(arxiv_id: str, title: str, authors: tuple[str, ...], day: date, **kw) -> ListingItem:
    abstract = kw.pop("abstract", f"First sentence of {title}. Second one. Third one.")
    p = Paper(arxiv_id, 1, title, authors, abstract, "cs.LG", ("cs.LG",), **kw)
    return ListingItem(p, AnnounceType.NEW)


async def page_text(store: Store, name: str) -> str:
    return without_marks(author_page_text(await AuthorPages(store).page(name)))


@pytest.mark.parametrize("name", ["Babuschkin, Igor", "Igor Babuschkin", "I. Babuschkin"])
async def test_babuschkin_lists_the_gpt4_report_from_the_real_listing(
    store: Store, name: str
) -> None:
    await load(store, GPT4_2024)  # dc:creator garbled by arXiv: "Igor BabuschkinRai"
    text = await page_text(store, name)
    assert text.startswith("*Igor Babuschkin* — 1 paper known")
    assert "• *GPT-4 Technical Report*" in text
    assert "arXiv · cs.CL · 2023 · arXiv:2303.08774" in text  # v1 of March 2023
    assert "We report the development of GPT-4" in text
    assert "*Collaborating authors*" in text and "Josh Achiam (1)" in text


async def test_the_same_paper_from_two_listings_is_listed_once(store: Store) -> None:
    await load(store, GPT4_RDF)
    await load(store, GPT4_2024)
    page = await AuthorPages(store).page("Babuschkin, Igor")
    assert [w.arxiv_id for w in page.works] == ["2303.08774"]


async def test_collaborators_are_counted_once_per_shared_paper(store: Store) -> None:
    day = date(2026, 6, 1)
    await ingest(
        store,
        [
            paper("2606.00001", "One", ("Igor Babuschkin", "Oriol Vinyals", "David Silver"), day),
            paper("2606.00002", "Two", ("I. Babuschkin", "Oriol Vinyals", "O. Vinyals"), day),
            paper("2606.00003", "Three", ("Ivan Babuschkin", "Someone Else"), day),
            paper("2606.00004", "Four", ("Oriol Vinyals",), day),
        ],
        announced_on=day,
    )
    page = await AuthorPages(store).page("Igor Babuschkin")
    assert {w.title for w in page.works} == {"One", "Two"}  # Ivan is another person
    assert [(c.name, c.shared) for c in page.collaborators][:2] == [
        ("Oriol Vinyals", 2),
        ("David Silver", 1),
    ]


async def test_a_cached_s2_record_gives_the_venue_and_the_tldr(store: Store) -> None:
    day = date(2026, 6, 1)
    await ingest(store, [paper("2606.00001", "One", ("Igor Babuschkin",), day)], announced_on=day)
    record = PaperRecord("2606.00001", SEMANTIC_SCHOLAR, journal="Nature", tldr="In short.")
    await store.index_records.put([record], now=time.time(), ttl_seconds=60)
    text = await page_text(store, "Babuschkin, Igor")
    assert "Nature · 2026 · arXiv:2606.00001" in text and "In short." in text
    assert "First sentence" not in text


async def test_the_summary_is_two_sentences_of_the_abstract(store: Store) -> None:
    day = date(2026, 6, 1)
    await ingest(store, [paper("2606.00001", "One", ("Igor Babuschkin",), day)], announced_on=day)
    text = await page_text(store, "Babuschkin, Igor")
    assert "First sentence of One. Second one." in text and "Third one" not in text


async def test_recent_papers_come_first_and_the_page_is_cut(store: Store) -> None:
    items = [
        paper(f"2606.{i:05d}", f"Paper {i}", ("Igor Babuschkin",), date(2026, 6, 1 + i))
        for i in range(12)
    ]
    for item in items:
        await ingest(store, [item], announced_on=date(2026, 6, 1 + int(item.paper.title[6:])))
    page = await AuthorPages(store).page("Babuschkin, Igor")
    assert page.total == 12 and len(page.works) == 10
    assert page.works[0].title == "Paper 11" and page.works[-1].title == "Paper 2"
    assert "12 papers known, the 10 most recent shown" in author_page_text(page)


def test_extra_works_from_another_index_merge_by_arxiv_id_and_doi() -> None:
    person = person_of("Igor Babuschkin")
    stored = Work("GPT-4 Technical Report", "store", 2023, "arXiv · cs.CL", arxiv_id="2303.08774")
    stored_doi = Work("AlphaCode", "store", 2022, "arXiv · cs.PL", doi="10.1126/science.abq1158")
    index = [
        Work("GPT-4 technical report", "openalex", 2023, "arXiv", arxiv_id="2303.08774"),
        Work(
            "Competition-level code generation with AlphaCode",
            "openalex",
            2022,
            "Science",
            doi="10.1126/SCIENCE.ABQ1158",
            summary="AlphaCode writes programs.",
        ),
        Work("Gopher", "openalex", 2021, "arXiv", arxiv_id="2112.11446"),
    ]
    page = build_author_page("Igor Babuschkin", person, [stored, stored_doi], index)
    by_title = {w.title: w for w in page.works}
    assert set(by_title) == {"GPT-4 Technical Report", "AlphaCode", "Gopher"}
    assert by_title["AlphaCode"].venue_line == "Science"  # the published venue over arXiv's
    assert by_title["AlphaCode"].summary == "AlphaCode writes programs."
    assert by_title["GPT-4 Technical Report"].venue_line == "arXiv · cs.CL"


async def test_nothing_known_is_no_such_author(store: Store) -> None:
    await load(store, GPT4_2024)
    with pytest.raises(NoSuchAuthor, match="no stored paper has an author named 'Nobody, Anne'"):
        await AuthorPages(store).page("Nobody, Anne")


async def test_not_a_name_is_a_user_error(store: Store) -> None:
    with pytest.raises(UserError, match="is not a person's name"):
        await AuthorPages(store).page("1234")


async def test_the_chat_command_answers_and_help_lists_it(chat) -> None:
    await load(chat.app.store, GPT4_2024)
    answer = await chat("author Babuschkin, Igor")
    assert "GPT-4 Technical Report" in answer and "Collaborating authors" in answer
    assert "author <name>" in await chat("help")
    assert "No stored paper has an author named" in await chat("author Nobody, Anne")


async def test_babuschkins_page_lists_the_seed_papers_the_store_holds(chat) -> None:
    await chat("2308.03526")  # AlphaStar Unplugged, fetched from (the fake) arXiv and stored
    await load(chat.app.store, GPT4_2024)
    answer = await chat("author Babuschkin, Igor")
    assert answer.startswith("Igor Babuschkin — 2 papers known")
    assert "• GPT-4 Technical Report" in answer
    assert "• AlphaStar Unplugged: Large-Scale Offline Reinforcement Learning" in answer
    assert "Michaël Mathieu (1)" in answer and "Igor Babuschkin (" not in answer


async def test_a_name_that_matches_several_people_says_so_in_the_title(store: Store) -> None:
    day = date(2026, 6, 1)
    await ingest(
        store,
        [
            paper("2606.00011", "Yulong's", ("Yulong Zhang", "A. B"), day),
            paper("2606.00012", "Yiming's", ("Yiming Zhang", "C. D"), day),
        ],
        announced_on=day,
    )
    page = await AuthorPages(store).page("Y. Zhang")
    assert page.name.startswith("Y. Zhang (several people: ")
    assert "Yulong Zhang" in page.name and "Yiming Zhang" in page.name
    one = await AuthorPages(store).page("Yiming Zhang")
    assert one.name == "Yiming Zhang"  # one person: the name as papers write it
