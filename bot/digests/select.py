"""Which stories go into a channel's digest, and in what order.

Pure functions over plain candidates, so the same rules serve the scheduler,
`/digest now` and the demo. Keyword filters match whole words (or phrases),
case-insensitively, in the story's title, lead and key facts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

RECENCY_HALF_LIFE_H = 12.0


@dataclass(frozen=True, slots=True)
class Candidate:
    story_id: int
    text: str
    source_count: int
    published: datetime


@dataclass(frozen=True, slots=True)
class KeywordFilter:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @classmethod
    def parse(cls, include: str | None = None, exclude: str | None = None) -> KeywordFilter:
        """Keywords come comma-separated from a command: ``"climate, net zero"``."""
        return cls(include=split_keywords(include), exclude=split_keywords(exclude))

    def matches(self, text: str) -> bool:
        if any(contains(text, k) for k in self.exclude):
            return False
        return not self.include or any(contains(text, k) for k in self.include)

    def hits(self, text: str) -> int:
        return sum(contains(text, k) for k in self.include)


def split_keywords(raw: str | None) -> tuple[str, ...]:
    """``"Climate, net  zero, climate"`` → ``("climate", "net zero")``: comma-separated
    phrases, spaces collapsed, case folded, repeats dropped."""
    if not raw:
        return ()
    words = (" ".join(part.split()).casefold() for part in raw.split(","))
    return tuple(dict.fromkeys(w for w in words if w))


def contains(text: str, keyword: str) -> bool:
    """`keyword` (a word or phrase, already folded) occurs in `text` as whole words."""
    pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, keyword.split())) + r"(?!\w)"
    return re.search(pattern, text.casefold()) is not None


def score(candidate: Candidate, *, now: datetime, keywords: KeywordFilter) -> float:
    """More sources, newer, and more keyword hits rank higher."""
    age_h = max(0.0, (now - candidate.published).total_seconds() / 3600)
    recency = 0.5 ** (age_h / RECENCY_HALF_LIFE_H)
    breadth = math.log2(1 + max(1, candidate.source_count))
    return breadth * (0.25 + recency) + 0.5 * keywords.hits(candidate.text)


def select_stories(
    candidates: Iterable[Candidate],
    *,
    filters: Sequence[KeywordFilter],
    limit: int,
    now: datetime,
) -> list[Candidate]:
    """Stories that pass any of the channel's subscription filters, best first.

    A channel may follow several feeds, each with its own filter; a story passes
    when one of them lets it through (`filters` empty means no filtering).
    """
    merged = KeywordFilter(include=tuple(k for f in filters for k in f.include))
    passing = [c for c in candidates if not filters or any(f.matches(c.text) for f in filters)]
    ranked = sorted(
        passing,
        key=lambda c: (-score(c, now=now, keywords=merged), -c.published.timestamp(), c.story_id),
    )
    return ranked[: max(0, limit)]
