"""Moderator commands: `/feeds add | list | remove | pause | resume | health-channel`
(`import` and `export` are in `bot.commands.feed_files`).

Feeds are shared by every workspace (one poll however many follow it); what a workspace owns
is its subscriptions. So a feed "exists" for a moderator only through their workspace's
subscriptions: `remove` drops those (and the feed itself once nobody follows it), `pause` and
`resume` act on them, and a feed id from another workspace answers "no such feed".

`/feeds add` follows the feed with the same step as the CLI (`bot.feeds.manage.add_feed`:
normalise, fetch through the guarded fetcher, parse, store) and previews the latest of the
items that step read. The items the feed holds now are stored by the worker's first poll as
backlog and never posted; a channel that follows a feed other channels already follow may be
offered its stories of the last two days that came after that first poll, and the reply says
how many (none: it reads as a new feed does).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists

from bot.commands.context import CommandContext, CommandError, Reply
from bot.commands.deps import Deps, channel_label
from bot.commands.pages import run_summarize, summarize_page, summary_card
from bot.digests.health import FAILING_AFTER
from bot.digests.plan import MAX_AGE, offered_story_count
from bot.digests.select import KeywordFilter
from bot.feeds.errors import BadURL, FeedLayerError, FetchError
from bot.feeds.manage import add_feed, feed_address
from bot.feeds.parse import ParsedEntry, ParsedFeed, text_as_html
from bot.plural import counted
from bot.render.views import StoryCard
from bot.store.models import FEED_ACTIVE, FEED_DISABLED, Feed, Subscription
from bot.stories.urls import InvalidURLError, link_key

Options = Mapping[str, Any]
MAX_LIST_CHARS = 1900
MAX_KEYWORDS = 20


def _keywords(raw: str | None) -> list[str]:
    words = list(KeywordFilter.parse(raw).include)
    if len(words) > MAX_KEYWORDS:
        raise CommandError(f"at most {MAX_KEYWORDS} keywords per filter")
    if any(len(w) > 100 for w in words):
        raise CommandError("a keyword is longer than 100 characters")
    return words


def _when(at: datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else "never"


async def add(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    try:
        feed_address(opts["url"])
    except BadURL as exc:
        raise CommandError(f"that is not a feed address I can read: {exc.message}") from None
    include, exclude = _keywords(opts.get("include")), _keywords(opts.get("exclude"))
    channel = await deps.channel(ctx, opts.get("channel"))
    now = deps.clock()
    try:
        added = await add_feed(deps.store, deps.fetcher, opts["url"], now=now)
    except FeedLayerError as exc:
        raise CommandError(f"could not add that feed: {exc.message}") from None
    revived = added.state == FEED_DISABLED
    if revived:
        await deps.store.feeds.set_state(added.feed_id, FEED_ACTIVE, now=now)
    _, subscribed = await deps.store.channels.subscribe(
        platform=ctx.platform,
        workspace_id=ctx.workspace_id,
        channel_id=channel,
        feed_id=added.feed_id,
        include_keywords=include,
        exclude_keywords=exclude,
        created_by=ctx.user_id,
    )
    preview = await _preview(deps, added.parsed)
    name, feed_id = added.title, added.feed_id
    where = channel_label(channel)
    if subscribed:
        offered = 0 if added.created else await offered_story_count(deps.store, feed_id, now=now)
        seen = (
            f"It was already read for another channel: {counted(offered, 'story')} of the "
            f"last {counted(MAX_AGE.days, 'day')} may come in the next digest; the rest of what "
            "it holds counts as already seen."
            if offered
            else "What it holds now counts as already seen; new items go into the next digests."
        )
        items = counted(added.items, "item")
        lines = [f"{where} now follows “{name}” (feed {feed_id}, {items}). {seen}"]
        if include or exclude:
            lines.append(_filters(include, exclude))
    else:
        lines = [
            f"{where} already follows “{name}” (feed {feed_id}); its filters are unchanged "
            "(remove it and add it again to change them)."
        ]
    if revived:
        lines.append("The feed had been disabled after failures; it is checked again now.")
    if added.warnings:
        lines.append(f"Note: {added.warnings[0]}")
    if preview is not None:
        lines.append(f"Preview of its latest item: {preview.title}")
    return Reply("\n".join(lines), cards=(preview,) if preview else ())


def _latest_item(parsed: ParsedFeed) -> ParsedEntry | None:
    if not parsed.entries:
        return None
    dated = [e for e in parsed.entries if e.published or e.updated]
    if dated:
        return max(dated, key=lambda e: e.published or e.updated)  # type: ignore[arg-type,return-value]
    return parsed.entries[0]


async def _preview(deps: Deps, parsed: ParsedFeed) -> StoryCard | None:
    """The summary of the feed's latest item: its page when it can be read, else the feed's
    own text for it (and the card says so). A preview failing never fails the add."""
    item = _latest_item(parsed)
    if item is None:
        return None
    if item.link:
        try:
            summary, final_url = await summarize_page(deps, item.link, title=item.title or None)
            return summary_card(summary, url=final_url, story_id="preview")
        except (FetchError, CommandError):
            pass
    text = item.content_html or text_as_html(item.summary)
    if not text or not text.strip():
        return StoryCard(story_id="preview", title=item.title, url=item.link, from_feed_only=True)
    try:
        summary = await run_summarize(deps, text, title=item.title or None, url=item.link)
    except CommandError:
        return StoryCard(story_id="preview", title=item.title, url=item.link, from_feed_only=True)
    card = summary_card(summary, url=item.link or "", story_id="preview", from_feed_only=True)
    return card if item.link else replace(card, url=None, sources=())


def _filters(include: Sequence[str], exclude: Sequence[str]) -> str:
    parts = []
    if include:
        parts.append("only with: " + ", ".join(include))
    if exclude:
        parts.append("never with: " + ", ".join(exclude))
    return "Filters: " + "; ".join(parts)


def _state(feed: Feed, sub: Subscription) -> str:
    if feed.state == FEED_DISABLED:
        failures = counted(feed.error_count, "failure")
        state = f"DISABLED after {failures} (/feeds resume {feed.id} to retry)"
    elif feed.state != FEED_ACTIVE:
        state = feed.state
    elif feed.error_count >= FAILING_AFTER:
        state = f"failing ({feed.error_count} checks in a row)"
    elif feed.last_success_at is None:
        state = "waiting for its first check"
    else:
        state = "ok"
    return state + (", paused here" if sub.paused else "")


async def list_feeds(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    rows = await deps.store.channels.subscriptions(
        platform=ctx.platform, workspace_id=ctx.workspace_id
    )
    if not rows:
        return Reply("No feeds yet: add one with /feeds add <url>.")
    blocks = []
    for sub, feed in rows:
        lines = [
            f"Feed {feed.id} · “{feed.title or feed.url}” in {channel_label(sub.channel_id)}",
            f"   state: {_state(feed, sub)} · last success: {_when(feed.last_success_at)}",
        ]
        if feed.last_error:
            lines.append(f"   last error ({_when(feed.last_error_at)}): {feed.last_error}")
        if sub.include_keywords or sub.exclude_keywords:
            lines.append("   " + _filters(sub.include_keywords, sub.exclude_keywords))
        lines.append(f"   {feed.url}")
        blocks.append("\n".join(lines))
    text, shown = f"Feeds of this server ({len(rows)})", 0
    for block in blocks:
        if len(text) + len(block) + 40 > MAX_LIST_CHARS:
            break
        text += "\n" + block
        shown += 1
    if shown < len(blocks):
        text += f"\n… and {len(blocks) - shown} more (remove unused ones to see them all)"
    return Reply(text)


async def targets(
    deps: Deps, ctx: CommandContext, opts: Options
) -> tuple[Feed, list[Subscription]]:
    """The workspace's subscriptions to the feed `opts["feed"]` names (id or address), in
    `opts["channel"]` when given. A feed the workspace does not follow is "no such feed"."""
    ref = str(opts["feed"]).strip()
    key: str | None = None
    if not ref.isdigit():
        try:
            key = link_key(ref)
        except InvalidURLError:
            key = None
    channel = await deps.channel(ctx, opts["channel"]) if opts.get("channel") else None
    rows = await deps.store.channels.subscriptions(
        platform=ctx.platform, workspace_id=ctx.workspace_id, channel_id=channel
    )
    matching = [
        (sub, feed)
        for sub, feed in rows
        if (ref.isdigit() and feed.id == int(ref))
        or (key is not None and feed.normalized_url == key)
    ]
    if not matching:
        where = f" in {channel_label(channel)}" if channel else ""
        raise CommandError(f"no such feed{where}: {ref[:80]} (see /feeds list)")
    return matching[0][1], [sub for sub, _ in matching]


def _channels(subs: Sequence[Subscription]) -> str:
    return ", ".join(channel_label(s.channel_id) for s in subs)


async def remove(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    feed, subs = await targets(deps, ctx, opts)
    for sub in subs:
        await deps.store.channels.unsubscribe(
            platform=ctx.platform, workspace_id=ctx.workspace_id, subscription_id=sub.id
        )
    await _drop_if_unfollowed(deps, feed.id)
    return Reply(
        f"{_channels(subs)} no longer follows “{feed.title or feed.url}” (feed {feed.id})."
    )


async def _drop_if_unfollowed(deps: Deps, feed_id: int) -> None:
    """Delete a feed nobody follows any more, in one statement, so a subscription another
    workspace adds meanwhile keeps it (the foreign key makes the two wait for each other)."""
    followed = exists().where(Subscription.feed_id == feed_id)
    async with deps.store.session() as s:
        await s.execute(delete(Feed).where(Feed.id == feed_id, ~followed))


async def pause(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    feed, subs = await targets(deps, ctx, opts)
    for sub in subs:
        await deps.store.channels.set_paused(
            platform=ctx.platform,
            workspace_id=ctx.workspace_id,
            subscription_id=sub.id,
            paused=True,
        )
    return Reply(
        f"Paused “{feed.title or feed.url}” (feed {feed.id}) in {_channels(subs)}: "
        f"no stories from it until /feeds resume {feed.id}."
    )


async def resume(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    feed, subs = await targets(deps, ctx, opts)
    for sub in subs:
        await deps.store.channels.set_paused(
            platform=ctx.platform,
            workspace_id=ctx.workspace_id,
            subscription_id=sub.id,
            paused=False,
        )
    text = f"Resumed “{feed.title or feed.url}” (feed {feed.id}) in {_channels(subs)}."
    if feed.state == FEED_DISABLED:
        await deps.store.feeds.set_state(feed.id, FEED_ACTIVE, now=deps.clock())
        text += f" It had been disabled ({feed.last_error or 'failures'}); it is checked again now."
    return Reply(text)


async def feed_choices(
    deps: Deps, ctx: CommandContext, partial: str, *, limit: int = 25
) -> list[tuple[str, str]]:
    """Autocomplete: the workspace's feeds whose id, title or address contains `partial`."""
    rows = await deps.store.channels.subscriptions(
        platform=ctx.platform, workspace_id=ctx.workspace_id
    )
    wanted = partial.strip().casefold()
    seen: set[int] = set()
    out: list[tuple[str, str]] = []
    for _, feed in rows:
        if feed.id in seen:
            continue
        seen.add(feed.id)
        name = feed.title or feed.url
        if wanted and wanted not in f"{feed.id} {name} {feed.url}".casefold():
            continue
        label = f"{feed.id} · {name}"
        out.append((label if len(label) <= 100 else label[:99] + "…", str(feed.id)))
        if len(out) >= limit:
            break
    return out


async def health_channel(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    """Send the feed-health notices of the server's channels (or of one, `of`) to `channel`:
    the `log_channel_id` of each channel's settings, which also receives notices of posts
    that could not be delivered there. Naming a channel itself sets it back to the default."""
    target = await deps.channel(ctx, opts["channel"])
    if opts.get("of"):
        channels = [await deps.channel(ctx, opts["of"])]
    else:
        rows = await deps.store.channels.subscriptions(
            platform=ctx.platform, workspace_id=ctx.workspace_id
        )
        channels = sorted({sub.channel_id for sub, _ in rows})
        if not channels:
            raise CommandError(
                "no channel here follows a feed yet; add feeds first (/feeds add or /feeds import)"
            )
    for channel in channels:
        await deps.store.channels.save_settings(
            platform=ctx.platform,
            workspace_id=ctx.workspace_id,
            channel_id=channel,
            log_channel_id=None if channel == target else target,
        )
    others = [c for c in channels if c != target]
    lines = []
    if others:
        lines.append(
            f"Notices about failing, disabled and recovered feeds of {_names(others)} now go to "
            f"{channel_label(target)}, and so do notices of posts that could not be delivered."
        )
    if target in channels:
        lines.append(f"{channel_label(target)} gets its own feeds' notices itself (the default).")
    if not opts.get("of"):
        lines.append("Channels that start following feeds later report to themselves until set.")
    return Reply("\n".join(lines))


def _names(channels: Sequence[str]) -> str:
    return ", ".join(channel_label(c) for c in channels)
