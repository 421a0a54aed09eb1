"""Feed health in chat: moderators hear once when a feed starts failing or is disabled.

A feed is *failing* after `failing_after` failed polls in a row and *disabled* when the poller
gave up on it. Each channel following it (or that channel's log channel, when one is set)
gets one notice per state and failure episode, with the reason and how to fix it; the
episode is the feed's last success, so the notice is not repeated every cycle while the
feed keeps failing, and a feed that recovers and fails again is announced again. When a feed
that was announced as failing polls successfully again, the same places hear that it
recovered. The outbox keys make all of this idempotent across cycles and processes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select

from bot.digests.keys import health_key
from bot.digests.views import Notice
from bot.plural import counted
from bot.store.models import (
    FEED_ACTIVE,
    FEED_DISABLED,
    POST_PENDING,
    ChannelSettings,
    Feed,
    Post,
    Subscription,
)
from bot.store.store import Store
from bot.store.types import utcnow
from bot.store.upsert import insert_ignore

FAILING_AFTER = 3


def _episode(feed: Feed) -> int:
    since = feed.last_success_at or feed.created_at
    return int(since.timestamp()) if since else 0


def failing_notice(feed: Feed) -> Notice:
    name = feed.title or feed.url
    reason = feed.last_error or "unknown error"
    since = feed.last_success_at
    last_ok = f"last read {since:%Y-%m-%d %H:%M} UTC" if since else "never read successfully"
    return Notice(
        title=f"Feed “{name}” is failing",
        lines=(
            f"{counted(feed.error_count, 'failed check')} in a row ({last_ok}): {reason}",
            "The bot keeps retrying. Check that the address opens in a browser; if the site "
            "moved its feed, /feeds remove this one and /feeds add the new address.",
        ),
        url=feed.url,
    )


def disabled_notice(feed: Feed) -> Notice:
    name = feed.title or feed.url
    return Notice(
        title=f"Feed “{name}” was disabled",
        lines=(
            f"It stopped being checked after {counted(feed.error_count, 'failure')}: "
            f"{feed.last_error or 'unknown error'}",
            "Fix the address and run /feeds resume, or /feeds remove it.",
        ),
        url=feed.url,
    )


def recovered_notice(feed: Feed) -> Notice:
    return Notice(
        title=f"Feed “{feed.title or feed.url}” works again",
        lines=("It was read successfully; stories from it will come again.",),
        url=feed.url,
    )


async def notify_feed_health(
    store: Store, *, now: datetime | None = None, failing_after: int = FAILING_AFTER
) -> int:
    """Queue feed-health notices for feeds that started failing, were disabled or recovered
    since they were announced. Returns how many notices were queued."""
    now = now or utcnow()
    async with store.session(readonly=True) as s:
        feeds = list(
            (
                await s.scalars(
                    select(Feed)
                    .where(or_(Feed.state == FEED_DISABLED, Feed.error_count >= failing_after))
                    .order_by(Feed.id)
                )
            ).all()
        )
        healthy_announced = await _recovered_candidates(s)
    queued = 0
    for feed in feeds:
        status = "disabled" if feed.state == FEED_DISABLED else "failing"
        notice = disabled_notice(feed) if status == "disabled" else failing_notice(feed)
        queued += await _announce(store, feed, status, _episode(feed), notice, now=now)
    for feed, episode in healthy_announced:
        notice = recovered_notice(feed)
        queued += await _announce(store, feed, "recovered", episode, notice, now=now)
    return queued


async def _recovered_candidates(s) -> list[tuple[Feed, int]]:  # type: ignore[no-untyped-def]
    """Active, healthy feeds with a failing notice for an episode they have since left."""
    rows = (
        await s.execute(
            select(Post.idempotency_key, Post.payload).where(
                Post.kind == "feed_health", Post.idempotency_key.like("f%")
            )
        )
    ).all()
    announced: dict[int, set[int]] = {}
    for _key, payload in rows:
        meta = (payload or {}).get("health") or {}
        if meta.get("status") == "failing":
            announced.setdefault(int(meta["feed_id"]), set()).add(int(meta["episode"]))
    if not announced:
        return []
    feeds = (
        await s.scalars(
            select(Feed).where(
                Feed.id.in_(list(announced)), Feed.state == FEED_ACTIVE, Feed.error_count == 0
            )
        )
    ).all()
    return [(f, ep) for f in feeds for ep in announced[f.id] if ep != _episode(f)]


async def _announce(
    store: Store, feed: Feed, status: str, episode: int, notice: Notice, *, now: datetime
) -> int:
    async with store.session() as s:
        subs = (
            await s.execute(
                select(Subscription, ChannelSettings.log_channel_id)
                .outerjoin(
                    ChannelSettings,
                    (ChannelSettings.platform == Subscription.platform)
                    & (ChannelSettings.workspace_id == Subscription.workspace_id)
                    & (ChannelSettings.channel_id == Subscription.channel_id),
                )
                .where(Subscription.feed_id == feed.id)
                .order_by(Subscription.id)
            )
        ).all()
        queued = 0
        for sub, log_channel in subs:
            destination = log_channel or sub.channel_id
            where = f"{sub.platform}|{sub.workspace_id}|{destination}"
            new_id = await insert_ignore(
                s,
                Post,
                {
                    "idempotency_key": health_key(feed.id, status, episode, destination=where),
                    "platform": sub.platform,
                    "workspace_id": sub.workspace_id,
                    "channel_id": destination,
                    "kind": "feed_health",
                    "payload": {
                        "notice": notice.to_json(),
                        "health": {"feed_id": feed.id, "status": status, "episode": episode},
                    },
                    "state": POST_PENDING,
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                },
                conflict=["idempotency_key"],
            )
            queued += new_id is not None
        return queued
