"""Store rows → the render view models, and view models ↔ the JSON kept in outbox payloads.

A story's card is built once, when the digest is planned, and frozen into its post's
payload: the message delivered (even after a restart) is the one planned, and later thread
updates compare a new source's facts and quotes with exactly what the channel was shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from bot.render.views import (
    THREAD_QUOTES,
    QuoteLine,
    SourceLink,
    StoryCard,
    ThreadUpdate,
    best_facts,
)
from bot.store.models import Story, StorySource
from bot.stories.images import display_image
from summarizer.model import KeyFact

_WS = re.compile(r"\s+")


def source_link(source: StorySource, *, url: str | None = None) -> SourceLink:
    """A source as the channel sees it: the feed's title (else the host name) and `url`, the
    article's address. `StorySource.url` is the link's identity, which may lack its scheme."""
    link = url or source.url
    if "://" not in link:
        link = "https://" + link
    name = (source.feed_title or "").strip() or urlsplit(link).hostname or link
    return SourceLink(name, link)


def stored_facts(summary: dict[str, Any] | None) -> list[KeyFact]:
    """Key facts of a stored summary (`Summary.to_dict()`), in article order."""
    facts = []
    for f in (summary or {}).get("key_facts") or ():
        if isinstance(f, dict) and (text := str(f.get("text") or "").strip()):
            try:
                score = float(f.get("score") or 0.0)
            except (TypeError, ValueError):
                score = 0.0
            facts.append(KeyFact(text, int(f.get("position") or 0), score))
    facts.sort(key=lambda f: f.position)
    return facts


def summary_facts(summary: dict[str, Any] | None) -> tuple[str, ...]:
    """Key facts of a stored summary (`Summary.to_dict()`), in article order."""
    return tuple(f.text for f in stored_facts(summary))


def summary_quotes(
    summary: dict[str, Any] | None, limit: int | None = THREAD_QUOTES
) -> tuple[QuoteLine, ...]:
    """The first `limit` quotes of a stored summary (best first; None: all): what a thread
    shows. The summary may keep more (`STORED_QUOTES`), for `/news quotes` to find."""
    quotes = [q for q in (summary or {}).get("quotes") or () if isinstance(q, dict)]
    lines = tuple(
        QuoteLine(t, (q.get("speaker") or None))
        for q in quotes
        if (t := str(q.get("text") or "").strip())
    )
    return lines[:limit]


def story_card(
    story: Story,
    sources: Sequence[StorySource],
    *,
    article_urls: Mapping[int, str] | None = None,
) -> StoryCard:
    """The card of a stored story with its sources (in the order they were added);
    `article_urls` maps article ids to their addresses."""
    summary = story.summary or {}
    lead = (story.lead or summary.get("lead") or "").strip()
    urls = article_urls or {}
    links = tuple(source_link(s, url=urls.get(s.article_id or 0)) for s in sources)
    return StoryCard(
        story_id=str(story.id),
        title=story.title or summary.get("title") or "",
        url=story.url or summary.get("url") or (links[0].url if links else None),
        sources=links,
        published=story.published_at or story.created_at,
        key_facts=summary_facts(summary),
        quotes=summary_quotes(summary),
        lead=lead,
        from_feed_only=bool(story.from_feed_only),
        image_url=display_image(story.image_url),
        top_facts=best_facts(stored_facts(summary)),
    )


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip().casefold()


def thread_update(
    *,
    story_id: int,
    source: StorySource,
    url: str | None,
    summary: dict[str, Any] | None,
    shown_facts: Iterable[str],
    shown_quotes: Iterable[str],
) -> ThreadUpdate:
    """What `source` adds to a story: its facts and quotes that the channel was not shown."""
    facts_seen = {_norm(f) for f in shown_facts}
    quotes_seen = {_norm(q) for q in shown_quotes}
    facts = tuple(f for f in summary_facts(summary) if _norm(f) not in facts_seen)
    unseen = [q for q in summary_quotes(summary, None) if _norm(q.text) not in quotes_seen]
    quotes = tuple(unseen[:THREAD_QUOTES])
    return ThreadUpdate(str(story_id), source_link(source, url=url), _dedupe(facts), quotes)


def _dedupe(items: tuple[str, ...]) -> tuple[str, ...]:
    seen: set[str] = set()
    kept = []
    for item in items:
        if _norm(item) not in seen:
            seen.add(_norm(item))
            kept.append(item)
    return tuple(kept)


# JSON forms kept in Post.payload


def card_to_json(card: StoryCard) -> dict[str, Any]:
    return {
        "story_id": card.story_id,
        "title": card.title,
        "url": card.url,
        "sources": [[s.name, s.url] for s in card.sources],
        "published": card.published.isoformat() if card.published else None,
        "key_facts": list(card.key_facts),
        "quotes": [[q.text, q.speaker] for q in card.quotes],
        "lead": card.lead,
        "from_feed_only": card.from_feed_only,
        "image_url": card.image_url,
        "compact": card.compact,
        "top_facts": list(card.top_facts),
    }


def card_from_json(data: dict[str, Any]) -> StoryCard:
    published = data.get("published")
    return StoryCard(
        story_id=str(data["story_id"]),
        title=data.get("title") or "",
        url=data.get("url"),
        sources=tuple(SourceLink(n, u) for n, u in data.get("sources") or ()),
        published=datetime.fromisoformat(published) if published else None,
        key_facts=tuple(data.get("key_facts") or ()),
        quotes=tuple(QuoteLine(t, s) for t, s in data.get("quotes") or ()),
        lead=data.get("lead") or "",
        from_feed_only=bool(data.get("from_feed_only")),
        image_url=display_image(data.get("image_url")),
        compact=bool(data.get("compact")),
        top_facts=tuple(data.get("top_facts") or ()),
    )


def update_to_json(update: ThreadUpdate) -> dict[str, Any]:
    return {
        "story_id": update.story_id,
        "source": [update.source.name, update.source.url],
        "key_facts": list(update.key_facts),
        "quotes": [[q.text, q.speaker] for q in update.quotes],
    }


def update_from_json(data: dict[str, Any]) -> ThreadUpdate:
    name, url = data["source"]
    return ThreadUpdate(
        story_id=str(data["story_id"]),
        source=SourceLink(name, url),
        key_facts=tuple(data.get("key_facts") or ()),
        quotes=tuple(QuoteLine(t, s) for t, s in data.get("quotes") or ()),
    )


def shown_texts(payloads: Iterable[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Facts and quote texts a channel was shown, from the payloads of a story's posts."""
    facts: list[str] = []
    quotes: list[str] = []
    for payload in payloads:
        part = payload.get("card") or payload.get("update") or {}
        facts.extend(part.get("key_facts") or ())
        quotes.extend(t for t, _ in part.get("quotes") or ())
        lead = part.get("lead")
        if lead:
            facts.append(lead)
    return facts, quotes


@dataclass(frozen=True, slots=True)
class Notice:
    """A message to a channel's moderators (a feed failing, a post that cannot be delivered).

    Platforms that implement `post_notice(*, channel_id, notice, key) -> Posted` show it
    as they like; for the others it goes out as a story-shaped card (`notice_card`)."""

    title: str
    lines: tuple[str, ...] = ()
    url: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "lines": list(self.lines), "url": self.url}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Notice:
        return cls(str(data.get("title") or ""), tuple(data.get("lines") or ()), data.get("url"))


def notice_card(notice: Notice) -> StoryCard:
    return StoryCard(story_id="notice", title=notice.title, url=notice.url, key_facts=notice.lines)
