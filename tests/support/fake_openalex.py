"""A fake OpenAlex on top of :class:`fakeweb.FakeServer`, under the path prefix ``/openalex``.

Entities are built from the two REAL single-entity payloads in ``tests/fixtures``
(``openalex_author.json``, Jason Priem; ``openalex_work.json``, W2741809807): ``author()`` and
``work()`` copy one and substitute the id, names, ORCID, institution, DOI and authorships
(DERIVED, see ``tests/fixtures/SOURCES.md``); every other field keeps its real shape.

Serves:

* ``/authors/A…``, ``/authors/orcid:0000-…``: one author (404 for an unknown one).
* ``/authors?search=NAME&per-page=N``: authors whose names hold every word of NAME (folded).
* ``/works/W…``, ``/works/doi:10.48550/arXiv.…``: one work with every authorship.
* ``/works?filter=doi:A|B…``: the works with those DOIs (case-insensitive);
  ``filter=author.id:A1|A2,from_publication_date:YYYY-MM-DD``: their works, newest first.

List pages follow the documentation (no recorded list page exists): ``{"meta": {"count",
"db_response_time_ms", "page", "per_page", "next_cursor", "groups_count"}, "results": [...],
"group_by": []}``; a work in a list has at most 100 authorships and
``is_authors_truncated`` tells whether more were cut. ``fail`` queues raw answers (a 429, an HTML
page, a truncated body) served before the next normal one.
"""

from __future__ import annotations

import copy
import json
import unicodedata
from collections import deque
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.sources.openalex_parse import invert_abstract
from support.fakeweb import FakeServer, Reply

FIXTURES = Path(__file__).parent.parent / "fixtures"
REAL_AUTHOR = json.loads((FIXTURES / "openalex_author.json").read_text(encoding="utf-8"))
REAL_WORK = json.loads((FIXTURES / "openalex_work.json").read_text(encoding="utf-8"))
PREFIX = "/openalex"
LIST_AUTHORSHIPS = 100


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def author(
    ident: str,
    name: str,
    *,
    orcid: str | None = None,
    institution: str = "OurResearch",
    alternatives: tuple[str, ...] = (),
    works_by_year: dict[int, int] | None = None,
    works_count: int = 62,
) -> dict[str, Any]:
    """The real author payload with this person's id, names, ORCID and institution."""
    data = copy.deepcopy(REAL_AUTHOR)
    data["id"] = f"https://openalex.org/{ident}"
    data["ids"] = {"openalex": data["id"]}
    data["display_name"] = name
    data["display_name_alternatives"] = list(alternatives or (name,))
    data["orcid"] = f"https://orcid.org/{orcid}" if orcid else None
    data["last_known_institutions"][0]["display_name"] = institution
    data["works_count"] = works_count
    if works_by_year is not None:
        data["counts_by_year"] = [
            {"year": y, "works_count": n, "cited_by_count": 0}
            for y, n in sorted(works_by_year.items(), reverse=True)
        ]
    return data


#: The display name OpenAlex gives arXiv's source (S4306400194).
ARXIV_SOURCE = "arXiv (Cornell University)"


def work(
    ident: str,
    arxiv_id: str | None,
    authors: list[tuple[str | None, str, str | None]],
    *,
    title: str = "A paper",
    date: str = "2026-07-13",
    abstract: str | None = None,
) -> dict[str, Any]:
    """The real work payload as arXiv paper ``arxiv_id`` with these ``(id, name, orcid)``;
    with ``arxiv_id`` None it keeps the real journal DOI and source (PeerJ). ``abstract``
    replaces the real ``abstract_inverted_index`` (inverted as OpenAlex does)."""
    data = copy.deepcopy(REAL_WORK)
    data["id"] = f"https://openalex.org/{ident}"
    if arxiv_id is not None:
        data["doi"] = f"https://doi.org/10.48550/arxiv.{arxiv_id}"
        data["primary_location"]["source"]["display_name"] = ARXIV_SOURCE
    if abstract is not None:
        data["abstract_inverted_index"] = invert_abstract(abstract)
    data["ids"] = {"openalex": data["id"], "doi": data["doi"]}
    data["title"] = data["display_name"] = title
    data["publication_date"] = date
    data["publication_year"] = int(date[:4])
    template = REAL_WORK["authorships"][0]
    data["authorships"] = []
    for position, (author_id, name, orcid) in enumerate(authors):
        item = copy.deepcopy(template)
        item["author_position"] = "first" if position == 0 else "middle"
        item["author"] = {
            "id": f"https://openalex.org/{author_id}" if author_id else None,
            "display_name": name,
            "orcid": f"https://orcid.org/{orcid}" if orcid else None,
        }
        item["raw_author_name"] = name
        data["authorships"].append(item)
    return data


class FakeOpenAlex:
    """Authors and works served on ``server``; ``requests`` counts the OpenAlex ones."""

    def __init__(self, server: FakeServer) -> None:
        self.server = server
        self.authors: dict[str, dict[str, Any]] = {}
        self.works: dict[str, dict[str, Any]] = {}
        self.failures: deque[Reply] = deque()
        server.route(PREFIX + "/authors", self._authors)
        server.route(PREFIX + "/works", self._works)

    @property
    def url(self) -> str:
        return self.server.url(PREFIX)

    @property
    def requests(self) -> list[Any]:
        return [r for r in self.server.requests if r.path.startswith(PREFIX)]

    def list_requests(self) -> list[Any]:
        return [r for r in self.requests if r.path in (PREFIX + "/works", PREFIX + "/authors")]

    def fail(self, *answers: Reply) -> None:
        self.failures.extend(answers)

    def add_author(self, data: dict[str, Any]) -> None:
        ident = data["id"].rsplit("/", 1)[-1]
        self.authors[ident] = data
        self.server.route(f"{PREFIX}/authors/{ident}", self._one_author(data))
        if data.get("orcid"):
            orcid = data["orcid"].rsplit("/", 1)[-1]
            self.server.route(f"{PREFIX}/authors/orcid:{orcid}", self._one_author(data))

    def add_work(self, data: dict[str, Any]) -> None:
        ident = data["id"].rsplit("/", 1)[-1]
        self.works[ident] = data
        doi = data["doi"].removeprefix("https://doi.org/")
        for path in (f"{PREFIX}/works/{ident}", f"{PREFIX}/works/doi:{doi}"):
            self.server.route(path, self._one_work(data))
        arxiv_doi = "10.48550/arXiv." + doi.split("arxiv.", 1)[-1]
        self.server.route(f"{PREFIX}/works/doi:{arxiv_doi}", self._one_work(data))

    def _one_author(self, data: dict[str, Any]) -> Any:
        async def handler(request: web.Request) -> Reply:
            return self.failures.popleft() if self.failures else _json(data)

        return handler

    def _one_work(self, data: dict[str, Any]) -> Any:
        async def handler(request: web.Request) -> Reply:
            return self.failures.popleft() if self.failures else _json(data)

        return handler

    async def _authors(self, request: web.Request) -> Reply:
        if self.failures:
            return self.failures.popleft()
        words = _fold(request.query.get("search", "")).split()
        per_page = int(request.query.get("per-page", "25"))
        found = [
            a
            for a in self.authors.values()
            if all(any(w in _fold(n).replace(",", " ").split() for n in _names(a)) for w in words)
        ]
        return _json(_page(found, per_page))

    async def _works(self, request: web.Request) -> Reply:
        if self.failures:
            return self.failures.popleft()
        filters = dict(f.split(":", 1) for f in request.query.get("filter", "").split(",") if f)
        per_page = min(int(request.query.get("per-page", "25")), 200)
        found = list(self.works.values())
        if "doi" in filters:
            wanted = {d.lower() for d in filters["doi"].split("|")}
            found = [w for w in found if w["doi"].removeprefix("https://doi.org/") in wanted]
        if "author.id" in filters:
            ids = {f"https://openalex.org/{i}" for i in filters["author.id"].split("|")}
            found = [w for w in found if any(a["author"]["id"] in ids for a in w["authorships"])]
        if "from_publication_date" in filters:
            found = [w for w in found if w["publication_date"] >= filters["from_publication_date"]]
        if request.query.get("sort", "").startswith("publication_date"):
            found.sort(key=lambda w: w["publication_date"], reverse=True)
        return _json(_page([_listed(w) for w in found], per_page))


def _names(data: dict[str, Any]) -> list[str]:
    return [data["display_name"], *data.get("display_name_alternatives", [])]


def _listed(data: dict[str, Any]) -> dict[str, Any]:
    """A work as a list page holds it: authorships cut at 100, ``is_authors_truncated``."""
    listed = dict(data)
    listed["authorships"] = data["authorships"][:LIST_AUTHORSHIPS]
    listed["is_authors_truncated"] = len(data["authorships"]) > LIST_AUTHORSHIPS
    return listed


def _page(found: list[dict[str, Any]], per_page: int) -> dict[str, Any]:
    meta = {
        "count": len(found),
        "db_response_time_ms": 12,
        "page": 1,
        "per_page": per_page,
        "next_cursor": None,
        "groups_count": None,
    }
    return {"meta": meta, "results": found[:per_page], "group_by": []}


def _json(data: dict[str, Any]) -> Reply:
    body = json.dumps(data).encode()
    return Reply(body=body, headers={"Content-Type": "application/json"})
