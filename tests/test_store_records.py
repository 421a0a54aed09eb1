"""Entries, articles, stories and the workspace-owned tables: uniqueness and scoping."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.store import EntryData, Store
from bot.store.articles import _insert_entries
from bot.store.models import Article, Entry, Feed
from tests.conftest import StoreTarget

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


async def _feed(store: Store, name: str = "a") -> int:
    feed, created = await store.feeds.add(
        url=f"https://{name}.example/rss", normalized_url=f"{name}.example/rss", now=T0
    )
    assert created
    return feed.id


def item(guid: str, n: int, **kw: object) -> EntryData:
    fields: dict[str, object] = {
        "link": f"https://site.example/story-{n}?utm_source=rss",
        "normalized_link": f"site.example/story-{n}",
        "content_hash": f"hash-{n}",
        "title": f"Story {n}",
        "summary": f"Summary {n}",
    }
    fields.update(kw)
    return EntryData(guid=guid, **fields)  # type: ignore[arg-type]


async def test_adding_the_same_feed_twice_returns_the_first(store: Store) -> None:
    first, created = await store.feeds.add(
        url="https://x.example/rss", normalized_url="x.example/rss"
    )
    again, created_again = await store.feeds.add(
        url="https://X.example/rss?", normalized_url="x.example/rss"
    )
    assert created and not created_again and again.id == first.id
    assert again.url == "https://x.example/rss"


async def test_new_entries_then_edits_update_in_place(store: Store) -> None:
    feed_id = await _feed(store)
    first = await store.articles.upsert_entries(
        feed_id, [item("g1", 1), item("g2", 2)], backlog=False, now=T0
    )
    assert [c.kind for c in first] == ["new", "new"]

    second = await store.articles.upsert_entries(
        feed_id,
        [
            item("g1", 1),  # unchanged
            item("g2", 2, title="Story 2 (corrected)"),  # edited
            item("g2-new-guid", 1),  # same link as g1, new guid
            # same text as g2, under a new guid and without a link
            item("g9", 9, normalized_link=None, link=None, content_hash="hash-2", title=None),
            item("g3", 3),  # new
        ],
        backlog=False,
        now=T0 + timedelta(minutes=5),
    )
    assert [c.kind for c in second] == ["unchanged", "updated", "updated", "updated", "new"]
    assert second[2].entry_id == first[0].entry_id
    assert second[3].entry_id == first[1].entry_id
    entries = await store.articles.entries_of_feed(feed_id)
    assert len(entries) == 3
    by_id = {e.id: e for e in entries}
    assert by_id[first[1].entry_id].title == "Story 2 (corrected)"
    assert by_id[first[0].entry_id].guid == "g2-new-guid"
    assert by_id[first[1].entry_id].guid == "g9"


async def test_first_poll_backlog_is_marked_seen_and_later_items_are_not(store: Store) -> None:
    feed_id = await _feed(store)
    await store.articles.upsert_entries(feed_id, [item("g1", 1)], backlog=True, now=T0)
    await store.articles.upsert_entries(feed_id, [item("g1", 1), item("g2", 2)], backlog=False)
    seen = {e.guid: e.seen_for_posting for e in await store.articles.entries_of_feed(feed_id)}
    assert seen == {"g1": True, "g2": False}


async def test_one_article_per_normalized_link_across_feeds(store: Store) -> None:
    feed_a, feed_b = await _feed(store, "a"), await _feed(store, "b")
    (a,) = await store.articles.upsert_entries(feed_a, [item("a-1", 7)], backlog=False)
    (b,) = await store.articles.upsert_entries(
        feed_b, [item("b-1", 7, link="https://site.example/story-7#top")], backlog=False
    )
    assert a.article_id == b.article_id and a.entry_id != b.entry_id
    entries = await store.articles.entries_for(a.article_id)
    assert [e.feed_id for e in entries] == [feed_a, feed_b]
    async with store.session(readonly=True) as s:
        assert (await s.execute(select(func.count()).select_from(Article))).scalar_one() == 1


async def test_linkless_entries_get_their_own_article(store: Store) -> None:
    feed_id = await _feed(store)
    changes = await store.articles.upsert_entries(
        feed_id,
        [
            item("note-1", 1, link=None, normalized_link=None),
            item("note-2", 2, link=None, normalized_link=None),
        ],
        backlog=False,
    )
    assert changes[0].article_id != changes[1].article_id
    article = await store.articles.get(changes[0].article_id)
    assert article is not None and article.normalized_url.startswith("urn:newsdigest:entry:")


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (Feed, {"url": "u", "normalized_url": "dup"}),
        (Article, {"url": "u", "normalized_url": "dup"}),
    ],
)
async def test_unique_columns_are_enforced_by_the_database(
    store: Store, model: type, values: dict[str, str]
) -> None:
    async with store.session() as s:
        s.add(model(**values))
    with pytest.raises(IntegrityError):
        async with store.session() as s:
            s.add(model(**values))


async def test_entry_guid_is_unique_per_feed_only(store: Store) -> None:
    feed_a, feed_b = await _feed(store, "a"), await _feed(store, "b")
    async with store.session() as s:
        s.add(Entry(feed_id=feed_a, guid="same"))
        s.add(Entry(feed_id=feed_b, guid="same"))
    with pytest.raises(IntegrityError):
        async with store.session() as s:
            s.add(Entry(feed_id=feed_a, guid="same"))


async def test_removing_a_feed_removes_its_entries_and_subscriptions(store: Store) -> None:
    feed_id = await _feed(store)
    (change,) = await store.articles.upsert_entries(feed_id, [item("g", 1)], backlog=False)
    await store.channels.subscribe(
        platform="discord", workspace_id="G", channel_id="c", feed_id=feed_id
    )
    assert await store.feeds.remove(feed_id)
    assert await store.articles.entries_of_feed(feed_id) == []
    assert await store.channels.subscriptions(platform="discord", workspace_id="G") == []
    assert await store.articles.get(change.article_id) is not None


async def test_story_sources_are_distinct_and_counted(store: Store) -> None:
    feed_id = await _feed(store)
    (change,) = await store.articles.upsert_entries(feed_id, [item("g", 1)], backlog=False)
    story = await store.stories.create(title="Story", best_article_id=change.article_id)
    assert await store.stories.add_source(
        story.id,
        url="site.example/story-1",
        article_id=change.article_id,
        feed_id=feed_id,
        feed_title="A News",
    )
    assert not await store.stories.add_source(story.id, url="site.example/story-1", feed_id=feed_id)
    assert await store.stories.add_source(story.id, url="other.example/x")
    fresh = await store.stories.get(story.id)
    assert fresh is not None and fresh.source_count == 2
    assert [s.url for s in await store.stories.sources(story.id)] == [
        "site.example/story-1",
        "other.example/x",
    ]
    article = await store.articles.get(change.article_id)
    assert article is not None and article.story_id == story.id


async def test_repeated_quotes_are_stored_once(store: Store) -> None:
    quote = {"text": "We will reopen on Monday", "speaker": "Ana Ruiz", "position": 0}
    story = await store.stories.create(title="t", summary={"lead": "l", "quotes": [quote]})
    await store.stories.update_summary(
        story.id,
        summary={"lead": "l", "quotes": [quote, {"text": "Thank you", "speaker": None}]},
    )
    assert [q.text for q in await store.stories.quotes(story.id)] == [
        "We will reopen on Monday",
        "Thank you",
    ]


async def test_datetimes_come_back_aware_utc(store: Store) -> None:
    naive = datetime(2026, 3, 1, 8, 0)  # taken as UTC
    feed, _ = await store.feeds.add(url="https://t.example", normalized_url="t.example", now=naive)
    got = await store.feeds.get(feed.id)
    assert got is not None and got.next_check_at == T0 and got.next_check_at.tzinfo is not None


async def test_workspace_cannot_touch_another_workspaces_subscription(store: Store) -> None:
    feed_id = await _feed(store)
    mine, _ = await store.channels.subscribe(
        platform="discord",
        workspace_id="G1",
        channel_id="c1",
        feed_id=feed_id,
        include_keywords=["ferry"],
        created_by="u1",
    )
    await store.channels.subscribe(
        platform="discord", workspace_id="G2", channel_id="c9", feed_id=feed_id
    )

    listed = await store.channels.subscriptions(platform="discord", workspace_id="G1")
    assert [(s.id, f.id, s.include_keywords) for s, f in listed] == [(mine.id, feed_id, ["ferry"])]
    assert not await store.channels.unsubscribe(
        platform="discord", workspace_id="G2", subscription_id=mine.id
    )
    assert not await store.channels.set_paused(
        platform="slack", workspace_id="G1", subscription_id=mine.id, paused=True
    )
    assert await store.channels.set_paused(
        platform="discord", workspace_id="G1", subscription_id=mine.id, paused=True
    )
    assert [s.channel_id for s in await store.channels.subscribers(feed_id)] == ["c9"]
    assert len(await store.channels.subscribers(feed_id, include_paused=True)) == 2
    assert await store.channels.unsubscribe(
        platform="discord", workspace_id="G1", subscription_id=mine.id
    )


async def test_a_story_is_posted_to_a_channel_once(store: Store) -> None:
    story = await store.stories.create(title="t")
    where = {"platform": "slack", "workspace_id": "T1", "channel_id": "C1"}
    assert await store.channels.record_channel_story(**where, story_id=story.id)
    assert not await store.channels.record_channel_story(**where, story_id=story.id)
    assert await store.channels.record_channel_story(
        platform="slack", workspace_id="T1", channel_id="C2", story_id=story.id
    )
    assert await store.channels.update_channel_story(
        **where, story_id=story.id, thread_id="1700000000.000100", sources_posted=1
    )
    (posted,) = await store.channels.channel_stories(**where)
    assert posted.thread_id == "1700000000.000100"
    assert len(await store.channels.postings_of_story(story.id)) == 2
    assert await store.channels.channel_stories(platform="slack", workspace_id="T2") == []


async def test_channel_settings_are_created_then_updated(store: Store) -> None:
    where = {"platform": "discord", "workspace_id": "G1", "channel_id": "c1"}
    assert await store.channels.settings(**where) is None
    created = await store.channels.save_settings(
        **where, schedule="08:00,18:00", timezone="Europe/Oslo"
    )
    assert (created.schedule, created.max_stories) == ("08:00,18:00", 7)
    await store.channels.save_settings(**where, max_stories=3, next_digest_at=T0)
    got = await store.channels.settings(**where)
    assert got is not None and (got.timezone, got.max_stories) == ("Europe/Oslo", 3)
    early = T0 - timedelta(seconds=1)
    assert (
        await store.channels.claim_due_channels(now=early, limit=5, worker_id="b", lease_s=60) == []
    )
    (due,) = await store.channels.claim_due_channels(now=T0, limit=5, worker_id="b1", lease_s=60)
    assert due.channel_id == "c1"
    assert (
        await store.channels.claim_due_channels(now=T0, limit=5, worker_id="b2", lease_s=60) == []
    )
    assert not await store.channels.finish_channel_digest(
        due.id, worker_id="b2", next_digest_at=T0 + timedelta(hours=6)
    )
    assert await store.channels.finish_channel_digest(
        due.id, worker_id="b1", next_digest_at=T0 + timedelta(hours=6), last_digest_at=T0
    )
    later = T0 + timedelta(hours=6)
    (again,) = await store.channels.claim_due_channels(
        now=later, limit=5, worker_id="b2", lease_s=60
    )
    assert again.last_digest_at == T0 and again.next_digest_at == later
    assert (
        await store.channels.settings(platform="discord", workspace_id="G2", channel_id="c1")
        is None
    )
    with pytest.raises(TypeError):
        await store.channels.save_settings(**where, workspace_id_typo="x")


async def test_nested_write_sessions_fail_fast_on_sqlite(store: Store) -> None:
    if store.dialect != "sqlite":
        pytest.skip("SQLite has one writer at a time")
    async with store.session():
        with pytest.raises(RuntimeError, match="inside another write session"):
            await store.feeds.add(url="https://n.example", normalized_url="n.example")
    _, created = await store.feeds.add(url="https://n.example", normalized_url="n.example")
    assert created


async def test_nul_characters_from_hostile_feeds_are_dropped_not_fatal(store: Store) -> None:
    feed_id = await _feed(store)
    (change,) = await store.articles.upsert_entries(
        feed_id, [item("g\x00uid", 1, title="Ti\x00tle", summary="a\x00b")], backlog=False
    )
    (entry,) = await store.articles.entries_of_feed(feed_id)
    assert (entry.guid, entry.title, entry.summary) == ("guid", "Title", "ab")
    again = await store.articles.upsert_entries(feed_id, [item("g\x00uid", 1)], backlog=False)
    assert again[0].entry_id == change.entry_id
    story = await store.stories.create(
        title="Sto\x00ry",
        summary={"lead": "x\x00y", "quotes": [{"text": "q\x00", "speaker": "A\x00"}]},
    )
    got = await store.stories.get(story.id)
    assert (
        got is not None
        and got.title == "Story"
        and got.summary == {"lead": "xy", "quotes": [{"text": "q", "speaker": "A"}]}
    )


async def test_two_stores_storing_one_poll_at_once_make_each_entry_once(
    store: Store, store_target: StoreTarget
) -> None:
    feed_id = await _feed(store)
    other = store_target.open()
    try:
        polls = [[item(f"g{r}-{i}", r * 10 + i) for i in range(5)] for r in range(4)]
        for items in polls:
            a, b = await asyncio.gather(
                store.articles.upsert_entries(feed_id, items, backlog=False),
                other.articles.upsert_entries(feed_id, items, backlog=False),
            )
            assert [c.entry_id for c in a] == [c.entry_id for c in b]
            assert [c.article_id for c in a] == [c.article_id for c in b]
            assert all(c.article_id for c in a)
            assert (
                sorted([c.kind for c in a] + [c.kind for c in b]) == ["new"] * 5 + ["unchanged"] * 5
            )
    finally:
        await other.close()
    entries = await store.articles.entries_of_feed(feed_id)
    assert len(entries) == 20 and len({e.article_id for e in entries}) == 20


async def test_an_entry_stored_by_a_racing_worker_is_taken_over_not_duplicated(
    store: Store,
) -> None:
    feed_id = await _feed(store)
    (first,) = await store.articles.upsert_entries(feed_id, [item("g1", 1)], backlog=False)
    async with store.session() as s:
        late = Entry(feed_id=feed_id, guid="g1", seen_for_posting=False, state="pending")
        late.first_seen_at = late.updated_at = T0
        fresh = Entry(feed_id=feed_id, guid="g2", seen_for_posting=False, state="pending")
        fresh.first_seen_at = fresh.updated_at = T0
        raced = await _insert_entries(s, feed_id, [late, fresh])
    assert raced == [late]
    assert (late.id, late.article_id) == (first.entry_id, first.article_id)
    assert fresh.id not in (None, first.entry_id)
    assert {e.guid for e in await store.articles.entries_of_feed(feed_id)} == {"g1", "g2"}
