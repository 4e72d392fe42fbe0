"""The reading list and BibTeX in chat (the console channel of a real App, arXiv faked)."""

from __future__ import annotations

from pybtex.database import parse_string
from support.chat import Chat

from bot.model import CommandContext, Mark, SaveVia

ALPHA = "2308.03526"  # AlphaStar Unplugged (the fake arXiv's derived entry)
OTHER = "2202.12139"  # a real entry of the recorded 2026 API answer
MISSING = "2312.99999"


async def test_save_looks_the_paper_up_and_saved_lists_it(chat: Chat) -> None:
    reply = await chat(f"save {ALPHA}")
    assert reply.startswith(f"Saved {ALPHA} AlphaStar Unplugged")
    listed = await chat("saved")
    assert "Reading list of this channel (1, newest first):" in listed
    assert f"{ALPHA} AlphaStar Unplugged" in listed and "saved by console" in listed
    assert await chat.app.store.papers.get(ALPHA) is not None  # stored, unannounced


async def test_saved_is_newest_first_with_everyone_who_saved(chat: Chat) -> None:
    await chat(f"save {ALPHA}", user="alice")
    await chat(f"save https://arxiv.org/abs/{OTHER}v1", user="bob")
    await chat(f"save arXiv:{ALPHA}", user="carol")
    lines = (await chat("saved")).splitlines()[1:]
    assert lines[0].startswith(ALPHA) and "saved by carol, alice" in lines[0]
    assert lines[1].startswith(OTHER) and "saved by bob" in lines[1]


async def test_saving_twice_says_so(chat: Chat) -> None:
    await chat(f"save {ALPHA}")
    assert "You already saved" in await chat(f"save {ALPHA}v1")


async def test_unsave_takes_the_paper_off_for_everyone(chat: Chat) -> None:
    await chat(f"save {ALPHA}", user="alice")
    await chat(f"save {ALPHA}", user="bob")
    assert await chat(f"unsave {ALPHA}") == f"Took {ALPHA} off this channel's reading list."
    assert "reading list is empty" in await chat("saved")
    assert "is not on this channel's reading list" in await chat(f"unsave {ALPHA}")


async def test_save_of_an_unknown_id_is_a_clear_error(chat: Chat) -> None:
    reply = await chat(f"save {MISSING}")
    assert reply == "error: No paper 2312.99999 (not stored, and arXiv has none)"
    assert "reading list is empty" in await chat("saved")


async def test_save_refuses_title_words(chat: Chat) -> None:
    assert "Usage: save" in await chat("save AlphaStar Unplugged")
    assert "is not an arXiv id" in await chat("save AlphaStar")


async def test_bibtex_of_ids_prints_entries_a_parser_reads(chat: Chat) -> None:
    reply = await chat(f"bibtex {ALPHA} {OTHER}")
    head, _, body = reply.partition("\n\n")
    assert head == "BibTeX of 2 papers:"
    entries = parse_string(body, "bibtex").entries
    assert [e.fields["eprint"] for e in entries.values()] == [ALPHA, OTHER]
    assert len(chat.arxiv.api_requests) == 1  # both ids asked at once


async def test_bibtex_names_the_ids_not_found(chat: Chat) -> None:
    reply = await chat(f"bibtex {ALPHA} {MISSING}")
    assert reply.startswith(f"BibTeX of 1 paper: (not found: {MISSING})")
    assert "error: No paper found for 2312.99999" in await chat(f"bibtex {MISSING}")


async def test_bibtex_saved_covers_the_reading_list(chat: Chat) -> None:
    assert "reading list is empty" in await chat("bibtex saved")
    await chat(f"save {ALPHA}")
    await chat(f"save {OTHER}")
    entries = parse_string((await chat("bibtex saved")).partition("\n\n")[2], "bibtex").entries
    assert [e.fields["eprint"] for e in entries.values()] == [OTHER, ALPHA]


async def test_help_lists_the_reading_list_commands(chat: Chat) -> None:
    text = await chat("help")
    for usage in ("save <arXiv id", "unsave <arXiv id>", "saved", "bibtex <arXiv id>..."):
        assert usage in text


async def test_a_mark_on_a_message_that_is_no_alert_is_ignored(chat: Chat) -> None:
    ctx = CommandContext("console", "console", "alice", "alice")
    front = chat.app.front
    assert front is not None
    assert await front.mark(ctx, Mark(SaveVia.REACTION, "12345.678")) is None
