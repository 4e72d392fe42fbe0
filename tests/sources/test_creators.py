"""Splitting dc:creator into authors and affiliations, on real listing text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.listings import paper

from bot.sources.creators import rdf_creators, split_creators


def test_a_comma_inside_an_affiliation_makes_no_author() -> None:
    p = paper("2026-06-16-cs-lg", "2606.16371")  # Martin Tak\'a\v{c} (MBZUAI, Abu Dhabi, UAE)
    assert p.authors == ("Bishnu Dev", "Sushil Bohara", "Martin Takáč", "Samuel Horváth")
    mbzuai = "Mohamed bin Zayed University of Artificial Intelligence, Abu Dhabi, UAE"
    assert p.affiliations == (mbzuai,) * 4
    assert p.authors_raw is not None and "Abu Dhabi, UAE)" in p.authors_raw  # kept as given


def test_several_affiliations_stay_with_their_author() -> None:
    p = paper("2026-06-01-cs-cl", "2605.30947")
    assert p.authors[:2] == ("Yating Pan", "Jiajun Zhang")
    assert p.affiliation_of(0) == (
        "Department of Information Management, Peking University, "
        "Research Center for Digital Humanities, Peking University"
    )


def test_a_later_version_without_affiliations_has_none() -> None:
    p = paper("2026-06-03-cs-cl", "2605.30947")
    assert p.version == 2 and p.affiliations == ()
    assert p.authors[:2] == ("Yating Pan", "Jiajun Zhang")


def test_and_separates_the_last_author() -> None:
    assert paper("2026-06-16-cs-lg", "2606.16590").authors[-2:] == (
        "Matej Hoffmann",
        "Jochen Triesch",
    )  # "..., Matej Hoffmann, and Jochen Triesch"
    assert paper("2026-06-08-cs-ai", "2606.06950").authors[-2:] == (
        "Donald Johann Jr.",
        "Fred Prior",
    )  # "..., Donald Johann Jr. and Fred Prior"


def test_semicolons_separate_authors() -> None:
    p = paper("2026-06-19-cs-cl", "2606.19626")
    assert p.authors == (
        "Antonio de Sousa Leitão Filho",
        "Allan Kardec Duailibe Barros Filho",
        "Fabrício Saul Lima",
        "Selby Mykael Lima dos Santos",
        "Rejani Bandeira Vieira Sousa",
    )


def test_a_stray_colon_is_no_author() -> None:
    p = paper("2026-06-02-cs-lg", "2606.02437")  # "Mind Lab,  :, Song Cao, ..."
    assert p.authors[:3] == ("Mind Lab", "Song Cao", "Vic Cao")
    assert ":" not in p.authors


def test_garbled_names_are_kept_as_listed_not_repaired() -> None:
    p = paper("2026-06-12-cs-ai", "2606.12429")  # "... (Sail),  Zifan (Sail),  Wang, ..."
    i = p.authors.index("Zifan")
    assert p.authors[i : i + 3] == ("Zifan", "Wang", "Miles Turpin")
    assert (p.affiliation_of(i), p.affiliation_of(i + 1)) == ("Sail", "")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A B (X, Y", (("A B", "X, Y"),)),  # an unclosed parenthesis runs to the end
        ("A B) C, D", (("A B C", ""), ("D", ""))),  # a stray closer is dropped
        ("A [X] (Y), B", (("A", "X; Y"), ("B", ""))),
        ("A (X (Y), Z), B", (("A", "X (Y), Z"), ("B", ""))),
        ("Anand Kumar, Sandy Andrews", (("Anand Kumar", ""), ("Sandy Andrews", ""))),
        ("A McDonald, B McDonald", (("A McDonald", ""), ("B McDonald", ""))),  # 2 are no glue
        ("", ()),
        (" , : ,", ()),
    ],
)
def test_split_creators(raw: str, expected: tuple[tuple[str, str], ...]) -> None:
    assert split_creators(raw) == expected


def test_rdf_names_are_the_link_texts_and_affiliations_follow_them() -> None:
    raw = (
        '<a href="http://arxiv.org/find/cs/1/au:+Smith_J/0/1/0/all/0/1">John Smith</a> '
        '(Oxford, UK), <a href="http://arxiv.org/find/cs/1/au:+Li_W/0/1/0/all/0/1">Wei Li</a>'
    )
    assert rdf_creators(raw) == (("John Smith", "Oxford, UK"), ("Wei Li", ""))


_CREATOR_TEXT = st.one_of(
    st.text(alphabet=st.sampled_from(list("ab C,;()[]: '")), max_size=80), st.text(max_size=80)
)


@given(_CREATOR_TEXT)
def test_splitting_never_leaves_brackets_in_a_name_or_an_author_without_letters(raw: str) -> None:
    for name, affiliation in split_creators(raw):
        assert not set(name) & set("()[]")
        assert any(c.isalpha() for c in name)
        assert name == name.strip() and "  " not in name
        assert isinstance(affiliation, str)


@given(_CREATOR_TEXT)
def test_names_hold_only_characters_of_the_raw_text(raw: str) -> None:
    for name, _ in split_creators(raw):
        assert set(name) - {" "} <= set(raw) or "\\" in raw  # nothing invented
