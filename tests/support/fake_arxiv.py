"""A fake arXiv (listings and search API) on top of :class:`fakeweb.FakeServer`.

Serves:

* ``/rss/<category>``: a listing fixture file (``serve_listing``), with an optional ``ETag``
  honoured by ``If-None-Match`` (304), or without any validators.
* ``/api/query`` with ``id_list=``: the entries it knows, as an Atom feed; an unknown (but
  well-formed) id gives arXiv's real empty result; a malformed id gives arXiv's real error feed
  with HTTP 400 (its id and summary name the bad id, as arXiv's do).
* ``/api/query`` with ``search_query=ti:A AND ti:B``: entries whose title holds every word.
* ``/api/query`` with ``search_query=cat:... AND submittedDate:...``: the ``catchup`` entries,
  paged by ``start`` (at most ``page_cap`` per page, whatever ``max_results`` asks); starts listed
  in ``empty_pages`` answer an empty page (with the true ``totalResults``) that many times first.

Known entries are the real entries of ``arxiv_api_query_recorded_2026.body.xml`` and
``arxiv_api_query_au_legacy2016.xml``. One more is **DERIVED**: AlphaStar Unplugged
(2308.03526v1), which no real payload holds. It is the first real entry of the 2026 recording with
its id, links, title, authors, summary (the paper's first sentence), categories and dates
substituted by hand and its DOI, comment and journal reference removed (they belong to the other
paper). Feeds are built from the real 2026 feed's header with the OpenSearch numbers set.

Every request is in ``server.requests``; ``api_requests`` lists the ``/api/query`` ones.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

from aiohttp import web
from lxml import etree

from support.fakeweb import FakeServer, RecordedRequest, Reply

FIXTURES = Path(__file__).parent.parent / "fixtures"
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
RECORDED_2026 = FIXTURES / "arxiv_api_query_recorded_2026.body.xml"
LEGACY_2016 = FIXTURES / "arxiv_api_query_au_legacy2016.xml"
ERROR_FEED = FIXTURES / "arxiv_api_error_bad_id_recorded_2026.body.xml"
EMPTY_FEED = FIXTURES / "arxiv_api_empty_result_recorded_2026.body.xml"
LISTING_2026 = FIXTURES / "arxiv_rss_cs_ai_2026-07-14.xml"

ALPHASTAR_ID = "2308.03526"
ALPHASTAR_TITLE = "AlphaStar Unplugged: Large-Scale Offline Reinforcement Learning"
ALPHASTAR_AUTHORS = (
    "Michaël Mathieu",
    "Sherjil Ozair",
    "Srivatsan Srinivasan",
    "Caglar Gulcehre",
    "Shangtong Zhang",
    "Ray Jiang",
    "Tom Le Paine",
    "Richard Powell",
    "Konrad Żołna",
    "Julian Schrittwieser",
    "David Choi",
    "Petko Georgiev",
    "Daniel Toyama",
    "Aja Huang",
    "Roman Ring",
    "Igor Babuschkin",
    "Timo Ewalds",
    "Mahyar Bordbar",
    "Sarah Henderson",
    "Sergio Gómez Colmenarejo",
    "Aäron van den Oord",
    "Wojciech Marian Czarnecki",
    "Nando de Freitas",
    "Oriol Vinyals",
)
ALPHASTAR_SUMMARY = (
    "StarCraft II is one of the most challenging simulated reinforcement learning environments; "
    "it is partially observable, stochastic, multi-agent, and mastering StarCraft II requires "
    "strategic planning over long time horizons with real-time low-level execution."
)

_NEW_ID = re.compile(r"\d{2}(0[1-9]|1[0-2])\.\d{4,5}(v\d+)?")
_OLD_ID = re.compile(r"[a-z]+(-[a-z]+)?(\.[A-Z]{2})?/\d{7}(v\d+)?")
_VERSIONED = re.compile(r"(.+?)v(\d+)")


def _entry_id(entry: etree._Element) -> tuple[str, int]:
    raw = (entry.findtext(f"{ATOM}id") or "").rpartition("/abs/")[2]
    m = _VERSIONED.fullmatch(raw)
    assert m, raw
    return m.group(1), int(m.group(2))


def real_entries(path: Path) -> list[etree._Element]:
    """The ``<entry>`` elements of a real API fixture, in order."""
    root = etree.fromstring(path.read_bytes())
    return list(root.iterfind(f"{ATOM}entry"))


def alphastar_entry() -> etree._Element:
    """The derived AlphaStar Unplugged entry (see the module docstring)."""
    entry = copy.deepcopy(real_entries(RECORDED_2026)[0])
    versioned = f"{ALPHASTAR_ID}v1"
    entry.find(f"{ATOM}id").text = f"http://arxiv.org/abs/{versioned}"
    entry.find(f"{ATOM}title").text = ALPHASTAR_TITLE
    entry.find(f"{ATOM}summary").text = ALPHASTAR_SUMMARY
    for tag in ("published", "updated"):
        entry.find(f"{ATOM}{tag}").text = "2023-08-07T17:41:44Z"
    for link in entry.iterfind(f"{ATOM}link"):
        if link.get("title") == "doi":
            entry.remove(link)
        elif "/pdf/" in (link.get("href") or ""):
            link.set("href", f"https://arxiv.org/pdf/{versioned}")
        else:
            link.set("href", f"https://arxiv.org/abs/{versioned}")
    for tag in (f"{ARXIV}doi", f"{ARXIV}comment", f"{ARXIV}journal_ref", f"{ATOM}author"):
        for el in entry.findall(tag):
            entry.remove(el)
    for el in entry.findall(f"{ATOM}category"):
        entry.remove(el)
    entry.find(f"{ARXIV}primary_category").set("term", "cs.LG")
    for term in ("cs.LG", "cs.AI"):
        etree.SubElement(
            entry, f"{ATOM}category", term=term, scheme="http://arxiv.org/schemas/atom"
        )
    for name in ALPHASTAR_AUTHORS:
        author = etree.SubElement(entry, f"{ATOM}author")
        etree.SubElement(author, f"{ATOM}name").text = name
    return entry


def atom_feed(entries: list[etree._Element], *, total: int | None = None, start: int = 0) -> bytes:
    """An API response holding ``entries``, built on the real 2026 feed's header."""
    root = etree.fromstring(RECORDED_2026.read_bytes())
    for old in root.findall(f"{ATOM}entry"):
        root.remove(old)
    root.find(f"{OPENSEARCH}totalResults").text = str(len(entries) if total is None else total)
    root.find(f"{OPENSEARCH}startIndex").text = str(start)
    root.find(f"{OPENSEARCH}itemsPerPage").text = str(len(entries))
    for entry in entries:
        root.append(copy.deepcopy(entry))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def error_feed(bad_id: str) -> bytes:
    """arXiv's real 400 error feed, naming ``bad_id`` as arXiv does."""
    body = ERROR_FEED.read_bytes()
    body = body.replace(
        b"incorrect_id_format_for_abc", b"incorrect_id_format_for_" + bad_id.encode()
    )
    return body.replace(
        b"incorrect id format for abc", b"incorrect id format for " + bad_id.encode()
    )


def _well_formed(arxiv_id: str) -> bool:
    return bool(_NEW_ID.fullmatch(arxiv_id) or _OLD_ID.fullmatch(arxiv_id))


class FakeArxiv:
    """The fake arXiv's state; :meth:`install` routes it onto a :class:`FakeServer`."""

    def __init__(self, server: FakeServer, *, page_cap: int = 2000) -> None:
        self.server = server
        self.entries: dict[str, etree._Element] = {}
        for entry in [*real_entries(RECORDED_2026), *real_entries(LEGACY_2016), alphastar_entry()]:
            self.entries[_entry_id(entry)[0]] = entry
        self.catchup: list[etree._Element] = []
        self.catchup_total: int | None = None
        self.empty_pages: dict[int, int] = {}
        self.page_cap = page_cap
        server.route("/api/query", self._api)

    @property
    def api_url(self) -> str:
        return self.server.url("/api/query")

    @property
    def rss_url(self) -> str:
        return self.server.url("/rss/")

    @property
    def api_requests(self) -> list[RecordedRequest]:
        return self.server.requests_for("/api/query")

    def serve_listing(
        self, category: str, path: Path = LISTING_2026, *, etag: str | None = None
    ) -> None:
        """Serve ``path`` at ``/rss/<category>``; with ``etag``, answer a matching
        ``If-None-Match`` with 304."""
        body = path.read_bytes()

        async def handler(request: web.Request) -> Reply:
            if etag is not None and request.headers.get("If-None-Match") == etag:
                return Reply(status=304, headers={"ETag": etag})
            headers = {"Content-Type": "application/rss+xml; charset=utf-8"}
            if etag is not None:
                headers["ETag"] = etag
            return Reply(body=body, headers=headers)

        self.server.route(f"/rss/{category}", handler)

    async def _api(self, request: web.Request) -> Reply:
        q = request.query
        if q.get("id_list"):
            return self._by_ids(q["id_list"].split(","))
        query = q.get("search_query", "")
        start = int(q.get("start", "0"))
        size = min(int(q.get("max_results", "10")), self.page_cap)
        if query.startswith("cat:"):
            return self._catchup_page(start, size)
        words = [t[3:].lower() for t in query.split(" AND ") if t.startswith("ti:")]
        found = [
            e
            for e in self.entries.values()
            if words and all(w in (e.findtext(f"{ATOM}title") or "").lower() for w in words)
        ]
        return _atom(found[start : start + size], total=len(found), start=start)

    def _by_ids(self, ids: list[str]) -> Reply:
        found = []
        for wanted in ids:
            if not _well_formed(wanted):
                return Reply(status=400, body=error_feed(wanted), headers=_ATOM_TYPE)
            m = _VERSIONED.fullmatch(wanted)
            base, version = (m.group(1), int(m.group(2))) if m else (wanted, None)
            entry = self.entries.get(base)
            if entry is None:
                continue
            if version is not None and version > _entry_id(entry)[1]:
                continue  # arXiv has no such version
            found.append(entry)
        if not found:
            return Reply(body=EMPTY_FEED.read_bytes(), headers=_ATOM_TYPE)
        return _atom(found, total=len(found))

    def _catchup_page(self, start: int, size: int) -> Reply:
        total = len(self.catchup) if self.catchup_total is None else self.catchup_total
        if self.empty_pages.get(start, 0) > 0:
            self.empty_pages[start] -= 1
            return _atom([], total=total, start=start)
        return _atom(self.catchup[start : start + size], total=total, start=start)


_ATOM_TYPE = {"Content-Type": "application/atom+xml; charset=utf-8"}


def _atom(entries: list[etree._Element], *, total: int, start: int = 0) -> Reply:
    return Reply(body=atom_feed(entries, total=total, start=start), headers=_ATOM_TYPE)
