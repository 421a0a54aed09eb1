"""Planning digests on a real store (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.digests.engine import plan_digest_now, plan_due_digests
from bot.digests.plan import digest_title
from bot.store import Store
from bot.store.models import ChannelSettings, ChannelStory, Digest, Post
from tests.conftest import StoreTarget
from tests.support.newsroom import Newsroom

T0 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)


async def _posts(store: Store) -> list[Post]:
    async with store.session(readonly=True) as s:
        return list((await s.scalars(select(Post).order_by(Post.id))).all())


async def _settings(store: Store, channel: str = "C1") -> ChannelSettings:
    async with store.session(readonly=True) as s:
        row = await s.scalar(select(ChannelSettings).where(ChannelSettings.channel_id == channel))
    assert row is not None
    return row


async def test_due_channel_gets_header_then_stories_best_first(store: Store) -> None:
    room = Newsroom(store, now=T0)
    gazette, herald = await room.feed("Harbour Gazette"), await room.feed("Harbour Herald")
    await room.subscribe(gazette)
    await room.subscribe(herald)
    lone = await room.story(gazette, "Library extends hours", facts=["Open till nine."])
    wide = await room.story(gazette, "Ferry returns", facts=["The ferry sails on Monday."])
    await room.second_source(wide, herald, "Ferry back", facts=["Fares stay the same."])

    (digest_id,) = await plan_due_digests(store, now=T0)

    posts = await _posts(store)
    assert [p.idempotency_key for p in posts] == [
        f"d{digest_id}h",
        f"d{digest_id}s{wide.id}",
        f"d{digest_id}s{lone.id}",
    ]
    assert [p.kind for p in posts] == ["digest_header", "story", "story"]
    assert posts[0].payload == {"title": "Morning digest", "story_ids": [wide.id, lone.id]}
    card = posts[1].payload["card"]
    assert card["title"] == "Ferry returns"
    assert card["key_facts"] == ["The ferry sails on Monday."]
    assert [name for name, _ in card["sources"]] == ["Harbour Gazette", "Harbour Herald"]
    assert all(url.startswith("https://") for _, url in card["sources"])
    postings = await store.channels.channel_stories(platform="console", workspace_id="W1")
    assert {(c.story_id, c.sources_posted) for c in postings} == {(wide.id, 2), (lone.id, 1)}
    by_id = {p.id: p for p in posts}
    assert all(by_id[c.post_id].story_id == c.story_id for c in postings if c.post_id)
    assert all(c.post_id for c in postings)
    settings = await _settings(store)
    assert settings.next_digest_at == T0 + timedelta(hours=6)
    assert settings.last_digest_at == T0


async def test_a_slot_is_planned_once_and_a_story_never_twice(store: Store) -> None:
    room = Newsroom(store, now=T0)
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed)
    await room.story(feed, "Ferry returns", facts=["The ferry sails on Monday."])

    first = await plan_due_digests(store, now=T0)
    again = await plan_due_digests(store, now=T0 + timedelta(minutes=1))
    now_digest = await plan_digest_now(
        store, platform="console", workspace_id="W1", channel_id="C1", now=T0
    )
    later = await plan_due_digests(store, now=T0 + timedelta(hours=6))

    assert len(first) == 1 and again == [] and now_digest is None and later == []
    assert len(await _posts(store)) == 2
    assert (await _settings(store)).next_digest_at == T0 + timedelta(hours=12)


async def test_two_processes_planning_the_same_slot_make_one_digest(
    store: Store, store_target: StoreTarget
) -> None:
    room = Newsroom(store, now=T0)
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed)
    for i in range(3):
        await room.story(feed, f"Story {i}", facts=[f"Fact {i}."])
    other = store_target.open()
    try:
        results = await asyncio.gather(
            plan_due_digests(store, now=T0), plan_due_digests(other, now=T0)
        )
    finally:
        await other.close()
    assert sorted(len(r) for r in results) == [0, 1]
    async with store.session(readonly=True) as s:
        assert len((await s.scalars(select(Digest))).all()) == 1
    assert len(await _posts(store)) == 4


async def test_backlog_of_a_first_poll_is_never_posted_unless_previewing(store: Store) -> None:
    room = Newsroom(store, now=T0)
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed)
    old = await room.story(feed, "Old news from the first poll", backlog=True)

    assert await plan_due_digests(store, now=T0) == []
    preview = await plan_digest_now(
        store, platform="console", workspace_id="W1", channel_id="C1", now=T0,
        include_backlog=True,
    )  # fmt: skip
    assert preview is not None
    assert [p.story_id for p in await _posts(store) if p.kind == "story"] == [old.id]


async def test_filters_pause_and_workspaces(store: Store) -> None:
    room = Newsroom(store, now=T0)
    climate, sport, quiet = (
        await room.feed("Climate Wire"),
        await room.feed("Sport Wire"),
        await room.feed("Quiet Wire"),
    )
    await room.subscribe(climate, include=["Net Zero", "flood"], exclude=["football"])
    await room.subscribe(sport)
    await room.subscribe(quiet)
    await room.subscribe(quiet, workspace="W2", channel="X9")
    subs = await store.channels.subscriptions(platform="console", workspace_id="W1")
    quiet_sub = next(sub for sub, feed in subs if feed.id == quiet.id)
    await store.channels.set_paused(
        platform="console", workspace_id="W1", subscription_id=quiet_sub.id, paused=True
    )
    hit = await room.story(climate, "Town sets net zero target", facts=["By 2040."])
    await room.story(climate, "Bakery wins award", facts=["Best bread."])
    await room.story(climate, "Flood hits football ground", facts=["Pitch under water."])
    football = await room.story(sport, "Football final tonight", facts=["Kick-off at eight."])
    paused = await room.story(quiet, "Quiet street repaved", facts=["New tarmac."])

    digests = await plan_due_digests(store, now=T0)

    assert len(digests) == 2
    posted = {(p.workspace_id, p.story_id) for p in await _posts(store) if p.kind == "story"}
    # a filter belongs to its own feed: sport's football story passes, climate's does not
    assert posted == {("W1", hit.id), ("W1", football.id), ("W2", paused.id)}


async def test_max_stories_limits_and_the_rest_waits(store: Store) -> None:
    room = Newsroom(store, now=T0)
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, max_stories=2)
    for i in range(3):
        await room.story(feed, f"Story {i}", at=T0 - timedelta(hours=3 - i))

    await plan_due_digests(store, now=T0)
    first = [p.payload["card"]["title"] for p in await _posts(store) if p.kind == "story"]
    await plan_due_digests(store, now=T0 + timedelta(hours=6))
    every = [p.payload["card"]["title"] for p in await _posts(store) if p.kind == "story"]

    assert first == ["Story 2", "Story 1"]
    assert every == ["Story 2", "Story 1", "Story 0"]


async def test_live_channel_gets_each_new_story_without_a_header(store: Store) -> None:
    room = Newsroom(store, now=T0)
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, schedule="live")
    await room.story(feed, "First")
    await plan_due_digests(store, now=T0)
    await room.story(feed, "Second", at=T0 + timedelta(minutes=1))
    await plan_due_digests(store, now=T0 + timedelta(minutes=2))
    assert await plan_due_digests(store, now=T0 + timedelta(minutes=3)) == []

    posts = await _posts(store)
    assert [p.kind for p in posts] == ["story", "story"]
    assert [p.payload["card"]["title"] for p in posts] == ["First", "Second"]


async def test_a_channel_with_only_a_subscription_gets_the_default_schedule(
    store: Store,
) -> None:
    room = Newsroom(store, now=T0)
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, schedule=None)
    await room.story(feed, "Ferry returns")

    assert len(await plan_due_digests(store, now=T0)) == 1
    settings = await _settings(store)
    assert settings.schedule == "every 6h"
    assert settings.next_digest_at == T0 + timedelta(hours=6)


async def test_schedule_at_times_uses_the_channel_time_zone(store: Store) -> None:
    room = Newsroom(store, now=T0)
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, schedule="at 09:00, 18:00", timezone="Europe/Paris")
    await room.story(feed, "Ferry returns")
    await plan_due_digests(store, now=T0)  # 10:00 in Paris
    assert (await _settings(store)).next_digest_at == datetime(2026, 4, 2, 16, 0, tzinfo=UTC)
    assert digest_title(T0, "Europe/Paris") == "Morning digest"
    assert digest_title(T0, "America/New_York") == "Night digest"


async def test_channel_story_claims_make_concurrent_now_and_schedule_disjoint(
    store: Store,
) -> None:
    room = Newsroom(store, now=T0)
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed)
    for i in range(4):
        await room.story(feed, f"Story {i}")
    scheduled, now_id = await asyncio.gather(
        plan_due_digests(store, now=T0),
        plan_digest_now(store, platform="console", workspace_id="W1", channel_id="C1", now=T0),
    )
    stories = [p.story_id for p in await _posts(store) if p.kind == "story"]
    assert len(stories) == len(set(stories)) == 4
    async with store.session(readonly=True) as s:
        assert len((await s.scalars(select(ChannelStory))).all()) == 4
    assert len(scheduled) + (now_id is not None) == 1


async def test_an_unreadable_schedule_turns_the_channel_off_without_failing(
    store: Store,
) -> None:
    room = Newsroom(store, now=T0)
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, schedule="whenever you like")
    await room.subscribe(feed, channel="C2")
    await room.story(feed, "Ferry returns")

    digests = await plan_due_digests(store, now=T0)

    assert len(digests) == 1
    assert (await _settings(store, "C1")).next_digest_at is None
    assert {p.channel_id for p in await _posts(store)} == {"C2"}
