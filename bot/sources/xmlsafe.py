"""Safe XML parsing for feeds fetched from the network.

Feeds are untrusted: entity declarations (billion laughs, XXE) are refused before lxml sees
them, the parser never resolves entities or touches the network, and every failure becomes a
one-line :class:`FeedError` instead of an lxml traceback.
"""

from __future__ import annotations

import re

from lxml import etree

# The DOCTYPE internal subset is where entities are declared; anything past the root element's
# start cannot declare one, so only the prolog is scanned.
_DOCTYPE_RE = re.compile(rb"<!DOCTYPE", re.I)
_ENTITY_RE = re.compile(rb"<!ENTITY", re.I)
_HTML_START_RE = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!DOCTYPE\s+html|<html)", re.I)
_PROLOG_SCAN = 64 * 1024


class FeedError(Exception):
    """A feed body that cannot be used; the message says what is wrong, on one line."""


def _parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers must not be shared between threads, and the cost is
    # negligible next to parsing a whole feed.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _declares_entities(data: bytes) -> bool:
    """True if the prolog holds a DOCTYPE whose internal subset declares an entity."""
    m = _DOCTYPE_RE.search(data, 0, _PROLOG_SCAN)
    if m is None:
        return False
    end = data.find(b"]>", m.end())
    stop = len(data) if end < 0 else end
    return _ENTITY_RE.search(data, m.end(), stop) is not None


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def parse_xml(data: bytes, *, what: str = "feed") -> etree._Element:
    """Parse ``data`` as XML and return the root element.

    Raises :class:`FeedError` (message starts with ``what``) for an empty body, malformed or
    truncated XML, a wrong declared encoding, an HTML page instead of XML, or any DOCTYPE that
    declares entities or references an external DTD.
    """
    if not data or data.isspace():
        raise FeedError(f"{what}: empty response body")
    if _declares_entities(data):
        raise FeedError(f"{what}: refused a document whose DOCTYPE declares entities")
    if _HTML_START_RE.match(data):
        raise FeedError(f"{what}: got an HTML page, not XML (an error page?)")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"{what}: malformed XML: {_one_line(exc)}") from None
    except (LookupError, ValueError, etree.LxmlError) as exc:
        # Unknown declared encodings surface as LookupError/ValueError depending on libxml2.
        raise FeedError(f"{what}: cannot decode XML: {_one_line(exc)}") from None
    if root is None:
        raise FeedError(f"{what}: no root element")
    docinfo: etree.DocInfo = root.getroottree().docinfo
    # (lxml-stubs lack DocInfo.system_url and DTD.iterentities; both are lxml's public API.)
    if docinfo.system_url or docinfo.public_id:  # type: ignore[attr-defined]
        # Never loaded (load_dtd=False), but its entities would silently vanish from the text:
        # a feed pointing at an external DTD is an attack or a broken feed, not data.
        raise FeedError(f"{what}: refused a document whose DOCTYPE references an external DTD")
    dtd: etree.DTD | None = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):  # type: ignore[attr-defined]
        # Reached only when the byte scan missed it (e.g. a UTF-16 document).
        raise FeedError(f"{what}: refused a document whose DOCTYPE declares entities")
    if _local(root.tag).lower() == "html":
        raise FeedError(f"{what}: got an HTML page, not XML (an error page?)")
    return root
