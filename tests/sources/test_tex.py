"""Tests for bot.tex.decode_tex."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sources.tex import decode_tex

CASES = [
    (r"Andr\'es P\'aez", "Andrés Páez"),
    (r"\'{a}", "á"),
    (r"{\'a}", "á"),
    (r"{\'{a}}", "á"),
    (r"Sch\"onhage", "Schönhage"),
    (r"{\"O}zg{\"u}r", "Özgür"),
    (r"Vall\`ee", "Vallèe"),
    (r"H\^otel", "Hôtel"),
    (r"Nu\~nez", "Nuñez"),
    (r"\=a", "ā"),
    (r"\.Zak", "Żak"),
    (r"Fran\c{c}ois", "François"),
    (r"Fran\c cois", "François"),
    (r"\v{S}ediv\'y", "Šedivý"),
    (r"Erd\H{o}s", "Erdős"),
    (r"Do\u{g}an", "Doğan"),
    (r"\k{a}", "ą"),
    (r"\r{a}", "å"),
    (r"Mart\'\i nez", "Martínez"),
    (r"Mart\'{\i}nez", "Martínez"),
    (r"Mart{\'\i}nez", "Martínez"),
    (r"\i", "ı"),
    (r"H\aa vard", "Håvard"),
    (r"{\AA}ngstr{\"o}m", "Ångström"),
    (r"S{\o}ren", "Søren"),
    (r"Bj\o rn", "Bjørn"),
    (r"\O{}stergaard", "Østergaard"),
    (r"Stra\ss e", "Straße"),
    (r"\L{}ukasz Kaiser and Micha\l", "Łukasz Kaiser and Michał"),
    (r"\ae\oe", "æœ"),
    (r"\AE\OE", "ÆŒ"),
]

UNCHANGED = [
    "plain title, no macros",
    r"$\mathbf{x}$ is a vector",
    r"$\'a$ stays in math",
    r"\omega and \vec{v} and \underline{u}",
    r"\unknown{a} macro",
    r"\textbf{bold}",
    "\\",
    r"a \ b",
    r"{B}ayesian",
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_decodes(raw: str, expected: str) -> None:
    out = decode_tex(raw)
    assert out == expected
    assert unicodedata.is_normalized("NFC", out)


@pytest.mark.parametrize("raw", UNCHANGED)
def test_leaves_unknown_as_is(raw: str) -> None:
    assert decode_tex(raw) == raw


def test_math_kept_but_text_around_decoded() -> None:
    assert (
        decode_tex(r"G\"odel and $\hat{x}$ by Andr\'e")
        == r"G" + "ö" + r"del and $\hat{x}$ by André"
    )


def test_fast_path_returns_same_object() -> None:
    s = "no backslash here"
    assert decode_tex(s) is s


@given(st.text())
def test_never_raises(s: str) -> None:
    assert isinstance(decode_tex(s), str)


@given(st.text(alphabet="\\{}$'\"`^~=.cvHukrdbioaAOsslLe ", max_size=30))
def test_never_raises_on_macro_soup(s: str) -> None:
    assert isinstance(decode_tex(s), str)
