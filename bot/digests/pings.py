"""Opt-in pings: who is mentioned in a story's thread when the story reaches a channel.

Members follow topics in a channel (`/news follow ferry strike, rail`: each comma-separated
phrase is one topic, matched as a whole word or phrase, case-insensitively, like a feed's
include filter) against the story's title and key facts. Moderators give a subscription a
role (Discord) or user group (Slack) to mention for every story that feed brings.

Planned in the digest's own transaction (`plan._plan`), right after the story's post, so the
ping is queued exactly once per story and channel (its key names the `channel_story` row) and
is delivered after the story and its thread, in the channel's queue order. The rate limit is
counted there too: at most `PINGS_PER_WINDOW` mentions of a member per `PING_WINDOW`, in a
fixed window per member (`member_pings`); a member over the limit is left out of that story's
ping, never queued for later. One ping names at most `MAX_MENTIONED` members (Discord allows
100 ids in `allowed_mentions`), the earliest followers first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.digests.select import contains
from bot.render.views import Ping
from bot.store.models import Follow, MemberPings, Story
from bot.store.upsert import insert_ignore

PING_WINDOW = timedelta(hours=1)
PINGS_PER_WINDOW = 5
MAX_MENTIONED = 50
MAX_TOPICS_PER_MEMBER = 10
MAX_TOPIC_CHARS = 100


@dataclass(frozen=True, slots=True)
class Where:
    platform: str
    workspace_id: str
    channel_id: str


def story_text(story: Story) -> str:
    """What follows are matched against: the title and the key facts."""
    facts = [f.get("text", "") for f in (story.summary or {}).get("key_facts") or ()]
    return "\n".join(t for t in [story.title or "", *facts] if t)


def matching_followers(follows: Iterable[Follow], text: str) -> dict[str, list[str]]:
    """user id → the topics of theirs the text matches, in following order."""
    hits: dict[str, list[str]] = {}
    for follow in follows:
        if contains(text, follow.words):
            hits.setdefault(follow.user_id, []).append(follow.words)
    return hits


async def channel_follows(s: AsyncSession, where: Where) -> list[Follow]:
    query = (
        select(Follow)
        .where(
            Follow.platform == where.platform,
            Follow.workspace_id == where.workspace_id,
            Follow.channel_id == where.channel_id,
        )
        .order_by(Follow.id)
    )
    return list((await s.scalars(query)).all())


async def plan_ping(
    s: AsyncSession,
    where: Where,
    *,
    story: Story,
    follows: Sequence[Follow],
    roles: Sequence[str],
    now: datetime,
) -> Ping | None:
    """The ping for `story` in this channel (followers within their rate limit, the roles of
    the subscriptions that brought it), counting the mentions; None when nobody is to be
    mentioned."""
    hits = matching_followers(follows, story_text(story))
    users: list[str] = []
    topics: list[str] = []
    for user_id, words in hits.items():
        if len(users) >= MAX_MENTIONED:
            break
        if await _take_ping(s, where, user_id, now=now):
            users.append(user_id)
            topics.extend(w for w in words if w not in topics)
    role_ids = tuple(dict.fromkeys(r for r in roles if r))
    if not users and not role_ids:
        return None
    return Ping(
        story_id=str(story.id), user_ids=tuple(users), role_ids=role_ids, topics=tuple(topics)
    )


async def _take_ping(s: AsyncSession, where: Where, user_id: str, *, now: datetime) -> bool:
    """Count one mention of the member if the window allows it."""
    key = {"platform": where.platform, "workspace_id": where.workspace_id, "user_id": user_id}
    await insert_ignore(
        s,
        MemberPings,
        {**key, "window_start": now, "count": 0},
        conflict=["platform", "workspace_id", "user_id"],
    )
    row = await s.scalar(
        select(MemberPings)
        .where(*(getattr(MemberPings, k) == v for k, v in key.items()))
        .with_for_update()
    )
    if row is None:
        return False
    if now - row.window_start >= PING_WINDOW or row.window_start > now:
        row.window_start, row.count = now, 0
    if row.count >= PINGS_PER_WINDOW:
        return False
    row.count += 1
    return True


def ping_to_json(ping: Ping) -> dict[str, Any]:
    return {
        "story_id": ping.story_id,
        "user_ids": list(ping.user_ids),
        "role_ids": list(ping.role_ids),
        "topics": list(ping.topics),
    }


def ping_from_json(data: dict[str, Any]) -> Ping:
    return Ping(
        story_id=str(data.get("story_id") or ""),
        user_ids=tuple(str(u) for u in data.get("user_ids") or ()),
        role_ids=tuple(str(r) for r in data.get("role_ids") or ()),
        topics=tuple(str(t) for t in data.get("topics") or ()),
    )
