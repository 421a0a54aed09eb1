"""OPML 2.0 subscription lists: read one safely, write one.

Usage::

    document = parse_opml(data)            # bytes of an uploaded or local .opml file
    for outline in document.outlines:      # every leaf outline, in file order
        outline.xml_url, outline.title, outline.category
    data = write_opml(feeds, title="newsdigest feeds", now=now)

An OPML file comes from whoever uploads it, so reading it is bounded and refuses what a
subscription list never needs: a DOCTYPE or any entity declaration (the billion-laughs and
external-entity attacks live there; defusedxml refuses them before anything expands), more than
``MAX_OPML_BYTES``, more than ``MAX_OUTLINES`` outlines or nesting deeper than ``MAX_DEPTH``.
Every refusal is an ``OPMLError`` whose message is one line.

Nested outlines without ``xmlUrl`` are categories: each feed outline carries the titles of the
outlines around it (``category``). A leaf outline without ``xmlUrl`` is kept, with
``xml_url=None``, so the importer can say "not a feed" about it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from bot.feeds.errors import FeedLayerError

__all__ = [
    "MAX_DEPTH",
    "MAX_OPML_BYTES",
    "MAX_OUTLINES",
    "OPMLError",
    "OpmlDocument",
    "OpmlFeed",
    "OpmlOutline",
    "parse_opml",
    "write_opml",
]

MAX_OPML_BYTES = 2 * 1024 * 1024
"""A 2,000-feed export is about 400 KB; nothing legitimate comes near this."""
MAX_OUTLINES = 2000
MAX_DEPTH = 16
MAX_TEXT_CHARS = 300
MAX_URL_CHARS = 2048

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


class OPMLError(FeedLayerError):
    default_message = "not an OPML file"


@dataclass(frozen=True, slots=True)
class OpmlOutline:
    """One leaf outline as read: a feed when `xml_url` is set."""

    xml_url: str | None
    title: str
    html_url: str | None
    category: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class OpmlDocument:
    title: str
    outlines: tuple[OpmlOutline, ...]


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    """One feed to write; `category` nests it in outlines of those titles."""

    xml_url: str
    title: str
    html_url: str | None = None
    category: tuple[str, ...] = ()


def parse_opml(
    data: bytes,
    *,
    max_bytes: int = MAX_OPML_BYTES,
    max_outlines: int = MAX_OUTLINES,
    max_depth: int = MAX_DEPTH,
) -> OpmlDocument:
    """Read an OPML document; raises `OPMLError` (one line) for anything else or too much."""
    if len(data) > max_bytes:
        raise OPMLError(f"the file is larger than {max_bytes // (1024 * 1024)} MB")
    if not data.strip():
        raise OPMLError("the file is empty")
    title = ""
    outlines: list[OpmlOutline] = []
    stack: list[tuple[ET.Element, bool]] = []
    seen = 0
    in_body = False
    try:
        events = iterparse(
            io.BytesIO(data), events=("start", "end"), forbid_dtd=True, forbid_entities=True
        )
        for event, element in events:
            tag = _local(element.tag)
            if event == "start":
                if not stack and tag != "opml":
                    raise OPMLError(f"not an OPML file (its root element is <{tag[:40]}>)")
                if tag == "body" and len(stack) == 1:
                    in_body = True
                if tag == "outline":
                    seen += 1
                    if seen > max_outlines:
                        raise OPMLError(
                            f"the file has more than {max_outlines:,} outlines; "
                            "split it into smaller files"
                        )
                    depth = sum(1 for _, is_outline in stack if is_outline) + 1
                    if depth > max_depth:
                        raise OPMLError(f"outlines are nested more than {max_depth} deep")
                if len(stack) > max_depth + 4:
                    raise OPMLError(f"elements are nested more than {max_depth + 4} deep")
                stack.append((element, tag == "outline"))
                continue
            stack.pop()
            if tag == "title" and len(stack) == 2 and _local(stack[-1][0].tag) == "head":
                title = _clean(element.text)
            elif tag == "outline" and in_body:
                outline = _outline(element, stack)
                if outline is not None:
                    outlines.append(outline)
                element.clear()
            elif tag == "body":
                in_body = False
    except OPMLError:
        raise
    except DefusedXmlException:
        raise OPMLError(
            "the file declares a DTD or entities, which OPML never needs; refused"
        ) from None
    except ET.ParseError as exc:
        raise OPMLError(f"the file is not well-formed XML ({exc})") from None
    except (ValueError, LookupError, UnicodeError) as exc:
        raise OPMLError(f"the file could not be read as XML ({exc})") from None
    if not seen:
        raise OPMLError("the file has no outlines (an OPML subscription list has one per feed)")
    return OpmlDocument(title=title, outlines=tuple(outlines))


def _outline(element: ET.Element, stack: Sequence[tuple[ET.Element, bool]]) -> OpmlOutline | None:
    """The leaf outline `element` as read, None for a category (an outline with children)."""
    xml_url = _url(element.get("xmlUrl") or element.get("xmlurl"))
    has_children = any(_local(child.tag) == "outline" for child in element)
    if has_children and xml_url is None:
        return None
    category = tuple(_name(parent) for parent, is_outline in stack if is_outline)
    return OpmlOutline(
        xml_url=xml_url,
        title=_name(element),
        html_url=_url(element.get("htmlUrl") or element.get("htmlurl")),
        category=tuple(c for c in category if c),
    )


def _name(element: ET.Element) -> str:
    return _clean(element.get("title")) or _clean(element.get("text"))


def _local(tag: object) -> str:
    text = tag if isinstance(tag, str) else ""
    return text.rsplit("}", 1)[-1]


def _clean(text: str | None) -> str:
    if not text:
        return ""
    line = " ".join(_CONTROL.sub("", text).split())
    return line if len(line) <= MAX_TEXT_CHARS else line[: MAX_TEXT_CHARS - 1] + "…"


def _url(text: str | None) -> str | None:
    """A URL as written (whitespace trimmed); checking it is the importer's job."""
    if not text:
        return None
    url = _CONTROL.sub("", text).strip()
    return url[: MAX_URL_CHARS + 1] or None


def write_opml(feeds: Iterable[OpmlFeed], *, title: str, now: datetime) -> bytes:
    """An OPML 2.0 document of `feeds`, grouped into category outlines in first-seen order."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _clean(title)
    ET.SubElement(head, "dateCreated").text = format_datetime(now, usegmt=True)
    body = ET.SubElement(root, "body")
    folders: dict[tuple[str, ...], ET.Element] = {(): body}
    for feed in feeds:
        parent = body
        path: tuple[str, ...] = ()
        for name in feed.category:
            path += (_clean(name),)
            if path not in folders:
                folders[path] = ET.SubElement(parent, "outline", text=path[-1], title=path[-1])
            parent = folders[path]
        name = _clean(feed.title) or _clean(feed.xml_url)
        attrs = {"type": "rss", "text": name, "title": name}
        attrs["xmlUrl"] = _CONTROL.sub("", feed.xml_url)
        if feed.html_url:
            attrs["htmlUrl"] = _CONTROL.sub("", feed.html_url)
        ET.SubElement(parent, "outline", attrs)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
