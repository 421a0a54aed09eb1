"""Everything that belongs to a chat workspace: subscriptions, channel settings, digests, the
outbox of posts and the stories posted to each channel.

Every method a command can reach takes `platform` and `workspace_id` and only ever sees or
changes that workspace's rows: an id from another workspace behaves as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, select, update

from bot.store.claims import claim, owned_by
from bot.store.models import (
    POST_FAILED,
    POST_KINDS,
    POST_PENDING,
    POST_POSTED,
    ChannelSettings,
    ChannelStory,
    Digest,
    Feed,
    Post,
    Subscription,
)
from bot.store.types import utcnow
from bot.store.upsert import insert_ignore

if TYPE_CHECKING:
    from bot.store.store import Store

_SETTINGS_FIELDS = ("schedule", "timezone", "max_stories", "layout", "log_channel_id", "is_forum")


def _in(platform: str, workspace_id: str, model: Any) -> Any:
    return and_(model.platform == platform, model.workspace_id == workspace_id)


class ChannelRepo:
    """`store.channels`."""

    def __init__(self, store: Store) -> None:
        self._store = store

    # Subscriptions

    async def subscribe(
        self,
        *,
        platform: str,
        workspace_id: str,
        channel_id: str,
        feed_id: int,
        include_keywords: Sequence[str] = (),
        exclude_keywords: Sequence[str] = (),
        created_by: str | None = None,
    ) -> tuple[Subscription, bool]:
        """Make the channel follow the feed. Returns (subscription, created); an existing
        subscription keeps its filters."""
        async with self._store.session() as s:
            new_id = await insert_ignore(
                s,
                Subscription,
                {
                    "platform": platform,
                    "workspace_id": workspace_id,
                    "channel_id": channel_id,
                    "feed_id": feed_id,
                    "include_keywords": list(include_keywords),
                    "exclude_keywords": list(exclude_keywords),
                    "paused": False,
                    "created_by": created_by,
                    "created_at": utcnow(),
                },
                conflict=["platform", "workspace_id", "channel_id", "feed_id"],
            )
            query = select(Subscription).where(
                _in(platform, workspace_id, Subscription),
                Subscription.channel_id == channel_id,
                Subscription.feed_id == feed_id,
            )
            sub = (await s.scalars(query)).one()
        return sub, new_id is not None

    async def subscriptions(
        self, *, platform: str, workspace_id: str, channel_id: str | None = None
    ) -> list[tuple[Subscription, Feed]]:
        """The workspace's subscriptions (of one channel if given) with their feeds."""
        async with self._store.session(readonly=True) as s:
            query = (
                select(Subscription, Feed)
                .join(Feed, Feed.id == Subscription.feed_id)
                .where(_in(platform, workspace_id, Subscription))
                .order_by(Subscription.id)
            )
            if channel_id is not None:
                query = query.where(Subscription.channel_id == channel_id)
            return [(sub, feed) for sub, feed in (await s.execute(query)).all()]

    async def subscribers(
        self, feed_id: int, *, include_paused: bool = False
    ) -> list[Subscription]:
        """Every channel (any workspace) following a feed: for the digest and health code."""
        async with self._store.session(readonly=True) as s:
            query = select(Subscription).where(Subscription.feed_id == feed_id)
            if not include_paused:
                query = query.where(Subscription.paused.is_(False))
            return list((await s.scalars(query.order_by(Subscription.id))).all())

    async def unsubscribe(self, *, platform: str, workspace_id: str, subscription_id: int) -> bool:
        async with self._store.session() as s:
            result = await s.execute(
                delete(Subscription).where(
                    _in(platform, workspace_id, Subscription), Subscription.id == subscription_id
                )
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

    async def set_paused(
        self, *, platform: str, workspace_id: str, subscription_id: int, paused: bool
    ) -> bool:
        return await self._set(platform, workspace_id, subscription_id, paused=paused)

    async def set_ping_role(
        self, *, platform: str, workspace_id: str, subscription_id: int, role_id: str | None
    ) -> bool:
        """The role (Discord) or user group (Slack) mentioned for the subscription's stories;
        None mentions nobody."""
        return await self._set(platform, workspace_id, subscription_id, ping_role_id=role_id)

    async def _set(
        self, platform: str, workspace_id: str, subscription_id: int, **values: Any
    ) -> bool:
        async with self._store.session() as s:
            result = await s.execute(
                update(Subscription)
                .where(
                    _in(platform, workspace_id, Subscription), Subscription.id == subscription_id
                )
                .values(**values)
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

    # Channel settings

    async def settings(
        self, *, platform: str, workspace_id: str, channel_id: str
    ) -> ChannelSettings | None:
        async with self._store.session(readonly=True) as s:
            return await s.scalar(
                select(ChannelSettings).where(
                    _in(platform, workspace_id, ChannelSettings),
                    ChannelSettings.channel_id == channel_id,
                )
            )

    async def save_settings(
        self, *, platform: str, workspace_id: str, channel_id: str, **fields: Any
    ) -> ChannelSettings:
        """Create or update a channel's settings: `schedule`, `timezone`, `max_stories`,
        `layout`, `log_channel_id`, `is_forum`, `next_digest_at`, `last_digest_at`."""
        allowed = {*_SETTINGS_FIELDS, "next_digest_at", "last_digest_at"}
        unknown = set(fields) - allowed
        if unknown:
            raise TypeError(f"unknown channel settings: {sorted(unknown)}")
        now = utcnow()
        async with self._store.session() as s:
            await insert_ignore(
                s,
                ChannelSettings,
                {
                    "platform": platform,
                    "workspace_id": workspace_id,
                    "channel_id": channel_id,
                    "created_at": now,
                    "updated_at": now,
                },
                conflict=["platform", "workspace_id", "channel_id"],
            )
            query = select(ChannelSettings).where(
                _in(platform, workspace_id, ChannelSettings),
                ChannelSettings.channel_id == channel_id,
            )
            row = (await s.scalars(query)).one()
            for key, value in fields.items():
                setattr(row, key, value)
            row.updated_at = now
            return row

    async def claim_due_channels(
        self, *, now: datetime, limit: int, worker_id: str, lease_s: float
    ) -> list[ChannelSettings]:
        """Lease channels (any workspace) whose next digest time has come, earliest first, so
        that two processes never build the same channel's digest."""
        async with self._store.session() as s:
            return await claim(
                s,
                ChannelSettings,
                where=[ChannelSettings.next_digest_at <= now],
                order_by=[ChannelSettings.next_digest_at, ChannelSettings.id],
                now=now,
                worker_id=worker_id,
                lease_s=lease_s,
                limit=limit,
            )

    async def finish_channel_digest(
        self,
        channel_settings_id: int,
        *,
        worker_id: str,
        next_digest_at: datetime | None,
        last_digest_at: datetime | None = None,
    ) -> bool:
        """Set the channel's next digest time (None: no schedule) and release the lease.
        False when the lease was lost."""
        values: dict[str, Any] = {
            "next_digest_at": next_digest_at,
            "lease_owner": None,
            "lease_expires_at": None,
            "updated_at": utcnow(),
        }
        if last_digest_at is not None:
            values["last_digest_at"] = last_digest_at
        async with self._store.session() as s:
            result = await s.execute(
                update(ChannelSettings)
                .where(owned_by(ChannelSettings, channel_settings_id, worker_id))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

    # Digests

    async def create_digest(
        self, *, platform: str, workspace_id: str, channel_id: str, title: str | None = None
    ) -> Digest:
        async with self._store.session() as s:
            digest = Digest(
                platform=platform,
                workspace_id=workspace_id,
                channel_id=channel_id,
                title=title,
                created_at=utcnow(),
            )
            s.add(digest)
            await s.flush()
            return digest

    async def set_digest_state(
        self, digest_id: int, *, state: str, story_count: int | None = None
    ) -> None:
        values: dict[str, Any] = {"state": state}
        if story_count is not None:
            values["story_count"] = story_count
        if state == "posted":
            values["posted_at"] = utcnow()
        async with self._store.session() as s:
            await s.execute(update(Digest).where(Digest.id == digest_id).values(**values))

    # Outbox

    async def enqueue_post(
        self,
        *,
        key: str,
        platform: str,
        workspace_id: str,
        channel_id: str,
        kind: str,
        payload: dict[str, Any],
        story_id: int | None = None,
        digest_id: int | None = None,
        thread_id: str | None = None,
    ) -> tuple[Post, bool]:
        """Queue a message unless one with the same idempotency key exists (at most 64
        characters). Returns (post, created)."""
        if kind not in POST_KINDS:
            raise ValueError(f"unknown post kind {kind!r}")
        if len(key) > 64:
            raise ValueError("idempotency key longer than 64 characters")
        now = utcnow()
        async with self._store.session() as s:
            new_id = await insert_ignore(
                s,
                Post,
                {
                    "idempotency_key": key,
                    "platform": platform,
                    "workspace_id": workspace_id,
                    "channel_id": channel_id,
                    "kind": kind,
                    "payload": payload,
                    "story_id": story_id,
                    "digest_id": digest_id,
                    "thread_id": thread_id,
                    "next_attempt_at": now,
                    "created_at": now,
                },
                conflict=["idempotency_key"],
            )
            post = (await s.scalars(select(Post).where(Post.idempotency_key == key))).one()
        return post, new_id is not None

    async def claim_posts(
        self,
        *,
        now: datetime,
        limit: int,
        worker_id: str,
        lease_s: float,
        platform: str | None = None,
    ) -> list[Post]:
        """Lease pending posts due for an attempt, in the order they were queued."""
        where = [Post.state == POST_PENDING, Post.next_attempt_at <= now]
        if platform is not None:
            where.append(Post.platform == platform)
        async with self._store.session() as s:
            return await claim(
                s,
                Post,
                where=where,
                order_by=[Post.id],
                now=now,
                worker_id=worker_id,
                lease_s=lease_s,
                limit=limit,
                extra_values={"attempts": Post.attempts + 1},
            )

    async def mark_posted(
        self,
        post_id: int,
        *,
        worker_id: str,
        message_id: str | None,
        thread_id: str | None = None,
        now: datetime | None = None,
    ) -> bool:
        values = {
            "state": POST_POSTED,
            "message_id": message_id,
            "posted_at": now or utcnow(),
            "last_error": None,
            "lease_owner": None,
            "lease_expires_at": None,
        }
        if thread_id is not None:
            values["thread_id"] = thread_id
        return await self._finish_post(post_id, worker_id, values)

    async def mark_post_failed(
        self,
        post_id: int,
        *,
        worker_id: str,
        error: str,
        retry_in_s: float | None = None,
        now: datetime | None = None,
    ) -> bool:
        """A failed delivery: retried after `retry_in_s`, or failed for good when None."""
        values: dict[str, Any] = {
            "last_error": error,
            "lease_owner": None,
            "lease_expires_at": None,
        }
        if retry_in_s is None:
            values["state"] = POST_FAILED
        else:
            values["next_attempt_at"] = (now or utcnow()) + timedelta(seconds=retry_in_s)
        return await self._finish_post(post_id, worker_id, values)

    async def _finish_post(self, post_id: int, worker_id: str, values: dict[str, Any]) -> bool:
        async with self._store.session() as s:
            result = await s.execute(
                update(Post)
                .where(owned_by(Post, post_id, worker_id))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

    async def post(self, *, key: str) -> Post | None:
        async with self._store.session(readonly=True) as s:
            return await s.scalar(select(Post).where(Post.idempotency_key == key))

    # Stories posted to channels

    async def record_channel_story(
        self,
        *,
        platform: str,
        workspace_id: str,
        channel_id: str,
        story_id: int,
        post_id: int | None = None,
        sources_posted: int = 0,
    ) -> bool:
        """Claim the story for the channel. False when it was already posted (or claimed)
        there: the caller must not post it again."""
        async with self._store.session() as s:
            new_id = await insert_ignore(
                s,
                ChannelStory,
                {
                    "platform": platform,
                    "workspace_id": workspace_id,
                    "channel_id": channel_id,
                    "story_id": story_id,
                    "post_id": post_id,
                    "sources_posted": sources_posted,
                    "created_at": utcnow(),
                },
                conflict=["platform", "workspace_id", "channel_id", "story_id"],
            )
            return new_id is not None

    async def update_channel_story(
        self,
        *,
        platform: str,
        workspace_id: str,
        channel_id: str,
        story_id: int,
        **fields: Any,
    ) -> bool:
        """Set `post_id`, `message_id`, `thread_id` or `sources_posted` of a posted story."""
        unknown = set(fields) - {"post_id", "message_id", "thread_id", "sources_posted"}
        if unknown:
            raise TypeError(f"unknown fields: {sorted(unknown)}")
        async with self._store.session() as s:
            result = await s.execute(
                update(ChannelStory)
                .where(
                    _in(platform, workspace_id, ChannelStory),
                    ChannelStory.channel_id == channel_id,
                    ChannelStory.story_id == story_id,
                )
                .values(**fields)
            )
            return result.rowcount == 1  # type: ignore[attr-defined]

    async def channel_stories(
        self, *, platform: str, workspace_id: str, channel_id: str | None = None
    ) -> list[ChannelStory]:
        async with self._store.session(readonly=True) as s:
            query = select(ChannelStory).where(_in(platform, workspace_id, ChannelStory))
            if channel_id is not None:
                query = query.where(ChannelStory.channel_id == channel_id)
            return list((await s.scalars(query.order_by(ChannelStory.id))).all())

    async def postings_of_story(self, story_id: int) -> list[ChannelStory]:
        """Every channel (any workspace) a story went to: where its thread updates go."""
        async with self._store.session(readonly=True) as s:
            query = select(ChannelStory).where(ChannelStory.story_id == story_id)
            return list((await s.scalars(query.order_by(ChannelStory.id))).all())
