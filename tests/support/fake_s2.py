"""A fake Semantic Scholar Graph API on top of :class:`fakeweb.FakeServer`, serving the real
payload shapes of ``tests/fixtures/s2_*`` (provenance in ``tests/fixtures/SOURCES.md``).

Serves, under ``/graph/v1``:

* ``POST /paper/batch?fields=…`` with ``{"ids": ["ARXIV:…", …]}``: a JSON list in the order of
  the ids, ``null`` for an id it does not hold. No real batch response was recorded anywhere;
  this follows S2's documentation (the answer is the list of the papers ``GET /paper/{id}``
  would give, ``null`` for unknown ids), and each paper is **DERIVED** from the real
  ``s2_paper.json`` (the Turing paper: every field as recorded) with the id, title, year,
  ``externalIds.ArXiv`` and whatever a test passes to :meth:`FakeS2.add_paper` substituted,
  cut to the requested ``fields`` plus ``paperId`` as S2 does.
* ``GET /author/search?query=…``: ``{"total", "offset", "data": [...]}`` of the authors added
  with :meth:`add_author` whose name holds every query word; each is the real ``s2_author.json``
  record (without its papers) with the id and name substituted.
* ``GET /author/{id}/papers?offset=&limit=``: for author ``1723755`` the real recorded pages of
  ``s2_author_papers_cassette.yaml`` (9 pages, 875 papers, ``fields=title``); for an author
  given ``add_author(..., papers=N)`` generated pages of N papers in that recorded shape; for
  an author given ``add_author(..., works=[...])`` those works (dicts in the paper shape).
* ``GET /paper/0``, ``GET /author/0``: the recorded 404 bodies of ``s2_not_found_cassette.yaml``;
  any other unknown author id answers the same shape.

Faults are scripted with ``server.script(path, Reply(...), method=...)`` before the defaults.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from aiohttp import web

from support.fakeweb import FakeServer, Reply

FIXTURES = Path(__file__).parent.parent / "fixtures"
BASE = "/graph/v1"
RECORDED_AUTHOR = "1723755"


@functools.cache
def _load_cassette(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))["interactions"]


@functools.cache
def _read_json(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def real_paper() -> dict[str, Any]:
    """The recorded full paper record (``s2_paper.json``), a fresh copy."""
    return copy.deepcopy(_read_json("s2_paper.json"))


def real_author() -> dict[str, Any]:
    return copy.deepcopy(_read_json("s2_author.json"))


def recorded_pages() -> dict[int, bytes]:
    """The recorded author-papers pages by offset, as the exact bodies S2 sent."""
    pages = {}
    for interaction in _load_cassette("s2_author_papers_cassette.yaml"):
        query = dict(
            p.split("=", 1) for p in urlsplit(interaction["request"]["uri"]).query.split("&")
        )
        pages[int(query["offset"])] = interaction["response"]["content"].encode()
    return pages


def not_found_bodies() -> dict[str, bytes]:
    """``{"paper": b'{"error":"Paper with id 0 not found"}\\n', "author": …}`` as recorded."""
    found = {}
    for interaction in _load_cassette("s2_not_found_cassette.yaml"):
        kind = urlsplit(interaction["request"]["uri"]).path.split("/")[3]
        found[kind] = interaction["response"]["body"]["string"].encode()
    return found


class FakeS2:
    """The fake's state: papers by arXiv id, authors by id; ``requests`` as the server logs."""

    def __init__(self, server: FakeServer) -> None:
        self.server = server
        self._template = _read_json("s2_paper.json")  # never changed: add_paper copies it
        self._author = _read_json("s2_author.json")
        self._pages = recorded_pages()
        self._missing = not_found_bodies()
        self.papers: dict[str, dict[str, Any]] = {}
        self.authors: dict[str, dict[str, Any]] = {}
        server.route(f"{BASE}/paper/batch", self._batch, method="POST")
        server.route(f"{BASE}/author/search", self._search)
        server.route(f"{BASE}/paper/0", Reply(404, self._missing["paper"], _JSON))
        server.route(f"{BASE}/author/0/papers", Reply(404, self._missing["author"], _JSON))

    @property
    def api_url(self) -> str:
        return self.server.url(BASE)

    def batch_requests(self) -> list[Any]:
        return self.server.requests_for(f"{BASE}/paper/batch", "POST")

    def add_paper(self, arxiv_id: str, title: str, **fields: Any) -> dict[str, Any]:
        """Hold a paper: the real record with this id, title and ``fields`` substituted."""
        # The 1,000 citations, references and embedding are never asked for by the bot.
        paper = {k: copy.deepcopy(v) for k, v in self._template.items() if k not in _BULKY}
        paper["paperId"] = f"s2-{arxiv_id}"
        paper["title"] = title
        paper["externalIds"] = {"ArXiv": arxiv_id, "CorpusId": 1000 + len(self.papers)}
        paper.update(fields)
        self.papers[arxiv_id] = paper
        return paper

    def add_author(
        self,
        author_id: str,
        name: str,
        *,
        papers: int | None = None,
        works: list[dict[str, Any]] | None = None,
    ) -> None:
        """An author for search and ``/author/{id}/papers`` (``papers``: generated count)."""
        author = {k: v for k, v in copy.deepcopy(self._author).items() if k != "papers"}
        author.update(authorId=author_id, name=name, paperCount=papers or len(works or ()))
        self.authors[author_id] = {"record": author, "count": papers, "works": works or []}
        self.server.route(f"{BASE}/author/{author_id}/papers", self._papers)

    def route_recorded_author(self) -> None:
        """``/author/1723755/papers`` answers its recorded pages."""
        self.server.route(f"{BASE}/author/{RECORDED_AUTHOR}/papers", self._papers)

    async def _batch(self, request: web.Request) -> Reply:
        fields = request.query.get("fields", "").split(",")
        try:
            ids = (await request.json())["ids"]
        except (ValueError, KeyError, TypeError):
            return Reply(400, json.dumps({"error": "Unrecognized or unsupported fields: ids"}))
        out: list[Any] = []
        for wanted in ids:
            paper = self.papers.get(wanted.removeprefix("ARXIV:"))
            out.append(None if paper is None else _cut(paper, fields))
        return Reply(200, json.dumps(out), _JSON)

    async def _search(self, request: web.Request) -> Reply:
        words = request.query.get("query", "").casefold().split()
        limit = int(request.query.get("limit", "100"))
        hits = [
            a["record"]
            for a in self.authors.values()
            if all(w in a["record"]["name"].casefold() for w in words)
        ]
        body = {"total": len(hits), "offset": 0, "data": hits[:limit]}
        return Reply(200, json.dumps(body), _JSON)

    async def _papers(self, request: web.Request) -> Reply:
        author_id = request.path.split("/")[4]
        offset = int(request.query.get("offset", "0"))
        limit = min(int(request.query.get("limit", "100")), 1000)
        if author_id == RECORDED_AUTHOR and offset in self._pages:
            return Reply(200, self._pages[offset], _JSON)
        author = self.authors.get(author_id)
        if author is None:
            return Reply(404, self._missing["author"], _JSON)
        if author["works"]:
            data = author["works"][offset : offset + limit]
            total = len(author["works"])
        else:
            total = author["count"] or 0
            stop = min(offset + limit, total)
            data = [{"paperId": f"p{i:08x}", "title": f"Paper {i}"} for i in range(offset, stop)]
        body: dict[str, Any] = {"offset": offset, "data": data}
        if offset + limit < total:
            body["next"] = offset + limit
        return Reply(200, json.dumps(body), _JSON)


_JSON = {"Content-Type": "application/json"}
_BULKY = frozenset({"citations", "references", "embedding"})


def _cut(paper: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """The paper as S2 answers for ``fields``: ``paperId`` plus each field asked for."""
    return {"paperId": paper["paperId"], **{f: paper.get(f) for f in fields if f}}
