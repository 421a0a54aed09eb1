"""The one place that wires concrete classes together: settings → store, fetcher, summarizer
executor, pipeline, worker.

Usage::

    async with open_app(Settings()) as app:
        worker = app.worker()
        await worker.run_once()

Everything else takes its collaborators as arguments; only this module picks them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import Executor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from bot.config import Settings
from bot.feeds.fetch import Fetcher, FetchLimits
from bot.feeds.poll import PollPolicy
from bot.pool import owned_process_pool
from bot.store.engine import is_sqlite
from bot.store.open import open_store
from bot.store.store import Store
from bot.stories.pipeline import ArticlePipeline
from bot.worker import Worker, make_worker_id


@dataclass
class App:
    settings: Settings
    store: Store
    fetcher: Fetcher
    executor: Executor | None

    def poll_policy(self) -> PollPolicy:
        s = self.settings
        return PollPolicy(
            min_interval_s=s.feed_min_interval_s,
            max_interval_s=max(s.feed_min_interval_s, s.feed_max_interval_s),
            max_failures=s.feed_max_failures,
        )

    def pipeline(self, *, worker_id: str) -> ArticlePipeline:
        return ArticlePipeline(
            store=self.store,
            fetcher=self.fetcher,
            worker_id=worker_id,
            executor=self.executor,
            concurrency=self.settings.article_concurrency,
            lease_s=self.settings.worker_lease_s,
        )

    def worker(self, *, worker_id: str | None = None) -> Worker:
        worker_id = worker_id or make_worker_id()
        return Worker(
            store=self.store,
            fetcher=self.fetcher,
            pipeline=self.pipeline(worker_id=worker_id),
            worker_id=worker_id,
            policy=self.poll_policy(),
            concurrency=self.settings.poll_concurrency,
            lease_s=self.settings.worker_lease_s,
            retention=timedelta(days=self.settings.retention_days),
        )


def make_fetcher(settings: Settings) -> Fetcher:
    limits = FetchLimits(max_in_flight=max(settings.poll_concurrency, FetchLimits().max_in_flight))
    return Fetcher(allow_private=settings.allow_private_addresses, limits=limits)


def db_pool_size(settings: Settings) -> int | None:
    """Connections for one worker on PostgreSQL: every feed with new items holds one while
    its entries are stored, so the default five would queue a 200-feed batch. The pool may
    open as many again at peaks: mind PostgreSQL's max_connections (100 by default) when
    running several workers. SQLite has one writer anyway and keeps its default."""
    if is_sqlite(settings.database_url.get_secret_value()):
        return None
    return min(25, max(5, settings.poll_concurrency // 20))


def make_executor(settings: Settings) -> Executor | None:
    """Processes for `summarize()` that end with this process however it ends
    (`bot.pool`); None (a thread) when the setting is 0."""
    if settings.summarize_processes <= 0:
        return None
    return owned_process_pool(processes=settings.summarize_processes)


@asynccontextmanager
async def open_app(settings: Settings, *, with_executor: bool = True) -> AsyncIterator[App]:
    store = await open_store(settings, pool_size=db_pool_size(settings))
    fetcher = make_fetcher(settings)
    executor = make_executor(settings) if with_executor else None
    try:
        yield App(settings=settings, store=store, fetcher=fetcher, executor=executor)
    finally:
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        await fetcher.close()
        await store.close()
