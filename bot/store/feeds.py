"""Feeds: adding them, claiming the due ones, recording each poll's outcome."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, select, update

from bot.store.claims import claim
from bot.store.models import FEED_ACTIVE, FEED_DISABLED, FEED_PAUSED, Feed, Subscription
from bot.store.types import utcnow
from bot.store.upsert import insert_ignore, insert_ignore_many

if TYPE_CHECKING:
    from bot.store.store import Store

FEED_STATES = (FEED_ACTIVE, FEED_PAUSED, FEED_DISABLED)


@dataclass(frozen=True, slots=True)
class PollOutcome:
    """What one poll of a feed found, for `FeedRepo.record_polls`.

    Success (`error` None): error_count resets, `last_success_at` = now, the validators
    (`etag`, `last_modified`) are stored as given, `changed` stamps `last_changed_at`, and a
    non-None `title`/`site_url` replaces the stored one. Failure: error_count + 1 and
    `last_error`/`last_error_at` are set; validators stay. `disable` moves the feed to the
    disabled state (its last error kept for moderators). Either way the lease is released,
    `next_check_at` set and the first poll counts as done.
    """

    feed_id: int
    now: datetime
    next_check_at: datetime
    interval_s: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    title: str | None = None
    site_url: str | None = None
    changed: bool = False
    error: str | None = None
    disable: bool = False

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "lease_owner": None,
            "lease_expires_at": None,
            "last_checked_at": self.now,
            "next_check_at": self.next_check_at,
            "first_poll_done": True,
            "updated_at": self.now,
        }
        if self.interval_s is not None:
            values["interval_s"] = self.interval_s
        if self.error is None:
            values.update(
                error_count=0,
                last_success_at=self.now,
                etag=self.etag,
                last_modified=self.last_modified,
            )
            if self.changed:
                values["last_changed_at"] = self.now
            if self.title is not None:
                values["title"] = self.title
            if self.site_url is not None:
                values["site_url"] = self.site_url
        else:
            values.update(
                error_count=Feed.error_count + 1, last_error=self.error, last_error_at=self.now
            )
        if self.disable:
            values["state"] = FEED_DISABLED
        return values


@dataclass(frozen=True, slots=True)
class NewFeed:
    url: str
    normalized_url: str
    title: str | None = None


@dataclass(frozen=True, slots=True)
class SubscribeTo:
    """The channel that `FeedRepo.add_many` makes follow every feed it adds."""

    platform: str
    workspace_id: str
    channel_id: str
    created_by: str | None = None


@dataclass(frozen=True, slots=True)
class FeedAddedInBulk:
    """One feed of `FeedRepo.add_many`: `created` the feed row, `subscribed` the channel's
    subscription (None without a channel), `revived` a disabled feed made active again."""

    feed_id: int
    url: str
    normalized_url: str
    title: str | None
    created: bool
    subscribed: bool | None
    revived: bool


class FeedRepo:
    """`store.feeds`. Feeds are shared by every workspace; which workspace follows which feed
    is in `store.channels` (subscriptions)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def add(
        self,
        *,
        url: str,
        normalized_url: str,
        title: str | None = None,
        now: datetime | None = None,
    ) -> tuple[Feed, bool]:
        """The feed for `normalized_url`, created (due at once) if new. Returns (feed, created)."""
        now = now or utcnow()
        async with self._store.session() as s:
            new_id = await insert_ignore(
                s,
                Feed,
                {
                    "url": url,
                    "normalized_url": normalized_url,
                    "title": title,
                    "next_check_at": now,
                    "created_at": now,
                    "updated_at": now,
                },
                conflict=["normalized_url"],
            )
            query = select(Feed).where(Feed.normalized_url == normalized_url)
            feed = (await s.scalars(query)).one()
        return feed, new_id is not None

    async def add_many(
        self,
        feeds: Sequence[NewFeed],
        *,
        now: datetime | None = None,
        subscribe: SubscribeTo | None = None,
    ) -> list[FeedAddedInBulk]:
        """`add` for many feeds, and `subscribe`'s channel to each, in one transaction: an
        import is written whole or not at all. A disabled feed the channel newly follows is
        made active (and due) again, as `/feeds add` does. Results follow `feeds`' order;
        give each normalized URL once."""
        if not feeds:
            return []
        now = now or utcnow()
        keys = [f.normalized_url for f in feeds]
        rows = [
            {
                "url": f.url,
                "normalized_url": f.normalized_url,
                "title": f.title,
                "state": FEED_ACTIVE,
                "interval_s": 900,
                "next_check_at": now,
                "error_count": 0,
                "first_poll_done": False,
                "created_at": now,
                "updated_at": now,
            }
            for f in feeds
        ]
        async with self._store.session() as s:
            created = {
                key
                for (key,) in await insert_ignore_many(
                    s, Feed, rows, conflict=["normalized_url"], returning=["normalized_url"]
                )
            }
            stored = {
                feed.normalized_url: feed
                for feed in (await s.scalars(select(Feed).where(Feed.normalized_url.in_(keys))))
            }
            subscribed: set[int] = set()
            revived: set[int] = set()
            if subscribe is not None:
                subs = [
                    {
                        "platform": subscribe.platform,
                        "workspace_id": subscribe.workspace_id,
                        "channel_id": subscribe.channel_id,
                        "feed_id": stored[key].id,
                        "include_keywords": [],
                        "exclude_keywords": [],
                        "paused": False,
                        "created_by": subscribe.created_by,
                        "created_at": now,
                    }
                    for key in keys
                ]
                subscribed = {
                    feed_id
                    for (feed_id,) in await insert_ignore_many(
                        s,
                        Subscription,
                        subs,
                        conflict=["platform", "workspace_id", "channel_id", "feed_id"],
                        returning=["feed_id"],
                    )
                }
                revived = {
                    stored[key].id
                    for key in keys
                    if stored[key].id in subscribed and stored[key].state == FEED_DISABLED
                }
                if revived:
                    await s.execute(
                        update(Feed)
                        .where(Feed.id.in_(revived), Feed.state == FEED_DISABLED)
                        .values(state=FEED_ACTIVE, error_count=0, next_check_at=now, updated_at=now)
                    )
        return [
            FeedAddedInBulk(
                feed_id=stored[key].id,
                url=stored[key].url,
                normalized_url=key,
                title=stored[key].title,
                created=key in created,
                subscribed=None if subscribe is None else stored[key].id in subscribed,
                revived=stored[key].id in revived,
            )
            for key in keys
        ]

    async def get(self, feed_id: int) -> Feed | None:
        async with self._store.session(readonly=True) as s:
            return await s.get(Feed, feed_id)

    async def get_by_normalized_url(self, normalized_url: str) -> Feed | None:
        async with self._store.session(readonly=True) as s:
            return await s.scalar(select(Feed).where(Feed.normalized_url == normalized_url))

    async def list(self, *, state: str | None = None) -> list[Feed]:
        async with self._store.session(readonly=True) as s:
            query = select(Feed).order_by(Feed.id)
            if state is not None:
                query = query.where(Feed.state == state)
            return list((await s.scalars(query)).all())

    async def claim_due(
        self, *, now: datetime, limit: int, worker_id: str, lease_s: float
    ) -> list[Feed]:
        """Lease up to `limit` active feeds whose `next_check_at` has come, oldest first."""
        async with self._store.session() as s:
            return await claim(
                s,
                Feed,
                where=[Feed.state == FEED_ACTIVE, Feed.next_check_at <= now],
                order_by=[Feed.next_check_at, Feed.id],
                now=now,
                worker_id=worker_id,
                lease_s=lease_s,
                limit=limit,
            )

    async def claim_all_enabled(
        self, *, now: datetime, worker_id: str, lease_s: float, limit: int | None = None
    ) -> list[Feed]:
        """Lease every active feed not leased by someone else, whatever its schedule
        (`worker --once`)."""
        async with self._store.session() as s:
            return await claim(
                s,
                Feed,
                where=[Feed.state == FEED_ACTIVE],
                order_by=[Feed.id],
                now=now,
                worker_id=worker_id,
                lease_s=lease_s,
                limit=limit,
            )

    async def record_poll(
        self,
        feed_id: int,
        *,
        worker_id: str,
        now: datetime,
        next_check_at: datetime,
        interval_s: int | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        title: str | None = None,
        site_url: str | None = None,
        changed: bool = False,
        error: str | None = None,
        disable: bool = False,
    ) -> bool:
        """Record one poll's outcome and release the lease; see `PollOutcome`. Returns False
        (and changes nothing) when `worker_id` no longer holds the lease."""
        outcome = PollOutcome(
            feed_id=feed_id,
            now=now,
            next_check_at=next_check_at,
            interval_s=interval_s,
            etag=etag,
            last_modified=last_modified,
            title=title,
            site_url=site_url,
            changed=changed,
            error=error,
            disable=disable,
        )
        (recorded,) = await self.record_polls([outcome], worker_id=worker_id)
        return recorded

    async def record_polls(self, outcomes: Sequence[PollOutcome], *, worker_id: str) -> list[bool]:
        """Record many polls in one transaction, one flag per outcome: False where
        `worker_id` had lost that feed's lease (that outcome is dropped).

        Batching matters: a transaction per poll tops out at a few hundred polls a second,
        while one `executemany` per batch does thousands.
        """
        if not outcomes:
            return []
        feeds = Feed.__table__
        wanted = [o.feed_id for o in outcomes]
        async with self._store.session() as s:
            held = set(
                (
                    await s.scalars(
                        select(Feed.id)
                        .where(Feed.id.in_(wanted), Feed.lease_owner == worker_id)
                        .with_for_update()
                    )
                ).all()
            )
            groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            expressions: dict[tuple[str, ...], dict[str, Any]] = {}
            for outcome in outcomes:
                if outcome.feed_id not in held:
                    continue
                values = outcome.values()
                plain = {k: v for k, v in values.items() if not hasattr(v, "__clause_element__")}
                exprs = {k: v for k, v in values.items() if k not in plain}
                key = tuple(sorted(plain)) + tuple(sorted(exprs))
                expressions[key] = exprs
                params = {f"v_{k}": v for k, v in plain.items()}
                params["v_feed_id"] = outcome.feed_id
                groups.setdefault(key, []).append(params)
            for key, rows in groups.items():
                plain_keys = [k for k in key if k not in expressions[key]]
                stmt = (
                    update(feeds)
                    .where(feeds.c.id == bindparam("v_feed_id"))
                    .values({k: bindparam(f"v_{k}", type_=feeds.c[k].type) for k in plain_keys})
                    .values(expressions[key])
                )
                await s.execute(stmt, rows)
        return [o.feed_id in held for o in outcomes]

    async def set_state(self, feed_id: int, state: str, *, now: datetime | None = None) -> bool:
        """Pause, resume or disable a feed. Resuming makes it due now with a clean error count."""
        if state not in FEED_STATES:
            raise ValueError(f"unknown feed state {state!r}")
        now = now or utcnow()
        values: dict[str, object] = {"state": state, "updated_at": now}
        if state == FEED_ACTIVE:
            values.update(error_count=0, next_check_at=now)
        async with self._store.session() as s:
            result = await s.execute(update(Feed).where(Feed.id == feed_id).values(**values))
            return result.rowcount == 1  # type: ignore[attr-defined]

    async def remove(self, feed_id: int) -> bool:
        """Delete a feed with its entries and subscriptions (stories and articles stay)."""
        async with self._store.session() as s:
            result = await s.execute(delete(Feed).where(Feed.id == feed_id))
            return result.rowcount == 1  # type: ignore[attr-defined]
