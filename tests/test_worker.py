"""The worker's cycles: `--once` over every enabled feed, leases shared by two workers, and the
long-running loop."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bot.feeds.fetch import Fetcher
from bot.store import Store
from bot.store.models import FEED_DISABLED, FEED_PAUSED, Article, Feed
from bot.store.types import utcnow
from bot.stories.pipeline import ArticlePipeline
from bot.stories.urls import link_key
from bot.worker import Worker, make_all_due
from tests.conftest import StoreTarget
from tests.feed_site import Clock, Item, exempt_fetcher, make_worker, rss
from tests.support.httpserver import Gate, LocalHTTPServer, Reply

RSS_TYPE = "application/rss+xml"


@pytest.fixture
async def fetcher(http_server: LocalHTTPServer) -> AsyncIterator[Fetcher]:
    async with exempt_fetcher(http_server, total_timeout=5.0) as f:
        yield f


def feed_body(n: int) -> str:
    return rss([Item(title=f"Notice {n}", link=None, guid=f"n{n}", description=f"Text {n}.")])


async def follow(store: Store, url: str) -> int:
    feed, _ = await store.feeds.add(url=url, normalized_url=link_key(url))
    return feed.id


async def test_once_polls_every_enabled_feed_whatever_its_schedule(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer
) -> None:
    ids = {}
    for name in ("due", "later", "paused", "disabled"):
        http_server.add(f"/{name}.xml", Reply(body=feed_body(1), content_type=RSS_TYPE, etag='"1"'))
        ids[name] = await follow(store, http_server.url(f"/{name}.xml"))
    clock = Clock(utcnow())
    worker = make_worker(store, fetcher, clock)
    await worker.run_once()
    await store.feeds.set_state(ids["paused"], FEED_PAUSED)
    await store.feeds.set_state(ids["disabled"], FEED_DISABLED)
    later = await store.feeds.get(ids["later"])
    assert later is not None and later.next_check_at > clock.now

    clock.advance(1)
    stats = await worker.run_once()

    assert stats.polls.polled == 2 and stats.polls.not_modified == 2
    for name, expected in (("due", 2), ("later", 2), ("paused", 1), ("disabled", 1)):
        assert len(http_server.requests_for(f"/{name}.xml")) == expected, name
    assert http_server.requests_for("/later.xml")[1].headers["If-None-Match"] == '"1"'


async def test_two_workers_never_poll_a_feed_twice_in_a_cycle(
    store: Store, store_target: StoreTarget, fetcher: Fetcher, http_server: LocalHTTPServer
) -> None:
    count = 60
    feeds = Gate()
    for n in range(count):
        reply = Reply(body=feed_body(n), content_type=RSS_TYPE, delay=0.02)
        http_server.add(f"/f{n}.xml", feeds.serving(reply))
        await follow(store, http_server.url(f"/f{n}.xml"))
    other_store = store_target.open()
    try:
        clock = Clock(utcnow())
        await make_all_due(store, now=clock.now)
        workers = [
            Worker(
                store=s,
                fetcher=fetcher,
                pipeline=make_worker(s, fetcher, clock, worker_id=wid).pipeline,
                worker_id=wid,
                concurrency=4,
                batch_size=5,
                clock=clock,
            )
            for s, wid in ((store, "w1"), (other_store, "w2"))
        ]
        feeds.close()  # held until both have claimed: neither can drain the queue alone
        polls = asyncio.gather(*(w.poll_due(now=clock.now) for w in workers))
        try:
            async with asyncio.timeout(30):
                while await claimers(store) < 2:
                    assert not polls.done(), polls
                    await asyncio.sleep(0.02)
        finally:
            feeds.open()
        results = await polls
    finally:
        await other_store.close()

    per_feed = Counter(r.path for r in http_server.requests)
    assert len(per_feed) == count and set(per_feed.values()) == {1}
    assert sum(r.polled for r in results) == count
    assert all(r.polled > 0 for r in results), "both workers should have had a share"


async def test_once_takes_over_feeds_whose_worker_died(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer
) -> None:
    http_server.add("/orphan.xml", Reply(body=feed_body(1), content_type=RSS_TYPE))
    feed_id = await follow(store, http_server.url("/orphan.xml"))
    now = utcnow()
    claimed = await store.feeds.claim_due(now=now, limit=10, worker_id="dead", lease_s=1)
    assert [f.id for f in claimed] == [feed_id]

    stats = await make_worker(store, fetcher, utcnow).run_once()

    assert stats.polls.polled == 1
    assert len(http_server.requests_for("/orphan.xml")) == 1
    feed = await store.feeds.get(feed_id)
    assert feed is not None and feed.lease_owner is None and feed.last_success_at is not None


async def test_run_forever_follows_the_schedule_until_stopped(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.worker")
    http_server.add("/live.xml", Reply(body=feed_body(1), content_type=RSS_TYPE))
    await follow(store, http_server.url("/live.xml"))
    worker = make_worker(store, fetcher, utcnow)  # type: ignore[arg-type]
    stop = asyncio.Event()
    # A long idle time: new entries must wake the article loop, and stop must end the sleep.
    task = asyncio.create_task(worker.run_forever(stop=stop, idle_s=60))
    for _ in range(600):
        if await store.stories.recent(since=utcnow().replace(year=2000)):
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    stop.set()
    await asyncio.wait_for(task, timeout=15)
    # Polled once: its next check is at least the minimum interval away.
    assert len(http_server.requests_for("/live.xml")) == 1
    assert len(await store.stories.recent(since=utcnow().replace(year=2000))) == 1
    assert "polled 1 feed (0 not modified, 0 failed, 1 new entry)" in caplog.text
    assert "summarized 1 article (1 from feed text, 1 new story), 0 failed" in caplog.text


async def test_stopping_finishes_work_in_hand_and_gives_back_leases(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer
) -> None:
    pages = Gate()
    entries = []
    for n in range(8):
        http_server.add(f"/p{n}", pages.serving(Reply(body=f"<p>Page {n}.</p>")))
        entries.append(Item(title=f"Story {n}", link=http_server.url(f"/p{n}"), guid=f"s{n}"))
    http_server.add("/busy.xml", Reply(body=rss(entries), content_type=RSS_TYPE))
    await follow(store, http_server.url("/busy.xml"))
    pipeline = ArticlePipeline(store=store, fetcher=fetcher, worker_id="w", concurrency=2)
    worker = Worker(store=store, fetcher=fetcher, pipeline=pipeline, worker_id="w")
    pages.close(after=2)
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run_forever(stop=stop, idle_s=0.05))
    try:
        async with asyncio.timeout(30):  # two pages done, the next two in hand (held)
            while not (
                pages.held == 2
                and await count_rows(store, Article, Article.state == "summarized") == 2
            ):
                assert not task.done(), task
                await asyncio.sleep(0.05)
        stop.set()
    finally:
        stop.set()
        pages.open()
        await asyncio.wait_for(task, timeout=10)

    assert await count_rows(store, Article, Article.state == "summarized") == 4
    assert await count_rows(store, Article, Article.state == "pending") == 4
    assert len({r.path for r in http_server.requests if r.path.startswith("/p")}) == 4
    assert await count_rows(store, Article, Article.lease_owner.is_not(None)) == 0
    assert await count_rows(store, Feed, Feed.lease_owner.is_not(None)) == 0


async def claimers(store: Store) -> int:
    async with store.session(readonly=True) as s:
        owners = select(func.count(func.distinct(Feed.lease_owner)))
        return int(await s.scalar(owners) or 0)


async def count_rows(store: Store, model: type, *where: object) -> int:
    async with store.session(readonly=True) as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)
