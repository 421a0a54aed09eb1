"""Member commands: `/news latest | search | quotes | summarize | story`.

Every lookup is scoped to the caller's workspace: stories come from feeds some channel of the
workspace follows, and a story from elsewhere answers as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.commands.cards import story_cards, thread_links, visible_stories
from bot.commands.context import CommandContext, CommandError, Reply
from bot.commands.deps import Deps
from bot.commands.pages import summarize_page, summary_card
from bot.feeds.errors import FetchError
from bot.store.search import parse_query, search_stories
from bot.stories.urls import InvalidURLError, normalize_url

LIST_LIMIT = 5
QUOTES_LIMIT = 10
_TOPIC_POOL = 25

Options = Mapping[str, Any]


def _line(n: int, title: str, story_id: int, link: str | None) -> str:
    where = f" — thread: {link}" if link else ""
    return f"{n}. {title} [story {story_id}]{where}"


async def latest(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    topic = opts.get("topic")
    if topic:
        if not any(not t.negated for t in parse_query(topic)):
            raise CommandError("give at least one word for the topic")
        hits = await search_stories(
            deps.store,
            topic,
            limit=_TOPIC_POOL,
            platform=ctx.platform,
            workspace_id=ctx.workspace_id,
        )
        hits.sort(key=lambda h: (h.created_at is not None, h.created_at, h.story_id), reverse=True)
        stories = await visible_stories(deps, ctx, [h.story_id for h in hits[:LIST_LIMIT]])
        heading = f"Latest on “{topic}”"
    else:
        stories = await deps.store.stories.latest(
            platform=ctx.platform, workspace_id=ctx.workspace_id, limit=LIST_LIMIT
        )
        heading = "Latest stories"
    if not stories:
        about = f" about “{topic}”" if topic else ""
        return Reply(f"No stories{about} yet from this server's feeds.")
    cards = await story_cards(deps, ctx, stories)
    lines = [heading]
    lines += [
        _line(i, c.title, int(c.story_id), c.thread_url) for i, c in enumerate(cards, start=1)
    ]
    return Reply("\n".join(lines), cards=tuple(cards))


async def search(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    words: str = opts["words"]
    if not any(not t.negated for t in parse_query(words)):
        raise CommandError("give at least one word to search for")
    hits = await search_stories(
        deps.store, words, limit=LIST_LIMIT, platform=ctx.platform, workspace_id=ctx.workspace_id
    )
    if not hits:
        return Reply(f"No stories match “{words}”.")
    stories = await visible_stories(deps, ctx, [h.story_id for h in hits])
    cards = {int(c.story_id): c for c in await story_cards(deps, ctx, stories)}
    lines = [f"Stories matching “{words}”"]
    for n, hit in enumerate((h for h in hits if h.story_id in cards), start=1):
        card = cards[hit.story_id]
        lines.append(_line(n, hit.title, hit.story_id, card.thread_url))
        if snippet := " ".join(hit.snippet.split()):
            lines.append(f"   {snippet}")
    ordered = tuple(cards[h.story_id] for h in hits if h.story_id in cards)
    return Reply("\n".join(lines), cards=ordered)


async def quotes(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    person: str = opts["person"]
    hits = await deps.store.stories.quotes_by_speaker(
        person, platform=ctx.platform, workspace_id=ctx.workspace_id, limit=QUOTES_LIMIT
    )
    if not hits:
        return Reply(f"No quotes from “{person}” in this server's stories.")
    links = await thread_links(deps, ctx, sorted({h.story_id for h in hits}))
    lines = [f"What “{person}” has been quoted saying, newest article first"]
    for hit in hits:
        when = hit.dated.strftime("%Y-%m-%d")
        lines.append(f"“{hit.text}” — {hit.speaker or person} ({when})")
        where = links.get(hit.story_id) or hit.story_url or ""
        lines.append(f"   in: {hit.story_title} [story {hit.story_id}] {where}".rstrip())
    return Reply("\n".join(lines))


async def summarize(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    raw: str = opts["url"]
    try:
        url = normalize_url(raw)
    except InvalidURLError as exc:
        raise CommandError(f"that is not a web address I can read: {exc}") from None
    async with deps.summary_slot(ctx):
        try:
            summary, final_url = await summarize_page(deps, url)
        except FetchError as exc:
            raise CommandError(f"could not read that page: {exc.message}") from None
    card = summary_card(summary, url=final_url, story_id="summary")
    return Reply(f"Summary of {final_url}", cards=(card,), ephemeral=False)


async def story(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    story_id: int = opts["id"]
    found = await visible_stories(deps, ctx, [story_id])
    if not found:
        raise CommandError(f"no story {story_id} in this server's feeds")
    (card,) = await story_cards(deps, ctx, found)
    where = f" — thread: {card.thread_url}" if card.thread_url else ""
    return Reply(f"Story {story_id}: {card.title}{where}", cards=(card,), ephemeral=False)
