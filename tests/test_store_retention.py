"""Retention (`bot.store.retention`): old rows go in bounded batches, what is still in use stays,
SQLite gives the space back; `newsdigest db prune` and the worker run it."""

from __future__ import annotations

import asyncio
import io
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, text, update

from bot.digests.engine import deliver_pending, enqueue_story_updates, plan_due_digests
from bot.digests.health import notify_feed_health
from bot.feeds.fetch import Fetcher
from bot.platforms.console import ConsolePlatform
from bot.store import EntryData, Store, search_stories
from bot.store.models import (
    Article,
    ChannelStory,
    Digest,
    Entry,
    Feed,
    Post,
    Quote,
    QuoteSpeakerToken,
    Story,
    StorySource,
)
from bot.store.retention import PruneReport, compact, give_back_space, prune
from bot.store.types import utcnow
from bot.stories.pipeline import ArticlePipeline
from bot.worker import Worker
from tests.conftest import StoreTarget
from tests.support.newsroom import Newsroom

ROOT = Path(__file__).resolve().parents[1]
OLD = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
NOW = OLD + timedelta(days=40)
RECENT = NOW - timedelta(days=1)
KEEP = timedelta(days=30)


async def _count(store: Store, model: Any, *where: Any) -> int:
    async with store.session(readonly=True) as s:
        return int(await s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def _deliver(store: Store, *, now: datetime) -> None:
    report = await deliver_pending(
        store, {"console": ConsolePlatform(io.StringIO())}, worker_id="w", now=now
    )
    assert report.failed == 0


async def _posted_story(
    store: Store, title: str, *, at: datetime, channel: str = "C1", deliver: bool = True
) -> Story:
    """A story of a new feed, planned into a digest of `channel` at `at` and delivered."""
    room = Newsroom(store, now=at)
    feed = await room.feed(f"{title} Gazette")
    await room.subscribe(feed, channel=channel)
    story = await room.story(
        feed,
        title,
        facts=[f"{title} happened on Monday."],
        quotes=[(f"{title} was a surprise", "Ana Ruiz")],
    )
    assert await plan_due_digests(store, now=at)
    if deliver:
        await _deliver(store, now=at)
    return story


async def _drop_from_feed(store: Store, story: Story, *, at: datetime = RECENT) -> None:
    """The story's feed publishes a new document without the story's item."""
    (source,) = await store.stories.sources(story.id)
    assert source.feed_id is not None
    link = f"https://elsewhere.example/{story.id}/next"
    await store.articles.upsert_entries(
        source.feed_id,
        [EntryData(guid=link, link=link, normalized_link=link[8:], title="Next")],
        backlog=False,
        now=at,
    )


async def _found(store: Store, words: str) -> list[int]:
    return [hit.story_id for hit in await search_stories(store, words)]


async def test_old_rows_go_and_recent_rows_stay(store: Store) -> None:
    old = await _posted_story(store, "Ferry strike", at=OLD)
    await _drop_from_feed(store, old)
    recent = await _posted_story(store, "Library opens", at=RECENT)
    assert await _found(store, "ferry") == [old.id]
    old_posts = await _count(store, Post, Post.story_id == old.id)
    assert old_posts == 1  # the story message (its thread is opened by the same post)

    report = await prune(store, older_than=KEEP, now=NOW)

    assert await store.stories.get(old.id) is None
    assert await store.stories.get(recent.id) is not None
    assert await _found(store, "ferry") == []
    assert await _found(store, "library") == [recent.id]
    for model, column in (
        (StorySource, StorySource.story_id),
        (ChannelStory, ChannelStory.story_id),
        (Quote, Quote.story_id),
    ):
        assert await _count(store, model, column == old.id) == 0, model
        assert await _count(store, model, column == recent.id) == 1, model
    assert await _count(store, QuoteSpeakerToken) == 2  # "ana", "ruiz" of the recent quote
    assert await _count(store, Entry, Entry.first_seen_at < NOW - KEEP) == 0
    assert await _count(store, Article, Article.created_at < NOW - KEEP) == 0
    assert await _count(store, Post, Post.created_at < NOW - KEEP) == 0
    assert await _count(store, Digest, Digest.created_at < NOW - KEEP) == 0
    assert await _count(store, Post, Post.story_id == recent.id) == 1
    assert await _count(store, Digest) == 1
    assert (report.stories, report.quotes, report.articles, report.entries) == (1, 1, 1, 1)
    # The old digest's header and story message.
    assert (report.posts, report.digests, report.complete) == (2, 1, True)
    assert report.line() == (
        "pruned 1 entry, 1 article, 1 story (1 quote), 2 posts and 1 digest older than 30 days"
    )
    assert (await prune(store, older_than=KEEP, now=NOW)).removed == 0


async def test_a_pending_delivery_keeps_its_story_until_delivered(store: Store) -> None:
    story = await _posted_story(store, "Ferry strike", at=OLD, deliver=False)
    await _drop_from_feed(store, story)
    await _posted_story(store, "Library opens", at=RECENT, channel="C2", deliver=False)

    report = await prune(store, older_than=KEEP, now=NOW)

    assert await store.stories.get(story.id) is not None
    assert await _count(store, ChannelStory, ChannelStory.story_id == story.id) == 1
    assert await _count(store, Post, Post.state == "pending") == 4
    assert (report.stories, report.posts, report.digests) == (0, 0, 0)
    await _deliver(store, now=NOW)
    assert await _count(store, Post, Post.state == "posted") == 4

    await prune(store, older_than=KEEP, now=NOW)

    assert await store.stories.get(story.id) is None
    assert await _count(store, Post) == 2 and await _count(store, Digest) == 1


async def test_a_story_still_changing_keeps_its_thread_and_its_posts(store: Store) -> None:
    story = await _posted_story(store, "Ferry strike", at=OLD)
    await _drop_from_feed(store, story)
    room = Newsroom(store, now=NOW - timedelta(days=2))
    tribune = await room.feed("Harbour Tribune")
    await room.second_source(story, tribune, "Ferry strike goes on", facts=["Talks failed."])

    await prune(store, older_than=KEEP, now=NOW)

    assert await store.stories.get(story.id) is not None
    (posting,) = await store.channels.postings_of_story(story.id)
    assert posting.thread_id is not None
    assert await _count(store, Post, Post.story_id == story.id) == 1
    assert await _count(store, StorySource, StorySource.story_id == story.id) == 2
    # The first source's article stays with its story: the thread update reads the sources.
    assert await _count(store, Article, Article.story_id == story.id) == 2
    assert await enqueue_story_updates(store, now=NOW) == 1
    (queued,) = [p for p in await _posts(store) if p.kind == "thread_update"]
    assert queued.thread_id == posting.thread_id


async def _posts(store: Store) -> list[Post]:
    async with store.session(readonly=True) as s:
        return list((await s.scalars(select(Post).order_by(Post.id))).all())


async def test_an_item_its_feed_still_lists_is_kept_and_not_new_again(store: Store) -> None:
    room = Newsroom(store, now=OLD)
    feed = await room.feed("Harbour Gazette")
    items = [
        EntryData(guid=f"g{n}", link=f"https://g.example/{n}", normalized_link=f"g.example/{n}")
        for n in range(3)
    ]
    await store.articles.upsert_entries(feed.id, items[:2], backlog=False, now=OLD)
    # g0 leaves the feed's document; g1 stays in it; g2 is new.
    await store.articles.upsert_entries(feed.id, items[1:], backlog=False, now=RECENT)
    listed = {e.guid: e.listed for e in await store.articles.entries_of_feed(feed.id)}
    assert listed == {"g0": False, "g1": True, "g2": True}

    report = await prune(store, older_than=KEEP, now=NOW)

    assert report.entries == 1
    assert [e.guid for e in await store.articles.entries_of_feed(feed.id)] == ["g1", "g2"]
    again = await store.articles.upsert_entries(feed.id, items[1:], backlog=False, now=NOW)
    assert [c.kind for c in again] == ["unchanged", "unchanged"]
    assert await _count(store, Article) == 2  # g1's article stays with its entry
    # An item that comes back after leaving the document is listed again.
    await store.articles.upsert_entries(feed.id, items[2:], backlog=False, now=NOW)
    await store.articles.upsert_entries(feed.id, items[1:], backlog=False, now=NOW)
    listed = {e.guid: e.listed for e in await store.articles.entries_of_feed(feed.id)}
    assert listed == {"g1": True, "g2": True}


@pytest.fixture
def deletes(store: Store) -> Iterator[list[Counter[str]]]:
    """Rows deleted per table, one Counter per transaction, read from the DELETE statements
    the engine ran."""
    transactions: list[Counter[str]] = []

    def begin(conn: Any) -> None:
        transactions.append(Counter())

    def executed(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        words = statement.split()
        if words[:2] == ["DELETE", "FROM"] and transactions:
            transactions[-1][words[2].strip('"')] += max(cursor.rowcount, 0)

    engine = store.engine.sync_engine
    event.listen(engine, "begin", begin)
    event.listen(engine, "after_cursor_execute", executed)
    yield transactions
    event.remove(engine, "begin", begin)
    event.remove(engine, "after_cursor_execute", executed)


async def test_each_batch_is_its_own_small_transaction(
    store: Store, deletes: list[Counter[str]]
) -> None:
    for n in range(5):
        story = await _posted_story(store, f"Story {n}", at=OLD, channel=f"C{n}")
        await _drop_from_feed(store, story)
    await _posted_story(store, "Newest", at=RECENT)
    deletes.clear()

    report = await prune(store, older_than=KEEP, now=NOW, batch=2)

    assert (report.stories, report.articles, report.entries) == (5, 5, 5)
    tables = {"entries", "articles", "stories", "posts", "digests"}
    busy = [t for t in deletes if tables & set(t)]
    assert all(len(tables & set(t)) == 1 for t in busy), "one table per transaction"
    assert all(n <= 2 for t in busy for table, n in t.items() if table in tables)
    assert len([t for t in busy if t["stories"]]) == 3  # 2 + 2 + 1
    assert all(t["quotes"] <= 2 for t in busy)


async def test_a_run_stops_after_max_batches_and_says_so(store: Store) -> None:
    for n in range(3):
        story = await _posted_story(store, f"Story {n}", at=OLD, channel=f"C{n}")
        await _drop_from_feed(store, story)
    await _posted_story(store, "Newest", at=RECENT)

    first = await prune(store, older_than=KEEP, now=NOW, batch=1, max_batches=2)

    assert (first.entries, first.stories, first.complete) == (2, 2, False)
    assert first.line().endswith("; more is left for the next run")
    rest = await prune(store, older_than=KEEP, now=NOW, batch=1, max_batches=10)
    assert (rest.entries, rest.stories, rest.complete) == (1, 1, True)


async def test_a_failing_feeds_notice_stays_while_it_fails_so_it_is_not_repeated(
    store: Store,
) -> None:
    room = Newsroom(store, now=OLD)
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed)
    async with store.session() as s:
        await s.execute(
            update(Feed)
            .where(Feed.id == feed.id)
            .values(error_count=5, last_error="HTTP 500", last_success_at=OLD)
        )
    assert await notify_feed_health(store, now=OLD) == 1
    await _deliver(store, now=OLD)

    await prune(store, older_than=KEEP, now=NOW)
    assert await notify_feed_health(store, now=NOW) == 0

    async with store.session() as s:
        await s.execute(
            update(Feed).where(Feed.id == feed.id).values(error_count=0, last_success_at=RECENT)
        )
    await prune(store, older_than=KEEP, now=NOW)  # the recovery is not announced yet
    assert await notify_feed_health(store, now=NOW) == 1
    await _deliver(store, now=NOW)
    await prune(store, older_than=KEEP, now=NOW)
    assert await _count(store, Post, Post.kind == "feed_health") == 2

    later = NOW + timedelta(days=40)
    report = await prune(store, older_than=KEEP, now=later)
    assert report.posts == 2
    assert await notify_feed_health(store, now=later) == 0


async def test_sqlite_gives_the_space_back(store: Store) -> None:
    if store.dialect != "sqlite":
        pytest.skip("SQLite files")
    room = Newsroom(store, now=OLD)
    feed = await room.feed("Harbour Gazette")
    words = " ".join(f"word{n}" for n in range(4000))
    for n in range(40):
        story = await room.story(feed, f"Story {n}", facts=[f"Fact {n} {words}."])
        async with store.session() as s:
            await s.execute(update(Article).where(Article.story_id == story.id).values(text=words))
    await room.story(feed, "Last", at=RECENT)
    before = await _pages(store)

    report = await prune(store, older_than=KEEP, now=NOW)
    freed = await give_back_space(store)

    after = await _pages(store)
    assert report.stories == 40
    assert freed is not None and freed > 1_000_000
    assert after["freelist_count"] == 0
    # The pointer-map pages incremental vacuum keeps go too, so the file shrinks a little more.
    shrunk = (before["page_count"] - after["page_count"]) * after["page_size"]
    assert freed <= shrunk <= freed * 1.01


async def _pages(store: Store) -> dict[str, int]:
    async with store.session(readonly=True) as s:
        return {
            name: int((await s.execute(text(f"PRAGMA {name}"))).scalar_one())
            for name in ("page_count", "page_size", "freelist_count", "auto_vacuum")
        }


async def test_a_sqlite_file_without_incremental_vacuum_is_converted_by_compact(
    store: Store, store_target: StoreTarget
) -> None:
    if store.dialect != "sqlite":
        pytest.skip("SQLite files")
    await store.close()
    path = store_target.url.removeprefix("sqlite+aiosqlite:///")
    with sqlite3.connect(path, isolation_level=None) as db:
        db.execute("PRAGMA auto_vacuum=NONE")
        db.execute("VACUUM")
    reopened = store_target.open()
    try:
        assert (await _pages(reopened))["auto_vacuum"] == 0
        assert await give_back_space(reopened) is None
        await _posted_story(reopened, "Ferry strike", at=OLD)
        await compact(reopened)
        pages = await _pages(reopened)
        assert (pages["auto_vacuum"], pages["freelist_count"]) == (2, 0)
        assert await reopened.stories.recent(since=OLD - timedelta(days=1))
    finally:
        await reopened.close()


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDIGEST_")}
    return subprocess.run(  # noqa: S603 - our own command, with this test's arguments
        [sys.executable, "-m", "bot.cli", "db", "prune", *args],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_db_prune_command_prints_one_line(store: Store, tmp_path: Path) -> None:
    if store.dialect != "sqlite":
        pytest.skip("the command is run on a SQLite file here")
    long_ago = utcnow() - timedelta(days=45)
    old = await _posted_story(store, "Ferry strike", at=long_ago)
    await _drop_from_feed(store, old, at=long_ago + timedelta(hours=1))
    recent = await _posted_story(store, "Library opens", at=utcnow() - timedelta(days=10))
    await _posted_story(store, "Bridge closes", at=utcnow() - timedelta(days=1))
    await store.close()
    url = str(store.url)

    result = await asyncio.to_thread(_cli, "--url", url, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    line = result.stdout
    assert line.startswith("pruned 1 entry, 1 article, 1 story (1 quote), 2 posts and 1 digest")
    assert " older than 30 days; gave back " in line and line.count("\n") == 1
    reopened = Store(url)
    try:
        assert await reopened.stories.get(old.id) is None
        assert await reopened.stories.get(recent.id) is not None
        assert (await _pages(reopened))["freelist_count"] == 0
    finally:
        await reopened.close()

    shorter = await asyncio.to_thread(_cli, "--url", url, "--days", "7", cwd=tmp_path)
    # The 10-day-old story goes; its item is still its feed's only one, so entry and article stay.
    assert shorter.returncode == 0
    assert shorter.stdout.startswith("pruned 0 entries, 0 articles, 1 story (1 quote), 2 posts")
    refused = await asyncio.to_thread(_cli, "--url", url, "--days", "2", cwd=tmp_path)
    assert refused.returncode == 2 and refused.stderr == "error: --days must be at least 4\n"


async def test_the_long_running_worker_prunes_when_it_starts(store: Store) -> None:
    old = await _posted_story(store, "Ferry strike", at=OLD)
    await _drop_from_feed(store, old)
    await _posted_story(store, "Library opens", at=RECENT)
    fetcher = Fetcher()
    try:
        pipeline = ArticlePipeline(store=store, fetcher=fetcher, worker_id="w")
        worker = Worker(
            store=store,
            fetcher=fetcher,
            pipeline=pipeline,
            worker_id="w",
            retention=KEEP,
            clock=lambda: NOW,
        )
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run_forever(stop=stop, idle_s=60))
        for _ in range(600):
            if await store.stories.get(old.id) is None:
                break
            await asyncio.sleep(0.05)
        stop.set()
        await asyncio.wait_for(task, timeout=15)
    finally:
        await fetcher.close()
    assert await store.stories.get(old.id) is None


def test_report_line_counts_in_words() -> None:
    report = PruneReport(days=30, entries=2, articles=1, stories=2, quotes=0, posts=1)
    report.freed_bytes = 2_500_000
    assert report.line() == (
        "pruned 2 entries, 1 article, 2 stories (0 quotes), 1 post and 0 digests older than "
        "30 days; gave back 2.5 MB"
    )
