"""Delivery: the outbox's state machine, draining queued posts through the platforms.

    pending ──claim (lease)──▶ delivering ──platform accepted──▶ posted (message, thread ids)
       ▲                           │
       └── retryable failure ◀─────┤   (back off: 5 s, 10 s, … 5 min; never dropped)
                                   └── permanent failure ──▶ failed (reason kept; moderators told)

Order per channel: a post is claimed only when no earlier post of its channel is still
pending, so a channel sees its header, then each story followed by its thread, then later
updates, in the order they were queued, however often a 429 or a timeout interrupts. Each
round claims the head post of up to `limit` channels and delivers them concurrently.

Exactly once, as far as the platform can tell: every platform call carries the post's key,
and the adapters return the message already posted for a key they have seen (Discord
nonce, Slack metadata in history, the console's memory). A worker that dies after the
platform accepted a message and before recording it leaves the post leased; when the lease
runs out another worker claims it, calls the platform with the same key and records the
existing message. A story's message id is recorded as soon as it is known, so a retry of its
thread opening does not depend on finding the story message again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.digests.keys import thread_key, undeliverable_key
from bot.digests.pings import ping_from_json
from bot.digests.views import Notice, card_from_json, notice_card, update_from_json
from bot.platforms.base import DeliveryError, PingPosted, Platform, Posted
from bot.render.views import DigestView, StoryCard
from bot.store.claims import claim, owned_by
from bot.store.models import (
    DIGEST_POSTED,
    POST_PENDING,
    POST_POSTED,
    ChannelSettings,
    ChannelStory,
    Digest,
    Post,
)
from bot.store.store import Store
from bot.store.types import utcnow
from bot.store.upsert import insert_ignore

log = logging.getLogger(__name__)

BACKOFF_BASE_S = 5.0
BACKOFF_MAX_S = 300.0
UNEXPECTED_ERROR_ATTEMPTS = 5
NO_STORY_MESSAGE = "the story's own message was never posted"


@dataclass
class DeliveryReport:
    """What one `deliver_pending` call did. `failures` are (key, reason) of posts failed for
    good in this call; `already_posted` counts deliveries the platform had already accepted
    (recovered after a crash)."""

    delivered: int = 0
    already_posted: int = 0
    retrying: int = 0
    failed: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)


async def deliver_pending(
    store: Store,
    platforms: Mapping[str, Platform],
    *,
    worker_id: str,
    now: datetime | None = None,
    limit: int = 100,
    lease_s: float = 120.0,
) -> DeliveryReport:
    """Deliver up to `limit` due posts for the given platforms (keyed by `Platform.name`, as
    stored in `Post.platform`), channel by channel in queue order.

    Each round claims the head post of every ready channel and delivers them concurrently.
    Without `now`, each round reads the clock, so leases stay fresh through a long call (a
    429 storm); with `now` (tests), every round uses it."""
    report = DeliveryReport()
    handled = 0
    while handled < limit:
        at = now or utcnow()
        batch = await _claim_heads(
            store,
            platforms=list(platforms),
            now=at,
            worker_id=worker_id,
            lease_s=lease_s,
            limit=limit - handled,
        )
        if not batch:
            break
        handled += len(batch)
        jobs = [
            _deliver(store, platforms[p.platform], p, worker_id=worker_id, now=at, report=report)
            for p in batch
        ]
        await asyncio.gather(*jobs)
    return report


async def _claim_heads(
    store: Store, *, platforms: list[str], now: datetime, worker_id: str, lease_s: float, limit: int
) -> list[Post]:
    earlier = aliased(Post)
    blocked = exists().where(
        earlier.platform == Post.platform,
        earlier.workspace_id == Post.workspace_id,
        earlier.channel_id == Post.channel_id,
        earlier.state == POST_PENDING,
        earlier.id < Post.id,
    )
    async with store.session() as s:
        return await claim(
            s,
            Post,
            where=[
                Post.state == POST_PENDING,
                Post.next_attempt_at <= now,
                Post.platform.in_(platforms),
                ~blocked,
            ],
            order_by=[Post.id],
            now=now,
            worker_id=worker_id,
            lease_s=lease_s,
            limit=limit,
            extra_values={"attempts": Post.attempts + 1},
        )


async def _deliver(
    store: Store,
    platform: Platform,
    post: Post,
    *,
    worker_id: str,
    now: datetime,
    report: DeliveryReport,
) -> None:
    try:
        posted = await _call_platform(store, platform, post, worker_id=worker_id)
    except DeliveryError as exc:
        if exc.retryable:
            await _retry_later(store, post, exc.reason, worker_id=worker_id, now=now)
            report.retrying += 1
        else:
            await _fail(store, post, exc.reason, worker_id=worker_id, now=now, report=report)
        return
    except Exception as exc:  # a bug or a malformed payload: retried a few times, then failed
        log.exception("delivering %s failed", post.idempotency_key)
        reason = f"internal error: {exc.__class__.__name__}: {exc}"
        if post.attempts >= UNEXPECTED_ERROR_ATTEMPTS:
            await _fail(store, post, reason, worker_id=worker_id, now=now, report=report)
        else:
            await _retry_later(store, post, reason, worker_id=worker_id, now=now)
            report.retrying += 1
        return
    if not await _record_posted(store, post, posted, worker_id=worker_id, now=now):
        log.warning("lost the lease of %s before recording it", post.idempotency_key)
        return
    report.delivered += 1
    report.already_posted += posted.already_posted


async def _record_posted(
    store: Store, post: Post, posted: Posted, *, worker_id: str, now: datetime
) -> bool:
    """Mark the post posted and, in the same transaction, where a story's message and thread
    are (`channel_story`) and whether its digest is complete. False when the lease was lost."""
    async with store.session() as s:
        done = await s.execute(
            update(Post)
            .where(owned_by(Post, post.id, worker_id))
            .values(
                state=POST_POSTED,
                message_id=posted.message_id or None,
                thread_id=posted.thread_id or post.thread_id,
                posted_at=now,
                last_error=None,
                lease_owner=None,
                lease_expires_at=None,
            )
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            return False
        if post.kind == "story" and post.story_id is not None:
            await s.execute(
                update(ChannelStory)
                .where(
                    ChannelStory.platform == post.platform,
                    ChannelStory.workspace_id == post.workspace_id,
                    ChannelStory.channel_id == post.channel_id,
                    ChannelStory.story_id == post.story_id,
                )
                .values(post_id=post.id, message_id=posted.message_id, thread_id=posted.thread_id)
                .execution_options(synchronize_session=False)
            )
        await _finish_digest(s, post.digest_id, now=now)
    return True


async def _call_platform(store: Store, platform: Platform, post: Post, *, worker_id: str) -> Posted:
    key = post.idempotency_key
    payload: dict[str, Any] = post.payload or {}
    channel_id = post.channel_id
    if post.kind == "digest_header":
        ids = payload.get("story_ids") or []
        placeholders = tuple(StoryCard(story_id=str(i), title="", url=None) for i in ids)
        view = DigestView(payload.get("title") or "Digest", placeholders)
        return await platform.post_digest_header(channel_id=channel_id, digest=view, key=key)
    if post.kind == "story":
        card = card_from_json(payload["card"])
        message_id = post.message_id
        thread_id = post.thread_id
        already = False
        if not message_id:
            story = await platform.post_story(channel_id=channel_id, story=card, key=key)
            message_id, thread_id, already = story.message_id, story.thread_id, story.already_posted
            await _record_progress(store, post.id, worker_id, message_id, thread_id)
        opened = await platform.open_thread(
            channel_id=channel_id, message_id=message_id, story=card, key=thread_key(key)
        )
        thread = opened.thread_id or thread_id
        return Posted(channel_id, message_id, thread, already or opened.already_posted)
    if post.kind == "thread_update":
        thread_id = post.thread_id or await _thread_of(store, post)
        if not thread_id:
            raise DeliveryError(NO_STORY_MESSAGE, retryable=False)
        update_view = update_from_json(payload["update"])
        return await platform.reply(
            channel_id=channel_id, thread_id=thread_id, update=update_view, key=key
        )
    if post.kind == "ping":
        return await _ping(store, platform, post)
    if post.kind == "feed_health":
        notice = Notice.from_json(payload["notice"])
        post_notice = getattr(platform, "post_notice", None)
        if post_notice is not None:
            return await post_notice(channel_id=channel_id, notice=notice, key=key)
        return await platform.post_story(channel_id=channel_id, story=notice_card(notice), key=key)
    raise DeliveryError(f"unknown post kind {post.kind!r}", retryable=False)


async def _ping(store: Store, platform: Platform, post: Post) -> Posted:
    """Mention a story's followers in its thread. Members the platform says have left are
    not mentioned and their follows are dropped, so they cost nothing again."""
    thread_id = post.thread_id or await _thread_of(store, post)
    if not thread_id:
        raise DeliveryError(NO_STORY_MESSAGE, retryable=False)
    ping = ping_from_json((post.payload or {}).get("ping") or {})
    post_ping = getattr(platform, "post_ping", None)
    if post_ping is None:
        return Posted(post.channel_id, "", thread_id)
    result: PingPosted = await post_ping(
        channel_id=post.channel_id, thread_id=thread_id, ping=ping, key=post.idempotency_key
    )
    if result.gone:
        forgotten = await store.follows.forget_members(
            platform=post.platform, workspace_id=post.workspace_id, user_ids=result.gone
        )
        log.info("%d follows of %d departed members dropped", forgotten, len(result.gone))
    return result.posted


async def _record_progress(
    store: Store, post_id: int, worker_id: str, message_id: str, thread_id: str | None
) -> None:
    async with store.session() as s:
        await s.execute(
            update(Post)
            .where(owned_by(Post, post_id, worker_id))
            .values(message_id=message_id, thread_id=thread_id)
            .execution_options(synchronize_session=False)
        )


async def _thread_of(store: Store, post: Post) -> str | None:
    """The thread of the story an update belongs to, in the update's channel."""
    async with store.session(readonly=True) as s:
        return await s.scalar(
            select(ChannelStory.thread_id).where(
                ChannelStory.platform == post.platform,
                ChannelStory.workspace_id == post.workspace_id,
                ChannelStory.channel_id == post.channel_id,
                ChannelStory.story_id == post.story_id,
            )
        )


def backoff_s(attempts: int) -> float:
    """Seconds before the next try after `attempts` tries: 5, 10, 20, … up to 5 minutes."""
    return min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2 ** min(max(0, attempts - 1), 16))


async def _retry_later(
    store: Store, post: Post, reason: str, *, worker_id: str, now: datetime
) -> None:
    await store.channels.mark_post_failed(
        post.id, worker_id=worker_id, error=reason, retry_in_s=backoff_s(post.attempts), now=now
    )


async def _fail(
    store: Store,
    post: Post,
    reason: str,
    *,
    worker_id: str,
    now: datetime,
    report: DeliveryReport,
) -> None:
    log.warning("giving up on %s: %s", post.idempotency_key, reason)
    if not await store.channels.mark_post_failed(
        post.id, worker_id=worker_id, error=reason, retry_in_s=None, now=now
    ):
        return
    report.failed += 1
    report.failures.append((post.idempotency_key, reason))
    await _tell_moderators(store, post, reason, now=now)
    async with store.session() as s:
        await _finish_digest(s, post.digest_id, now=now)


async def _tell_moderators(store: Store, post: Post, reason: str, *, now: datetime) -> None:
    """Queue a notice in the channel's log channel (the failing channel itself may be the
    problem, so without a log channel the failure is only logged and kept on the post)."""
    if post.kind in ("feed_health", "ping") or reason == NO_STORY_MESSAGE:
        return  # a notice about a notice or a ping helps no one; a story's failure was reported
    async with store.session() as s:
        log_channel = await s.scalar(
            select(ChannelSettings.log_channel_id).where(
                ChannelSettings.platform == post.platform,
                ChannelSettings.workspace_id == post.workspace_id,
                ChannelSettings.channel_id == post.channel_id,
            )
        )
        if not log_channel or log_channel == post.channel_id:
            return
        notice = Notice(
            title="A message could not be delivered",
            lines=(
                f"Channel {post.channel_id}: {reason}",
                "Check that the bot can see the channel and post (and open threads) there.",
            ),
        )
        await insert_ignore(
            s,
            Post,
            {
                "idempotency_key": undeliverable_key(post.id),
                "platform": post.platform,
                "workspace_id": post.workspace_id,
                "channel_id": log_channel,
                "kind": "feed_health",
                "payload": {"notice": notice.to_json()},
                "state": POST_PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            },
            conflict=["idempotency_key"],
        )


async def _finish_digest(s: AsyncSession, digest_id: int | None, *, now: datetime) -> None:
    """A digest is posted once none of its posts is pending any more."""
    if digest_id is None:
        return
    pending = await s.scalar(
        select(func.count())
        .select_from(Post)
        .where(Post.digest_id == digest_id, Post.state == POST_PENDING)
    )
    if pending:
        return
    await s.execute(
        update(Digest)
        .where(Digest.id == digest_id, Digest.state != DIGEST_POSTED)
        .values(state=DIGEST_POSTED, posted_at=now)
        .execution_options(synchronize_session=False)
    )


async def pending_count(store: Store) -> int:
    async with store.session(readonly=True) as s:
        return int(
            await s.scalar(select(func.count()).select_from(Post).where(Post.state == POST_PENDING))
            or 0
        )


__all__ = ["DeliveryReport", "backoff_s", "deliver_pending", "pending_count"]
