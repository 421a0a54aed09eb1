"""Feed health in chat: moderators hear once when a feed fails, is disabled or recovers."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.digests.engine import deliver_pending, notify_feed_health
from bot.platforms.console import ConsolePlatform
from bot.store import Store
from bot.store.models import Feed, Post
from tests.support.newsroom import Newsroom

T0 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)


async def _poll(store: Store, feed: Feed, at: datetime, *, error: str | None = None, **kw: object):
    (claimed,) = await store.feeds.claim_all_enabled(now=at, worker_id="poller", lease_s=60)
    assert claimed.id == feed.id
    ok = await store.feeds.record_poll(
        feed.id, worker_id="poller", now=at, next_check_at=at + timedelta(minutes=15),
        error=error, **kw,  # type: ignore[arg-type]
    )  # fmt: skip
    assert ok


async def _notices(store: Store) -> list[Post]:
    async with store.session(readonly=True) as s:
        query = select(Post).where(Post.kind == "feed_health").order_by(Post.id)
        return list((await s.scalars(query)).all())


async def test_failing_feed_is_announced_once_then_disabled_then_recovered(store: Store) -> None:
    room = Newsroom(store, now=T0)
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, channel="C1")
    await room.subscribe(feed, channel="C2", log_channel_id="MODS")
    await _poll(store, feed, T0 - timedelta(hours=2))
    out = io.StringIO()
    console = ConsolePlatform(out)

    for i in range(2):
        await _poll(store, feed, T0 + timedelta(minutes=i), error="HTTP 503 from the server")
        assert await notify_feed_health(store, now=T0) == 0
    at = T0 + timedelta(minutes=2)
    await _poll(store, feed, at, error="HTTP 503 from the server")
    assert await notify_feed_health(store, now=at) == 2
    for later in range(3, 6):
        await _poll(store, feed, T0 + timedelta(minutes=later), error="HTTP 503 from the server")
        assert await notify_feed_health(store, now=T0 + timedelta(minutes=later)) == 0
    await deliver_pending(store, {"console": console}, worker_id="w", now=at)

    failing = await _notices(store)
    assert sorted(n.channel_id for n in failing) == ["C1", "MODS"]
    text = out.getvalue()
    assert text.count("Feed “Harbour Gazette” is failing") == 2
    assert "3 failed checks in a row (last read 2026-04-02 06:00 UTC): HTTP 503" in text
    assert "/feeds remove" in text and "https://harbour-gazette.example/feed.xml" in text

    at = T0 + timedelta(minutes=10)
    await _poll(store, feed, at, error="HTTP 410 Gone", disable=True)
    assert await notify_feed_health(store, now=at) == 2
    assert await notify_feed_health(store, now=at) == 0
    await deliver_pending(store, {"console": console}, worker_id="w", now=at)
    assert out.getvalue().count("was disabled") == 2
    assert "Fix the address and run /feeds resume" in out.getvalue()

    await store.feeds.set_state(feed.id, "active", now=at)
    at = T0 + timedelta(minutes=20)
    await _poll(store, feed, at)
    assert await notify_feed_health(store, now=at) == 2
    assert await notify_feed_health(store, now=at + timedelta(hours=1)) == 0
    await deliver_pending(store, {"console": console}, worker_id="w", now=at)
    assert out.getvalue().count("works again") == 2

    for i in range(3):
        await _poll(store, feed, at + timedelta(minutes=i + 1), error="timed out")
    assert await notify_feed_health(store, now=at + timedelta(minutes=5)) == 2  # a new episode


async def test_a_healthy_or_briefly_failing_feed_is_not_announced(store: Store) -> None:
    room = Newsroom(store, now=T0)
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed)
    await _poll(store, feed, T0, error="timed out")
    await _poll(store, feed, T0 + timedelta(minutes=1))
    assert await notify_feed_health(store, now=T0) == 0
    assert await _notices(store) == []
