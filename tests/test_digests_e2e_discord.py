"""End to end on Discord: store → plan → outbox → the real discord.py → the loopback emulator."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import pytest
from sqlalchemy import select

from bot.digests.engine import (
    deliver_pending,
    enqueue_story_updates,
    notify_feed_health,
    plan_due_digests,
)
from bot.platforms.discord import DiscordPlatform, make_client
from bot.store import Store
from bot.store.models import Feed, Post
from tests.conftest import StoreTarget
from tests.emulators.discord_emulator import DiscordEmulator, running_client
from tests.support.newsroom import Crash, CrashAfterAccept, Newsroom

T0 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
HOSTILE_TITLE = "@everyone @here <!channel> <@123456789> Ferry returns"


def _client() -> discord.Client:
    return discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)


async def _setup(store: Store, emu: DiscordEmulator, titles: list[str]) -> tuple[Newsroom, Any]:
    guild = emu.guilds[0]
    room = Newsroom(store, now=T0, platform="discord")
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, workspace=str(guild.id), channel=str(guild.text_channel))
    stories = []
    for i, title in enumerate(titles):
        at = T0 - timedelta(hours=i)
        stories.append(await room.story(feed, title, facts=[f"Fact {i}."], at=at))
    assert await plan_due_digests(store, now=T0)
    return room, (feed, stories)


def _top_level(emu: DiscordEmulator) -> list[dict[str, Any]]:
    return emu.messages.get(emu.guilds[0].text_channel, [])


def _titles(messages: list[dict[str, Any]]) -> list[str]:
    return [m["embeds"][0]["title"] if m["embeds"] else m["content"] for m in messages]


async def _pending(store: Store) -> int:
    async with store.session(readonly=True) as s:
        return len((await s.scalars(select(Post).where(Post.state == "pending"))).all())


async def test_digest_with_a_thread_per_story_and_no_mentions(
    store: Store, discord_emulator: DiscordEmulator
) -> None:
    emu = discord_emulator
    await _setup(store, emu, [HOSTILE_TITLE, "Library extends hours"])
    async with running_client(_client(), emu) as client:
        report = await deliver_pending(
            store, {"discord": DiscordPlatform(client)}, worker_id="bot", now=T0
        )
    assert report.delivered == 3 and report.failed == 0
    top = _top_level(emu)
    assert len(top) == 3 and top[0]["content"] == "## Morning digest — 2 stories"
    assert _titles(top)[2] == "Library extends hours"
    for story_message in top[1:]:
        thread = emu.threads[int(story_message["id"])]
        assert thread["parent_id"] == str(emu.guilds[0].text_channel)
        (opening,) = emu.messages[int(story_message["id"])]
        assert opening["embeds"][0]["footer"]["text"].startswith("Story ")
    bodies = [c.body for c in emu.calls if c.method == "POST" and c.path.endswith("/messages")]
    assert len(bodies) == 5
    assert all(b["allowed_mentions"] == {"parse": []} for b in bodies)
    sent = json.dumps(bodies, ensure_ascii=False)
    for raw in ("@everyone", "@here", "<!channel>", "<@123456789>"):
        assert raw not in sent
    assert "@\u200beveryone" in _titles(top)[1]


async def test_connection_lost_after_accept_is_not_posted_twice(
    store: Store, discord_emulator: DiscordEmulator
) -> None:
    emu = discord_emulator
    await _setup(store, emu, ["Ferry returns"])
    cid = emu.guilds[0].text_channel
    emu.drop_after_accept(rf"/channels/{cid}/messages$", times=2)
    async with running_client(_client(), emu) as client:
        platform = {"discord": DiscordPlatform(client)}
        first = await deliver_pending(store, platform, worker_id="bot", now=T0)
        assert first.retrying == 1 and len(_top_level(emu)) == 1  # accepted, answer lost
        now = T0
        for _ in range(4):
            now += timedelta(minutes=5)
            await deliver_pending(store, platform, worker_id="bot", now=now)
    assert await _pending(store) == 0
    top = _top_level(emu)
    assert len(top) == 2 and top[0]["content"].startswith("## Morning digest")
    assert len(emu.messages[int(top[1]["id"])]) == 1


async def test_server_error_after_accept_leaves_one_message_and_one_thread(
    store: Store, discord_emulator: DiscordEmulator
) -> None:
    emu = discord_emulator
    await _setup(store, emu, ["Ferry returns"])
    cid = emu.guilds[0].text_channel
    emu.fail_after_accept(rf"/channels/{cid}/messages$", times=2, status=502)
    emu.fail_after_accept(rf"/channels/{cid}/messages/\d+/threads$", status=500)
    async with running_client(make_client(guild_ready_timeout=0.05), emu) as client:
        report = await deliver_pending(
            store, {"discord": DiscordPlatform(client)}, worker_id="bot", now=T0
        )
    assert report.delivered == 2 and await _pending(store) == 0
    sent = [c for c in emu.calls if c.method == "POST" and c.path == f"/channels/{cid}/messages"]
    assert len(sent) == 4, "discord.py re-sent the header and the story after the 502s"
    top = _top_level(emu)
    assert _titles(top)[1:] == ["Ferry returns"] and len(top) == 2
    (thread,) = emu.threads.values()
    assert thread["id"] == top[1]["id"]
    assert len(emu.messages[int(thread["id"])]) == 1


@pytest.mark.parametrize("fault", ["dropped", "server error"])
async def test_forum_post_lost_after_accept_is_posted_once(
    store: Store, discord_emulator: DiscordEmulator, fault: str
) -> None:
    """A forum post carries no nonce: only the look-up before each attempt keeps it single,
    so discord.py must not re-send it on a 5xx behind that look-up's back."""
    emu = discord_emulator
    guild = emu.guilds[0]
    room = Newsroom(store, now=T0, platform="discord")
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, workspace=str(guild.id), channel=str(guild.forum_channel))
    await room.story(feed, "Ferry returns", facts=["Fact 0."], at=T0)
    assert await plan_due_digests(store, now=T0)
    forum_posts = rf"/channels/{guild.forum_channel}/threads$"
    if fault == "dropped":
        emu.drop_after_accept(forum_posts)
    else:
        emu.fail_after_accept(forum_posts, status=500)
    async with running_client(make_client(guild_ready_timeout=0.05), emu) as client:
        platform = {"discord": DiscordPlatform(client)}
        now = T0
        for _ in range(3):
            await deliver_pending(store, platform, worker_id="bot", now=now)
            now += timedelta(minutes=5)
    assert await _pending(store) == 0
    sent = [c for c in emu.calls if c.method == "POST" and re.search(forum_posts, c.path)]
    assert len(sent) == 1, "sent once; the next attempt found it"
    (thread,) = emu.threads.values()
    assert thread["name"] == "Ferry returns"
    starter, opening = emu.messages[int(thread["id"])]
    assert opening["embeds"][0]["title"] == starter["embeds"][0]["title"]
    (posting,) = await store.channels.channel_stories(
        platform="discord", workspace_id=str(guild.id)
    )
    assert posting.thread_id == thread["id"]


async def test_crash_before_recording_then_restart_posts_nothing_twice(
    store: Store, discord_emulator: DiscordEmulator
) -> None:
    emu = discord_emulator
    await _setup(store, emu, ["Ferry returns", "Library extends hours"])
    async with store.session(readonly=True) as s:
        story_key = await s.scalar(
            select(Post.idempotency_key).where(Post.kind == "story").order_by(Post.id)
        )
    assert story_key is not None
    async with running_client(_client(), emu) as client:
        dying = CrashAfterAccept(DiscordPlatform(client), story_key)
        with pytest.raises(Crash):
            await deliver_pending(store, {"discord": dying}, worker_id="old", now=T0, lease_s=60)
    assert len(_top_level(emu)) == 2  # header and the story: accepted, story not recorded

    async with running_client(_client(), emu) as client:
        after = T0 + timedelta(seconds=61)
        report = await deliver_pending(
            store, {"discord": DiscordPlatform(client)}, worker_id="new", now=after
        )
    assert report.delivered == 2 and await _pending(store) == 0
    top = _top_level(emu)
    assert _titles(top)[1:] == ["Ferry returns", "Library extends hours"]
    assert len(emu.threads) == 2
    assert all(len(emu.messages[int(m["id"])]) == 1 for m in top[1:])


async def test_rate_limit_storm_delivers_everything_in_order(
    store: Store, discord_emulator: DiscordEmulator
) -> None:
    emu = discord_emulator
    titles = [f"Story number {i}" for i in range(4)]
    await _setup(store, emu, titles)
    cid = emu.guilds[0].text_channel
    emu.rate_limit("POST", rf"/channels/{cid}/messages$", times=14, retry_after=0.01)
    emu.rate_limit("POST", r"/channels/\d+/messages/\d+/threads$", times=3, retry_after=0.01)
    now = T0
    retried = 0
    async with running_client(_client(), emu) as client:
        platform = {"discord": DiscordPlatform(client)}
        for _ in range(12):
            report = await deliver_pending(store, platform, worker_id="bot", now=now)
            retried += report.retrying
            assert report.failed == 0
            if not await _pending(store):
                break
            now += timedelta(minutes=5)
    assert await _pending(store) == 0
    assert retried >= 2  # discord.py gave up on some calls; the outbox carried on
    top = _top_level(emu)
    assert _titles(top) == ["## Morning digest — 4 stories", *titles]
    assert all(len(emu.messages[int(m["id"])]) == 1 for m in top[1:])


async def test_second_source_becomes_a_reply_in_the_thread_not_a_new_post(
    store: Store, discord_emulator: DiscordEmulator
) -> None:
    emu = discord_emulator
    room, (_, stories) = await _setup(store, emu, ["Ferry returns"])
    tribune = await room.feed("Harbour Tribune")
    async with running_client(_client(), emu) as client:
        platform = {"discord": DiscordPlatform(client)}
        await deliver_pending(store, platform, worker_id="bot", now=T0)
        top_before = len(_top_level(emu))
        await room.second_source(
            stories[0], tribune, "Ferry back @everyone", facts=["Fares stay the same @here."]
        )
        assert await enqueue_story_updates(store, now=T0) == 1
        report = await deliver_pending(store, platform, worker_id="bot", now=T0)
    assert report.delivered == 1
    assert len(_top_level(emu)) == top_before == 2
    story_message = _top_level(emu)[1]
    _opening, update = emu.messages[int(story_message["id"])]
    assert update["embeds"][0]["title"] == "New from Harbour Tribune"
    assert update["embeds"][0]["description"] == "• Fares stay the same @\u200bhere."
    assert update["allowed_mentions"] == {"parse": []}


async def test_forum_channel_gets_a_post_per_story_with_its_summary_inside(
    store: Store, discord_emulator: DiscordEmulator
) -> None:
    emu = discord_emulator
    guild = emu.guilds[0]
    room = Newsroom(store, now=T0, platform="discord")
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, workspace=str(guild.id), channel=str(guild.forum_channel))
    for i, title in enumerate(["Ferry returns", "Library extends hours"]):
        await room.story(feed, title, facts=[f"Fact {i}."], at=T0 - timedelta(hours=i))
    assert await plan_due_digests(store, now=T0)
    async with running_client(_client(), emu) as client:
        report = await deliver_pending(
            store, {"discord": DiscordPlatform(client)}, worker_id="bot", now=T0
        )
    assert report.delivered == 3 and await _pending(store) == 0
    assert [t["name"] for t in emu.threads.values()] == ["Ferry returns", "Library extends hours"]
    for tid in emu.threads:
        starter, opening = emu.messages[tid]
        assert starter["id"] == str(tid)
        assert opening["embeds"][0]["title"] == starter["embeds"][0]["title"]
    postings = await store.channels.channel_stories(platform="discord", workspace_id=str(guild.id))
    assert sorted(int(p.thread_id or 0) for p in postings) == sorted(emu.threads)


async def test_failing_feed_is_announced_once_in_the_log_channel(
    store: Store, discord_emulator: DiscordEmulator
) -> None:
    emu = discord_emulator
    guild = emu.guilds[0]
    room = Newsroom(store, now=T0, platform="discord")
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(
        feed,
        workspace=str(guild.id),
        channel=str(guild.forum_channel),
        due=False,
        log_channel_id=str(guild.text_channel),
    )
    async with store.session() as s:
        row = await s.get(Feed, feed.id)
        assert row is not None
        row.error_count, row.last_error = 5, "HTTP 404 @everyone"
    async with running_client(_client(), emu) as client:
        platform = {"discord": DiscordPlatform(client)}
        for minute in range(3):
            at = T0 + timedelta(minutes=minute)
            await notify_feed_health(store, now=at)
            await deliver_pending(store, platform, worker_id="bot", now=at)
    (notice,) = _top_level(emu)
    assert notice["embeds"][0]["title"] == "⚠ Feed “Harbour Gazette” is failing"
    assert "HTTP 404 @\u200beveryone" in notice["embeds"][0]["description"]
    assert notice["allowed_mentions"] == {"parse": []}
    assert emu.threads == {}  # nothing went to the forum itself


async def test_two_bot_processes_deliver_one_outbox_once_in_order(
    store: Store, store_target: StoreTarget, discord_emulator: DiscordEmulator
) -> None:
    emu = discord_emulator
    titles = [f"Story number {i}" for i in range(5)]
    await _setup(store, emu, titles)
    cid = emu.guilds[0].text_channel
    emu.rate_limit("POST", rf"/channels/{cid}/messages$", times=3, retry_after=0.01)
    other = store_target.open()
    try:
        async with (
            running_client(_client(), emu) as one,
            running_client(_client(), emu) as two,
        ):
            now = T0
            for _ in range(6):
                await asyncio.gather(
                    deliver_pending(store, {"discord": DiscordPlatform(one)}, worker_id="a",
                                    now=now),
                    deliver_pending(other, {"discord": DiscordPlatform(two)}, worker_id="b",
                                    now=now),
                )  # fmt: skip
                if not await _pending(store):
                    break
                now += timedelta(minutes=5)
    finally:
        await other.close()
    assert await _pending(store) == 0
    top = _top_level(emu)
    assert _titles(top) == ["## Morning digest — 5 stories", *titles]
    assert len(emu.threads) == 5
    assert all(len(emu.messages[int(m["id"])]) == 1 for m in top[1:])
