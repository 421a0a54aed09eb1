"""Retention seen from the chat side, end to end on the Discord and Slack emulators with the
real discord.py / slack_sdk: after `prune` has deleted an old story, a story still taking in
reports gets its thread update in the thread it already has, and a new story is posted as
new, never taken for one of the old messages whose "Story N" footer or metadata key it
could share if a pruned id were handed out again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import discord

from bot.digests.engine import deliver_pending, enqueue_story_updates, plan_due_digests
from bot.platforms.discord import DiscordPlatform
from bot.platforms.slack import SlackPlatform, web_client
from bot.store import EntryData, Store
from bot.store.models import Story
from bot.store.retention import prune
from tests.emulators.discord_emulator import DiscordEmulator, running_client
from tests.emulators.slack_emulator import SlackEmulator
from tests.support.newsroom import Newsroom

OLD = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
NOW = OLD + timedelta(days=40)
KEEP = timedelta(days=30)


class Aged:
    """Three stories posted to one channel 40 days ago: the first is pruned, the second is
    still changing (a new source two days ago), the third is the newest story and stays."""

    def __init__(self, store: Store, *, platform: str, workspace: str, channel: str) -> None:
        self.store = store
        self.where = {"platform": platform, "workspace": workspace, "channel": channel}
        self.room = Newsroom(store, now=OLD, platform=platform)
        self.stories: list[Story] = []

    async def post_old(self, platforms: dict[str, Any]) -> None:
        self.feed = await self.room.feed("Harbour Gazette")
        await self.room.subscribe(
            self.feed, workspace=self.where["workspace"], channel=self.where["channel"]
        )
        for i, title in enumerate(("Ferry strike", "Library opens", "Bridge closes")):
            at = OLD - timedelta(minutes=i)
            self.stories.append(
                await self.room.story(self.feed, title, facts=[f"Fact {i}."], at=at)
            )
        assert await plan_due_digests(self.store, now=OLD)
        await _deliver(self.store, platforms, OLD)

    async def age_and_prune(self) -> None:
        link = "https://harbour-gazette.example/next"
        await self.store.articles.upsert_entries(
            self.feed.id, [EntryData(guid=link, link=link, normalized_link=link[8:], title="Next")],
            backlog=False, now=NOW - timedelta(days=2),
        )  # fmt: skip
        self.room.now = NOW - timedelta(days=2)
        tribune = await self.room.feed("Harbour Tribune")
        await self.room.second_source(
            self.stories[1], tribune, "Library opens late", facts=["Hours are extended."]
        )
        await prune(self.store, older_than=KEEP, now=NOW)
        gone, changing, newest = self.stories
        assert await self.store.stories.get(gone.id) is None
        assert await self.store.stories.get(changing.id) is not None
        assert await self.store.stories.get(newest.id) is not None

    async def new_story_and_update(self, platforms: dict[str, Any]) -> Story:
        self.room.now = NOW
        fresh = await self.room.story(self.feed, "Harbour reopens", facts=["Boats sail."], at=NOW)
        assert fresh.id > max(s.id for s in self.stories), "no pruned id handed out again"
        assert await enqueue_story_updates(self.store, now=NOW) == 1
        assert await plan_due_digests(self.store, now=NOW)
        await _deliver(self.store, platforms, NOW)
        return fresh


async def _deliver(store: Store, platforms: dict[str, Any], now: datetime) -> None:
    for _ in range(3):
        report = await deliver_pending(store, platforms, worker_id="bot", now=now)
        assert report.failed == 0 and report.already_posted == 0, report
        if report.delivered == 0:
            return


async def test_discord_after_prune_updates_the_open_thread_and_posts_new_stories(
    store: Store, discord_emulator: DiscordEmulator
) -> None:
    emu = discord_emulator
    guild = emu.guilds[0]
    aged = Aged(store, platform="discord", workspace=str(guild.id), channel=str(guild.text_channel))
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
    async with running_client(client, emu):
        platforms = {"discord": DiscordPlatform(client, history_check=50)}
        await aged.post_old(platforms)
        by_title = {m["embeds"][0]["title"]: int(m["id"])
                    for m in emu.messages[guild.text_channel] if m["embeds"]}  # fmt: skip
        await aged.age_and_prune()
        fresh = await aged.new_story_and_update(platforms)
    cards = [m for m in emu.messages[guild.text_channel] if m["embeds"]]
    assert [m["embeds"][0]["title"] for m in cards] == [
        "Ferry strike", "Library opens", "Bridge closes", "Harbour reopens",
    ]  # fmt: skip
    assert cards[-1]["embeds"][0]["footer"]["text"].startswith(f"Story {fresh.id}")
    _opening, update = emu.messages[by_title["Library opens"]]
    assert "Harbour Tribune" in str(update), "the update went into the thread it already had"
    assert len(emu.messages[int(cards[-1]["id"])]) == 1, "the new story has its own thread"


async def test_slack_after_prune_updates_the_open_thread_and_posts_new_stories(
    store: Store, slack_emulator: SlackEmulator
) -> None:
    emu = slack_emulator
    aged = Aged(store, platform="slack", workspace=emu.team_id, channel="C0NEWS")
    client = web_client(token=emu.bot_token, base_url=emu.api_url)
    platforms = {"slack": SlackPlatform(client, min_interval=0)}
    await aged.post_old(platforms)
    await aged.age_and_prune()
    await aged.new_story_and_update(platforms)
    messages = [m for m in emu.channels["C0NEWS"] if len(m["blocks"]) > 1]
    titles = ("Ferry strike", "Library opens", "Bridge closes", "Harbour reopens")
    assert [next(t for t in titles if t in str(m["blocks"][0])) for m in messages] == list(titles)
    library = messages[1]
    assert len(library["replies"]) == 2 and "Harbour Tribune" in str(library["replies"][1])
    assert len(messages[-1]["replies"]) == 1, "the new story has its own thread"
