"""Feed bytes → ``ParsedFeed``: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed here.

feedparser only ever gets the bytes and the response headers, wrapped in a stream: given a
string it might treat it as a URL or a path and open it itself. Before it sees them, any DOCTYPE
is cut out of the prolog, so entity declarations ("billion laughs") and external entities never
reach an XML parser; the feed's own entities then stay unexpanded and feedparser's lenient pass
reads the rest.

Everything a user could see comes out as plain text: titles, summaries and authors have their
entities decoded, control and bidirectional-override characters dropped and whitespace
collapsed. Text the feed marks as HTML has its tags removed; text it declares plain (an Atom
``type="text"`` element, an RSS title feedparser reads as ``text/plain``, every JSON Feed text
field by that format's spec) is only decoded, so a headline such as ``I <3 a <b> c`` or
``<!channel> …`` keeps every character. ``content_html`` stays HTML (sanitized by feedparser
for XML feeds, as the feed sent it for JSON Feed): it is input for text extraction, never for
display. Mentions such as ``@everyone`` are kept as text; neutralising them is the renderer's
job.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import io
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from bot.feeds.errors import ParseError
from bot.plural import counted

MAX_ENTRIES = 1000
_MAX_TITLE = 1000
_MAX_SUMMARY = 20_000
_MIN_YEAR, _MAX_YEAR = 1900, 2200


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """One item. ``guid`` is never empty: the feed's id, else its link, else a content hash."""

    guid: str
    link: str | None
    title: str
    summary: str
    content_html: str | None
    published: datetime | None
    updated: datetime | None
    author: str | None
    image: str | None = None
    """The item's own picture (media:content, media:thumbnail, an image enclosure, JSON Feed
    ``image``/``banner_image``/image attachments), absolute and http(s); not yet checked for
    display (``bot.stories.images`` does that)."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """A feed as far as it could be read. ``bozo`` is true when it was ill-formed; ``warnings``
    says, one line each, what was wrong or removed. ``format`` is feedparser's version name
    (``rss20``, ``atom10``, ``rss10`` …) or ``json1``/``json1.1``."""

    title: str
    link: str | None
    format: str
    entries: tuple[ParsedEntry, ...]
    warnings: tuple[str, ...]
    bozo: bool


def parse_feed(
    body: bytes, *, headers: Mapping[str, str], url: str, max_entries: int = MAX_ENTRIES
) -> ParsedFeed:
    """Parse a fetched feed. ``headers`` are the response headers, ``url`` the final URL (the
    base for relative links). Raises ``ParseError`` when nothing in ``body`` reads as a feed;
    a partly readable feed gives what could be read plus warnings."""
    lowered = {k.lower(): v for k, v in headers.items()}
    if not body.strip():
        raise ParseError("the feed is empty", url=url)
    if _looks_like_json(body):
        return _parse_json_feed(body, url=url, max_entries=max_entries)
    return _parse_xml_feed(body, headers=lowered, url=url, max_entries=max_entries)


def _looks_like_json(body: bytes) -> bool:
    """Sniffed from the bytes: servers label feeds wrongly in both directions."""
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


# --- XML feeds ---------------------------------------------------------------------------------

# Mislabelled charset or media type: feedparser flags them, but the feed itself read cleanly.
_BENIGN = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_DTD_TOKEN = re.compile(rb"\"[^\"]*\"|'[^']*'|<!--.*?-->|[\[\]>]", re.DOTALL)
_XML_DECL_ENCODING = re.compile(r"^(<\?xml[^>]*?)\s+encoding\s*=\s*(['\"])[^'\"]*\2", re.I)


def _parse_xml_feed(
    body: bytes, *, headers: dict[str, str], url: str, max_entries: int
) -> ParsedFeed:
    warnings: list[str] = []
    body, headers = _as_ascii_compatible(body, headers)
    body, had_entities = _strip_doctype(body, url=url)
    if had_entities:
        warnings.append("entity declarations removed: XML entity expansion is refused")
    headers = {**headers, "content-location": headers.get("content-location", url)}
    headers.pop("content-encoding", None)
    try:
        parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    except Exception as exc:  # hostile bytes can trip any layer of feedparser (seen: ValueError)
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())[:200]
        raise ParseError(f"the feed could not be parsed ({reason})", url=url) from exc

    version = parsed.get("version") or ""
    raw_entries = parsed.get("entries") or []
    if not version and not raw_entries:
        raise ParseError("not an RSS, Atom or JSON feed", url=url)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    reason = " ".join(str(problem or "").split())[:200]
    bozo = problem is not None and not isinstance(problem, _BENIGN)
    if bozo:
        warnings.append(f"ill-formed feed, read leniently: {reason or type(problem).__name__}")
    elif problem is not None:
        warnings.append(f"content type or encoding mislabelled: {reason}")

    feed = parsed.get("feed") or {}
    entries = _take(raw_entries, max_entries, warnings)
    return ParsedFeed(
        title=_detail_text(feed, "title", _MAX_TITLE),
        link=_link(feed.get("link"), url),
        format=version or "unknown",
        entries=tuple(_xml_entry(e, url, warnings) for e in entries),
        warnings=tuple(warnings),
        bozo=bozo or had_entities,
    )


def _as_ascii_compatible(body: bytes, headers: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    """Re-encode UTF-16/32 feeds as UTF-8, so the DOCTYPE scan below sees every feed's prolog."""
    encoding = _wide_encoding(body[:4])
    if encoding is None:
        return body, headers
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError:
        return body, headers
    text = _XML_DECL_ENCODING.sub(r"\1", text.lstrip("\ufeff"), count=1)
    return text.encode("utf-8"), {**headers, "content-type": "application/xml; charset=utf-8"}


def _wide_encoding(head: bytes) -> str | None:
    boms = (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    )
    for bom, name in boms:
        if head.startswith(bom):
            return name
    patterns = {
        b"<\x00\x00\x00": "utf-32-le",
        b"\x00\x00\x00<": "utf-32-be",
        b"<\x00?\x00": "utf-16-le",
        b"\x00<\x00?": "utf-16-be",
    }
    return patterns.get(head)


def _strip_doctype(body: bytes, *, url: str) -> tuple[bytes, bool]:
    """Cut the DOCTYPE (internal subset included) out of the prolog. Returns the new body and
    whether the DOCTYPE declared entities."""
    root = _ROOT_START.search(body)
    prolog_end = root.start() if root else len(body)
    match = _DOCTYPE.search(body, 0, prolog_end)
    if match is None:
        return body, False
    depth = 0
    for token in _DTD_TOKEN.finditer(body, match.end()):
        symbol = token.group()
        if symbol == b"[":
            depth += 1
        elif symbol == b"]":
            depth = max(0, depth - 1)
        elif symbol == b">" and depth == 0:
            doctype = body[match.start() : token.end()]
            return body[: match.start()] + body[token.end() :], b"<!ENTITY" in doctype.upper()
    raise ParseError("the feed's DOCTYPE never ends", url=url)


def _xml_entry(entry: Mapping[str, Any], base: str, warnings: list[str]) -> ParsedEntry:
    link = _link(entry.get("link"), base)
    if entry.get("link") and link is None:
        warnings.append(f"entry link dropped (not http/https): {_clip(str(entry.get('link')))}")
    title = _detail_text(entry, "title", _MAX_TITLE)
    summary = _detail_text(entry, "summary", _MAX_SUMMARY)
    content_html = _first_html_content(entry.get("content"))
    published = _feed_date(entry, "published")
    updated = _feed_date(entry, "updated")
    guid = _clean_id(entry.get("id")) or link or _content_hash(title, summary, published)
    return ParsedEntry(
        guid=guid,
        link=link,
        title=title,
        summary=summary,
        content_html=content_html,
        published=published or updated,
        updated=updated,
        author=_text(entry.get("author"), 200) or None,
        image=_xml_image(entry, base),
    )


_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif")


_MAX_IMAGE_URL = 2048


def _image_link(value: Any, base: str) -> str | None:
    """An image address as `_link` reads it; longer than a platform would show: none."""
    if isinstance(value, str) and len(value) > _MAX_IMAGE_URL:
        return None
    link = _link(value, base)
    return link if link is None or len(link) <= _MAX_IMAGE_URL else None


def _is_image(kind: Any, medium: Any, url: str) -> bool:
    """An image by its MIME type or media:content ``medium``; with neither, by its suffix."""
    if isinstance(medium, str) and medium.strip():
        return medium.strip().lower() == "image"
    if isinstance(kind, str) and kind.strip():
        return kind.strip().lower().startswith("image/")
    return urlsplit(url).path.lower().endswith(_IMAGE_SUFFIXES)


def _width(item: Mapping[str, Any]) -> int:
    raw = item.get("width")
    text = str(raw).strip() if raw is not None else ""
    return int(text) if text.isdigit() and len(text) <= 6 else 0


def _xml_image(entry: Mapping[str, Any], base: str) -> str | None:
    """media:content images (widest first), then media:thumbnail, then image enclosures."""
    media = [m for m in entry.get("media_content") or () if isinstance(m, Mapping)]
    found: list[tuple[int, str]] = []
    for item in media:
        url = _image_link(item.get("url"), base)
        if url and _is_image(item.get("type"), item.get("medium"), url):
            found.append((_width(item), url))
    if found:
        return max(found, key=lambda pair: pair[0])[1]
    for item in entry.get("media_thumbnail") or ():
        if isinstance(item, Mapping) and (url := _image_link(item.get("url"), base)):
            return url
    links = [*(entry.get("enclosures") or ()), *(entry.get("links") or ())]
    for item in links:
        if not isinstance(item, Mapping) or item.get("rel", "enclosure") != "enclosure":
            continue
        url = _image_link(item.get("href"), base)
        if url and _is_image(item.get("type"), None, url):
            return url
    return None


def _first_html_content(content: Any) -> str | None:
    if not isinstance(content, list):
        return None
    values = [c for c in content if isinstance(c, Mapping) and isinstance(c.get("value"), str)]
    for item in values:
        if "html" in str(item.get("type", "")):
            return item["value"] or None
    if values:
        return _paragraphs(values[0]["value"]) or None
    return None


_ISO_DATE = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{1,2}))?")


def _feed_date(entry: Mapping[str, Any], key: str) -> datetime | None:
    """feedparser's parsed date, unless the raw text was an impossible ISO date that feedparser
    rolled over (``2026-13-45`` becomes 2027)."""
    # dict.get: FeedParserDict.get("updated_parsed") quietly answers with published_parsed.
    raw = dict.get(entry, key)  # type: ignore[arg-type]
    if isinstance(raw, str) and (match := _ISO_DATE.match(raw)):
        year, month, day, hour, minute = (int(g) if g else 0 for g in match.groups())
        try:
            datetime(year, month, day, hour, minute)
        except ValueError:
            return None
    return _from_struct(dict.get(entry, f"{key}_parsed"))  # type: ignore[arg-type]


def _from_struct(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        moment = datetime(*value[:6], tzinfo=UTC)
    except (ValueError, TypeError, OverflowError):
        return None
    return moment if _MIN_YEAR <= moment.year <= _MAX_YEAR else None


# --- JSON Feed ---------------------------------------------------------------------------------


def _parse_json_feed(body: bytes, *, url: str, max_entries: int) -> ParsedFeed:
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ParseError("the feed is not valid JSON", url=url) from exc
    version = doc.get("version") if isinstance(doc, dict) else None
    if not isinstance(version, str) or not version.startswith("https://jsonfeed.org/version/"):
        raise ParseError("JSON, but not a JSON Feed (no jsonfeed.org version)", url=url)
    warnings: list[str] = []
    items = doc.get("items")
    if not isinstance(items, list):
        warnings.append("JSON Feed without an items list")
        items = []
    objects = [i for i in items if isinstance(i, dict)]
    if len(objects) != len(items):
        skipped = len(items) - len(objects)
        warnings.append(f"{counted(skipped, 'item')} skipped: not a JSON object")
    entries = _take(objects, max_entries, warnings)
    name = version.rsplit("/", 1)[-1]
    return ParsedFeed(
        title=_plain(_str(doc.get("title")), _MAX_TITLE),
        link=_link(doc.get("home_page_url"), url),
        format=f"json{name}",
        entries=tuple(_json_entry(i, url, warnings) for i in entries),
        warnings=tuple(warnings),
        bozo=bool(warnings),
    )


def _json_entry(item: dict[str, Any], base: str, warnings: list[str]) -> ParsedEntry:
    raw_link = _str(item.get("url")) or _str(item.get("external_url"))
    link = _link(raw_link, base)
    if raw_link and link is None:
        warnings.append(f"entry link dropped (not http/https): {_clip(raw_link)}")
    content_html = _str(item.get("content_html"))
    if content_html is None and _str(item.get("content_text")):
        content_html = _paragraphs(_str(item.get("content_text")) or "")
    title = _plain(_str(item.get("title")), _MAX_TITLE)
    summary = _plain(_str(item.get("summary")), _MAX_SUMMARY)
    published = _from_iso(item.get("date_published"))
    updated = _from_iso(item.get("date_modified"))
    guid = _json_id(item.get("id")) or link or _content_hash(title, summary, published)
    return ParsedEntry(
        guid=guid,
        link=link,
        title=title,
        summary=summary,
        content_html=content_html,
        published=published or updated,
        updated=updated,
        author=_json_author(item),
        image=_json_image(item, base),
    )


def _json_image(item: dict[str, Any], base: str) -> str | None:
    for key in ("image", "banner_image"):
        if url := _image_link(item.get(key), base):
            return url
    attachments = item.get("attachments")
    for attachment in attachments if isinstance(attachments, list) else ():
        if not isinstance(attachment, dict):
            continue
        url = _image_link(attachment.get("url"), base)
        if url and _is_image(attachment.get("mime_type"), None, url):
            return url
    return None


def _json_id(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return _clean_id(value)


def _json_author(item: dict[str, Any]) -> str | None:
    authors = item.get("authors")
    candidates = authors if isinstance(authors, list) else [item.get("author")]
    for author in candidates:
        if isinstance(author, dict):
            name = _plain(_str(author.get("name")), 200)
            if name:
                return name
    return None


def _from_iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if not _MIN_YEAR <= moment.year <= _MAX_YEAR:
        return None
    return moment.astimezone(UTC)


# --- shared ------------------------------------------------------------------------------------


def _take(entries: list[Any], limit: int, warnings: list[str]) -> list[Any]:
    if len(entries) > limit:
        warnings.append(f"only the first {limit} of {len(entries)} entries were read")
        return entries[:limit]
    return entries


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _link(value: Any, base: str) -> str | None:
    if not isinstance(value, str):
        return None
    candidate = "".join(ch for ch in value.strip() if ch.isprintable() and not ch.isspace())
    if not candidate:
        return None
    try:
        absolute = urljoin(base, candidate)
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return absolute


def _clean_id(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text[:2000] or None


def _content_hash(title: str, summary: str, published: datetime | None) -> str:
    stamp = published.isoformat() if published else ""
    digest = hashlib.sha256(f"{title}\x00{summary}\x00{stamp}".encode()).hexdigest()
    return f"sha256:{digest[:32]}"


def text_as_html(text: str) -> str:
    """Plain text as HTML paragraphs (blank lines between them), every character escaped: the
    form in which a feed's plain text reaches the summarizer, which would otherwise have to guess
    whether ``<!channel> Residents …`` is markup."""
    return _paragraphs(text)


def _paragraphs(text: str) -> str:
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
    return "".join(f"<p>{html.escape(b)}</p>" for b in blocks)


def _clip(text: str) -> str:
    return text if len(text) <= 80 else text[:79] + "…"


class _TextExtractor(HTMLParser):
    _SKIP = frozenset({"script", "style", "template", "noscript", "iframe", "object"})
    _BREAKS = frozenset({"br", "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BREAKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        elif tag in self._BREAKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Unicode format characters (category Cf: bidi overrides, zero-width marks, soft hyphen, tag
# characters), surrogates and private-use code points: invisible or meaningless in a title.
_FORMAT_CHARS = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ud800-\uf8ff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001-\U000e007f\U000f0000-\U0010ffff]"
)


def _detail_text(element: Mapping[str, Any], key: str, limit: int) -> str:
    """An element's text by the type feedparser read for it (``title_detail`` and the like):
    decoded when plain, tags removed when HTML."""
    detail = element.get(f"{key}_detail")
    kind = detail.get("type") if isinstance(detail, Mapping) else None
    if kind == "text/plain":
        return _plain(element.get(key), limit)
    return _text(element.get(key), limit)


def _plain(value: Any, limit: int) -> str:
    """Plain text → one line: entities decoded, nothing parsed as markup, controls dropped."""
    if not isinstance(value, str) or not value:
        return ""
    return _one_line(html.unescape(value) if "&" in value else value, limit)


def _text(value: Any, limit: int) -> str:
    """HTML → one line of plain text: tags removed, entities decoded, controls dropped."""
    if not isinstance(value, str) or not value:
        return ""
    if "<" in value or "&" in value:
        extractor = _TextExtractor()
        extractor.feed(value)
        extractor.close()
        value = "".join(extractor.parts)
    return _one_line(value, limit)


def _one_line(value: str, limit: int) -> str:
    line = " ".join(_CONTROLS.sub(" ", _FORMAT_CHARS.sub("", value)).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
