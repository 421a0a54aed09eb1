"""Platform-neutral view models that the renderers turn into payloads.

The digest and story code builds these from stored stories; the renderers never see the store,
a platform library or the summarizer's internals. Text here is raw feed text: escaping is the
renderer's job, so the same card renders safely for Discord, Slack and the console.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from summarizer.model import KeyFact, Summary

CARD_FACTS = 3
"""Key facts on a story's message; its thread carries them all (up to `THREAD_FACTS`)."""
CARD_QUOTES = 2
"""Quotes on a story's message; its thread carries every key quote."""
THREAD_FACTS = 7
"""Key facts asked of the summarizer for a story: the thread's fuller summary."""
THREAD_QUOTES = 5
"""Quotes in a story's thread (best first)."""
STORED_QUOTES = 30
"""Quotes kept of each article (best first): every one is found by `/news quotes`, the first
`THREAD_QUOTES` are shown."""


def best_facts(facts: Iterable[KeyFact], n: int = CARD_FACTS) -> tuple[str, ...]:
    """The `n` facts the summarizer scored highest, shown in article order (ties: earlier)."""
    ranked = sorted(facts, key=lambda f: (-f.score, f.position))[:n]
    return tuple(f.text for f in sorted(ranked, key=lambda f: f.position))


@dataclass(frozen=True, slots=True)
class SourceLink:
    """One source of a story: a publication's name and the article's address there."""

    name: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class QuoteLine:
    text: str
    speaker: str | None = None


@dataclass(frozen=True, slots=True)
class StoryCard:
    """One story as a channel sees it.

    `key_facts` (article order) and `quotes` are the full summary, shown in the story's
    thread; the story's message shows `card_facts` and `card_quotes`, so that the thread adds
    to the card instead of repeating it. `from_feed_only` says the article page could not be
    read and the summary was made from the feed's own description.
    """

    story_id: str
    title: str
    url: str | None
    sources: tuple[SourceLink, ...] = ()
    published: datetime | None = None
    key_facts: tuple[str, ...] = ()
    quotes: tuple[QuoteLine, ...] = ()
    lead: str = ""
    from_feed_only: bool = False
    thread_url: str | None = None
    image_url: str | None = None
    """An https picture already judged fit to show (`bot.stories.images.display_image`)."""
    compact: bool = False
    """The channel's layout is compact: the story's message is one line (headline link,
    sources, a one-line lead); its thread still opens with the full summary."""
    top_facts: tuple[str, ...] = ()
    """The best `CARD_FACTS` key facts by the summarizer's score, in article order; empty
    (a card stored before scores were kept): the first `CARD_FACTS` key facts."""

    whole: bool = False
    """The card is the whole summary (`/news summarize`: no thread to carry the rest), so it
    shows every fact and quote."""

    @property
    def card_facts(self) -> tuple[str, ...]:
        if self.whole:
            return self.key_facts
        return self.top_facts or self.key_facts[:CARD_FACTS]

    @property
    def card_quotes(self) -> tuple[QuoteLine, ...]:
        return self.quotes if self.whole else self.quotes[:CARD_QUOTES]

    @property
    def thread_lead(self) -> str:
        """The lead as the thread shows it: empty when the first key fact already says it
        (the lead is usually that sentence, perhaps shortened or without its dateline)."""
        lead = " ".join(self.lead.split())
        if not lead or not self.key_facts:
            return lead
        first = " ".join(self.key_facts[0].split())
        stem = lead.rstrip(" .…")
        return "" if stem and (stem in first or first in lead) else lead

    @property
    def one_line_lead(self) -> str:
        """The lead for a compact line: the lead, else the first key fact, on one line."""
        lead = " ".join(self.lead.split())
        if not lead and self.key_facts:
            lead = " ".join(self.key_facts[0].split())
        return lead

    @classmethod
    def from_summary(
        cls,
        summary: Summary,
        *,
        story_id: str,
        sources: Iterable[SourceLink] = (),
        published: datetime | None = None,
        from_feed_only: bool = False,
        thread_url: str | None = None,
    ) -> StoryCard:
        """Build a card from a summary; key facts are shown in article order."""
        facts = sorted(summary.key_facts, key=lambda f: f.position)
        return cls(
            story_id=story_id,
            title=summary.title or "",
            url=summary.url,
            sources=tuple(sources),
            published=published,
            key_facts=tuple(f.text for f in facts),
            quotes=tuple(QuoteLine(q.text, q.speaker) for q in summary.quotes),
            lead=summary.lead,
            from_feed_only=from_feed_only,
            thread_url=thread_url,
            top_facts=best_facts(facts),
        )


@dataclass(frozen=True, slots=True)
class DigestView:
    """A digest: a header ("Morning digest — 7 stories") and one message per story."""

    title: str
    stories: tuple[StoryCard, ...] = ()

    @property
    def heading(self) -> str:
        n = len(self.stories)
        return f"{self.title} — {n} {'story' if n == 1 else 'stories'}"


@dataclass(frozen=True, slots=True)
class ThreadUpdate:
    """What a new source adds to a story already posted: goes into the story's thread."""

    story_id: str
    source: SourceLink
    key_facts: tuple[str, ...] = ()
    quotes: tuple[QuoteLine, ...] = ()


@dataclass(frozen=True, slots=True)
class Ping:
    """Who is mentioned in a story's thread: members who follow a topic it matches
    (`topics`, their words) and the roles (Discord) or user groups (Slack) of the feeds that
    brought it. Ids are the platform's; renderers mention exactly these and nothing else."""

    story_id: str
    user_ids: tuple[str, ...] = ()
    role_ids: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
