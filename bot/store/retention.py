"""Retention: rows older than the retention age are deleted in small batches, except what is
still in use.

Usage::

    report = await prune(store, older_than=timedelta(days=30))   # the worker, every hour
    report.freed_bytes = await give_back_space(store)            # SQLite, incremental vacuum
    print(report.line())

What goes, with the cutoff `now - older_than` (the newest row of every table always stays,
and so does the story that owns the newest `channel_story` and `story_sources` row: SQLite
numbers a new row max(id) + 1, so a table whose newest row went would hand out that id again,
and ids are in outbox keys and in the "Story N" footers the platforms' look-ups match):

- **entries** first seen before the cutoff that their feed no longer lists (`Entry.listed`):
  an entry the feed still carries stays, or its next poll would store it again as new and a
  digest would post it again;
- **stories** created and last changed before the cutoff, unless a pending post names them (a
  delivery still to make, into their thread too) or one of their articles is pending or newer
  than the cutoff. A story's thread is *still open* while the story can change: new sources
  join a story for days (the clustering window), and each one is queued into the thread of
  every channel it was posted to, so a story changed within the retention age keeps its
  `channel_story` rows (where its threads are) and its posts (the updates compare against
  their payloads). With the story go its quotes and their speaker tokens, its sources, its
  `channel_story` rows and its full-text index rows (FTS5 triggers; the tsvector is in the
  row);
- **articles** created before the cutoff whose story is gone, that no entry points at (an
  entry kept because its feed lists it keeps its article, so the page is not fetched and
  summarized again), and that no worker holds;
- **posts** delivered or failed for good, created before the cutoff, whose story is gone.
  Feed-health notices are the memory of what moderators were told: one is kept while its
  feed is in the failure episode it announced (else the next cycle would announce it again),
  and an episode's notices go together, once a recovery was announced or cannot be any more;
- **digests** created before the cutoff with no post left.

Each batch is one short write transaction over at most `batch` rows of one table (and what
cascades from them); a run's batches interleave with the other writers of the process, which
queue on the store's write lock between them. On PostgreSQL the rows are taken `FOR UPDATE
SKIP LOCKED`, so concurrent prunes (one per worker) split the work. PostgreSQL reuses the
space of deleted rows (autovacuum); SQLite reuses its free pages too, and gives them back to
the file system with `give_back_space` (incremental vacuum, files created since migration
0005) or `compact` (`newsdigest db prune`: converts an older file with one full VACUUM).
FTS5 only marks a deleted story's index entries as deleted until their segments are merged,
so `give_back_space` also runs a bounded FTS5 merge: without it the index creeps (measured
with `bench/retention_bench.py`: about 0.1 % of the file a day).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, exists, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.plural import counted
from bot.store.claims import lease_free
from bot.store.models import (
    ARTICLE_PENDING,
    FEED_ACTIVE,
    POST_PENDING,
    Article,
    ChannelStory,
    Digest,
    Entry,
    Feed,
    Post,
    Quote,
    Story,
    StorySource,
)
from bot.store.store import Store
from bot.store.types import utcnow

__all__ = ["PRUNE_BATCH", "PruneReport", "compact", "give_back_space", "prune"]

PRUNE_BATCH = 500
"""Rows of one table per transaction: a few milliseconds of lock on SQLite."""
VACUUM_STEP_PAGES = 2_000
"""Pages one incremental-vacuum step frees (8 MB at the default page size)."""
FTS_MERGE_PAGES = 1_000
"""Pages of the full-text index one run may merge: merging is what drops deleted stories'
entries from FTS5's segments (they are only marked deleted), so without it the index creeps."""
_AUTO_VACUUM_INCREMENTAL = 2


@dataclass
class PruneReport:
    """What one prune removed. `complete` is False when `max_batches` stopped a table early;
    `freed_bytes` is the file space SQLite gave back (None: not measured, or PostgreSQL)."""

    days: float
    entries: int = 0
    articles: int = 0
    stories: int = 0
    quotes: int = 0
    posts: int = 0
    digests: int = 0
    batches: int = 0
    complete: bool = True
    freed_bytes: int | None = None

    @property
    def removed(self) -> int:
        return self.entries + self.articles + self.stories + self.posts + self.digests

    def line(self) -> str:
        """One line for the CLI and the log."""
        parts = [
            counted(self.entries, "entry"),
            counted(self.articles, "article"),
            f"{counted(self.stories, 'story')} ({counted(self.quotes, 'quote')})",
            counted(self.posts, "post"),
            counted(self.digests, "digest"),
        ]
        days = f"{self.days:g}"
        text = f"pruned {', '.join(parts[:-1])} and {parts[-1]} older than {days} days"
        if self.freed_bytes is not None:
            text += f"; gave back {self.freed_bytes / 1_000_000:.1f} MB"
        if not self.complete:
            text += "; more is left for the next run"
        return text


_Step = Callable[[AsyncSession, datetime, datetime, int, PruneReport], Awaitable[int]]


async def prune(
    store: Store,
    *,
    older_than: timedelta,
    now: datetime | None = None,
    batch: int = PRUNE_BATCH,
    max_batches: int | None = None,
) -> PruneReport:
    """Delete what is older than `older_than` and no longer needed (module docstring), at most
    `batch` rows of a table per transaction and, with `max_batches`, at most that many
    batches per table in this run."""
    now = now or utcnow()
    cutoff = now - older_than
    report = PruneReport(days=older_than / timedelta(days=1))
    batch = max(1, batch)
    steps: tuple[_Step, ...] = (_entries, _stories, _articles, _posts, _digests)
    for step in steps:
        done = 0
        while max_batches is None or done < max_batches:
            async with store.session() as s:
                taken = await step(s, cutoff, now, batch, report)
            done += 1
            report.batches += 1
            if taken < batch:
                break
            await asyncio.sleep(0)
        else:
            report.complete = False
    notices = await _prunable_notices(store, cutoff)
    for start in range(0, len(notices), batch):
        if max_batches is not None and start // batch >= max_batches:
            report.complete = False
            break
        async with store.session() as s:
            report.posts += await _delete(s, Post, notices[start : start + batch])
        report.batches += 1
    return report


def _not_newest(model: Any) -> ColumnElement[bool]:
    return model.id < select(func.max(model.id)).scalar_subquery()


def _story_of_newest(model: Any) -> ColumnElement[int]:
    """The story of `model`'s newest row (-1 when it has none): deleting that story would
    delete the row by cascade."""
    newest = select(func.max(model.id)).scalar_subquery()
    return func.coalesce(select(model.story_id).where(model.id == newest).scalar_subquery(), -1)


async def _take(s: AsyncSession, model: Any, where: list[ColumnElement[bool]], n: int) -> list[int]:
    query = select(model.id).where(*where, _not_newest(model)).limit(n)
    return list((await s.scalars(query.with_for_update(skip_locked=True))).all())


async def _delete(s: AsyncSession, model: Any, ids: list[int]) -> int:
    if not ids:
        return 0
    result = await s.execute(
        delete(model).where(model.id.in_(ids)).execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def _entries(
    s: AsyncSession, cutoff: datetime, now: datetime, n: int, report: PruneReport
) -> int:
    ids = await _take(s, Entry, [Entry.listed == false(), Entry.first_seen_at < cutoff], n)
    report.entries += await _delete(s, Entry, ids)
    return len(ids)


async def _stories(
    s: AsyncSession, cutoff: datetime, now: datetime, n: int, report: PruneReport
) -> int:
    pending_post = exists().where(Post.story_id == Story.id, Post.state == POST_PENDING)
    live_article = exists().where(
        Article.story_id == Story.id,
        or_(Article.state == ARTICLE_PENDING, Article.created_at >= cutoff),
    )
    where = [
        Story.created_at < cutoff,
        Story.updated_at < cutoff,
        ~pending_post,
        ~live_article,
        Story.id != _story_of_newest(ChannelStory),
        Story.id != _story_of_newest(StorySource),
    ]
    ids = await _take(s, Story, where, n)
    if ids:
        quotes = await s.execute(
            delete(Quote)
            .where(Quote.story_id.in_(ids))
            .execution_options(synchronize_session=False)
        )
        report.quotes += int(quotes.rowcount or 0)  # type: ignore[attr-defined]
    report.stories += await _delete(s, Story, ids)
    return len(ids)


async def _articles(
    s: AsyncSession, cutoff: datetime, now: datetime, n: int, report: PruneReport
) -> int:
    where = [
        Article.created_at < cutoff,
        Article.story_id.is_(None),
        ~exists().where(Entry.article_id == Article.id),
        lease_free(Article, now),
    ]
    ids = await _take(s, Article, where, n)
    report.articles += await _delete(s, Article, ids)
    return len(ids)


async def _posts(
    s: AsyncSession, cutoff: datetime, now: datetime, n: int, report: PruneReport
) -> int:
    where = [
        Post.state != POST_PENDING,
        Post.created_at < cutoff,
        Post.story_id.is_(None),
        Post.kind != "feed_health",
    ]
    ids = await _take(s, Post, where, n)
    report.posts += await _delete(s, Post, ids)
    return len(ids)


async def _digests(
    s: AsyncSession, cutoff: datetime, now: datetime, n: int, report: PruneReport
) -> int:
    where = [Digest.created_at < cutoff, ~exists().where(Post.digest_id == Digest.id)]
    ids = await _take(s, Digest, where, n)
    report.digests += await _delete(s, Digest, ids)
    return len(ids)


async def _prunable_notices(store: Store, cutoff: datetime) -> list[int]:
    """Ids of the feed-health posts that may go (module docstring). A notice without feed
    details (an undeliverable post's) goes once old; a feed's notices go by failure episode
    (`bot.digests.health`: the feed's last success, or its creation, in whole seconds), all
    of an episode at once and only when all are old and delivered, the feed is gone or in
    another episode, and a recovery was announced, or cannot be (the feed is not healthy), or
    was never due (no failing notice)."""
    async with store.session(readonly=True) as s:
        rows = (
            await s.execute(
                select(Post.id, Post.state, Post.created_at, Post.payload).where(
                    Post.kind == "feed_health"
                )
            )
        ).all()
        groups: dict[tuple[int, int], list[tuple[int, bool, str | None]]] = {}
        loose: list[int] = []
        for post_id, state, created_at, payload in rows:
            old = state != POST_PENDING and created_at < cutoff
            health = (payload or {}).get("health")
            if not isinstance(health, dict):
                if old:
                    loose.append(post_id)
                continue
            key = (int(health.get("feed_id", 0)), int(health.get("episode", 0)))
            groups.setdefault(key, []).append((post_id, old, health.get("status")))
        feed_ids = sorted({feed_id for feed_id, _ in groups})
        feeds = {
            f.id: f for f in (await s.scalars(select(Feed).where(Feed.id.in_(feed_ids)))).all()
        }
    doomed = [*loose]
    for (feed_id, episode), posts in groups.items():
        if not all(old for _, old, _ in posts):
            continue
        feed = feeds.get(feed_id)
        if feed is not None:
            since = feed.last_success_at or feed.created_at
            if since is not None and int(since.timestamp()) == episode:
                continue
            statuses = {status for _, _, status in posts}
            healthy = feed.state == FEED_ACTIVE and feed.error_count == 0
            if "failing" in statuses and "recovered" not in statuses and healthy:
                continue
        doomed += [post_id for post_id, _, _ in posts]
    return sorted(doomed)


async def give_back_space(store: Store, *, max_pages: int | None = None) -> int | None:
    """SQLite: merge a bounded part of the full-text index (`FTS_MERGE_PAGES`), then, with
    incremental auto-vacuum, return free pages to the file system, a few thousand per
    transaction, at most `max_pages`. Returns the bytes given back; None on PostgreSQL or a
    file without incremental auto-vacuum (`compact` converts one)."""
    if store.dialect != "sqlite":
        return None
    async with store.sqlite_connection() as db:
        await db.execute(
            "INSERT INTO stories_fts(stories_fts, rank) VALUES ('merge', ?)", (-FTS_MERGE_PAGES,)
        )
    async with store.sqlite_connection() as db:
        if await _pragma(db, "auto_vacuum") != _AUTO_VACUUM_INCREMENTAL:
            return None
        page_size = await _pragma(db, "page_size")
    freed = 0
    while max_pages is None or freed < max_pages:
        async with store.sqlite_connection() as db:
            free = await _pragma(db, "freelist_count")
            left = free if max_pages is None else min(free, max_pages - freed)
            step = min(left, VACUUM_STEP_PAGES)
            if step <= 0:
                break
            # executescript steps the pragma to its end; execute() would free one page.
            await db.executescript(f"PRAGMA incremental_vacuum({int(step)})")
        freed += step
        await asyncio.sleep(0)
    async with store.sqlite_connection() as db:
        await db.execute("PRAGMA wal_checkpoint(PASSIVE)")
    return freed * page_size


async def compact(store: Store) -> int | None:
    """`newsdigest db prune` on SQLite: give every free page back. A file made before
    incremental auto-vacuum is converted by one full VACUUM (it rewrites the file, needing
    as much free disk again, and holds the database meanwhile); later runs and the worker
    then vacuum incrementally. The WAL file is truncated too. Returns the bytes the database
    shrank by; None on PostgreSQL."""
    if store.dialect != "sqlite":
        return None
    async with store.sqlite_connection() as db:
        before = await _pragma(db, "page_count") * await _pragma(db, "page_size")
        if await _pragma(db, "auto_vacuum") != _AUTO_VACUUM_INCREMENTAL:
            await db.executescript("PRAGMA auto_vacuum=INCREMENTAL; VACUUM")
    await give_back_space(store)
    async with store.sqlite_connection() as db:
        await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        after = await _pragma(db, "page_count") * await _pragma(db, "page_size")
    return max(0, before - after)


async def _pragma(db: Any, name: str) -> int:
    cursor = await db.execute(f"PRAGMA {name}")
    row = await cursor.fetchone()
    await cursor.close()
    return int(row[0])
