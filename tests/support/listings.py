"""Real listing days of June 2026 (trimmed copies in ``fixtures/listings/``, see DERIVED.md)."""

from __future__ import annotations

from pathlib import Path

from bot.model import Listing, ListingItem, Paper
from bot.sources.files import parse_listing_file

LISTINGS = Path(__file__).resolve().parent.parent / "fixtures" / "listings"


def day(name: str) -> Listing:
    """``day("2026-06-16-cs-lg")``: the trimmed (or whole) listing of that day."""
    for suffix in (".trimmed.xml", ".xml.gz"):
        path = LISTINGS / f"{name}{suffix}"
        if path.exists():
            return parse_listing_file(path)
    raise FileNotFoundError(name)


def item(name: str, arxiv_id: str) -> ListingItem:
    """One paper's item in one day's listing."""
    for it in day(name).items:
        if it.paper.arxiv_id == arxiv_id:
            return it
    raise KeyError(f"{arxiv_id} not in {name}")


def paper(name: str, arxiv_id: str) -> Paper:
    return item(name, arxiv_id).paper
