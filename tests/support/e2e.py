"""Helpers for the end-to-end tests: config files, ``paperbot`` subprocesses, fake webhooks,
listing derivations and an independent (lxml + regex) reading of listings.

The fake arXiv itself is :mod:`fake_arxiv`; this module adds what the end-to-end tests need on
top: fake Slack and Discord incoming webhooks with scripted answers, a way to serve any listing
bytes (gzipped corpus files, listings derived at run time), and the CLI as a real subprocess
started in the test's event loop (so the fake servers keep answering while it runs).
"""

from __future__ import annotations

import asyncio
import copy
import gzip
import itertools
import json
import os
import re
import sys
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import Stemmer
from aiohttp import web
from lxml import etree

from support.fakeweb import FakeServer, Reply

REPO = Path(__file__).resolve().parent.parent.parent
FIXTURES = Path(__file__).parent.parent / "fixtures"
CORPUS = FIXTURES / "corpus"
LISTING_0714 = FIXTURES / "arxiv_rss_cs_ai_2026-07-14.xml"
EMPTY_LISTING = FIXTURES / "arxiv_rss_cs_ai_empty_holiday_2025-12-31.xml"
NS = {"arxiv": "http://arxiv.org/schemas/atom", "dc": "http://purl.org/dc/elements/1.1/"}
SLACK_PATH = "/services/T000/B000/XXXXXXXXXXXXXXXX"
DISCORD_PATH = "/api/webhooks/123/SECRETTOKEN"


# -- listings: read independently of bot/ ----------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One listing item as plain strings (parsed here with lxml, not with the bot's parser)."""

    arxiv_id: str
    version: int
    announce: str
    title: str
    abstract: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]

    @property
    def first(self) -> bool:
        return self.announce in ("new", "cross")


def read_bytes(path: Path) -> bytes:
    """A fixture's bytes, gunzipped when it is a ``.gz`` file."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def items_of(body: bytes) -> list[Item]:
    """The items of an RSS 2.0 listing, read with plain lxml."""
    root = etree.fromstring(body)
    items = []
    for it in root.iter("item"):
        guid = (it.findtext("guid") or "").rpartition(":")[2]
        m = re.fullmatch(r"(.+)v(\d+)", guid)
        assert m, guid
        desc = it.findtext("description") or ""
        abstract = desc.partition("Abstract:")[2].strip()
        creators = it.findtext("dc:creator", namespaces=NS) or ""
        authors = tuple(a.strip() for a in re.split(r",|\band\b", creators) if a.strip())
        items.append(
            Item(
                arxiv_id=m.group(1),
                version=int(m.group(2)),
                announce=it.findtext("arxiv:announce_type", namespaces=NS) or "",
                title=" ".join((it.findtext("title") or "").split()),
                abstract=abstract,
                authors=authors,
                categories=tuple(c.text or "" for c in it.findall("category")),
            )
        )
    return items


def has_author(item: Item, surname: str, first: str) -> bool:
    """Surname and first name compared case-insensitively, as the test's own rule."""
    for name in item.authors:
        parts = name.split()
        if (
            len(parts) >= 2
            and parts[-1].casefold() == surname.casefold()
            and parts[0].casefold() == first.casefold()
        ):
            return True
    return False


_STEMMER = Stemmer.Stemmer("english")


def _stems(text: str) -> list[str]:
    return _STEMMER.stemWords(re.findall(r"\w+", text.casefold()))


def has_words(item: Item, *phrases: str) -> bool:
    """Every phrase appears in the title or abstract as consecutive whole words, each compared
    by its Snowball stem (case-insensitive; words are runs of letters and digits, so a hyphen
    separates words; ``hallucinations`` has the words of ``hallucination``)."""
    joined = " " + " ".join(_stems(f"{item.title} {item.abstract}")) + " "
    return all(" " + " ".join(_stems(p)) + " " in joined for p in phrases)


# -- listings: derived at run time (see fixtures/DERIVED.md) -----------------------------------


def derive_listing(
    body: bytes,
    *,
    bump: bool = False,
    announce: dict[str, str] | None = None,
    titles: dict[str, str] | None = None,
    extra: Iterable[etree._Element] = (),
    keep: set[str] | None = None,
) -> bytes:
    """A modified copy of a real listing.

    ``bump``: every guid's version + 1 (``new``/``cross`` become ``replace``/``replace-cross``
    as arXiv would show a revision). ``announce``: id -> new announce type. ``titles``: id ->
    new title. ``extra``: items appended. ``keep``: only these ids stay.
    """
    root = etree.fromstring(body)
    channel = root.find("channel")
    for it in list(channel.iterfind("item")):
        guid_el = it.find("guid")
        base, _, version = (guid_el.text or "").rpartition(":")[2].rpartition("v")
        if keep is not None and base not in keep:
            channel.remove(it)
            continue
        kind_el = it.find("arxiv:announce_type", namespaces=NS)
        if bump:
            version = str(int(version) + 1)
            guid_el.text = f"oai:arXiv.org:{base}v{version}"
            kind = {"new": "replace", "cross": "replace-cross"}.get(kind_el.text, kind_el.text)
            _set_announce(it, kind_el, base, version, kind)
        if announce and base in announce:
            _set_announce(it, kind_el, base, version, announce[base])
        if titles and base in titles:
            it.find("title").text = titles[base]
    for item in extra:
        channel.append(item)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _set_announce(it: etree._Element, kind_el: etree._Element, base: str, v: str, kind: str):
    kind_el.text = kind
    desc = it.find("description")
    rest = (desc.text or "").partition("\n")[2]
    desc.text = f"arXiv:{base}v{v} Announce Type: {kind} \n{rest}"


def clone_item(
    body: bytes,
    source_id: str,
    *,
    new_id: str,
    version: int,
    announce: str,
    title: str | None = None,
    creators: str | None = None,
) -> etree._Element:
    """A copy of one real item under another (invented) id."""
    root = etree.fromstring(body)
    for it in root.iter("item"):
        if (it.findtext("guid") or "").rpartition(":")[2].startswith(source_id + "v"):
            item = copy.deepcopy(it)
            break
    else:
        raise KeyError(source_id)
    item.find("guid").text = f"oai:arXiv.org:{new_id}v{version}"
    item.find("link").text = f"https://arxiv.org/abs/{new_id}"
    _set_announce(
        item, item.find("arxiv:announce_type", namespaces=NS), new_id, str(version), announce
    )
    if title is not None:
        item.find("title").text = title
    if creators is not None:
        item.find("dc:creator", namespaces=NS).text = creators
    return item


def serve_body(server: FakeServer, category: str, body: bytes, *, status: int = 200) -> None:
    """Serve ``body`` at ``/rss/<category>`` (no validators: the body hash decides)."""
    headers = {"Content-Type": "application/rss+xml; charset=utf-8"}
    server.route(f"/rss/{category}", Reply(status=status, body=body, headers=headers))


# -- fake webhooks -----------------------------------------------------------------------------


@dataclass
class Post:
    kind: str  # "slack" or "discord"
    payload: dict[str, Any]
    raw: bytes
    at: float
    status: int

    @property
    def paper_id(self) -> str:
        return paper_id_of(self.kind, self.payload)


def paper_id_of(kind: str, payload: dict[str, Any]) -> str:
    """The arXiv id an alert payload is about (its abstract link)."""
    if kind == "discord":
        url = payload["embeds"][0]["url"]
    else:
        url = next(
            e["url"]
            for b in payload["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
            if e.get("action_id") == "open_abstract"
        )
    return url.rpartition("/abs/")[2]


@dataclass
class FakeWebhooks:
    """A Slack and a Discord incoming webhook on one :class:`FakeServer`.

    ``plan[kind]`` holds statuses (or ``(status, headers, body)``) used once each before the
    default ``status[kind]``; ``delay`` is waited before answering every POST. ``posts`` logs
    every POST with the status given; ``accepted(kind)`` only the 2xx ones.
    """

    server: FakeServer
    delay: float = 0.0
    plan: dict[str, deque] = field(default_factory=lambda: {"slack": deque(), "discord": deque()})
    status: dict[str, int] = field(default_factory=lambda: {"slack": 200, "discord": 200})
    posts: list[Post] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ids = itertools.count(1000)
        self.server.route(SLACK_PATH, self._handler("slack"), method="POST")
        self.server.route(DISCORD_PATH, self._handler("discord"), method="POST")

    def url(self, kind: str) -> str:
        return self.server.url(SLACK_PATH if kind == "slack" else DISCORD_PATH)

    def _handler(self, kind: str):
        async def handle(request: web.Request) -> Reply:
            raw = await request.read()
            if self.delay:
                await asyncio.sleep(self.delay)  # cancelled if the client goes away
            step = self.plan[kind].popleft() if self.plan[kind] else self.status[kind]
            status, headers, body = step if isinstance(step, tuple) else (step, {}, "")
            if 200 <= status < 300:
                body = "ok" if kind == "slack" else json.dumps({"id": str(next(self._ids))})
            self.posts.append(Post(kind, json.loads(raw), raw, time.monotonic(), status))
            return Reply(status=status, body=body, headers=headers)

        return handle

    def accepted(self, kind: str) -> list[Post]:
        return [p for p in self.posts if p.kind == kind and 200 <= p.status < 300]

    def accepted_ids(self, kind: str) -> list[str]:
        return [p.paper_id for p in self.accepted(kind)]


# -- config and the CLI ------------------------------------------------------------------------


def write_config(
    tmp_path: Path,
    server: FakeServer,
    *,
    channels: Iterable[tuple[str, str, str | None]],
    categories: Iterable[str] = ("cs.AI",),
    arxiv: dict[str, Any] | None = None,
    delivery: dict[str, Any] | None = None,
    name: str = "paperbot.toml",
) -> Path:
    """A fast config pointing at the fake servers; ``channels`` are (name, platform, url)."""
    a: dict[str, Any] = {
        "rss_url": server.url("/rss/"),
        "api_url": server.url("/api/query"),
        "categories": list(categories),
        "min_interval_seconds": 0.05,
        "backoff_seconds": 0.05,
        "retries": 1,
        "timeout_seconds": 10,
    }
    a.update(arxiv or {})
    d: dict[str, Any] = {
        "max_wait_seconds": 10,
        "backoff_base_seconds": 0.05,
        "per_channel_interval_seconds": 0,
        "poll_seconds": 0.1,
    }
    d.update(delivery or {})
    lines = [
        "[database]",
        f"path = {_toml(str(tmp_path / 'paperbot.sqlite3'))}",
        "",
        "[semantic_scholar]",
        'api_url = ""',
        "",
        "[arxiv]",
    ]
    lines += [f"{k} = {_toml(v)}" for k, v in a.items()]
    lines += ["", "[delivery]"] + [f"{k} = {_toml(v)}" for k, v in d.items()]
    lines += ["", "[openalex]", f"api_url = {_toml(server.url('/openalex'))}", "retries = 0"]
    for ch_name, platform, url in channels:
        lines += ["", "[[channels]]", f"name = {_toml(ch_name)}", f"platform = {_toml(platform)}"]
        if url:
            lines.append(f"webhook_url = {_toml(url)}")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(value)


@dataclass
class CliResult:
    rc: int
    out: str
    err: str

    def error_lines(self) -> list[str]:
        """The one-line messages of the CLI itself (log lines are formatted differently)."""
        return [line for line in self.err.splitlines() if line.startswith("paperbot:")]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.pop("PAPERBOT_CONFIG", None)
    return env


async def add_subscriptions(config: Path, subs: Iterable[tuple[str, str, str]]) -> None:
    """Subscribe channels in-process (quicker than one CLI run each): (channel, kind, value)."""
    from bot.app import App
    from bot.chat.services import normalize_subscription
    from bot.config import load_config
    from bot.model import SubscriptionKind

    async with App.open(load_config(str(config))) as app:
        for channel_name, kind_word, raw in subs:
            kind = SubscriptionKind(kind_word)
            value, norm = normalize_subscription(kind, raw)
            channel = await app.store.channels.find(channel_name)
            assert channel is not None, channel_name
            await app.store.subscriptions.add(channel.id, kind, value, norm, "test")


async def start_cli(config: Path, *args: str) -> asyncio.subprocess.Process:
    """Start ``python -m bot --config CONFIG ARGS`` without waiting for it."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=str(REPO),
        env=_env(),
    )


async def cli(config: Path, *args: str, timeout: float = 60) -> CliResult:
    """Run one ``paperbot`` command to completion as a real subprocess."""
    proc = await start_cli(config, *args)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    return CliResult(proc.returncode or 0, out.decode(), err.decode())


async def wait_for(predicate, timeout: float, step: float = 0.05) -> None:
    """Poll ``predicate()`` until true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        await asyncio.sleep(step)


# -- API entries built on a real one (see fixtures/DERIVED.md) ---------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
API_TEMPLATE = FIXTURES / "arxiv_api_query_recorded_2026.body.xml"


def api_entry(
    arxiv_id: str,
    version: int,
    *,
    title: str,
    authors: Iterable[str],
    published: str,
    updated: str | None = None,
    categories: Iterable[str] = ("cs.AI",),
    summary: str = "An invented abstract for a catch-up test.",
) -> etree._Element:
    """An API ``<entry>``: the first real entry of the 2026 recording with its id, links,
    title, summary, authors, dates and categories substituted and its DOI, comment and journal
    reference removed (they belong to the real paper)."""
    root = etree.fromstring(API_TEMPLATE.read_bytes())
    entry = copy.deepcopy(root.find(f"{ATOM}entry"))
    versioned = f"{arxiv_id}v{version}"
    entry.find(f"{ATOM}id").text = f"http://arxiv.org/abs/{versioned}"
    entry.find(f"{ATOM}title").text = title
    entry.find(f"{ATOM}summary").text = summary
    entry.find(f"{ATOM}published").text = published
    entry.find(f"{ATOM}updated").text = updated or published
    for link in entry.findall(f"{ATOM}link"):
        if link.get("title") == "doi":
            entry.remove(link)
        elif link.get("title") == "pdf":
            link.set("href", f"https://arxiv.org/pdf/{versioned}")
        else:
            link.set("href", f"https://arxiv.org/abs/{versioned}")
    for tag in (
        f"{ARXIV}doi",
        f"{ARXIV}comment",
        f"{ARXIV}journal_ref",
        f"{ATOM}author",
        f"{ATOM}category",
    ):
        for el in entry.findall(tag):
            entry.remove(el)
    cats = list(categories)
    entry.find(f"{ARXIV}primary_category").set("term", cats[0])
    for term in cats:
        etree.SubElement(
            entry, f"{ATOM}category", term=term, scheme="http://arxiv.org/schemas/atom"
        )
    for name in authors:
        etree.SubElement(etree.SubElement(entry, f"{ATOM}author"), f"{ATOM}name").text = name
    return entry
