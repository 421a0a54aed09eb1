"""Story growth: a posted story that gains a source gets an update in its thread.

`channel_story.sources_posted` is how many of the story's sources (in the order they were
added) the channel has been shown; the story's card froze those when it was planned. Each
source beyond that becomes one `thread_update` post ("New from <source>: …") carrying only
the facts and quotes of that source's summary the channel has not seen yet, compared with
the payloads of the story's earlier posts in that channel. The update is queued in the
channel's outbox behind the story's own message, so it reaches the thread after it; it never
becomes a new top-level post.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from bot.digests.keys import update_key
from bot.digests.views import shown_texts, thread_update, update_to_json
from bot.store.models import (
    POST_FAILED,
    POST_PENDING,
    Article,
    ChannelStory,
    Post,
    Story,
    StorySource,
)
from bot.store.store import Store
from bot.store.types import utcnow
from bot.store.upsert import insert_ignore


async def enqueue_story_updates(
    store: Store, *, now: datetime | None = None, limit: int = 500
) -> int:
    """Queue a thread update for each new source of every posted story. Returns how many
    updates were queued (0 when another process queued them first)."""
    now = now or utcnow()
    async with store.session(readonly=True) as s:
        grown = list(
            (
                await s.scalars(
                    select(ChannelStory)
                    .join(Story, Story.id == ChannelStory.story_id)
                    .where(ChannelStory.sources_posted < Story.source_count)
                    .order_by(ChannelStory.id)
                    .limit(limit)
                )
            ).all()
        )
    queued = 0
    for posting in grown:
        queued += await _update_posting(store, posting, now=now)
    return queued


async def _update_posting(store: Store, posting: ChannelStory, *, now: datetime) -> int:
    async with store.session() as s:
        sources = list(
            (
                await s.scalars(
                    select(StorySource)
                    .where(StorySource.story_id == posting.story_id)
                    .order_by(StorySource.id)
                )
            ).all()
        )
        earlier = list(
            (
                await s.scalars(
                    select(Post)
                    .where(
                        Post.platform == posting.platform,
                        Post.workspace_id == posting.workspace_id,
                        Post.channel_id == posting.channel_id,
                        Post.story_id == posting.story_id,
                        Post.kind.in_(("story", "thread_update")),
                    )
                    .order_by(Post.id)
                )
            ).all()
        )
        moved = await s.execute(
            update(ChannelStory)
            .where(
                ChannelStory.id == posting.id,
                ChannelStory.sources_posted == posting.sources_posted,
            )
            .values(sources_posted=len(sources))
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            return 0
        if any(p.kind == "story" and p.state == POST_FAILED for p in earlier):
            return 0
        facts, quotes = shown_texts(p.payload or {} for p in earlier)
        queued = 0
        for source in sources[posting.sources_posted :]:
            article = None
            if source.article_id is not None:
                article = await s.get(Article, source.article_id)
            view = thread_update(
                story_id=posting.story_id,
                source=source,
                url=(article.final_url or article.url) if article else None,
                summary=article.summary if article else None,
                shown_facts=facts,
                shown_quotes=quotes,
            )
            facts.extend(view.key_facts)
            quotes.extend(q.text for q in view.quotes)
            new_id = await insert_ignore(
                s,
                Post,
                {
                    "idempotency_key": update_key(posting.id, source.id),
                    "platform": posting.platform,
                    "workspace_id": posting.workspace_id,
                    "channel_id": posting.channel_id,
                    "kind": "thread_update",
                    "story_id": posting.story_id,
                    "payload": {"update": update_to_json(view)},
                    "state": POST_PENDING,
                    "thread_id": posting.thread_id,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                },
                conflict=["idempotency_key"],
            )
            queued += new_id is not None
        return queued
