"""Polling feeds through the worker against a real HTTP server on 127.0.0.1 and a real store
(SQLite, and PostgreSQL when NEWSDIGEST_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.feeds.fetch import Fetcher
from bot.feeds.poll import PollPolicy
from bot.store import Store
from bot.store.models import FEED_DISABLED, Article, Entry, Feed
from bot.store.types import utcnow
from bot.stories.urls import link_key
from bot.worker import PollStats, Worker
from tests.feed_site import Clock, Item, exempt_fetcher, make_worker, rss
from tests.support.httpserver import Drip, LocalHTTPServer, Reply

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
RSS_TYPE = "application/rss+xml"


def items(*names: str, base: str = "http://news.test/a/") -> list[Item]:
    return [
        Item(title=f"Item {n}", link=f"{base}{n}", guid=f"g-{n}", description=f"About {n}.")
        for n in names
    ]


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def fetcher(http_server: LocalHTTPServer) -> AsyncIterator[Fetcher]:
    async with exempt_fetcher(http_server, total_timeout=1.0, max_bytes=200_000) as f:
        yield f


@pytest.fixture
def worker(store: Store, fetcher: Fetcher, clock: Clock) -> Worker:
    return make_worker(store, fetcher, clock)


async def add(store: Store, url: str) -> int:
    feed, _ = await store.feeds.add(url=url, normalized_url=link_key(url))
    return feed.id


async def feed_row(store: Store, feed_id: int) -> Feed:
    feed = await store.feeds.get(feed_id)
    assert feed is not None
    return feed


async def count(store: Store, model: type, *where: object) -> int:
    async with store.session(readonly=True) as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def poll_when_due(worker: Worker, store: Store, clock: Clock, feed_id: int) -> Feed:
    """Move the clock to the feed's next check and run the scheduled poll."""
    feed = await feed_row(store, feed_id)
    clock.now = max(clock.now, feed.next_check_at)
    stats = await worker.poll_due(now=clock.now)
    assert stats.polled == 1
    return await feed_row(store, feed_id)


async def poll_all(worker: Worker, clock: Clock) -> PollStats:
    """Poll every feed due now (the clock catches up with feeds added since it was made)."""
    clock.now = max(clock.now, utcnow())
    return await worker.poll_due(now=clock.now)


def seconds_until(feed: Feed, now: datetime) -> float:
    return (feed.next_check_at - now).total_seconds()


async def test_200_then_304_with_etag(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock
) -> None:
    http_server.add("/f.xml", Reply(body=rss(items("1", "2")), content_type=RSS_TYPE, etag='"v1"'))
    feed_id = await add(store, http_server.url("/f.xml"))

    first = await poll_when_due(worker, store, clock, feed_id)
    assert first.etag == '"v1"' and first.last_success_at == clock.now
    assert await count(store, Entry) == 2
    second = await poll_when_due(worker, store, clock, feed_id)

    requests = http_server.requests_for("/f.xml")
    assert "If-None-Match" not in requests[0].headers
    assert requests[1].headers["If-None-Match"] == '"v1"'
    assert second.etag == '"v1"' and second.error_count == 0
    assert second.interval_s == int(first.interval_s * 1.5)
    assert await count(store, Entry) == 2


async def test_last_modified_is_sent_back(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock
) -> None:
    stamp = "Tue, 10 Mar 2026 09:00:00 GMT"
    http_server.add(
        "/lm.xml", Reply(body=rss(items("1")), content_type=RSS_TYPE, last_modified=stamp)
    )
    feed_id = await add(store, http_server.url("/lm.xml"))
    await poll_when_due(worker, store, clock, feed_id)
    feed = await poll_when_due(worker, store, clock, feed_id)
    assert http_server.requests_for("/lm.xml")[1].headers["If-Modified-Since"] == stamp
    assert feed.last_modified == stamp and feed.last_error is None


async def test_new_items_halve_the_interval_and_max_age_is_a_floor(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock
) -> None:
    http_server.add(
        "/grow.xml",
        [
            Reply(body=rss(items("1")), content_type=RSS_TYPE),
            Reply(body=rss(items("1", "2")), content_type=RSS_TYPE),
            Reply(
                body=rss(items("1", "2", "3")),
                content_type=RSS_TYPE,
                headers={"Cache-Control": "public, max-age=5000"},
            ),
        ],
    )
    feed_id = await add(store, http_server.url("/grow.xml"))
    first = await poll_when_due(worker, store, clock, feed_id)
    second = await poll_when_due(worker, store, clock, feed_id)
    assert second.interval_s == max(60, first.interval_s // 2)
    third = await poll_when_due(worker, store, clock, feed_id)
    assert third.interval_s == max(60, second.interval_s // 2)
    assert seconds_until(third, clock.now) >= 5000 > third.interval_s


async def test_redirect_to_a_private_address_is_refused_and_recorded(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock
) -> None:
    # 127.0.0.2 is loopback but not the exempted test socket: the guard must refuse it
    # before connecting (an IP literal is judged without any lookup).
    http_server.add("/moved.xml", Reply.redirect("http://127.0.0.2:9/feed.xml"))
    http_server.add("/meta.xml", Reply.redirect("http://169.254.169.254/latest/meta-data"))
    moved = await add(store, http_server.url("/moved.xml"))
    meta = await add(store, http_server.url("/meta.xml"))
    stats = await poll_all(worker, clock)
    assert stats.failed == 2
    for feed_id in (moved, meta):
        feed = await feed_row(store, feed_id)
        assert feed.error_count == 1 and feed.last_success_at is None
        assert "not a public" in (feed.last_error or "")
        assert "\n" not in (feed.last_error or "")


async def test_429_retry_after_pushes_the_next_poll(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock
) -> None:
    http_server.add("/busy.xml", Reply(status=429, headers={"Retry-After": "7200"}))
    feed_id = await add(store, http_server.url("/busy.xml"))
    feed = await poll_when_due(worker, store, clock, feed_id)
    assert seconds_until(feed, clock.now) >= 7200
    assert "429" in (feed.last_error or "") and feed.state != FEED_DISABLED
    clock.advance(3600)
    assert (await worker.poll_due(now=clock.now)).polled == 0
    for _ in range(4):  # more than max_failures: throttling is obeyed, not punished
        feed = await poll_when_due(worker, store, clock, feed_id)
    assert feed.state != FEED_DISABLED and feed.error_count == 5


async def test_500s_back_off_then_disable_with_the_error_kept(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock
) -> None:
    http_server.add("/down.xml", Reply(status=500, body="oops"))
    feed_id = await add(store, http_server.url("/down.xml"))
    delays = []
    for _ in range(3):
        feed = await poll_when_due(worker, store, clock, feed_id)
        delays.append(seconds_until(feed, clock.now))
    assert delays[1] == 2 * delays[0] and delays[2] == 2 * delays[1]
    assert feed.state == FEED_DISABLED and feed.error_count == 3
    assert feed.last_error == "the server answered HTTP 500"
    clock.advance(10 * 24 * 3600)
    assert (await worker.poll_due(now=clock.now)).polled == 0


async def test_410_gone_disables_at_once(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock
) -> None:
    http_server.add("/gone.xml", Reply(status=410))
    feed_id = await add(store, http_server.url("/gone.xml"))
    feed = await poll_when_due(worker, store, clock, feed_id)
    assert feed.state == FEED_DISABLED and feed.error_count == 1


async def test_slow_and_oversized_responses_are_errors_on_their_feeds(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock
) -> None:
    body = rss(items("1"))
    http_server.add("/slow.xml", Reply(body=body, delay=3.0))
    http_server.add("/drip.xml", Reply(body=body, drip=Drip(chunk=20, interval=0.2)))
    big = rss(items(*(str(i) for i in range(3000))))
    http_server.add("/big.xml", Reply(body=big, content_type=RSS_TYPE, encoding="gzip"))
    http_server.add("/fine.xml", Reply(body=body, content_type=RSS_TYPE))
    ids = {p: await add(store, http_server.url(p)) for p in ("/slow.xml", "/drip.xml", "/big.xml")}
    fine = await add(store, http_server.url("/fine.xml"))

    stats = await poll_all(worker, clock)

    assert stats.polled == 4 and stats.failed == 3
    for path in ("/slow.xml", "/drip.xml"):
        assert "no complete answer within 1 s" in (
            (await feed_row(store, ids[path])).last_error or ""
        )
    assert "larger than" in ((await feed_row(store, ids["/big.xml"])).last_error or "")
    assert (await feed_row(store, fine)).last_error is None
    assert await count(store, Entry, Entry.feed_id == fine) == 1


async def test_gzip_ill_formed_and_entity_expansion(
    store: Store,
    worker: Worker,
    http_server: LocalHTTPServer,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.worker")
    http_server.add(
        "/gz.xml", Reply(body=rss(items("1", "2")), content_type=RSS_TYPE, encoding="gzip")
    )
    http_server.add("/ill.xml", Reply(body=(FEEDS / "illformed.xml").read_bytes()))
    http_server.add("/lol.xml", Reply(body=(FEEDS / "billion_laughs.xml").read_bytes()))
    gz = await add(store, http_server.url("/gz.xml"))
    ill = await add(store, http_server.url("/ill.xml"))
    lol = await add(store, http_server.url("/lol.xml"))

    await poll_all(worker, clock)

    assert await count(store, Entry, Entry.feed_id == gz) == 2
    titles = [e.title for e in await store.articles.entries_of_feed(ill)]
    assert sorted(titles) == ["Choir tour", "Fish & chips night"]
    assert (await feed_row(store, ill)).last_error is None
    lol_entries = await store.articles.entries_of_feed(lol)
    text = "".join(f"{e.title}{e.summary}{e.content}" for e in lol_entries)
    assert "lollollol" not in text and len(text) < 10_000
    warned = [r.getMessage() for r in caplog.records if "read with warnings" in r.getMessage()]
    assert any(f"feed {ill} " in w and "ill-formed" in w for w in warned)
    assert any(f"feed {lol} " in w and "entity" in w for w in warned)


async def test_guid_change_with_the_same_link_is_no_new_entry(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock
) -> None:
    before = [Item(title="Library opens", link="http://town.test/n/lib", guid="cms1-881")]
    after = [
        Item(title="Library opens", link="http://town.test/n/lib?utm_source=rss", guid="x-9f3"),
        Item(title="Pool closes", link="http://town.test/n/pool", guid="x-9f4"),
    ]
    http_server.add(
        "/town.xml",
        [
            Reply(body=rss(before), content_type=RSS_TYPE),
            Reply(body=rss(after), content_type=RSS_TYPE),
        ],
    )
    feed_id = await add(store, http_server.url("/town.xml"))
    await poll_when_due(worker, store, clock, feed_id)
    await poll_when_due(worker, store, clock, feed_id)
    entries = await store.articles.entries_of_feed(feed_id)
    assert sorted(e.normalized_link or "" for e in entries) == [
        "//town.test/n/lib",
        "//town.test/n/pool",
    ]
    assert await count(store, Article) == 2


async def test_first_poll_is_backlog_later_items_are_for_posting(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock
) -> None:
    http_server.add(
        "/b.xml",
        [
            Reply(status=503),
            Reply(body=rss(items("1", "2")), content_type=RSS_TYPE),
            Reply(body=rss(items("1", "2", "3")), content_type=RSS_TYPE),
        ],
    )
    feed_id = await add(store, http_server.url("/b.xml"))
    for _ in range(3):
        await poll_when_due(worker, store, clock, feed_id)
    seen = {e.guid: e.seen_for_posting for e in await store.articles.entries_of_feed(feed_id)}
    # The first *successful* poll is the backlog, even when an earlier attempt failed.
    assert seen == {"g-1": True, "g-2": True, "g-3": False}


async def test_an_edited_entry_updates_and_is_not_new(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock
) -> None:
    v1 = [Item(title="Bridge closed", link="http://n.test/bridge", guid="b1", description="Shut.")]
    v2 = [
        Item(
            title="Bridge closed for a week",
            link="http://n.test/bridge",
            guid="b1",
            description="Shut until Monday.",
        )
    ]
    http_server.add(
        "/e.xml",
        [Reply(body=rss(v1), content_type=RSS_TYPE), Reply(body=rss(v2), content_type=RSS_TYPE)],
    )
    feed_id = await add(store, http_server.url("/e.xml"))
    await poll_when_due(worker, store, clock, feed_id)
    async with store.session() as s:
        entry = (await s.scalars(select(Entry))).one()
        entry.seen_for_posting = False
    stats = await worker.poll_due(now=(await feed_row(store, feed_id)).next_check_at)
    assert stats.new_entries == 0 and stats.changed == 1
    (entry,) = await store.articles.entries_of_feed(feed_id)
    assert entry.title == "Bridge closed for a week" and entry.seen_for_posting is False
    assert await count(store, Article) == 1


async def test_the_same_page_in_two_feeds_is_one_article(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock
) -> None:
    http_server.add("/one.xml", Reply(body=rss(items("x", "y")), content_type=RSS_TYPE))
    tracked = items("x", base="https://news.test/a/")
    tracked[0] = Item(title="X again", link="https://news.test/a/x?utm_medium=feed", guid="other")
    http_server.add("/two.xml", Reply(body=rss(tracked), content_type=RSS_TYPE))
    await add(store, http_server.url("/one.xml"))
    await add(store, http_server.url("/two.xml"))
    await poll_all(worker, clock)
    assert await count(store, Entry) == 3
    assert await count(store, Article) == 2


async def test_a_feed_shared_guid_is_not_an_identity(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock
) -> None:
    same_guid = [
        Item(title=f"Notice {n}", link=f"http://v.test/{n}", guid="http://v.test/", description=n)
        for n in ("one", "two", "three")
    ]
    http_server.add("/g.xml", Reply(body=rss(same_guid), content_type=RSS_TYPE))
    feed_id = await add(store, http_server.url("/g.xml"))
    await poll_all(worker, clock)
    assert await count(store, Entry, Entry.feed_id == feed_id) == 3


async def test_poll_policy_bounds(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer
) -> None:
    clock = Clock()
    policy = PollPolicy(min_interval_s=100, max_interval_s=1000, max_failures=5)
    worker = make_worker(store, fetcher, clock, policy=policy)
    http_server.add("/q.xml", Reply(body=rss(items("1")), content_type=RSS_TYPE, etag='"q"'))
    feed_id = await add(store, http_server.url("/q.xml"))
    intervals = []
    for _ in range(8):
        intervals.append((await poll_when_due(worker, store, clock, feed_id)).interval_s)
    assert max(intervals) == 1000 and all(100 <= i <= 1000 for i in intervals)
    assert intervals == sorted(intervals)
    assert (
        seconds_until(await feed_row(store, feed_id), clock.now)
        == timedelta(seconds=1000).total_seconds()
    )


async def test_a_permanent_redirect_moves_the_feed_a_temporary_one_does_not(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock
) -> None:
    http_server.add("/new.xml", Reply(body=rss(items("1")), content_type=RSS_TYPE))
    http_server.add("/old.xml", Reply.redirect("/new.xml", status=301))
    http_server.add("/for-now.xml", Reply.redirect("/new.xml", status=302))
    moved = await add(store, http_server.url("/old.xml"))
    kept = await add(store, http_server.url("/for-now.xml"))
    await poll_all(worker, clock)
    assert (await feed_row(store, moved)).url == http_server.url("/new.xml")
    assert (await feed_row(store, kept)).url == http_server.url("/for-now.xml")
    clock.now = (await feed_row(store, moved)).next_check_at
    await worker.poll_due(now=clock.now)
    assert len(http_server.requests_for("/old.xml")) == 1
    assert len(http_server.requests_for("/for-now.xml")) == 2
