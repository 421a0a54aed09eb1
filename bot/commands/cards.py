"""Stories as a workspace may see them: visibility, cards and links to their threads.

A story is visible to a workspace when one of its sources came through a feed some channel
of that workspace follows (`visible_in_workspace`); every lookup here applies that rule, so
a story id from elsewhere behaves as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy import select

from bot.commands.context import CommandContext
from bot.commands.deps import Deps
from bot.digests.views import story_card
from bot.render.views import StoryCard
from bot.store.models import Article, ChannelStory, Story, StorySource
from bot.store.stories import visible_in_workspace


async def visible_stories(deps: Deps, ctx: CommandContext, ids: Sequence[int]) -> list[Story]:
    """The stories among `ids` the workspace may see, in the order of `ids`."""
    if not ids:
        return []
    async with deps.store.session(readonly=True) as s:
        rows = await s.scalars(
            select(Story).where(
                Story.id.in_(list(ids)), visible_in_workspace(ctx.platform, ctx.workspace_id)
            )
        )
        found = {story.id: story for story in rows.all()}
    return [found[i] for i in ids if i in found]


async def thread_links(deps: Deps, ctx: CommandContext, ids: Sequence[int]) -> dict[int, str]:
    """Links to each story's thread: the one in the caller's channel, else one in another
    channel of the same workspace. Stories never posted here have none."""
    if not ids:
        return {}
    async with deps.store.session(readonly=True) as s:
        rows = (
            await s.scalars(
                select(ChannelStory)
                .where(
                    ChannelStory.platform == ctx.platform,
                    ChannelStory.workspace_id == ctx.workspace_id,
                    ChannelStory.story_id.in_(list(ids)),
                    ChannelStory.thread_id.is_not(None),
                )
                .order_by(ChannelStory.id)
            )
        ).all()
    best: dict[int, ChannelStory] = {}
    for row in rows:
        held = best.get(row.story_id)
        if held is None or (row.channel_id == ctx.channel_id != held.channel_id):
            best[row.story_id] = row
    links = {}
    for story_id, row in best.items():
        link = deps.thread_link(
            platform=ctx.platform,
            workspace_id=ctx.workspace_id,
            channel_id=row.channel_id,
            thread_id=row.thread_id or "",
        )
        if link:
            links[story_id] = link
    return links


async def story_cards(deps: Deps, ctx: CommandContext, stories: Sequence[Story]) -> list[StoryCard]:
    """Cards for stories already known to be visible, with sources and thread links."""
    ids = [story.id for story in stories]
    if not ids:
        return []
    async with deps.store.session(readonly=True) as s:
        sources = (
            await s.scalars(
                select(StorySource)
                .where(StorySource.story_id.in_(ids))
                .order_by(StorySource.story_id, StorySource.id)
            )
        ).all()
        article_ids = [src.article_id for src in sources if src.article_id is not None]
        urls: dict[int, str] = {}
        if article_ids:
            rows = await s.execute(
                select(Article.id, Article.final_url, Article.url).where(
                    Article.id.in_(article_ids)
                )
            )
            urls = {aid: final or url for aid, final, url in rows.all()}
    by_story: dict[int, list[StorySource]] = {}
    for src in sources:
        by_story.setdefault(src.story_id, []).append(src)
    links = await thread_links(deps, ctx, ids)
    return [
        replace(
            story_card(story, by_story.get(story.id, []), article_urls=urls),
            thread_url=links.get(story.id),
        )
        for story in stories
    ]
