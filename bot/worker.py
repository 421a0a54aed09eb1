"""The worker: poll due feeds, then turn their new articles into stories.

Usage::

    worker = Worker(store=store, fetcher=fetcher, pipeline=pipeline, worker_id=make_worker_id())
    stats = await worker.run_once()          # `newsdigest worker --once`
    await worker.run_forever(stop=event)      # `newsdigest worker`

A cycle claims due feeds from the store in batches, each with a lease (`FOR UPDATE SKIP LOCKED`
on PostgreSQL, so any number of workers share the feeds without polling one twice), polls a
batch concurrently (at most `concurrency` fetches at once), stores each feed's entries as soon
as it is parsed, and records the batch's outcomes in one transaction, which also releases the
leases. Then it drains the article queue. Nothing is kept in memory between steps: a worker
killed anywhere leaves leases that expire, and the next worker redoes only what was not stored.
A worker's id names its host, pid and process start (`make_worker_id`), so the leases of a
worker of this host that died are released as soon as another worker looks (at the start of a
cycle and while it waits for held work), not when they expire.

`run_forever` also prunes what is older than the retention (`bot.store.retention`) when it
starts and then every `prune_every_s` (an hour), at most `PRUNE_MAX_BATCHES` batches of each
table a run, and gives SQLite's freed pages back; `run_once` does not (cron jobs run
`newsdigest db prune` beside it).

`run_once` polls every enabled feed whatever its schedule (conditional GET still applies): it
first makes every active feed not polled since the cycle began due now, then claims feeds due
at the cycle's start, so a feed polled in this cycle (its next check is later) is not claimed
again, and feeds another worker holds are waited for rather than skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

from bot.feeds.fetch import Fetcher
from bot.feeds.poll import PollPolicy, PollResult, poll_feed
from bot.plural import counted
from bot.store.articles import EntryChange
from bot.store.claimers import new_claimer_id
from bot.store.claims import claim
from bot.store.feeds import PollOutcome
from bot.store.models import FEED_ACTIVE, Feed
from bot.store.retention import give_back_space, prune
from bot.store.store import Store
from bot.store.types import utcnow
from bot.stories.pipeline import ArticlePipeline, PipelineStats

__all__ = ["CycleStats", "PollStats", "Worker", "make_worker_id"]

log = logging.getLogger(__name__)

PRUNE_EVERY_S = 3600.0
PRUNE_MAX_BATCHES = 200
"""Batches of each table one periodic prune takes at most (100,000 rows of 500): a day of
1,000 busy feeds is 20,000 a table, so a backlog clears over a few runs without one run
holding the worker's database turn for long."""


def make_worker_id() -> str:
    """host, pid and process start, so a worker on this host can tell that it died
    (`bot.store.claimers`)."""
    return new_claimer_id()


@dataclass
class PollStats:
    polled: int = 0
    not_modified: int = 0
    changed: int = 0
    failed: int = 0
    disabled: int = 0
    new_entries: int = 0
    lost_leases: int = 0
    errors: dict[int, str] = field(default_factory=dict)


@dataclass
class CycleStats:
    polls: PollStats
    articles: PipelineStats


class Worker:
    """Polls feeds and drains the article queue; see the module docstring."""

    def __init__(
        self,
        *,
        store: Store,
        fetcher: Fetcher,
        pipeline: ArticlePipeline,
        worker_id: str,
        policy: PollPolicy | None = None,
        concurrency: int = 200,
        batch_size: int = 1000,
        lease_s: float = 300,
        retention: timedelta | None = None,
        prune_every_s: float = PRUNE_EVERY_S,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._fetcher = fetcher
        self.pipeline = pipeline
        self.worker_id = worker_id
        self._policy = policy or PollPolicy()
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._batch_size = max(1, batch_size)
        self._lease_s = lease_s
        self._retention = retention
        self._prune_every_s = prune_every_s
        self._clock = clock

    async def run_once(self) -> CycleStats:
        """One full cycle over every enabled feed, then every pending article."""
        start = self._clock()
        released = await self._store.release_dead_leases(now=start)
        if released:
            log.info("took over %s of workers that died", counted(released, "lease"))
        await make_all_due(self._store, now=start)
        polls = await self.poll_due(now=start, wait_for_leases_s=self._lease_s)
        articles = await self.pipeline.drain(wait_for_leases_s=self._lease_s)
        return CycleStats(polls, articles)

    async def run_forever(self, *, stop: asyncio.Event, idle_s: float = 5.0) -> None:
        """Poll due feeds and drain the article queue side by side until `stop` is set, each
        feed on its own schedule (a long article backlog never delays polling). On the way out the
        worker gives back its leases, so another worker need not wait for them to expire."""
        new_articles = asyncio.Event()
        if released := await self._store.release_dead_leases(now=self._clock()):
            log.info("took over %s of workers that died", counted(released, "lease"))
        loops = [
            self._poll_loop(stop, idle_s, new_articles),
            self._article_loop(stop, idle_s, new_articles),
        ]
        if self._retention is not None:
            loops.append(self._prune_loop(stop, self._retention))
        try:
            await asyncio.gather(*loops)
        finally:
            released = await self._store.release_leases(worker_id=self.worker_id)
            log.info("stopped; gave back %s", counted(released, "lease"))

    async def _poll_loop(self, stop: asyncio.Event, idle_s: float, wake: asyncio.Event) -> None:
        while not stop.is_set():
            polls = await self.poll_due(now=self._clock())
            if polls.new_entries:
                wake.set()
            if polls.polled:
                log.info(
                    "polled %s (%d not modified, %d failed, %s)",
                    counted(polls.polled, "feed"),
                    polls.not_modified,
                    polls.failed,
                    counted(polls.new_entries, "new entry"),
                )
            else:
                await _sleep_unless(stop, idle_s)

    async def _article_loop(self, stop: asyncio.Event, idle_s: float, wake: asyncio.Event) -> None:
        while not stop.is_set():
            wake.clear()
            articles = await self.pipeline.drain(stop=stop)
            if articles.summarized or articles.failed:
                log.info(
                    "summarized %s (%d from feed text, %s), %d failed",
                    counted(articles.summarized, "article"),
                    articles.from_feed,
                    counted(articles.new_stories, "new story"),
                    articles.failed,
                )
            else:
                await _sleep_unless(stop, idle_s, wake)

    async def _prune_loop(self, stop: asyncio.Event, retention: timedelta) -> None:
        while not stop.is_set():
            try:
                await self.prune(retention)
            except Exception:  # a failed prune must not stop polling; the next run retries
                log.exception("pruning old rows failed")
            await _sleep_unless(stop, self._prune_every_s)

    async def prune(self, retention: timedelta) -> None:
        """One bounded prune run (see the module docstring)."""
        report = await prune(
            self._store, older_than=retention, now=self._clock(), max_batches=PRUNE_MAX_BATCHES
        )
        report.freed_bytes = await give_back_space(self._store)
        if report.removed or report.freed_bytes:
            log.info("%s", report.line())

    async def poll_due(self, *, now: datetime, wait_for_leases_s: float = 0.0) -> PollStats:
        """Poll every active feed due at `now`, batch by batch. With `wait_for_leases_s`, also
        wait that long at most for due feeds that other workers hold."""
        stats = PollStats()
        loop = asyncio.get_running_loop()
        give_up = loop.time() + wait_for_leases_s
        next_batch = asyncio.ensure_future(self._claim(now))
        try:
            while True:
                feeds = await next_batch
                if not feeds:
                    if loop.time() < give_up and await _due_held_by_others(
                        self._store, now=now, worker_id=self.worker_id
                    ):
                        if not await self._store.release_dead_leases(now=self._clock()):
                            await asyncio.sleep(0.5)
                        next_batch = asyncio.ensure_future(self._claim(now))
                        continue
                    return stats
                next_batch = asyncio.ensure_future(self._claim(now))
                await self._poll_batch(feeds, stats)
        finally:
            if not next_batch.done():
                next_batch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await next_batch

    async def _claim(self, due_by: datetime) -> list[Feed]:
        """Lease active feeds due by `due_by`. Leases are judged by the clock, not by
        `due_by`, so a feed whose worker died during this cycle can be taken over."""
        async with self._store.session() as s:
            return await claim(
                s,
                Feed,
                where=[Feed.state == FEED_ACTIVE, Feed.next_check_at <= due_by],
                order_by=[Feed.next_check_at, Feed.id],
                now=self._clock(),
                worker_id=self.worker_id,
                lease_s=self._lease_s,
                limit=self._batch_size,
            )

    async def _poll_batch(self, feeds: list[Feed], stats: PollStats) -> None:
        moved: dict[int, str] = {}
        outcomes = await asyncio.gather(*(self._poll_one(feed, stats, moved) for feed in feeds))
        if moved:
            await _move_feeds(self._store, moved, worker_id=self.worker_id)
        recorded = await self._store.feeds.record_polls(outcomes, worker_id=self.worker_id)
        for outcome, ok in zip(outcomes, recorded, strict=True):
            if not ok:
                stats.lost_leases += 1
                continue
            stats.polled += 1
            if outcome.error is not None:
                stats.failed += 1
                stats.errors[outcome.feed_id] = outcome.error
                stats.disabled += outcome.disable

    async def _poll_one(self, feed: Feed, stats: PollStats, moved: dict[int, str]) -> PollOutcome:
        async with self._slots:
            result = await poll_feed(feed, fetcher=self._fetcher, now=self._clock())
        if result.moved_to and result.moved_to != feed.url and result.error is None:
            moved[feed.id] = result.moved_to
        changes: list[EntryChange] = []
        if result.warnings:
            log.info("feed %s read with warnings: %s", feed.id, "; ".join(result.warnings))
        if result.not_modified:
            stats.not_modified += 1
        elif result.entries:
            try:
                changes = await self._store.articles.upsert_entries(
                    feed.id, result.entries, backlog=result.backlog, now=result.now
                )
            except Exception as exc:  # a feed whose entries cannot be stored is that feed's error
                log.warning("storing the entries of feed %s failed: %r", feed.id, exc)
                result = _failed(result, f"its items could not be stored ({type(exc).__name__})")
        new = sum(1 for c in changes if c.kind == "new")
        stats.new_entries += new
        stats.changed += any(c.kind != "unchanged" for c in changes)
        return result.outcome_for(changes, self._policy)


async def _sleep_unless(stop: asyncio.Event, seconds: float, *wake: asyncio.Event) -> None:
    """Sleep `seconds`, or less if `stop` or any `wake` event is set."""
    waiters = [asyncio.ensure_future(e.wait()) for e in (stop, *wake)]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


def _failed(result: PollResult, error: str) -> PollResult:
    return replace(result, entries=(), error=error)


async def _move_feeds(store: Store, moved: dict[int, str], *, worker_id: str) -> None:
    """Fetch permanently redirected feeds from their new address from now on. The feed keeps
    its identity (`normalized_url`), so following it again by the old URL finds it."""
    async with store.session() as s:
        for feed_id, url in moved.items():
            await s.execute(
                update(Feed)
                .where(Feed.id == feed_id, Feed.lease_owner == worker_id)
                .values(url=url)
                .execution_options(synchronize_session=False)
            )


async def make_all_due(store: Store, *, now: datetime) -> int:
    """Make every active feed that no one holds and that was not polled since `now` due at
    `now` (the start of a `--once` cycle). Returns how many feeds were rescheduled."""
    async with store.session() as s:
        result = await s.execute(
            update(Feed)
            .where(
                Feed.state == FEED_ACTIVE,
                Feed.next_check_at > now,
                or_(Feed.last_checked_at.is_(None), Feed.last_checked_at < now),
                or_(Feed.lease_expires_at.is_(None), Feed.lease_expires_at <= now),
            )
            .values(next_check_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def _due_held_by_others(store: Store, *, now: datetime, worker_id: str) -> bool:
    async with store.session(readonly=True) as s:
        count = await s.scalar(
            select(func.count())
            .select_from(Feed)
            .where(
                Feed.state == FEED_ACTIVE,
                Feed.next_check_at <= now,
                Feed.lease_owner.is_not(None),
                Feed.lease_owner != worker_id,
            )
        )
    return bool(count)
