"""Table-driven tests for bot.ids."""

from __future__ import annotations

import pytest

from bot.chat.ids import Query, classify_query, find_references, normalize_arxiv_id

ID_CASES = [
    ("2308.03526", ("2308.03526", None)),
    ("2308.03526v2", ("2308.03526", 2)),
    ("arXiv:2308.03526", ("2308.03526", None)),
    ("arxiv:2308.03526v12", ("2308.03526", 12)),
    ("  2308.03526  ", ("2308.03526", None)),
    ("0704.0001", ("0704.0001", None)),
    ("1412.6980", ("1412.6980", None)),
    ("hep-th/9901001v1", ("hep-th/9901001", 1)),
    ("hep-th/9901001", ("hep-th/9901001", None)),
    ("math.GT/0309136", ("math.GT/0309136", None)),
    ("math.gt/0309136v3", ("math.GT/0309136", 3)),
    ("cond-mat/0011267", ("cond-mat/0011267", None)),
    ("2308.0352", ("2308.0352", None)),
]

NOT_IDS = [
    "",
    "2308.035",
    "2308.035267",
    "2313.03526",  # month 13
    "2300.03526",  # month 00
    "2308.03526v0",
    "2308.03526v",
    "hep-th/990100",
    "attention is all you need",
    "10.1145/3292500.3330701",
    "x2308.03526",
]


@pytest.mark.parametrize(("text", "expected"), ID_CASES)
def test_normalize_arxiv_id(text: str, expected: tuple[str, int | None]) -> None:
    assert normalize_arxiv_id(text) == expected


@pytest.mark.parametrize("text", NOT_IDS)
def test_normalize_rejects(text: str) -> None:
    assert normalize_arxiv_id(text) is None


QUERY_CASES = [
    ("2308.03526", Query("id", "2308.03526", None)),
    ("arXiv:2308.03526v2", Query("id", "2308.03526", 2)),
    ("https://arxiv.org/abs/2308.03526v1", Query("id", "2308.03526", 1)),
    ("http://arxiv.org/pdf/2308.03526.pdf", Query("id", "2308.03526", None)),
    ("arxiv.org/pdf/2308.03526v2", Query("id", "2308.03526", 2)),
    ("https://export.arxiv.org/abs/2308.03526", Query("id", "2308.03526", None)),
    ("https://www.arxiv.org/abs/2308.03526v3/", Query("id", "2308.03526", 3)),
    ("https://arxiv.org/abs/2308.03526?context=cs", Query("id", "2308.03526", None)),
    ("https://arxiv.org/abs/hep-th/9901001v1", Query("id", "hep-th/9901001", 1)),
    ("https://arxiv.org/html/2308.03526v1", Query("id", "2308.03526", 1)),
    ("<https://arxiv.org/abs/2308.03526>", Query("id", "2308.03526", None)),
    ("10.48550/arXiv.2308.03526", Query("id", "2308.03526", None)),
    ("https://doi.org/10.48550/arXiv.2308.03526", Query("id", "2308.03526", None)),
    ("doi:10.48550/ARXIV.2308.03526v2", Query("id", "2308.03526", 2)),
    ("https://doi.org/10.1109/X", Query("doi", "10.1109/X")),
    ("http://dx.doi.org/10.1109/5.771073", Query("doi", "10.1109/5.771073")),
    ("doi:10.1/abc", Query("doi", "10.1/abc")),
    ("doi:10.1234/abc", Query("doi", "10.1234/abc")),
    ("DOI: 10.1145/3292500.3330701", Query("doi", "10.1145/3292500.3330701")),
    ("10.1145/3292500.3330701", Query("doi", "10.1145/3292500.3330701")),
    ("https://doi.org/10.1002/%28SICI%291097", Query("doi", "10.1002/(SICI)1097")),
    ("attention is all you need", Query("words", "attention is all you need")),
    ("  GPT-4   Technical\nReport ", Query("words", "GPT-4 Technical Report")),
    ("https://example.org/abs/2308.03526", Query("words", "https://example.org/abs/2308.03526")),
    ("2308.03526 and more", Query("words", "2308.03526 and more")),
    ("", Query("words", "")),
]


@pytest.mark.parametrize(("text", "expected"), QUERY_CASES)
def test_classify_query(text: str, expected: Query) -> None:
    assert classify_query(text) == expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("see arXiv:2303.08774v4, it is good", ["2303.08774v4"]),
        (
            "<https://arxiv.org/abs/2308.03526> and https://arxiv.org/pdf/2308.03526v2.pdf",
            ["2308.03526"],
        ),
        ("doi:10.48550/arXiv.2303.08774 or 2303.08774", ["2303.08774"]),
        ("(https://doi.org/10.1038/nature14539).", ["10.1038/nature14539"]),
        ("old style hep-th/9901001v2 and math.GT/0309136", ["hep-th/9901001v2", "math.GT/0309136"]),
        ("version 2.1, 12.30 pm, 10.5/x, 2413.12345 (month 13), 1.2303.08774.5", []),
        (
            "a 2201.00001 b 2201.00002 c 2201.00003 d 2201.00004 e 2201.00005 f 2201.00006",
            ["2201.00001", "2201.00002", "2201.00003", "2201.00004", "2201.00005"],
        ),
    ],
)
def test_find_references_in_a_message(text: str, found: list[str]) -> None:
    assert find_references(text) == found
