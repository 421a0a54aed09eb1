"""The summarizer's output: a Summary of key facts and attributed quotes.

Everything here is a frozen, slotted dataclass that round-trips through JSON
(`Summary.to_json()` / `Summary.from_json()`), so the bot can store summaries
as text and chat adapters can render them without importing the summarizer's
internals.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

WORDS_PER_MINUTE = 230


@dataclass(frozen=True, slots=True)
class KeyFact:
    """One sentence of the article, chosen as a key fact.

    `position` is the sentence's index in the article (0-based), so facts can
    be shown in article order.
    """

    text: str
    position: int
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quote: the quoted words without their marks, and who said them.

    `speaker` is the fullest name the article uses for the speaker (a person or an
    organisation), or None when no attribution was found. `position` is the index of
    the sentence the quote starts in.
    """

    text: str
    speaker: str | None
    position: int
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class Summary:
    title: str | None
    lead: str
    key_facts: tuple[KeyFact, ...]
    quotes: tuple[Quote, ...]
    fragments: tuple[Quote, ...] = ()
    byline: str | None = None
    published: str | None = None
    url: str | None = None
    word_count: int = 0
    reading_time_minutes: int = 0
    sentence_count: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    image: str | None = None
    """The page's og:image / twitter:image, absolute; the caller decides whether to show it."""

    @staticmethod
    def reading_time(word_count: int) -> int:
        """Minutes to read `word_count` words, at least 1 for any non-empty text."""
        if word_count <= 0:
            return 0
        return max(1, round(word_count / WORDS_PER_MINUTE))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["key_facts"] = [asdict(f) for f in self.key_facts]
        data["quotes"] = [asdict(q) for q in self.quotes]
        data["fragments"] = [asdict(q) for q in self.fragments]
        return data

    def to_json(self, *, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Summary:
        return cls(
            title=data.get("title"),
            lead=data.get("lead", ""),
            key_facts=tuple(KeyFact(**f) for f in data.get("key_facts", ())),
            quotes=tuple(Quote(**q) for q in data.get("quotes", ())),
            fragments=tuple(Quote(**q) for q in data.get("fragments", ())),
            byline=data.get("byline"),
            published=data.get("published"),
            url=data.get("url"),
            word_count=int(data.get("word_count", 0)),
            reading_time_minutes=int(data.get("reading_time_minutes", 0)),
            sentence_count=int(data.get("sentence_count", 0)),
            extra=dict(data.get("extra") or {}),
            image=data.get("image") if isinstance(data.get("image"), str) else None,
        )

    @classmethod
    def from_json(cls, text: str) -> Summary:
        return cls.from_dict(json.loads(text))
