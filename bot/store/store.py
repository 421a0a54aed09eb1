"""The `Store`: one storage API over SQLite and PostgreSQL.

Usage::

    store = Store("sqlite+aiosqlite:///newsdigest.db")
    await store.upgrade()                      # or `newsdigest db upgrade`
    feeds = await store.feeds.claim_due(now=now, limit=100, worker_id="w1", lease_s=120)
    async with store.session() as session:     # one transaction; commits on exit
        ...
    await store.close()

Repositories hang off the store (`store.feeds`, `store.articles`, `store.stories`,
`store.channels`); each method is one transaction. Rows come back as detached model
instances (`expire_on_commit=False`): read their columns freely, but do not rely on lazy
loading. Build one Store at start-up and pass it in; there is no module-level instance.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.store import claims, migrate
from bot.store.articles import ArticleRepo
from bot.store.channels import ChannelRepo
from bot.store.engine import make_engine
from bot.store.feeds import FeedRepo
from bot.store.follows import FollowRepo
from bot.store.models import Article, ChannelSettings, Feed, Post
from bot.store.stories import StoryRepo

LeaseKind = Literal["feeds", "articles", "posts", "channels"]
_LEASED: dict[str, Any] = {
    "feeds": Feed,
    "articles": Article,
    "posts": Post,
    "channels": ChannelSettings,
}


class Store:
    def __init__(
        self,
        url: str | URL,
        *,
        schema: str | None = None,
        echo: bool = False,
        pool_size: int | None = None,
    ) -> None:
        self.url = make_url(url)
        self.schema = schema
        self.engine: AsyncEngine = make_engine(
            self.url, schema=schema, echo=echo, pool_size=pool_size
        )
        self._write = async_sessionmaker(self.engine, expire_on_commit=False)
        self._read = async_sessionmaker(
            self.engine.execution_options(sqlite_begin="DEFERRED"), expire_on_commit=False
        )
        # SQLite has one writer at a time; queueing this process's writers here is cheaper than
        # letting them spin in SQLite's busy handler. Other processes still wait on the lock.
        self._write_lock = asyncio.Lock() if self.dialect == "sqlite" else None
        self._writing: ContextVar[bool] = ContextVar(f"store_writing_{id(self)}", default=False)
        self.feeds = FeedRepo(self)
        self.articles = ArticleRepo(self)
        self.stories = StoryRepo(self)
        self.channels = ChannelRepo(self)
        self.follows = FollowRepo(self)

    @property
    def dialect(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self, *, readonly: bool = False) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction, committed on normal exit, rolled back on error.

        On SQLite a write session holds the database write lock from its first statement
        (`BEGIN IMMEDIATE`); pass `readonly=True` for reads so they do not queue behind writers.
        """
        if readonly or self._write_lock is None:
            maker = self._read if readonly else self._write
            async with maker() as session, session.begin():
                yield session
            return
        if self._writing.get():
            raise RuntimeError(
                "a write session was opened inside another write session of the same store; "
                "pass the outer session down instead (SQLite has one writer at a time)"
            )
        token = self._writing.set(True)
        try:
            async with self._write_lock, self._write() as session, session.begin():
                yield session
        finally:
            self._writing.reset(token)

    @asynccontextmanager
    async def sqlite_connection(self) -> AsyncIterator[Any]:
        """SQLite only: the driver's own connection (aiosqlite), outside any transaction,
        holding this process's write turn. For what SQLite refuses inside a transaction
        (`VACUUM`) or must step to its end (`executescript("PRAGMA incremental_vacuum")`)."""
        if self._write_lock is None:
            raise RuntimeError("sqlite_connection() is for SQLite stores")
        async with self._write_lock, self.engine.connect() as conn:
            raw = await conn.get_raw_connection()
            yield raw.driver_connection

    async def renew_leases(
        self, kind: LeaseKind, ids: Sequence[int], *, worker_id: str, now: datetime, lease_s: float
    ) -> set[int]:
        """Extend `worker_id`'s leases on these feeds/articles/posts/channels (work that runs
        longer than its lease). Returns the ids it still held; drop the others' work."""
        async with self.session() as s:
            return await claims.renew(
                s, _LEASED[kind], ids, worker_id=worker_id, now=now, lease_s=lease_s
            )

    async def release_leases(self, *, worker_id: str) -> int:
        """Give back every lease `worker_id` holds (call on clean shutdown)."""
        async with self.session() as s:
            return sum(
                [await claims.release_all(s, m, worker_id=worker_id) for m in _LEASED.values()]
            )

    async def release_dead_leases(self, *, now: datetime) -> int:
        """Give back the leases of claimers known to be dead (`bot.store.claimers`): a
        restarted worker takes over a killed one's work at once, not after its lease."""
        async with self.session() as s:
            return sum([await claims.release_dead(s, m, now=now) for m in _LEASED.values()])

    async def upgrade(self) -> None:
        """Apply every pending migration."""
        await migrate.upgrade(self.engine)

    async def close(self) -> None:
        await self.engine.dispose()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
