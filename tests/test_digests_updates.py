"""Story growth: a posted story that gains a source gets an update in its thread."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.digests.engine import deliver_pending, enqueue_story_updates, plan_due_digests
from bot.platforms.console import ConsolePlatform
from bot.store import Store
from bot.store.models import Post
from tests.support.newsroom import Newsroom

T0 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)


async def _posts(store: Store, kind: str | None = None) -> list[Post]:
    async with store.session(readonly=True) as s:
        query = select(Post).order_by(Post.id)
        if kind:
            query = query.where(Post.kind == kind)
        return list((await s.scalars(query)).all())


async def test_new_source_becomes_one_update_with_only_what_is_new(store: Store) -> None:
    room = Newsroom(store, now=T0)
    gazette, tribune = await room.feed("Harbour Gazette"), await room.feed("Harbour Tribune")
    await room.subscribe(gazette)
    story = await room.story(
        gazette,
        "Ferry returns",
        facts=["The ferry sails on Monday.", "Repairs took six weeks."],
        quotes=[("We missed it", "Ana Ruiz")],
    )
    await plan_due_digests(store, now=T0)
    out = io.StringIO()
    console = ConsolePlatform(out)
    await deliver_pending(store, {"console": console}, worker_id="w", now=T0)
    assert await enqueue_story_updates(store, now=T0) == 0

    await room.second_source(
        story,
        tribune,
        "Ferry back after repairs",
        facts=["the ferry  sails on Monday.", "Fares stay the same for a year."],
        quotes=[("We missed it", "Ana Ruiz"), ("It is a relief", "Tom Lee")],
    )
    later = T0 + timedelta(hours=1)
    assert await enqueue_story_updates(store, now=later) == 1
    assert await enqueue_story_updates(store, now=later) == 0

    (update,) = await _posts(store, "thread_update")
    (story_post,) = await _posts(store, "story")
    assert update.thread_id == story_post.thread_id
    assert update.payload["update"]["key_facts"] == ["Fares stay the same for a year."]
    assert update.payload["update"]["quotes"] == [["It is a relief", "Tom Lee"]]
    assert update.payload["update"]["source"][0] == "Harbour Tribune"
    before = out.getvalue()
    report = await deliver_pending(store, {"console": console}, worker_id="w", now=later)
    assert report.delivered == 1
    added = out.getvalue()[len(before) :]
    assert added.startswith("    │ New from Harbour Tribune: Fares stay the same for a year.")
    assert "“It is a relief” — Tom Lee" in added and "We missed it" not in added
    (posted,) = await _posts(store, "thread_update")
    assert posted.state == "posted" and posted.thread_id == story_post.thread_id


async def test_update_queued_before_the_story_went_out_follows_it_into_its_thread(
    store: Store,
) -> None:
    room = Newsroom(store, now=T0)
    gazette, tribune = await room.feed("Harbour Gazette"), await room.feed("Harbour Tribune")
    await room.subscribe(gazette)
    story = await room.story(gazette, "Ferry returns", facts=["The ferry sails on Monday."])
    await plan_due_digests(store, now=T0)
    await room.second_source(story, tribune, "Ferry back", facts=["Fares stay the same."])
    assert await enqueue_story_updates(store, now=T0) == 1
    (queued,) = await _posts(store, "thread_update")
    assert queued.thread_id is None

    out = io.StringIO()
    await deliver_pending(store, {"console": ConsolePlatform(out)}, worker_id="w", now=T0)

    text = out.getvalue()
    assert text.index("Thread: Ferry returns") < text.index("New from Harbour Tribune")
    (story_post,) = await _posts(store, "story")
    (update,) = await _posts(store, "thread_update")
    assert update.state == "posted" and update.thread_id == story_post.thread_id


async def test_each_channel_of_a_story_gets_its_own_update(store: Store) -> None:
    room = Newsroom(store, now=T0)
    gazette, tribune = await room.feed("Harbour Gazette"), await room.feed("Harbour Tribune")
    await room.subscribe(gazette, channel="C1")
    await room.subscribe(gazette, channel="C2", workspace="W2")
    story = await room.story(gazette, "Ferry returns", facts=["The ferry sails on Monday."])
    await plan_due_digests(store, now=T0)
    await room.second_source(story, tribune, "Ferry back", facts=["Fares stay the same."])
    await room.second_source(story, tribune, "Ferry timetable", facts=["Fares stay the same."])

    assert await enqueue_story_updates(store, now=T0) == 4
    updates = await _posts(store, "thread_update")
    by_channel = sorted((u.channel_id, u.payload["update"]["key_facts"]) for u in updates)
    # the second new source repeats the first one's fact: nothing new but its link
    assert by_channel == [
        ("C1", []),
        ("C1", ["Fares stay the same."]),
        ("C2", []),
        ("C2", ["Fares stay the same."]),
    ]
