"""Parse arXiv listings (RSS 2.0 since 2024, RSS 1.0/RDF before) and arXiv API Atom pages.

Pure functions from bytes to :class:`~bot.models.Listing`. Elements are found by namespace and
name, never by position or prefix, because arXiv's formats drift (see notes/sources.md).

This module is on the ingest hot path: tag names are precomputed in Clark notation, items are
read with ``findtext``/child iteration (no XPath), and dates are memoized by their string since
almost every item of a listing carries the same one.
"""

from __future__ import annotations

import html
import logging
import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from lxml import etree

from bot.model import AnnounceType, Listing, ListingItem, Paper
from bot.sources.creators import Creator, rdf_creators, split_creators
from bot.sources.mailing import mailing_day
from bot.sources.tex import decode_tex
from bot.sources.xmlsafe import FeedError, parse_xml

log = logging.getLogger(__name__)

_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_RSS1 = "{http://purl.org/rss/1.0/}"
_RDF_ROOT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"

# RSS 2.0 item fields (un-namespaced RSS elements plus arXiv/DC extensions).
_DC_CREATOR = f"{_DC}creator"
_DC_DATE = f"{_DC}date"
_AX_ANNOUNCE = f"{_ARXIV}announce_type"
_AX_DOI = f"{_ARXIV}DOI"
_AX_JREF = f"{_ARXIV}journal_reference"

# Atom (API) fields.
_A_ENTRY, _A_ID, _A_TITLE = f"{_ATOM}entry", f"{_ATOM}id", f"{_ATOM}title"
_A_SUMMARY, _A_AUTHOR, _A_NAME = f"{_ATOM}summary", f"{_ATOM}author", f"{_ATOM}name"
_AX_AFFILIATION = f"{_ARXIV}affiliation"
_A_PUBLISHED, _A_UPDATED, _A_CATEGORY = f"{_ATOM}published", f"{_ATOM}updated", f"{_ATOM}category"
_AX_PRIMARY, _AX_DOI_API = f"{_ARXIV}primary_category", f"{_ARXIV}doi"
_AX_COMMENT, _AX_JREF_API = f"{_ARXIV}comment", f"{_ARXIV}journal_ref"

_VERSIONED_RE = re.compile(r"(.+?)v(\d+)")
_DESC_ID_RE = re.compile(r"arXiv:(\S+?)v(\d+)\b")
_CHANNEL_TITLE_RE = re.compile(r"^\s*(\S+) updates on arXiv\.org\s*$")
# Old RDF titles: "Title. (arXiv:2303.08774v4 [cs.CL] UPDATED)"; the ". " is arXiv's addition.
# The flag after the category is absent, UPDATED or CROSS LISTED.
_RDF_TITLE_RE = re.compile(
    r"^(?P<title>.*?)\.?\s*\(arXiv:(?P<id>\S+?)v(?P<v>\d+)\s*\[(?P<cat>[^\]]*)\]"
    r"\s*(?P<flag>[A-Z][A-Z ]*?)?\s*\)\s*$",
    re.S,
)
_HTML_TAG_RE = re.compile(r"<[^>]+>")
_ANNOUNCE = {t.value: t for t in AnnounceType}
_ABSTRACT_MARK = "Abstract: "
_GUID_PREFIX = "oai:arXiv.org:"

_date_cache: dict[str, datetime | None] = {}


class ApiError(FeedError):
    """The arXiv API answered with its error feed; ``message`` is arXiv's explanation."""

    def __init__(self, message: str) -> None:
        super().__init__(f"arXiv API error: {message}")
        self.message = message


def _collapse(s: str | None) -> str:
    return " ".join(s.split()) if s else ""


def _opt(s: str | None) -> str | None:
    """Collapsed text, or None when absent or blank."""
    return " ".join(s.split()) or None if s else None


def _rfc822(s: str | None) -> datetime | None:
    """Parse an RFC 822 date (``Mon, 13 Jul 2026 00:00:00 -0400``), memoized; None if bad."""
    if not s:
        return None
    try:
        return _date_cache[s]
    except KeyError:
        pass
    try:
        value: datetime | None = parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError):
        value = None
    if len(_date_cache) > 4096:  # the cache only needs the few dates of recent listings
        _date_cache.clear()
    _date_cache[s] = value
    return value


def _iso(s: str | None) -> datetime | None:
    """Parse an ISO 8601 date (``2012-01-23T21:15:02Z``); None if absent or bad."""
    if not s:
        return None
    try:
        return datetime.fromisoformat(s.strip())
    except ValueError:
        return None


def _split_version(s: str) -> tuple[str, int] | None:
    m = _VERSIONED_RE.fullmatch(s.strip())
    return (m.group(1), int(m.group(2))) if m else None


def _authors(creators: tuple[Creator, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Names and affiliations (empty when no author has one)."""
    names = tuple(name for name, _ in creators)
    affiliations = tuple(affiliation for _, affiliation in creators)
    return names, affiliations if any(affiliations) else ()


def _with_category(categories: list[str], listing_cat: str | None) -> tuple[str, ...]:
    """An item in a category's listing is in that category, whatever its own list says."""
    if listing_cat and listing_cat not in categories:
        categories.append(listing_cat)
    return tuple(categories)


# --- RSS 2.0 -----------------------------------------------------------------------------------


def _item_fields(item: etree._Element) -> tuple[dict[object, str | None], list[str]]:
    """One pass over an item's children: {tag: text} and the <category> texts in order.

    Cheaper than one ``findtext`` per field, which goes through lxml's Python ElementPath.
    """
    fields: dict[object, str | None] = {}
    categories: list[str] = []
    for child in item:
        tag = child.tag
        if tag == "category":
            text = child.text
            if text:
                categories.append(text.strip())
        else:
            fields[tag] = child.text
    return fields, categories


def _rss_item(
    item: etree._Element, announced: date | None, listing_cat: str | None
) -> ListingItem | None:
    fields, categories = _item_fields(item)
    description = fields.get("description") or ""
    guid = fields.get("guid") or ""
    found = _split_version(guid[len(_GUID_PREFIX) :]) if guid.startswith(_GUID_PREFIX) else None
    if found is None:
        m = _DESC_ID_RE.search(description)
        if m is None:
            log.warning("arXiv RSS item without a usable id skipped (guid %r)", guid)
            return None
        found = (m.group(1), int(m.group(2)))
    arxiv_id, version = found
    cut = description.find(_ABSTRACT_MARK)
    abstract = description[cut + len(_ABSTRACT_MARK) :].strip() if cut >= 0 else ""
    raw_authors = fields.get(_DC_CREATOR)
    announce = _ANNOUNCE.get((fields.get(_AX_ANNOUNCE) or "").strip())
    if announce is None:  # unknown or missing: a first version is new, a later one a replacement
        announce = AnnounceType.NEW if version == 1 else AnnounceType.REPLACE
    authors, affiliations = _authors(split_creators(raw_authors)) if raw_authors else ((), ())
    paper = Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=_collapse(fields.get("title")),
        authors=authors,
        affiliations=affiliations,
        abstract=abstract,
        # In 2024+ feeds the first <category> is the paper's primary one.
        primary_category=categories[0] if categories else (listing_cat or ""),
        categories=_with_category(categories, listing_cat),
        # An item's pubDate is the mailing day (``announced``), not the v1 date: not kept.
        announced=announced,
        doi=_opt(fields.get(_AX_DOI)),
        journal_ref=_opt(fields.get(_AX_JREF)),
        authors_raw=raw_authors,
        listing_kind="rss",
    )
    return ListingItem(paper, announce)


def _channel_category(title: str, fallback: str | None) -> str | None:
    m = _CHANNEL_TITLE_RE.match(title)
    return m.group(1) if m else fallback


def _parse_rss(root: etree._Element, category: str | None) -> Listing:
    channel = root.find("channel")
    if channel is None:
        raise FeedError("arXiv RSS: no <channel> element")
    title = _collapse(channel.findtext("title"))
    listing_cat = _channel_category(title, category)
    pub = _rfc822(channel.findtext("pubDate"))
    # The channel pubDate is local (US Eastern) midnight of the mailing day: keep its date.
    pub_date = pub.date() if pub else None
    items = []
    for el in channel.iterfind("item"):
        parsed = _rss_item(el, pub_date, listing_cat)
        if parsed is not None:
            items.append(parsed)
    return Listing(
        kind="rss",
        items=tuple(items),
        category=listing_cat,
        pub_date=pub_date,
        title=title,
    )


# --- RSS 1.0 / RDF (before 2024) ---------------------------------------------------------------


def _html_to_text(s: str) -> str:
    return _collapse(html.unescape(_HTML_TAG_RE.sub(" ", s)))


def _rdf_announce(flag: str, cat: str, listing_cat: str | None) -> AnnounceType:
    if flag == "UPDATED":
        return AnnounceType.REPLACE
    if flag == "CROSS LISTED" or (listing_cat is not None and cat != listing_cat):
        return AnnounceType.CROSS
    return AnnounceType.NEW


def _rdf_item(
    item: etree._Element, listing_cat: str | None, day: date | None
) -> ListingItem | None:
    raw_title = item.findtext(f"{_RSS1}title") or ""
    m = _RDF_TITLE_RE.match(raw_title)
    if m is None:
        log.warning("arXiv RDF item with unexpected title skipped: %.80r", raw_title)
        return None
    cat = m.group("cat").strip()
    raw_authors = item.findtext(_DC_CREATOR)
    authors, affiliations = _authors(rdf_creators(raw_authors)) if raw_authors else ((), ())
    paper = Paper(
        arxiv_id=m.group("id"),
        version=int(m.group("v")),
        title=_collapse(m.group("title")),
        authors=authors,
        affiliations=affiliations,
        abstract=_html_to_text(item.findtext(f"{_RSS1}description") or ""),
        # The bracket category is the primary one; the listing's own category is added.
        primary_category=cat or (listing_cat or ""),
        categories=_with_category([cat] if cat else [], listing_cat),
        announced=day,
        authors_raw=raw_authors,
        listing_kind="rdf",
    )
    return ListingItem(paper, _rdf_announce(m.group("flag") or "", cat, listing_cat))


def _parse_rdf(root: etree._Element, category: str | None) -> Listing:
    channel = root.find(f"{_RSS1}channel")
    title = _collapse(channel.findtext(f"{_RSS1}title")) if channel is not None else ""
    listing_cat = _channel_category(title, category)
    dc_date = channel.findtext(_DC_DATE) if channel is not None else None
    # dc:date is the build time on the evening before the mailing (2023-12-19T20:30:00-05:00
    # for the mailing of Wednesday 20 December): brought to the mailing day, as RSS 2.0 dates.
    stamp = _iso(dc_date)
    pub_date = mailing_day(stamp) if stamp else None
    items = []
    for el in root.iterfind(f"{_RSS1}item"):
        parsed = _rdf_item(el, listing_cat, pub_date)
        if parsed is not None:
            items.append(parsed)
    return Listing(
        kind="rdf", items=tuple(items), category=listing_cat, pub_date=pub_date, title=title
    )


# --- Atom (arXiv API) --------------------------------------------------------------------------


def _api_entry(entry: etree._Element) -> ListingItem | None:
    found = _split_version((entry.findtext(_A_ID) or "").rpartition("/abs/")[2])
    if found is None:
        log.warning("arXiv API entry without a usable id skipped")
        return None
    arxiv_id, version = found
    primary_el = entry.find(_AX_PRIMARY)
    primary = (primary_el.get("term") or "").strip() if primary_el is not None else ""
    categories = [primary] if primary else []
    for c in entry.iterfind(_A_CATEGORY):
        term = (c.get("term") or "").strip()
        if term and term not in categories:
            categories.append(term)
    creators = [
        (decode_tex(name), decode_tex(_collapse(a.findtext(_AX_AFFILIATION))))
        for a in entry.iterfind(_A_AUTHOR)
        if (name := _collapse(a.findtext(_A_NAME)))
    ]
    authors, affiliations = _authors(tuple(creators))
    paper = Paper(
        arxiv_id=arxiv_id,
        version=version,
        title=_collapse(entry.findtext(_A_TITLE)),
        authors=authors,
        affiliations=affiliations,
        abstract=_collapse(entry.findtext(_A_SUMMARY)),
        primary_category=primary or (categories[0] if categories else ""),
        categories=tuple(categories),
        published=_iso(entry.findtext(_A_PUBLISHED)),
        updated=_iso(entry.findtext(_A_UPDATED)),
        doi=_opt(entry.findtext(_AX_DOI_API)),
        comment=_opt(entry.findtext(_AX_COMMENT)),
        journal_ref=_opt(entry.findtext(_AX_JREF_API)),
        listing_kind="atom",
    )
    # Callers decide from ``published`` whether a v>1 is news to them.
    return ListingItem(paper, AnnounceType.NEW if version == 1 else AnnounceType.REPLACE)


def _int(s: str | None) -> int | None:
    try:
        return int(s.strip()) if s else None
    except ValueError:
        return None


def _raise_if_error_feed(entries: list[etree._Element]) -> None:
    for entry in entries:
        entry_id = (entry.findtext(_A_ID) or "").strip()
        if "arxiv.org/api/errors" in entry_id:
            message = _collapse(entry.findtext(_A_SUMMARY)) or entry_id.partition("#")[2]
            raise ApiError(message or "unknown error")


def _parse_atom(root: etree._Element) -> Listing:
    entries = list(root.iterfind(_A_ENTRY))
    _raise_if_error_feed(entries)
    items = [it for it in map(_api_entry, entries) if it is not None]
    return Listing(
        kind="atom",
        items=tuple(items),
        title=_collapse(root.findtext(_A_TITLE)),
        total_results=_int(root.findtext(f"{_OPENSEARCH}totalResults")),
    )


# --- public API --------------------------------------------------------------------------------


def parse_api(data: bytes) -> Listing:
    """Parse an arXiv API (Atom) response into a ``kind="atom"`` :class:`Listing`.

    Raises :class:`ApiError` for arXiv's error feed and :class:`FeedError` for anything that is
    not an Atom feed.
    """
    root = parse_xml(data, what="arXiv API response")
    if root.tag != f"{_ATOM}feed":
        raise FeedError(f"arXiv API response: expected an Atom feed, got <{root.tag}>")
    return _parse_atom(root)


def parse_listing(data: bytes, *, category: str | None = None) -> Listing:
    """Parse an arXiv listing, detecting its format from the root element.

    RSS 2.0 gives ``kind="rss"``, RSS 1.0/RDF ``kind="rdf"``, an API Atom feed ``kind="atom"``
    (as :func:`parse_api`). ``category`` is used when the channel title does not name one.
    Raises :class:`FeedError` for unusable bodies.
    """
    root = parse_xml(data, what=f"arXiv listing {category}" if category else "arXiv listing")
    tag = root.tag
    if tag == "rss":
        return _parse_rss(root, category)
    if tag == _RDF_ROOT:
        return _parse_rdf(root, category)
    if tag == f"{_ATOM}feed":
        return _parse_atom(root)
    raise FeedError(f"arXiv listing: unexpected root element <{tag}>")
