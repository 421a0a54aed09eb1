"""End to end on Slack: store → plan → outbox → the real slack_sdk client → the emulator."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select

from bot.digests.engine import (
    deliver_pending,
    enqueue_story_updates,
    notify_feed_health,
    plan_due_digests,
)
from bot.platforms.slack import SlackPlatform, web_client
from bot.store import Store
from bot.store.models import Feed, Post
from tests.emulators.slack_emulator import SlackEmulator
from tests.support.newsroom import Crash, CrashAfterAccept, Newsroom

T0 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
HOSTILE_TITLE = "<!channel> <!here> <@U024BE7LH> @everyone Ferry & bridge <b>"


def _slack(emu: SlackEmulator) -> dict[str, SlackPlatform]:
    client = web_client(token=emu.bot_token, base_url=emu.api_url)
    return {"slack": SlackPlatform(client, min_interval=0)}


async def _setup(store: Store, emu: SlackEmulator, titles: list[str]) -> tuple[Newsroom, Any]:
    room = Newsroom(store, now=T0, platform="slack")
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, workspace=emu.team_id, channel="C1")
    stories = []
    for i, title in enumerate(titles):
        at = T0 - timedelta(hours=i)
        stories.append(await room.story(feed, title, facts=[f"Fact {i}."], at=at))
    assert await plan_due_digests(store, now=T0)
    return room, (feed, stories)


async def _pending(store: Store) -> int:
    async with store.session(readonly=True) as s:
        return len((await s.scalars(select(Post).where(Post.state == "pending"))).all())


def _keys(messages: list[dict[str, Any]]) -> list[str]:
    return [m["metadata"]["event_payload"]["key"] for m in messages]


async def test_digest_with_a_thread_per_story_and_nothing_pings(
    store: Store, slack_emulator: SlackEmulator
) -> None:
    emu = slack_emulator
    await _setup(store, emu, [HOSTILE_TITLE, "Library extends hours"])
    report = await deliver_pending(store, _slack(emu), worker_id="bot", now=T0)
    assert report.delivered == 3
    top = emu.channels["C1"]
    assert len(top) == 3 and top[0]["text"] == "Morning digest — 2 stories"
    for story in top[1:]:
        (opening,) = story["replies"]
        assert opening["text"].startswith("Summary: ")
    assert _keys(top) == ["d1h", "d1s1", "d1s2"]
    assert [_keys(m["replies"]) for m in top[1:]] == [["d1s1t"], ["d1s2t"]]
    sent = json.dumps([c.args for c in emu.calls_of("chat.postMessage")], ensure_ascii=False)
    for raw in ("<!channel>", "<!here>", "<@U024BE7LH>", "<b>"):
        assert raw not in sent
    assert "&lt;!channel&gt;" in top[1]["text"] and "&amp;" in top[1]["text"]


async def test_crash_before_recording_then_restart_finds_the_message_in_history(
    store: Store, slack_emulator: SlackEmulator
) -> None:
    emu = slack_emulator
    await _setup(store, emu, ["Ferry returns"])
    dying = CrashAfterAccept(_slack(emu)["slack"], "d1s1t")
    with pytest.raises(Crash):
        await deliver_pending(store, {"slack": dying}, worker_id="old", now=T0, lease_s=60)
    assert len(emu.calls_of("chat.postMessage")) == 3

    report = await deliver_pending(
        store, _slack(emu), worker_id="new", now=T0 + timedelta(seconds=61)
    )
    assert report.delivered == 1 and report.already_posted == 1
    assert len(emu.calls_of("chat.postMessage")) == 3
    top = emu.channels["C1"]
    assert _keys(top) == ["d1h", "d1s1"] and _keys(top[1]["replies"]) == ["d1s1t"]
    assert await _pending(store) == 0


async def test_rate_limit_storm_delivers_everything_in_order(
    store: Store, slack_emulator: SlackEmulator
) -> None:
    emu = slack_emulator
    titles = [f"Story number {i}" for i in range(3)]
    await _setup(store, emu, titles)
    emu.rate_limit("chat.postMessage", times=6, retry_after=0)
    client = web_client(token=emu.bot_token, base_url=emu.api_url, rate_limit_retries=1)
    platforms = {"slack": SlackPlatform(client, min_interval=0)}
    now, retried = T0, 0
    for _ in range(20):
        report = await deliver_pending(store, platforms, worker_id="bot", now=now)
        retried += report.retrying
        assert report.failed == 0
        if not await _pending(store):
            break
        now += timedelta(minutes=5)
    assert await _pending(store) == 0 and retried >= 3
    top = emu.channels["C1"]
    assert [m["text"].split(" — ")[0] for m in top] == ["Morning digest", *titles]
    assert all(len(m["replies"]) == 1 for m in top[1:])


async def test_second_source_becomes_a_reply_in_the_thread_not_a_new_post(
    store: Store, slack_emulator: SlackEmulator
) -> None:
    emu = slack_emulator
    room, (_, stories) = await _setup(store, emu, ["Ferry returns"])
    platforms = _slack(emu)
    await deliver_pending(store, platforms, worker_id="bot", now=T0)
    tribune = await room.feed("Harbour Tribune")
    await room.second_source(stories[0], tribune, "Ferry back", facts=["Fares stay <!here>."])
    assert await enqueue_story_updates(store, now=T0) == 1
    await deliver_pending(store, platforms, worker_id="bot", now=T0)
    top = emu.channels["C1"]
    assert len(top) == 2
    _opening, update = top[1]["replies"]
    assert update["text"] == "New from Harbour Tribune: Fares stay &lt;!here&gt;."
    assert update["thread_ts"] == top[1]["ts"]


async def test_failing_feed_notice_reaches_the_channel_once(
    store: Store, slack_emulator: SlackEmulator
) -> None:
    emu = slack_emulator
    room = Newsroom(store, now=T0, platform="slack")
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, workspace=emu.team_id, channel="C1", due=False)
    async with store.session() as s:
        row = await s.get(Feed, feed.id)
        assert row is not None
        row.error_count, row.last_error = 4, "HTTP 404 <!channel>"
    for minute in range(3):
        at = T0 + timedelta(minutes=minute)
        await notify_feed_health(store, now=at)
        await deliver_pending(store, _slack(emu), worker_id="bot", now=at)
    (notice,) = emu.channels["C1"]
    assert "Feed “Harbour Gazette” is failing" in notice["text"]
    blocks = json.dumps(notice["blocks"], ensure_ascii=False)
    assert "HTTP 404 &lt;!channel&gt;" in blocks and "<!channel>" not in blocks


async def test_connection_dropped_after_slack_accepted_posts_each_message_once(
    store: Store, slack_emulator: SlackEmulator
) -> None:
    """Slack stores the story message and its thread opening, then the connection drops
    before the answer: the next delivery finds each by its key instead of posting again."""
    emu = slack_emulator
    await _setup(store, emu, ["Ferry returns", "Library extends hours"])
    emu.drop_after_accept("chat.postMessage", times=1)
    platforms = _slack(emu)
    now, retried = T0, 0
    for _ in range(10):
        report = await deliver_pending(store, platforms, worker_id="bot", now=now)
        assert report.failed == 0
        retried += report.retrying
        if not await _pending(store):
            break
        now += timedelta(minutes=5)
        emu.drop_after_accept("chat.postMessage", times=1)
    assert await _pending(store) == 0 and retried == 5
    top = emu.channels["C1"]
    assert _keys(top) == ["d1h", "d1s1", "d1s2"]
    assert [_keys(m["replies"]) for m in top[1:]] == [["d1s1t"], ["d1s2t"]]
    assert len(emu.calls_of("chat.postMessage")) == 5


async def test_dropped_chat_update_is_not_sent_again_by_the_client(
    slack_emulator: SlackEmulator,
) -> None:
    emu = slack_emulator
    client = web_client(token=emu.bot_token, base_url=emu.api_url)
    posted = await client.chat_postMessage(channel="C1", text="Ferry returns")
    emu.drop_after_accept("chat.update", times=1)
    with pytest.raises(aiohttp.ClientError):
        await client.chat_update(channel="C1", ts=posted["ts"], text="Ferry returns on Monday")
    assert len(emu.calls_of("chat.update")) == 1
    assert emu.channels["C1"][0]["text"] == "Ferry returns on Monday"
    emu.drop_after_accept("conversations.history", times=1)
    history = await client.conversations_history(channel="C1")
    assert [m["text"] for m in history["messages"]] == ["Ferry returns on Monday"]
    assert len(emu.calls_of("conversations.history")) == 2
