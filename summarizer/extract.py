"""Source (HTML or plain text) → title, byline, date and body paragraphs.

HTML goes through trafilatura; plain text is split into paragraphs on newlines.
Both then pass through the same furniture filter, so site chrome that survives
extraction (section labels, photo credits, "Advertisement", newsletter prompts)
never becomes a fact or a quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import trafilatura

_HTML_HINT = re.compile(r"<\s*(?:html|body|p|div|article|head|br|span|h[1-6])\b", re.I)

_FURNITURE = re.compile(
    r"""^(?:
        advertisement|sponsored(?:\s+content)?|share\s+this(?:\s+(?:story|article))?
        |subscribe\b.*|sign\s+up\b.*newsletter.*|related:.*|read\s+more:?.*
        |join\s+the\s+conversation\b.*|(?:photo|image)\s*:.*|\(.*\bvia\s+\w+\)\s*
    )$""",
    re.I | re.X,
)


@dataclass(frozen=True, slots=True)
class Extracted:
    title: str | None
    byline: str | None
    date: str | None
    paragraphs: list[str]


def looks_like_html(source: str) -> bool:
    return bool(_HTML_HINT.search(source[:5000]))


def is_furniture(line: str) -> bool:
    return bool(_FURNITURE.match(line.strip()))


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _looks_like_headline(line: str) -> bool:
    return len(line.split()) <= 20 and not line.rstrip().endswith((".", "”", '"', ":", "?"))


def clean_paragraphs(lines: list[str], *, title: str | None) -> tuple[str | None, list[str]]:
    """Drop furniture; a repeated headline at the top becomes the title."""
    kept = [" ".join(line.split()) for line in lines]
    kept = [line for line in kept if line and not is_furniture(line)]
    if kept and title and _norm(kept[0]) == _norm(title):
        kept = kept[1:]
    elif kept and not title and len(kept) > 1 and _looks_like_headline(kept[0]):
        title, kept = kept[0], kept[1:]
    return title, kept


def extract(source: str, *, title: str | None = None, url: str | None = None) -> Extracted:
    if looks_like_html(source):
        doc = trafilatura.bare_extraction(
            source,
            url=url,
            fast=True,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
        )
        if doc is None:
            return Extracted(title=title, byline=None, date=None, paragraphs=[])
        found_title = title or getattr(doc, "title", None)
        found_title, paragraphs = clean_paragraphs(
            (getattr(doc, "text", "") or "").splitlines(), title=found_title
        )
        return Extracted(
            title=found_title,
            byline=getattr(doc, "author", None),
            date=getattr(doc, "date", None),
            paragraphs=paragraphs,
        )
    found_title, paragraphs = clean_paragraphs(source.splitlines(), title=title)
    return Extracted(title=found_title, byline=None, date=None, paragraphs=paragraphs)
