"""The outbox's delivery state machine with the console platform on a real store."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.digests.engine import deliver_pending, plan_due_digests
from bot.digests.outbox import backoff_s
from bot.platforms.base import DeliveryError, Posted
from bot.platforms.console import ConsolePlatform
from bot.render.views import DigestView, StoryCard, ThreadUpdate
from bot.store import Store
from bot.store.models import ChannelStory, Digest, Post
from tests.conftest import StoreTarget
from tests.support.newsroom import Newsroom

T0 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)


class Crash(BaseException):
    """The process dies: not an error the outbox may catch."""


class Recording(ConsolePlatform):
    """The console, remembering the order of what it printed (key per platform call) and
    optionally failing chosen calls first (the way a platform fails)."""

    def __init__(self) -> None:
        super().__init__(io.StringIO())
        self.printed: list[str] = []
        self.fail: dict[str, list[DeliveryError]] = {}
        self.crash_after: set[str] = set()

    def text(self) -> str:
        return self._out.getvalue()  # type: ignore[attr-defined]

    def _print(self, key: str, channel_id: str, text: str, *, thread: str | None = None) -> Posted:
        if errors := self.fail.get(key):
            raise errors.pop(0)
        posted = super()._print(key, channel_id, text, thread=thread)
        if not posted.already_posted:
            self.printed.append(key)
        if key in self.crash_after:
            self.crash_after.discard(key)
            raise Crash(key)
        return posted


async def _posts(store: Store) -> list[Post]:
    async with store.session(readonly=True) as s:
        return list((await s.scalars(select(Post).order_by(Post.id))).all())


async def _two_story_digest(store: Store, *, channel: str = "C1", **settings: object) -> int:
    room = Newsroom(store, now=T0)
    feed = await room.feed(f"Gazette {channel}")
    await room.subscribe(feed, channel=channel, **settings)
    await room.story(feed, "Ferry returns", facts=["The ferry sails on Monday."])
    await room.story(feed, "Library extends hours", at=T0 - timedelta(hours=5))
    (digest_id,) = await plan_due_digests(store, now=T0)
    return digest_id


async def test_digest_is_delivered_in_order_with_a_thread_per_story(store: Store) -> None:
    digest_id = await _two_story_digest(store)
    console = Recording()

    report = await deliver_pending(store, {"console": console}, worker_id="w1", now=T0)

    posts = await _posts(store)
    story_keys = [p.idempotency_key for p in posts if p.kind == "story"]
    assert console.printed == [
        f"d{digest_id}h",
        story_keys[0],
        story_keys[0] + "t",
        story_keys[1],
        story_keys[1] + "t",
    ]
    assert report.delivered == 3 and report.failed == 0 and report.retrying == 0
    assert all(p.state == "posted" and p.message_id for p in posts)
    text = console.text()
    assert "Morning digest — 2 stories  [#C1]" in text
    assert text.index("Ferry returns") < text.index("Library extends hours")
    assert "    │ Thread: Ferry returns" in text
    postings = await store.channels.channel_stories(platform="console", workspace_id="W1")
    story_posts = {p.story_id: p for p in posts if p.kind == "story"}
    for posting in postings:
        assert posting.thread_id == story_posts[posting.story_id].message_id
        assert posting.message_id == story_posts[posting.story_id].message_id
    async with store.session(readonly=True) as s:
        digest = await s.get(Digest, digest_id)
    assert digest is not None and digest.state == "posted" and digest.posted_at == T0
    again = await deliver_pending(store, {"console": console}, worker_id="w1", now=T0)
    assert again.delivered == 0


async def test_retryable_failure_backs_off_and_keeps_the_channel_in_order(store: Store) -> None:
    await _two_story_digest(store, channel="C1")
    await _two_story_digest(store, channel="C2")
    posts = await _posts(store)
    first_story = next(p for p in posts if p.kind == "story" and p.channel_id == "C1")
    console = Recording()
    console.fail[first_story.idempotency_key] = [
        DeliveryError("429 too many requests", retryable=True),
        DeliveryError("429 too many requests", retryable=True),
    ]

    report = await deliver_pending(store, {"console": console}, worker_id="w1", now=T0)
    assert report.retrying == 1
    assert [k for k in console.printed if k.startswith("d1")] == ["d1h"]  # C1 waits
    assert len([k for k in console.printed if k.startswith("d2")]) == 5  # C2 is not held up
    waiting = next(p for p in await _posts(store) if p.id == first_story.id)
    assert waiting.state == "pending" and waiting.last_error == "429 too many requests"
    assert waiting.next_attempt_at == T0 + timedelta(seconds=backoff_s(1))

    soon = T0 + timedelta(seconds=backoff_s(1))
    assert (await deliver_pending(store, {"console": console}, worker_id="w1", now=soon)).retrying
    later = soon + timedelta(seconds=backoff_s(2))
    await deliver_pending(store, {"console": console}, worker_id="w1", now=later)
    c1 = [k for k in console.printed if k.startswith("d1")]
    assert c1[0] == "d1h" and c1[1] == first_story.idempotency_key and len(c1) == 5
    assert all(p.state == "posted" for p in await _posts(store))
    assert [backoff_s(n) for n in (1, 2, 3, 10, 50)] == [5, 10, 20, 300, 300]


async def test_permanent_failure_is_kept_and_moderators_hear_in_the_log_channel(
    store: Store,
) -> None:
    await _two_story_digest(store, log_channel_id="MODS")
    posts = await _posts(store)
    header = posts[0]
    console = Recording()
    console.fail[header.idempotency_key] = [DeliveryError("Missing Access (403)", retryable=False)]

    report = await deliver_pending(store, {"console": console}, worker_id="w1", now=T0)

    assert report.failures == [(header.idempotency_key, "Missing Access (403)")]
    after = {p.idempotency_key: p for p in await _posts(store)}
    assert after[header.idempotency_key].state == "failed"
    assert after[header.idempotency_key].last_error == "Missing Access (403)"
    notice = after[f"x{header.id}"]
    assert notice.channel_id == "MODS" and notice.state == "posted"
    assert "[notice #MODS] A message could not be delivered" in console.text()
    assert "Channel C1: Missing Access (403)" in console.text()
    # the stories after the failed header still go out, in order
    assert [p.state for p in posts[1:]] == ["pending", "pending"]
    assert all(after[p.idempotency_key].state == "posted" for p in posts[1:])


async def test_crash_after_the_platform_accepted_does_not_post_twice(
    store: Store,
) -> None:
    await _two_story_digest(store)
    posts = await _posts(store)
    story = next(p for p in posts if p.kind == "story")
    console = Recording()
    console.crash_after.add(story.idempotency_key + "t")
    with pytest.raises(Crash):
        await deliver_pending(store, {"console": console}, worker_id="dead", now=T0, lease_s=60)
    stuck = next(p for p in await _posts(store) if p.id == story.id)
    assert stuck.state == "pending" and stuck.lease_owner == "dead"
    assert stuck.message_id  # the story message was recorded before its thread

    before_expiry = await deliver_pending(
        store, {"console": console}, worker_id="w2", now=T0 + timedelta(seconds=30)
    )
    assert before_expiry.delivered == 0  # still leased: the channel waits
    report = await deliver_pending(
        store, {"console": console}, worker_id="w2", now=T0 + timedelta(seconds=61)
    )
    assert report.already_posted == 1 and report.delivered == 2
    assert len(console.printed) == len(set(console.printed)) == 5
    assert console.text().count("Thread: Ferry returns") == 1


async def test_two_workers_share_the_outbox_without_duplicates(
    store: Store, store_target: StoreTarget
) -> None:
    for channel in ("C1", "C2", "C3"):
        await _two_story_digest(store, channel=channel)
    console = Recording()
    other = store_target.open()
    try:
        reports = await asyncio.gather(
            deliver_pending(store, {"console": console}, worker_id="a", now=T0, limit=2),
            deliver_pending(other, {"console": console}, worker_id="b", now=T0, limit=2),
            deliver_pending(store, {"console": console}, worker_id="c", now=T0),
        )
        rest = await deliver_pending(other, {"console": console}, worker_id="b", now=T0)
    finally:
        await other.close()
    assert sum(r.delivered for r in reports) + rest.delivered == 9
    assert sum(r.already_posted for r in [*reports, rest]) == 0
    assert len(console.printed) == len(set(console.printed)) == 15
    for d in ("d1", "d2", "d3"):
        mine = [k for k in console.printed if k.startswith(d)]
        assert mine[0] == d + "h" and len(mine) == 5


async def test_platform_without_notices_gets_a_story_shaped_notice() -> None:
    class Plain:
        name = "plain"

        def __init__(self) -> None:
            self.stories: list[StoryCard] = []

        async def post_digest_header(self, *, channel_id: str, digest: DigestView, key: str):
            raise AssertionError("not used")

        async def post_story(self, *, channel_id: str, story: StoryCard, key: str) -> Posted:
            self.stories.append(story)
            return Posted(channel_id, "m1")

        async def open_thread(self, *, channel_id: str, message_id: str, story, key: str):
            raise AssertionError("not used")

        async def reply(self, *, channel_id: str, thread_id: str, update: ThreadUpdate, key):
            raise AssertionError("not used")

    from bot.digests.outbox import _call_platform
    from bot.digests.views import Notice

    post = Post(
        id=1, idempotency_key="f1", platform="plain", workspace_id="W", channel_id="C",
        kind="feed_health", payload={"notice": Notice("Feed down", ("why",), None).to_json()},
    )  # fmt: skip
    platform = Plain()
    posted = await _call_platform(None, platform, post, worker_id="w")  # type: ignore[arg-type]
    assert posted.message_id == "m1"
    assert platform.stories[0].title == "Feed down" and platform.stories[0].key_facts == ("why",)


async def test_channel_story_rows_point_at_their_posts(store: Store) -> None:
    await _two_story_digest(store)
    await deliver_pending(store, {"console": Recording()}, worker_id="w1", now=T0)
    async with store.session(readonly=True) as s:
        rows = (await s.scalars(select(ChannelStory))).all()
    posts = {p.id: p for p in await _posts(store)}
    assert rows and all(posts[r.post_id].story_id == r.story_id for r in rows)


async def test_one_cycle_plans_updates_announces_and_delivers(store: Store) -> None:
    from bot.digests.engine import run_digest_cycle

    room = Newsroom(store, now=T0)
    gazette, tribune = await room.feed("Harbour Gazette"), await room.feed("Harbour Tribune")
    await room.subscribe(gazette)
    story = await room.story(gazette, "Ferry returns", facts=["The ferry sails on Monday."])
    console = Recording()
    first = await run_digest_cycle(store, {"console": console}, worker_id="w", now=T0)
    assert len(first.digests) == 1 and first.delivery.delivered == 2

    await room.second_source(story, tribune, "Ferry back", facts=["Fares stay the same."])
    async with store.session() as s:
        feed = await s.get(type(gazette), gazette.id)
        assert feed is not None
        feed.error_count, feed.last_error = 3, "timed out"
    later = T0 + timedelta(minutes=15)
    second = await run_digest_cycle(store, {"console": console}, worker_id="w", now=later)
    assert second.digests == [] and second.updates == 1 and second.notices == 1
    assert second.delivery.delivered == 2
    text = console.text()
    assert "New from Harbour Tribune: Fares stay the same." in text
    assert "[notice #C1] Feed “Harbour Gazette” is failing" in text


async def test_update_of_a_story_that_failed_for_good_fails_quietly(store: Store) -> None:
    from bot.digests.engine import enqueue_story_updates

    room = Newsroom(store, now=T0)
    gazette, tribune = await room.feed("Harbour Gazette"), await room.feed("Harbour Tribune")
    await room.subscribe(gazette, log_channel_id="MODS")
    story = await room.story(gazette, "Ferry returns", facts=["The ferry sails on Monday."])
    await plan_due_digests(store, now=T0)
    await room.second_source(story, tribune, "Ferry back", facts=["Fares stay the same."])
    assert await enqueue_story_updates(store, now=T0) == 1
    story_post = next(p for p in await _posts(store) if p.kind == "story")
    console = Recording()
    console.fail[story_post.idempotency_key] = [DeliveryError("Missing Access", retryable=False)]

    report = await deliver_pending(store, {"console": console}, worker_id="w", now=T0)

    states = {p.kind: (p.state, p.last_error) for p in await _posts(store)}
    assert states["story"] == ("failed", "Missing Access")
    assert states["thread_update"] == ("failed", "the story's own message was never posted")
    assert report.failed == 2
    assert console.text().count("[notice #MODS]") == 1  # the story's failure, not the update's
    assert await enqueue_story_updates(store, now=T0) == 0
