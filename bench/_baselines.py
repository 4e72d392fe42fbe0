"""Baseline passes over listing files, run as whole processes by bench/ingest.py.

``python bench/_baselines.py lxml FILE...``: gunzip each file, lxml-parse it and read seven
fields of every item (title, link, description, guid, creator, categories, announce type).
``python bench/_baselines.py feedparser FILE...``: feedparser on the same bytes.
Each prints ``items distinct_ids``. Nothing from ``bot`` is imported: these are the yardsticks.
"""

from __future__ import annotations

import gzip
import sys

_DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
_ANNOUNCE = "{http://arxiv.org/schemas/atom}announce_type"


def lxml_pass(paths: list[str]) -> tuple[int, int]:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    items, ids = 0, set()
    for path in paths:
        with gzip.open(path, "rb") as fh:
            root = etree.fromstring(fh.read(), parser)
        for item in root.iter("item"):
            fields = (
                item.findtext("title"),
                item.findtext("link"),
                item.findtext("description"),
                item.findtext("guid"),
                item.findtext(_DC_CREATOR),
                [c.text for c in item.iterfind("category")],
                item.findtext(_ANNOUNCE),
            )
            guid = fields[3] or ""
            ids.add(guid.rpartition(":")[2].rpartition("v")[0])
            items += 1
    return items, len(ids)


def feedparser_pass(paths: list[str]) -> tuple[int, int]:
    import feedparser

    items, ids = 0, set()
    for path in paths:
        with gzip.open(path, "rb") as fh:
            feed = feedparser.parse(fh.read())
        for entry in feed.entries:
            fields = (
                entry.get("title"),
                entry.get("link"),
                entry.get("summary"),
                entry.get("id"),
                entry.get("author"),
                [t.get("term") for t in entry.get("tags", ())],
                entry.get("arxiv_announce_type"),
            )
            ids.add((fields[3] or "").rpartition(":")[2].rpartition("v")[0])
            items += 1
    return items, len(ids)


def main() -> None:
    mode, paths = sys.argv[1], sys.argv[2:]
    items, distinct = {"lxml": lxml_pass, "feedparser": feedparser_pass}[mode](paths)
    print(items, distinct)


if __name__ == "__main__":
    main()
