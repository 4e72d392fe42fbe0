"""BibTeX written by bibtexparser (``bot.chat.bibtex``), read back by an independent parser:
pybtex, with TeX decoded by pylatexenc's LaTeX-to-text and by latexcodec (pybtex's own)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pybtex.database import BibliographyData, parse_string
from pybtex.database import Entry as PybtexEntry
from pybtex.richtext import Text
from pylatexenc.latex2text import (
    LatexNodes2Text,
    MacroTextSpec,
    get_default_latex_context_db,
)
from support.listings import day

from bot.chat.bibtex import bibtex, entry_key, tex_escape, v1_year
from bot.model import Paper
from bot.sources.arxiv_parse import parse_listing
from bot.sources.tex import decode_tex

# LaTeX's \\textbraceleft / \\textbraceright (since 2e), which pylatexenc's decoder lacks.
_CONTEXT = get_default_latex_context_db()
_CONTEXT.add_context_category(
    "braces",
    prepend=True,
    macros=[MacroTextSpec("textbraceleft", "{"), MacroTextSpec("textbraceright", "}")],
)
_LATEX2TEXT = LatexNodes2Text(latex_context=_CONTEXT, math_mode="verbatim")


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def decode(tex: str) -> str:
    """TeX as text (pylatexenc renders ``\\textasciicircum`` as U+02C6; TeX prints ``^``)."""
    return _LATEX2TEXT.latex_to_text(tex).replace("\u02c6", "^")


def latexcodec(tex: str) -> str:
    """TeX as text by pybtex's own decoder (latexcodec)."""
    return str(Text.from_latex(tex).render_as("text"))


HARD = Paper(
    "2308.03526",
    2,
    'R&D at 50% {cost}: "A \\"uber" #1 a_b ~x^2 back\\slash',
    ("Aäron van den Oord", "Martin Takáč", "Łukasz Kaiser", "Alice and Bob Lab", "OpenAI"),
    primary_category="cs.AI",
    categories=("cs.AI", "cs.LG"),
    doi="10.1103/PhysRevD.76.013009",
)


def parse(text: str) -> BibliographyData:
    return parse_string(text, "bibtex")


def names(entry: PybtexEntry, decoder: Callable[[str], str] = decode) -> list[str]:
    """Each author as pybtex read the name, its parts joined and TeX decoded."""
    out = []
    for person in entry.persons.get("author", []):
        parts = (
            person.first_names
            + person.middle_names
            + person.prelast_names
            + person.last_names
            + person.lineage_names
        )
        out.append(decoder(" ".join(parts)))
    return out


def tex_quotes(text: str) -> str:
    """TeX's quotes as TeX prints them: ``''`` and two backticks are curly double quotes."""
    return text.replace("''", "\u201d").replace("``", "\u201c")


def expected_title(paper: Paper) -> str:
    """The stored title as TeX means it: accent macros decoded, ``--`` a dash, TeX quotes."""
    text = " ".join(decode_tex(paper.title).split())
    return tex_quotes(text.replace("---", "\u2014").replace("--", "\u2013"))


def test_every_field_reads_back_equal_after_decoding_tex() -> None:
    (entry,) = parse(bibtex([HARD])).entries.values()
    assert entry.type == "misc"
    assert decode(entry.fields["title"]) == expected_title(HARD)
    assert names(entry) == list(HARD.authors)
    assert entry.fields["year"] == "2023"
    assert entry.fields["eprint"] == "2308.03526"
    assert entry.fields["archivePrefix"] == "arXiv"
    assert entry.fields["primaryClass"] == "cs.AI"
    assert entry.fields["url"] == "https://arxiv.org/abs/2308.03526"
    assert entry.fields["doi"] == "10.1103/PhysRevD.76.013009"


def test_accents_ampersand_and_percent_decode_with_latexcodec_too() -> None:
    (entry,) = parse(bibtex([HARD])).entries.values()
    assert latexcodec(entry.fields["title"]).startswith("R&D at 50% ")
    assert names(entry, latexcodec)[:3] == ["Aäron van den Oord", "Martin Takáč", "Łukasz Kaiser"]


def test_output_is_ascii_tex() -> None:
    text = bibtex([HARD])
    assert text.isascii()
    assert r"A{\"a}ron" in text and r"Tak{\'a}{\v{c}}" in text
    assert r"R{\&}D at 50{\%}" in text and r"\{cost\}" in text


def test_a_name_holding_and_stays_one_author() -> None:
    (entry,) = parse(bibtex([HARD])).entries.values()
    assert names(entry)[3:] == ["Alice and Bob Lab", "OpenAI"]


def test_math_in_a_title_is_kept_as_written() -> None:
    paper = Paper("2401.00001", 1, r"Learning $\ell_1$ sparse codes & more", ("Ann Lee",))
    (entry,) = parse(bibtex([paper])).entries.values()
    assert entry.fields["title"] == r"Learning $\ell_1$ sparse codes {\&} more"


def test_a_combining_accent_without_a_precomposed_letter_becomes_a_macro() -> None:
    # 2605.31401 of the June 2026 corpus: arXiv's "In\\^{t}elegi" is t + U+0302 once decoded.
    title = "\"In\\^{t}elegi Rom\\^ane\\c{s}te?'' A Recipe for Romanian Vision-Language Models"
    paper = Paper("2605.31401", 1, title, ("Ann Lee",))
    text = bibtex([paper])
    assert text.isascii() and r"In{\^{t}}elegi" in text
    (entry,) = parse(text).entries.values()
    assert decode(entry.fields["title"]) == expected_title(paper)


def test_an_unbalanced_brace_still_gives_a_readable_file() -> None:
    paper = Paper("2401.00002", 1, "Half { open", ("Ann Lee",))
    (entry,) = parse(bibtex([paper])).entries.values()  # pybtex refuses unbalanced fields
    assert entry.fields["title"] == r"Half {\textbraceleft} open"


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list('abcXYZ019 äéøßçÅŁñ&%#_^~\\{}$"<>|!?.,;:()[]=+*/@')),
        max_size=40,
    )
)
def test_any_text_decodes_back_to_itself(text: str) -> None:
    escaped = tex_escape(text)
    assert escaped.isascii()
    paper = Paper("2401.00003", 1, "x", (text or "x",))
    parse(bibtex([paper]))  # BibTeX-readable whatever the braces
    assert decode(escaped) == text


def test_every_paper_of_a_real_listing_day_reads_back_equal() -> None:
    papers = [it.paper for it in day("2026-06-12-cs-ai").items]
    entries = list(parse(bibtex(papers)).entries.values())
    assert len(entries) == len(papers) == 333
    for paper, entry in zip(papers, entries, strict=True):
        assert decode(entry.fields["title"]) == expected_title(paper), paper
        assert names(entry) == [tex_quotes(a) for a in paper.authors], paper.arxiv_id
        assert entry.fields["eprint"] == paper.arxiv_id


@pytest.mark.parametrize(
    ("arxiv_id", "published", "year"),
    [
        ("2308.03526", None, 2023),
        ("0704.0001", None, 2007),
        ("hep-th/9901001", None, 1999),
        ("math.GT/0309136", None, 2003),
        ("2308.03526", datetime(2022, 12, 31, 23, tzinfo=UTC), 2022),
    ],
)
def test_the_year_is_version_1s(arxiv_id: str, published: datetime | None, year: int) -> None:
    assert v1_year(Paper(arxiv_id, 3, "T", published=published)) == year


def test_key_is_surname_year_first_word_without_particles_or_articles() -> None:
    paper = Paper("1609.03499", 2, "The WaveNet: A Generative Model", ("Aäron van den Oord",))
    assert entry_key(paper) == "oord2016wavenet"
    assert entry_key(Paper("2303.08774", 6, "GPT-4 Technical Report", ("OpenAI",))) == (
        "openai2023gpt4"
    )


def test_clashing_keys_get_suffixes_in_order() -> None:
    papers = [
        Paper(f"2401.0000{i}", 1, "Scaling laws again", ("Jared Kaplan",)) for i in range(1, 4)
    ]
    keys = list(parse(bibtex(papers)).entries)
    assert keys == ["kaplan2024scaling", "kaplan2024scalinga", "kaplan2024scalingb"]


def test_a_listing_that_cut_the_author_list_ends_in_and_others() -> None:
    """The real RDF listing's GPT-4 report names 51 authors, then arXiv's "et al. (226
    additional authors not shown)": BibTeX's ``and others`` says the list goes on."""
    listing = FIXTURES / "arxiv_rss_cs_ai_2023-12-21_rdf.xml"
    papers = parse_listing(listing.read_bytes()).items
    (gpt4,) = [it.paper for it in papers if it.paper.arxiv_id == "2303.08774"]
    (entry,) = parse(bibtex([gpt4])).entries.values()
    persons = entry.persons["author"]
    assert len(persons) == len(gpt4.authors) + 1 and str(persons[-1]) == "others"
    whole = Paper("2401.00001", 1, "T", ("A. B", "C. D"), "x")
    (plain,) = parse(bibtex([whole])).entries.values()
    assert [str(p) for p in plain.persons["author"]] == ["B, A.", "D, C."]
