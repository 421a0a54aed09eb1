"""Planning: which channels get a digest now, which stories go in, and the posts to queue.

A channel's digest for one schedule slot is planned in **one transaction** that

1. moves the channel's `next_digest_at` from the slot it read to the next slot, only if it
   still holds the value read (compare-and-set: of two processes planning the same slot, the
   second updates nothing and plans nothing);
2. selects the stories (subscribed feeds, each subscription's keyword filters, paused
   subscriptions skipped, first-poll backlog skipped, stories already given to the channel
   skipped, ranked by `select_stories`, at most `max_stories`);
3. claims each story for the channel in `channel_story` (unique per channel: a story is given
   to a channel once, whichever digest or process got it first);
4. creates the digest and queues its posts: header, then each story in rank order, each
   followed by its ping when members follow words it matches or its feed has a ping role
   (`bot.digests.pings`; the channel's layout is frozen into each story's card).

So the slot moves exactly when the digest exists, and a crash leaves either both or neither.
A story whose post later fails for good stays claimed: it is not offered to that channel again.

`live` channels ("as it happens") are planned every cycle the same way, with no header: each
new story becomes a post as soon as a cycle sees it (at most `max_stories` a cycle; the rest
wait for the next one). `/digest now` plans outside the schedule and leaves it alone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digests.keys import header_key, ping_key, story_key
from bot.digests.pings import Where, channel_follows, ping_to_json, plan_ping
from bot.digests.schedule import Schedule, ScheduleError, parse_schedule
from bot.digests.select import Candidate, KeywordFilter, select_stories
from bot.digests.views import card_to_json, story_card
from bot.render.views import StoryCard
from bot.store.models import (
    DIGEST_QUEUED,
    FEED_DISABLED,
    LAYOUT_COMPACT,
    POST_PENDING,
    Article,
    ChannelSettings,
    ChannelStory,
    Digest,
    Entry,
    Feed,
    Post,
    Story,
    StorySource,
    Subscription,
)
from bot.store.store import Store
from bot.store.types import utcnow
from bot.store.upsert import insert_ignore

log = logging.getLogger(__name__)

DEFAULT_SCHEDULE = "every 6h"
MAX_AGE = timedelta(days=2)
"""Entries first seen longer ago than this are not news any more for a digest."""


@dataclass(frozen=True, slots=True)
class ChannelRef:
    platform: str
    workspace_id: str
    channel_id: str


async def plan_due_digests(
    store: Store, *, now: datetime | None = None, limit: int = 100
) -> list[int]:
    """Plan the digest of every channel whose schedule slot has come. Returns the ids of the
    digests created (a due channel with nothing new gets none, and its slot still moves)."""
    now = now or utcnow()
    await _schedule_new_channels(store, now=now)
    async with store.session(readonly=True) as s:
        due = list(
            (
                await s.scalars(
                    select(ChannelSettings)
                    .where(ChannelSettings.next_digest_at <= now)
                    .order_by(ChannelSettings.next_digest_at, ChannelSettings.id)
                    .limit(limit)
                )
            ).all()
        )
    created: list[int] = []
    for settings in due:
        try:
            schedule = parse_schedule(settings.schedule, timezone=settings.timezone)
        except ScheduleError as exc:
            log.warning("channel %s: %s; its digests are off", settings.channel_id, exc)
            await _unschedule(store, settings)
            continue
        digest_id = await _plan_slot(store, settings, schedule, now=now)
        if digest_id is not None:
            created.append(digest_id)
    return created


async def plan_digest_now(
    store: Store,
    *,
    platform: str,
    workspace_id: str,
    channel_id: str,
    now: datetime | None = None,
    include_backlog: bool = False,
) -> int | None:
    """`/digest now`: a digest of what the channel has not had yet, outside the schedule (which
    is left as it is). None when there is nothing new. `include_backlog` also offers the
    items feeds held at their first poll (the demo's preview)."""
    now = now or utcnow()
    ref = ChannelRef(platform, workspace_id, channel_id)
    async with store.session() as s:
        settings = await _settings(s, ref)
        max_stories = settings.max_stories if settings else 7
        timezone = settings.timezone if settings else "UTC"
        return await _plan(
            s,
            ref,
            now=now,
            max_stories=max_stories,
            compact=settings is not None and settings.layout == LAYOUT_COMPACT,
            title=digest_title(now, timezone),
            header=True,
            include_backlog=include_backlog,
        )


def digest_title(now: datetime, timezone: str) -> str:
    """ "Morning digest", "Afternoon digest", … by the channel's local time."""
    try:
        hour = now.astimezone(ZoneInfo(timezone)).hour
    except (KeyError, ValueError):
        hour = now.hour
    if 5 <= hour < 12:
        part = "Morning"
    elif 12 <= hour < 17:
        part = "Afternoon"
    elif 17 <= hour < 22:
        part = "Evening"
    else:
        part = "Night"
    return f"{part} digest"


async def _plan_slot(
    store: Store, settings: ChannelSettings, schedule: Schedule, *, now: datetime
) -> int | None:
    slot = settings.next_digest_at
    next_at = schedule.next_run(last_run=now, now=now)
    ref = ChannelRef(settings.platform, settings.workspace_id, settings.channel_id)
    async with store.session() as s:
        moved = await s.execute(
            update(ChannelSettings)
            .where(ChannelSettings.id == settings.id, ChannelSettings.next_digest_at == slot)
            .values(next_digest_at=next_at, last_digest_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return await _plan(
            s,
            ref,
            now=now,
            max_stories=settings.max_stories,
            compact=settings.layout == LAYOUT_COMPACT,
            title=None if schedule.kind == "live" else digest_title(now, settings.timezone),
            header=schedule.kind != "live",
        )


async def _plan(
    s: AsyncSession,
    ref: ChannelRef,
    *,
    now: datetime,
    max_stories: int,
    title: str | None,
    header: bool,
    compact: bool = False,
    include_backlog: bool = False,
) -> int | None:
    pool = await _candidates(s, ref, now=now, include_backlog=include_backlog)
    loaded = pool.stories
    ranked = select_stories(pool.candidates, filters=pool.filters, limit=max_stories, now=now)
    if not ranked:
        return None
    digest = Digest(
        platform=ref.platform,
        workspace_id=ref.workspace_id,
        channel_id=ref.channel_id,
        title=title,
        state=DIGEST_QUEUED,
        created_at=now,
    )
    s.add(digest)
    await s.flush()
    ids = [cand.story_id for cand in ranked]
    sources: dict[int, list[StorySource]] = {story_id: [] for story_id in ids}
    query = select(StorySource).where(StorySource.story_id.in_(ids)).order_by(StorySource.id)
    for source in (await s.scalars(query)).all():
        sources[source.story_id].append(source)
    urls = await _article_urls(s, [src for group in sources.values() for src in group])
    chosen: list[tuple[Story, StoryCard, int]] = []
    for story_id in ids:
        story = loaded[story_id]
        claimed = await insert_ignore(
            s,
            ChannelStory,
            {
                "platform": ref.platform,
                "workspace_id": ref.workspace_id,
                "channel_id": ref.channel_id,
                "story_id": story.id,
                "sources_posted": len(sources[story_id]),
                "created_at": now,
            },
            conflict=["platform", "workspace_id", "channel_id", "story_id"],
        )
        if claimed is not None:
            card = story_card(story, sources[story_id], article_urls=urls)
            chosen.append((story, replace(card, compact=compact), claimed))
    if not chosen:
        await s.delete(digest)
        return None
    digest.story_count = len(chosen)
    if header:
        await _enqueue(
            s,
            ref,
            key=header_key(digest.id),
            kind="digest_header",
            digest_id=digest.id,
            payload={"title": title, "story_ids": [story.id for story, _, _ in chosen]},
            now=now,
        )
    where = Where(ref.platform, ref.workspace_id, ref.channel_id)
    follows = await channel_follows(s, where)
    for rank, (story, card, posting) in enumerate(chosen):
        key = story_key(digest.id, story.id)
        await _enqueue(
            s,
            ref,
            key=key,
            kind="story",
            digest_id=digest.id,
            story_id=story.id,
            payload={"rank": rank, "card": card_to_json(card)},
            now=now,
        )
        roles = [pool.roles[f] for f in sorted(pool.carriers[story.id]) if f in pool.roles]
        ping = await plan_ping(s, where, story=story, follows=follows, roles=roles, now=now)
        if ping is not None:
            await _enqueue(
                s,
                ref,
                key=ping_key(posting),
                kind="ping",
                digest_id=digest.id,
                story_id=story.id,
                payload={"ping": ping_to_json(ping)},
                now=now,
            )
    post_of_story = (
        select(Post.id)
        .where(
            Post.digest_id == digest.id,
            Post.kind == "story",
            Post.story_id == ChannelStory.story_id,
        )
        .scalar_subquery()
    )
    await s.execute(
        update(ChannelStory)
        .where(*_at(ref, ChannelStory), ChannelStory.story_id.in_([st.id for st, _, _ in chosen]))
        .values(post_id=post_of_story)
        .execution_options(synchronize_session=False)
    )
    return digest.id


async def _article_urls(s: AsyncSession, sources: Sequence[StorySource]) -> dict[int, str]:
    ids = [src.article_id for src in sources if src.article_id is not None]
    if not ids:
        return {}
    rows = await s.execute(
        select(Article.id, Article.final_url, Article.url).where(Article.id.in_(ids))
    )
    return {aid: final or url for aid, final, url in rows.all()}


async def _enqueue(
    s: AsyncSession,
    ref: ChannelRef,
    *,
    key: str,
    kind: str,
    payload: dict[str, object],
    now: datetime,
    digest_id: int | None = None,
    story_id: int | None = None,
    thread_id: str | None = None,
) -> int | None:
    return await insert_ignore(
        s,
        Post,
        {
            "idempotency_key": key,
            "platform": ref.platform,
            "workspace_id": ref.workspace_id,
            "channel_id": ref.channel_id,
            "kind": kind,
            "digest_id": digest_id,
            "story_id": story_id,
            "payload": payload,
            "state": POST_PENDING,
            "thread_id": thread_id,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        },
        conflict=["idempotency_key"],
    )


def _at(ref: ChannelRef, model: type) -> list[object]:
    m: object = model
    return [
        m.platform == ref.platform,  # type: ignore[attr-defined]
        m.workspace_id == ref.workspace_id,  # type: ignore[attr-defined]
        m.channel_id == ref.channel_id,  # type: ignore[attr-defined]
    ]


async def _settings(s: AsyncSession, ref: ChannelRef) -> ChannelSettings | None:
    return await s.scalar(select(ChannelSettings).where(*_at(ref, ChannelSettings)))


@dataclass(frozen=True, slots=True)
class _Pool:
    """The candidates with every subscription's filter (for ranking by keyword hits), the
    stories by id, the channel's feeds carrying each story and the feeds' ping roles."""

    candidates: list[Candidate]
    filters: list[KeywordFilter]
    stories: dict[int, Story]
    carriers: dict[int, set[int]]
    roles: dict[int, str]


async def _candidates(
    s: AsyncSession, ref: ChannelRef, *, now: datetime, include_backlog: bool
) -> _Pool:
    """Stories carried by recent, non-backlog entries of the channel's active subscriptions
    that the channel has not had, each kept only if its own subscriptions' filters let it
    through."""
    subs = list(
        (
            await s.scalars(
                select(Subscription)
                .join(Feed, Feed.id == Subscription.feed_id)
                .where(
                    *_at(ref, Subscription),
                    Subscription.paused.is_(False),
                    Feed.state != FEED_DISABLED,
                )
                .order_by(Subscription.id)
            )
        ).all()
    )
    if not subs:
        return _Pool([], [], {}, {}, {})
    filters = {sub.feed_id: _filter(sub) for sub in subs}
    roles = {sub.feed_id: sub.ping_role_id for sub in subs if sub.ping_role_id}
    already = exists().where(*_at(ref, ChannelStory), ChannelStory.story_id == Story.id)
    query = (
        select(Story, Entry.feed_id)
        .join(StorySource, StorySource.story_id == Story.id)
        .join(Entry, and_(Entry.article_id == StorySource.article_id))
        .where(
            Entry.feed_id.in_(list(filters)),
            *_offered_entries(now, include_backlog=include_backlog),
            ~already,
        )
    )
    carriers: dict[int, set[int]] = {}
    stories: dict[int, Story] = {}
    for story, feed_id in (await s.execute(query)).all():
        stories[story.id] = story
        carriers.setdefault(story.id, set()).add(feed_id)
    candidates = []
    for story_id, story in stories.items():
        text = _text(story)
        if any(filters[f].matches(text) for f in carriers[story_id]):
            published = story.published_at or story.created_at
            candidates.append(
                Candidate(story_id, text, max(1, story.source_count), min(published, now))
            )
    return _Pool(candidates, list(filters.values()), stories, carriers, roles)


def _offered_entries(now: datetime, *, include_backlog: bool) -> list[ColumnElement[bool]]:
    """The entries whose stories a digest may offer: recent, and not first-poll backlog."""
    recent = [Entry.first_seen_at >= now - MAX_AGE]
    return recent if include_backlog else [*recent, Entry.seen_for_posting.is_(False)]


async def offered_story_count(store: Store, feed_id: int, *, now: datetime) -> int:
    """How many of `feed_id`'s stories a channel that starts following it now may be offered
    in its next digest, before its filters and the stories it already had: what
    `_candidates` reads for that feed."""
    query = (
        select(func.count(func.distinct(StorySource.story_id)))
        .join(Entry, Entry.article_id == StorySource.article_id)
        .where(Entry.feed_id == feed_id, *_offered_entries(now, include_backlog=False))
    )
    async with store.session(readonly=True) as s:
        return int((await s.scalar(query)) or 0)


def _filter(sub: Subscription) -> KeywordFilter:
    def clean(words: Sequence[str] | None) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w for k in words or () if (w := " ".join(k.split()).casefold())))

    return KeywordFilter(include=clean(sub.include_keywords), exclude=clean(sub.exclude_keywords))


def _text(story: Story) -> str:
    facts = [f.get("text", "") for f in (story.summary or {}).get("key_facts") or ()]
    return "\n".join(t for t in [story.title, story.lead or "", *facts] if t)


async def _schedule_new_channels(store: Store, *, now: datetime) -> None:
    """Give every subscribed channel settings (defaults) and a first slot, so a channel that
    only ran `/feeds add` gets digests on the default schedule."""
    async with store.session(readonly=True) as s:
        has_settings = exists().where(
            ChannelSettings.platform == Subscription.platform,
            ChannelSettings.workspace_id == Subscription.workspace_id,
            ChannelSettings.channel_id == Subscription.channel_id,
        )
        missing = (
            await s.execute(
                select(Subscription.platform, Subscription.workspace_id, Subscription.channel_id)
                .where(~has_settings)
                .distinct()
            )
        ).all()
        unscheduled = list(
            (
                await s.scalars(
                    select(ChannelSettings).where(ChannelSettings.next_digest_at.is_(None))
                )
            ).all()
        )
    for platform, workspace_id, channel_id in missing:
        async with store.session() as s:
            await insert_ignore(
                s,
                ChannelSettings,
                {
                    "platform": platform,
                    "workspace_id": workspace_id,
                    "channel_id": channel_id,
                    "schedule": DEFAULT_SCHEDULE,
                    "next_digest_at": _first_slot(DEFAULT_SCHEDULE, "UTC", now),
                    "created_at": now,
                    "updated_at": now,
                },
                conflict=["platform", "workspace_id", "channel_id"],
            )
    for settings in unscheduled:
        try:
            first = _first_slot(settings.schedule, settings.timezone, now, settings.last_digest_at)
        except ScheduleError:
            continue
        async with store.session() as s:
            await s.execute(
                update(ChannelSettings)
                .where(ChannelSettings.id == settings.id, ChannelSettings.next_digest_at.is_(None))
                .values(next_digest_at=first)
                .execution_options(synchronize_session=False)
            )


def _first_slot(
    spec: str, timezone: str, now: datetime, last_run: datetime | None = None
) -> datetime:
    return parse_schedule(spec, timezone=timezone).next_run(last_run=last_run, now=now)


async def _unschedule(store: Store, settings: ChannelSettings) -> None:
    async with store.session() as s:
        await s.execute(
            update(ChannelSettings)
            .where(ChannelSettings.id == settings.id)
            .values(next_digest_at=None)
            .execution_options(synchronize_session=False)
        )
