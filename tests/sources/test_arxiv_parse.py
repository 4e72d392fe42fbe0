"""Item-by-item tests of bot.sources.arxiv_parse against real recorded arXiv payloads."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.model import AnnounceType, Listing, ListingItem
from bot.sources.arxiv_parse import ApiError, parse_api, parse_listing
from bot.sources.xmlsafe import FeedError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EDT = timezone(timedelta(hours=-4))


def _load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _by_id(listing: Listing) -> dict[str, ListingItem]:
    return {it.paper.arxiv_id: it for it in listing.items}


@pytest.fixture(scope="module")
def rss_2026() -> Listing:
    return parse_listing(_load("arxiv_rss_cs_ai_2026-07-14.xml"))


@pytest.fixture(scope="module")
def rss_2024() -> Listing:
    return parse_listing(_load("arxiv_rss_cs_ai_2024-03-04_gpt4_replace_cross.xml"))


@pytest.fixture(scope="module")
def rdf_2023() -> Listing:
    return parse_listing(_load("arxiv_rss_cs_ai_2023-12-21_rdf.xml"))


# --- RSS 2.0, 2026 -----------------------------------------------------------------------------


def test_rss_2026_channel(rss_2026: Listing) -> None:
    assert rss_2026.kind == "rss"
    assert rss_2026.category == "cs.AI"
    assert rss_2026.title == "cs.AI updates on arXiv.org"
    assert rss_2026.pub_date == date(2026, 7, 13)
    assert rss_2026.total_results is None


def test_rss_2026_counts(rss_2026: Listing) -> None:
    assert len(rss_2026.items) == 177
    counts = Counter(it.announce_type for it in rss_2026.items)
    assert counts == {
        AnnounceType.NEW: 27,
        AnnounceType.CROSS: 89,
        AnnounceType.REPLACE: 20,
        AnnounceType.REPLACE_CROSS: 41,
    }
    assert len(_by_id(rss_2026)) == 177


def test_rss_2026_first_category_is_primary(rss_2026: Listing) -> None:
    # new/replace items are primary in cs.AI, cross ones are not: the first <category> is primary.
    for it in rss_2026.items:
        own = it.announce_type in (AnnounceType.NEW, AnnounceType.REPLACE)
        assert (it.paper.primary_category == "cs.AI") is own, it.paper.arxiv_id
        assert it.paper.categories[0] == it.paper.primary_category
        assert "cs.AI" in it.paper.categories


def test_rss_2026_new_item(rss_2026: Listing) -> None:
    it = rss_2026.items[0]
    p = it.paper
    assert it.announce_type is AnnounceType.NEW
    assert (p.arxiv_id, p.version) == ("2607.08773", 1)
    assert p.title == "Interval Certifications for Multilayered Perceptrons via Lattice Traversal"
    assert p.authors == (
        "Merkouris Papamichail",
        "Konstantinos Varsos",
        "Giorgos Flouris",
        "João Marques-Silva",
    )
    assert p.authors_raw is not None and p.authors_raw.endswith(r"Jo\~ao Marques-Silva")
    assert p.categories == ("cs.AI", "cs.LG")
    assert p.abstract.startswith("In this work we present a rigorous theoretical framework")
    assert p.abstract.endswith("using the novel ParallelepipedoNN system.")
    assert "refine & verify" in p.abstract
    assert r"$\mathbf{x}$" in p.abstract  # math kept as given
    # An item's pubDate is the mailing day, not the v1 date: announced, never published.
    assert p.published is None
    assert p.announced == date(2026, 7, 13)
    assert p.doi is None and p.journal_ref is None and p.comment is None


def test_rss_2026_cross_item_with_doi(rss_2026: Listing) -> None:
    it = _by_id(rss_2026)["2607.09400"]
    assert it.announce_type is AnnounceType.CROSS
    assert it.paper.version == 1
    assert it.paper.primary_category == "cs.LG"
    assert it.paper.categories == ("cs.LG", "cs.AI", "cs.AR", "cs.PF")
    assert it.paper.doi == "10.1109/EdgeCom66327.2025.00026"
    assert it.paper.authors[0] == "Avik Bhatnagar"
    assert len(it.paper.authors) == 5


def test_rss_2026_replace_cross_with_journal_ref(rss_2026: Listing) -> None:
    it = _by_id(rss_2026)["2512.03238"]
    p = it.paper
    assert it.announce_type is AnnounceType.REPLACE_CROSS
    assert p.version == 2
    assert p.categories == ("cs.CR", "cs.AI", "cs.LG", "stat.ML")
    assert p.doi == "10.1613/jair.1.21111"
    assert p.journal_ref == "JAIR 2026, vol. 86 JAIR, Vol. 86"
    assert "Cristóbal Guzmán" in p.authors
    assert p.title.startswith("How to DP-fy Your Data")


def test_rss_2026_tex_authors_decoded_everywhere(rss_2026: Listing) -> None:
    authors = [a for it in rss_2026.items for a in it.paper.authors]
    assert "Matěj Kripner" in authors
    assert "Thomas Bäck" in authors
    assert "Kalle Kujanpää" in authors
    assert not [a for a in authors if "\\" in a]


# --- RSS 2.0, March 2024 -----------------------------------------------------------------------


def test_rss_2024_listing(rss_2024: Listing) -> None:
    assert rss_2024.kind == "rss"
    assert len(rss_2024.items) == 125
    assert rss_2024.pub_date == date(2024, 3, 4)
    # The early 2024 feed has no per-item pubDate.
    assert all(it.paper.published is None for it in rss_2024.items)
    assert all(it.paper.announced == date(2024, 3, 4) for it in rss_2024.items)


def test_rss_2024_gpt4_garbled_creators_kept_raw_and_unglued(rss_2024: Listing) -> None:
    it = _by_id(rss_2024)["2303.08774"]
    p = it.paper
    assert it.announce_type is AnnounceType.REPLACE_CROSS
    assert p.version == 5
    assert p.title == "GPT-4 Technical Report"
    assert p.primary_category == "cs.CL"
    assert p.categories == ("cs.CL", "cs.AI")
    assert p.authors_raw is not None
    assert p.authors_raw.startswith(" OpenAIRai,  :Rai, Josh AchiamRai,")
    assert "Igor BabuschkinRai" in p.authors_raw
    # "Rai" glued to 191 of 282 names is arXiv's garbling: taken off as an affiliation; the
    # stray ":" is no author.
    assert p.authors[:3] == ("OpenAI", "Josh Achiam", "Steven Adler")
    assert "Igor Babuschkin" in p.authors
    assert p.affiliation_of(p.authors.index("Igor Babuschkin")) == "Rai"
    assert len(p.authors) == 281 and not any(a.endswith("Rai") for a in p.authors)


def test_rss_2024_tex_author(rss_2024: Listing) -> None:
    p = _by_id(rss_2024)["2403.00315"].paper
    assert p.authors == ("Andrés Páez",)
    assert p.authors_raw == r"Andr\'es P\'aez"
    assert p.title == "Axe the X in XAI: A Plea for Understandable AI"


def test_rss_2024_math_titles_kept(rss_2024: Listing) -> None:
    titles = {it.paper.title for it in rss_2024.items}
    assert "SoD$^2$: Statically Optimizing Dynamic Deep Neural Network" in titles
    assert (
        r"$\lambda$-models: Effective Decision-Aware Reinforcement Learning with Latent Models"
        in titles
    )
    assert (
        r"$\texttt{COSMIC}$: Mutual Information for Task-Agnostic Summarization Evaluation"
        in titles
    )


def test_empty_holiday_listing() -> None:
    listing = parse_listing(_load("arxiv_rss_cs_ai_empty_holiday_2025-12-31.xml"))
    assert listing.kind == "rss"
    assert listing.items == ()
    assert listing.pub_date == date(2025, 12, 31)
    assert listing.category == "cs.AI"


# --- RSS 1.0 / RDF -----------------------------------------------------------------------------


def test_rdf_listing(rdf_2023: Listing) -> None:
    assert rdf_2023.kind == "rdf"
    assert len(rdf_2023.items) == 167
    assert rdf_2023.category == "cs.AI"
    # dc:date is 2023-12-19T20:30-05:00, the evening build of Wednesday 20 December's mailing:
    # the RDF era is dated by the mailing day, as RSS 2.0 dates its listings.
    assert rdf_2023.pub_date == date(2023, 12, 20)
    counts = Counter(it.announce_type for it in rdf_2023.items)
    assert counts == {AnnounceType.NEW: 23, AnnounceType.CROSS: 80, AnnounceType.REPLACE: 64}


def test_rdf_gpt4_updated(rdf_2023: Listing) -> None:
    it = _by_id(rdf_2023)["2303.08774"]
    p = it.paper
    assert it.announce_type is AnnounceType.REPLACE
    assert p.version == 4
    assert p.title == "GPT-4 Technical Report"
    assert p.primary_category == "cs.CL"
    assert p.categories == ("cs.CL", "cs.AI")  # the listing's own category is added
    assert "Igor Babuschkin" in p.authors
    assert p.authors[:2] == ("OpenAI", "Josh Achiam")
    assert p.authors_raw is not None and "<a href=" in p.authors_raw
    assert p.abstract.startswith("We report the development of GPT-4, a large-scale")
    assert "GPT-4's performance" in p.abstract


def test_rdf_cross_item_and_html_description(rdf_2023: Listing) -> None:
    it = rdf_2023.items[0]
    p = it.paper
    assert it.announce_type is AnnounceType.CROSS
    assert (p.arxiv_id, p.version) == ("2312.11473", 1)
    assert p.title == (
        "Synthetic Shifts to Initial Seed Vector Exposes the Brittle Nature of "
        "Latent-Based Diffusion Models"
    )
    assert p.primary_category == "cs.CV"
    assert p.authors == (
        "Mao Po-Yuan",
        "Shashank Kotyan",
        "Tham Yik Foong",
        "Danilo Vasconcellos Vargas",
    )
    assert "<p>" not in p.abstract and "\n" not in p.abstract
    assert p.abstract.startswith("Recent advances in Conditional Diffusion Models have led to")
    assert p.announced == date(2023, 12, 20)
    assert p.categories == ("cs.CV", "cs.AI")  # bracket category primary, listing's added


def test_rdf_new_and_cross_listed(rdf_2023: Listing) -> None:
    items = _by_id(rdf_2023)
    assert items["2306.00760"].announce_type is AnnounceType.CROSS  # "[cs.LG] CROSS LISTED"
    assert items["2306.00760"].paper.title == (
        "Efficient Failure Pattern Identification of Predictive Algorithms"
    )
    for it in rdf_2023.items:
        if it.announce_type is AnnounceType.NEW:
            assert it.paper.primary_category == "cs.AI"
    authors = [a for it in rdf_2023.items for a in it.paper.authors]
    assert "Boris Köpf" in authors
    assert not [a for a in authors if "<" in a or "&" in a]


# --- arXiv API (Atom) --------------------------------------------------------------------------


def test_api_2016_legacy_form() -> None:
    listing = parse_api(_load("arxiv_api_query_au_legacy2016.xml"))
    assert listing.kind == "atom"
    assert len(listing.items) == 10
    assert listing.total_results == 31
    assert listing.title.startswith("ArXiv Query: search_query=au:del_maestro")
    first = listing.items[0].paper
    assert (first.arxiv_id, first.version) == ("1201.4869", 1)
    assert first.title == "A Luttinger Liquid Core Inside Helium-4 Filled Nanopores"
    assert first.authors == ("Adrian Del Maestro",)
    assert first.doi == "10.1142/S021797921244002X"
    assert first.comment == "26 pages, 10 figures"
    assert first.journal_ref == "Int. J. Mod. Phys. B, 26, 1244002 (2012)"
    assert first.primary_category == "cond-mat.mes-hall"
    assert first.categories == ("cond-mat.mes-hall", "cond-mat.other")
    assert first.published == datetime(2012, 1, 23, 21, 15, 2, tzinfo=UTC)
    assert first.announced is None
    assert "\n" not in first.abstract and "  " not in first.abstract
    assert first.abstract.startswith("As helium-4 is cooled below 2.17 K it undergoes")
    assert all(it.paper.doi and it.paper.comment and it.paper.journal_ref for it in listing.items)


def test_api_2016_old_ids_and_versions() -> None:
    items = _by_id(parse_api(_load("arxiv_api_query_au_legacy2016.xml")))
    old = items["cond-mat/0412498"]
    assert old.paper.version == 1
    assert old.paper.authors == ("Adrian Del Maestro", "Subir Sachdev")
    revised = items["1303.6954"]
    assert revised.paper.version == 2
    assert revised.announce_type is AnnounceType.REPLACE
    assert revised.paper.published == datetime(2013, 3, 27, 20, 0, 4, tzinfo=UTC)
    assert revised.paper.updated == datetime(2013, 9, 3, 1, 6, 36, tzinfo=UTC)
    assert items["cond-mat/0702661"].paper.version == 2


def test_api_2026_form() -> None:
    listing = parse_api(_load("arxiv_api_query_recorded_2026.body.xml"))
    assert len(listing.items) == 10
    assert listing.total_results == 214881
    items = _by_id(listing)
    p = items["2202.12139"].paper
    assert p.primary_category == "cs.SE"
    assert p.categories == ("cs.SE", "cs.LG")
    assert p.doi == "10.1109/ICSTW55395.2022.00035"
    assert p.comment == "Artificial Intelligence in Software Testing 2022 workshop @ ICST 2022"
    assert p.authors == ("Mohit Kumar Ahuja", "Arnaud Gotlieb", "Helge Spieker")
    assert items["2405.13786"].paper.authors[:3] == (
        "Aurora Ramírez",
        "Mario Berrios",
        "José Raúl Romero",
    )
    v3 = items["2204.08348"]
    assert (v3.paper.version, v3.announce_type) == (3, AnnounceType.REPLACE)
    assert items["1202.4527"].paper.doi is None


def test_parse_listing_delegates_atom() -> None:
    listing = parse_listing(_load("arxiv_api_query_recorded_2026.body.xml"))
    assert listing.kind == "atom"
    assert listing.total_results == 214881


@pytest.mark.parametrize("parse", [parse_api, parse_listing])
def test_api_error_feed(parse: Callable[[bytes], Listing]) -> None:
    with pytest.raises(ApiError) as exc:
        parse(_load("arxiv_api_error_bad_id_recorded_2026.body.xml"))
    assert exc.value.message == "incorrect id format for abc"
    assert isinstance(exc.value, FeedError)
    assert "incorrect id format" in str(exc.value)


def test_api_empty_result() -> None:
    listing = parse_api(_load("arxiv_api_empty_result_recorded_2026.body.xml"))
    assert listing.items == ()
    assert listing.total_results == 0


ATOM_SYNTH = b"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:a="http://arxiv.org/schemas/atom">
 <entry>
  <id>http://arxiv.org/abs/2401.00001v3</id>
  <title>  A   $\\alpha$-wrapped
     title </title>
  <category term="cs.LG"/><category term="cs.AI"/><category term="cs.LG"/>
  <a:primary_category term="cs.AI"/>
  <author><name>G\\"unter M\\"uller</name></author>
  <published>2024-01-01T00:00:00Z</published>
 </entry>
 <entry><id>not an arxiv id</id><title>skipped</title></entry>
</feed>"""


def test_api_categories_primary_first_without_duplicates() -> None:
    listing = parse_api(ATOM_SYNTH)
    assert len(listing.items) == 1
    p = listing.items[0].paper
    assert p.categories == ("cs.AI", "cs.LG")
    assert p.primary_category == "cs.AI"
    assert p.title == r"A $\alpha$-wrapped title"
    assert p.authors == ("Günter Müller",)
    assert p.updated is None and p.doi is None
    assert listing.total_results is None


# --- robustness --------------------------------------------------------------------------------

RSS_SYNTH = b"""<?xml version="1.0"?>
<rss version="2.0" xmlns:arxiv="http://arxiv.org/schemas/atom"
     xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
 <title>Something else</title><pubDate>not a date</pubDate>
 <item><title>No guid</title>
  <description>arXiv:2401.00002v2 Announce Type: weird\x20
Abstract: Body.</description>
  <category>cs.AI</category><pubDate>garbage</pubDate></item>
 <item><title>No id at all</title><description>nothing</description></item>
</channel></rss>"""


def test_rss_fallbacks_never_crash() -> None:
    listing = parse_listing(RSS_SYNTH, category="cs.AI")
    assert listing.category == "cs.AI"  # from the argument: the channel title names none
    assert listing.pub_date is None
    assert len(listing.items) == 1
    it = listing.items[0]
    assert (it.paper.arxiv_id, it.paper.version) == ("2401.00002", 2)
    assert it.announce_type is AnnounceType.REPLACE  # unknown type, version 2
    assert it.paper.abstract == "Body."
    assert it.paper.authors == () and it.paper.authors_raw is None
    assert it.paper.published is None


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html><body>503 Service Unavailable</body></html>",
        b"<?xml version='1.0'?><rss><channel><item><title>cut",
        b"<?xml version='1.0'?><opml/>",
        b"<rss version='2.0'/>",
    ],
)
def test_unusable_bodies_raise_feed_error(body: bytes) -> None:
    with pytest.raises(FeedError):
        parse_listing(body)


def test_parse_api_refuses_rss() -> None:
    with pytest.raises(FeedError, match="Atom"):
        parse_api(_load("arxiv_rss_cs_ai_empty_holiday_2025-12-31.xml"))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.sampled_from([RSS_SYNTH, ATOM_SYNTH]).map(lambda b: b[:150]))
def test_arbitrary_bytes_give_listing_or_feed_error(body: bytes) -> None:
    try:
        listing = parse_listing(body)
    except FeedError:
        return
    assert listing.kind in ("rss", "rdf", "atom")
