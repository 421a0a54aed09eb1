"""Story search for people: full-text hits with their sources, key facts and quotes.

`find_stories(store, words)` is what `newsdigest search` and the `/news search` command call.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from bot.store.search import HIGHLIGHT_END, HIGHLIGHT_START, search_stories
from bot.store.store import Store

__all__ = ["StoryHit", "find_stories"]


@dataclass(frozen=True, slots=True)
class StoryHit:
    id: int
    title: str
    url: str | None
    snippet: str
    sources: list[str]
    key_facts: list[str]
    quotes: list[dict[str, str | None]]
    from_feed_only: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


async def find_stories(
    store: Store,
    words: str,
    *,
    limit: int = 10,
    platform: str | None = None,
    workspace_id: str | None = None,
) -> list[StoryHit]:
    """Stories matching `words`, best first (scoped to a workspace when one is given)."""
    hits = await search_stories(
        store, words, limit=limit, platform=platform, workspace_id=workspace_id
    )
    out: list[StoryHit] = []
    for hit in hits:
        story = await store.stories.get(hit.story_id)
        if story is None:
            continue
        summary = story.summary or {}
        sources = [s.url for s in await store.stories.sources(hit.story_id)]
        out.append(
            StoryHit(
                id=story.id,
                title=story.title,
                url=story.url,
                snippet=_one_line(hit.snippet),
                sources=sources,
                key_facts=[f.get("text", "") for f in summary.get("key_facts", ())],
                quotes=[
                    {"text": q.get("text", ""), "speaker": q.get("speaker")}
                    for q in summary.get("quotes", ())
                ],
                from_feed_only=story.from_feed_only,
            )
        )
    return out


def _one_line(snippet: str) -> str:
    """The snippet without highlight marks, as one line (it can span the title and the text)."""
    return " ".join(snippet.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "").split())
