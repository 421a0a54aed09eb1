"""`/news follow | unfollow | following` and the per-member mention limit on every surface:
the real discord.py (app_commands) and slack-bolt (Socket Mode) against the loopback
emulators, and the console's own command loop, each over the real store."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.digests.engine import deliver_pending, plan_due_digests
from bot.digests.pings import MAX_TOPICS_PER_MEMBER, PINGS_PER_WINDOW
from bot.digests.plan import plan_digest_now
from bot.platforms.console import ConsolePlatform
from bot.platforms.discord import DiscordPlatform
from bot.platforms.slack import SlackPlatform, web_client
from bot.store import Store
from tests.emulators.discord_emulator import DiscordEmulator
from tests.emulators.slack_emulator import SlackEmulator
from tests.support import chat
from tests.support.newsroom import Newsroom

T0 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def log_records(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """discord.py swallows handler errors into its logger; keep them for failure messages."""
    caplog.set_level(logging.WARNING)
    return caplog


def discord_bot(store: Store, emu: DiscordEmulator) -> Any:
    return chat.discord_bot(store, emu, now=T0)


def slack_bot(store: Store, emu: SlackEmulator) -> Any:
    return chat.slack_bot(store, emu, now=T0)


async def console_lines(store: Store, *lines: str) -> str:
    return await chat.console_lines(store, *lines, now=T0)


# --- /news unfollow ---------------------------------------------------------------------------


async def test_discord_unfollow_stops_only_the_named_topics(
    store: Store, discord_emulator: DiscordEmulator, log_records: pytest.LogCaptureFixture
) -> None:
    emu = discord_emulator
    guild = emu.guilds[0]
    where = f"<#{guild.text_channel}>"
    async with discord_bot(store, emu) as (ask, _):
        assert "You follow “ferry”, “rail”" in await ask("news", "follow", words="ferry, rail")
        gone = await ask("news", "unfollow", words="Rail, tram")
        assert gone == f"You no longer follow “rail” in {where}.", log_records.text
        missing = await ask("news", "unfollow", words="tram")
        assert missing.startswith(f"⚠️ you do not follow “tram” in {where}"), missing
        assert "\n" not in missing
    rows = await store.follows.following(
        platform="discord", workspace_id=str(guild.id), user_id=str(guild.member_ids[-1])
    )
    assert rows == [(str(guild.text_channel), "ferry")]


async def test_slack_unfollow_stops_only_the_named_topics(
    store: Store, slack_emulator: SlackEmulator
) -> None:
    emu = slack_emulator
    async with slack_bot(store, emu) as ask:
        assert "You follow “ferry”, “rail”" in await ask("/news", "follow ferry, rail")
        gone = await ask("/news", "unfollow Rail, tram")
        assert gone.startswith("You no longer follow “rail” in <#C0NEWS>"), gone
        missing = await ask("/news", "unfollow tram")
        assert missing.startswith(":warning: you do not follow “tram” in <#C0NEWS>"), missing
        assert "\n" not in missing
    rows = await store.follows.following(
        platform="slack", workspace_id=emu.team_id, user_id="U0MEMBER"
    )
    assert rows == [("C0NEWS", "ferry")]


async def test_console_unfollow_stops_only_the_named_topics(store: Store) -> None:
    out = await console_lines(
        store, "/news follow ferry, rail", "/news unfollow rail, tram", "/news unfollow tram"
    )
    assert "You no longer follow “rail” in #console." in out
    assert "error: you do not follow “tram” in #console" in out
    rows = await store.follows.following(
        platform="console", workspace_id="console", user_id="operator"
    )
    assert rows == [("console", "ferry")]


# --- /news following, bounded ------------------------------------------------------------------

FIRST = ", ".join(f"topic{i}" for i in range(MAX_TOPICS_PER_MEMBER - 1))
FULL = f"You follow {MAX_TOPICS_PER_MEMBER} of at most {MAX_TOPICS_PER_MEMBER} topics:"


def _listed(where: str, *extra: str) -> str:
    topics = [f"topic{i}" for i in range(MAX_TOPICS_PER_MEMBER - 1)] + list(extra)
    return f"{where}: " + ", ".join(f"“{t}”" for t in topics)


async def test_discord_following_lists_topics_up_to_the_limit(
    store: Store, discord_emulator: DiscordEmulator, log_records: pytest.LogCaptureFixture
) -> None:
    emu = discord_emulator
    where = f"<#{emu.guilds[0].text_channel}>"
    async with discord_bot(store, emu) as (ask, _):
        assert (await ask("news", "following")).startswith("You follow no topics")
        await ask("news", "follow", words=FIRST)
        partly = await ask("news", "follow", words="last, extra")
        assert (
            "You follow “last”" in partly
            and f"limit of {MAX_TOPICS_PER_MEMBER} topics: “extra”" in partly
        ), partly
        over = await ask("news", "follow", words="more")
        assert over.startswith("⚠️ ") and "\n" not in over and "limit" in over
        listing = await ask("news", "following")
    assert listing.splitlines() == [FULL, _listed(where, "last")], log_records.text


async def test_slack_following_lists_topics_up_to_the_limit(
    store: Store, slack_emulator: SlackEmulator
) -> None:
    async with slack_bot(store, slack_emulator) as ask:
        assert (await ask("/news", "following")).startswith("You follow no topics")
        await ask("/news", f"follow {FIRST}")
        partly = await ask("/news", "follow last, extra")
        assert (
            "You follow “last”" in partly
            and f"limit of {MAX_TOPICS_PER_MEMBER} topics: “extra”" in partly
        ), partly
        over = await ask("/news", "follow more")
        assert over.startswith(":warning: ") and "\n" not in over and "limit" in over
        listing = await ask("/news", "following")
    assert listing.splitlines() == [FULL, _listed("<#C0NEWS>", "last")]


async def test_console_following_lists_topics_up_to_the_limit(store: Store) -> None:
    out = await console_lines(
        store, f"/news follow {FIRST}", "/news follow last, extra", "/news follow more",
        "/news following",
    )  # fmt: skip
    lines = out.splitlines()
    assert lines[-2:] == [FULL, _listed("#console", "last")], out
    assert any(line.startswith("error: ") and "limit" in line for line in lines)


# --- mentions are rate-limited per member ------------------------------------------------------

LATER = T0 + timedelta(hours=1, minutes=1)


async def _ferry_news(store: Store, *, platform: str, workspace: str, channel: str) -> Any:
    """More matching stories than a member may be mentioned for in one window, all due now;
    returns a function adding one more story (due at LATER) and planning its digest."""
    room = Newsroom(store, now=T0, platform=platform)
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, workspace=workspace, channel=channel, max_stories=20)
    for i in range(PINGS_PER_WINDOW + 2):
        at = T0 - timedelta(minutes=i)
        await room.story(feed, f"Ferry news {i}", facts=[f"Ferry fact {i}."], at=at)
    assert await plan_due_digests(store, now=T0)

    async def one_more() -> None:
        room.now = LATER
        await room.story(feed, "Ferry news late", facts=["Late ferry fact."], at=LATER)
        planned = await plan_digest_now(
            store, platform=platform, workspace_id=workspace, channel_id=channel, now=LATER
        )
        assert planned is not None

    return one_more


async def _deliver(store: Store, platforms: dict[str, Any], now: datetime) -> None:
    for _ in range(3):
        report = await deliver_pending(store, platforms, worker_id="bot", now=now)
        assert report.failed == 0
        if report.delivered == 0:
            return


async def test_discord_mentions_a_member_at_most_the_limit_per_window(
    store: Store, discord_emulator: DiscordEmulator, log_records: pytest.LogCaptureFixture
) -> None:
    emu = discord_emulator
    guild = emu.guilds[0]
    follower = guild.member_ids[-1]

    def mentions() -> list[str]:
        stories = [m for m in emu.messages[guild.text_channel] if m["embeds"]]
        return [
            story["embeds"][0]["title"]
            for story in stories
            for m in emu.messages.get(int(story["id"]), [])
            if m["content"].startswith(f"🔔 <@{follower}>")
        ]

    async with discord_bot(store, emu) as (ask, client):
        assert "You follow “ferry”" in await ask("news", "follow", words="ferry"), log_records.text
        one_more = await _ferry_news(
            store, platform="discord", workspace=str(guild.id), channel=str(guild.text_channel)
        )
        platform = {"discord": DiscordPlatform(client)}
        await _deliver(store, platform, T0)
        assert (
            len([m for m in emu.messages[guild.text_channel] if m["embeds"]])
            == PINGS_PER_WINDOW + 2
        )
        first = mentions()
        assert len(first) == PINGS_PER_WINDOW
        await one_more()
        await _deliver(store, platform, LATER)
    assert mentions() == [*first, "Ferry news late"], "the window reset an hour later"


async def test_slack_mentions_a_member_at_most_the_limit_per_window(
    store: Store, slack_emulator: SlackEmulator
) -> None:
    emu = slack_emulator

    def mentions() -> list[str]:
        return [
            story["text"]
            for story in emu.channels["C0NEWS"]
            for reply in story.get("replies", [])
            if reply["text"].startswith(":bell: <@U0MEMBER>")
        ]

    async with slack_bot(store, emu) as ask:
        assert "You follow “ferry”" in await ask("/news", "follow ferry")
    one_more = await _ferry_news(store, platform="slack", workspace=emu.team_id, channel="C0NEWS")
    client = web_client(token=emu.bot_token, base_url=emu.api_url)
    platform = {"slack": SlackPlatform(client, min_interval=0)}
    await _deliver(store, platform, T0)
    first = mentions()
    assert len(first) == PINGS_PER_WINDOW
    await one_more()
    await _deliver(store, platform, LATER)
    later = mentions()
    assert len(later) == PINGS_PER_WINDOW + 1 and "Ferry news late" in later[-1]


async def test_console_mentions_the_operator_at_most_the_limit_per_window(store: Store) -> None:
    assert "You follow “ferry”" in await console_lines(store, "/news follow ferry")
    one_more = await _ferry_news(store, platform="console", workspace="console", channel="console")
    out = io.StringIO()
    platform = {"console": ConsolePlatform(out)}
    await _deliver(store, platform, T0)
    assert out.getvalue().count("[story ") == PINGS_PER_WINDOW + 2
    assert out.getvalue().count("[ping] @operator — you follow: ferry") == PINGS_PER_WINDOW
    await one_more()
    await _deliver(store, platform, LATER)
    assert out.getvalue().count("[ping] @operator — you follow: ferry") == PINGS_PER_WINDOW + 1


# --- a ping that cannot be delivered fails once ------------------------------------------------


async def _one_followed_story(
    store: Store, *, platform: str, workspace: str, channel: str, log_channel: str
) -> None:
    room = Newsroom(store, now=T0, platform=platform)
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, workspace=workspace, channel=channel, log_channel_id=log_channel)
    await room.story(feed, "Ferry strike ends", facts=["Crews return."], at=T0)
    assert await plan_due_digests(store, now=T0)


async def test_discord_ping_into_a_deleted_thread_fails_once_and_tells_no_one(
    store: Store, discord_emulator: DiscordEmulator, log_records: pytest.LogCaptureFixture
) -> None:
    emu = discord_emulator
    guild = emu.guilds[0]
    mods = emu.add_text_channel(guild, "mods")
    async with discord_bot(store, emu) as (ask, client):
        assert "You follow “ferry”" in await ask("news", "follow", words="ferry"), log_records.text
        await _one_followed_story(
            store, platform="discord", workspace=str(guild.id),
            channel=str(guild.text_channel), log_channel=str(mods),
        )  # fmt: skip
        platform = {"discord": DiscordPlatform(client)}
        first = await deliver_pending(store, platform, worker_id="bot", now=T0, limit=2)
        assert first.delivered == 2, "the digest header and the story with its thread"
        (thread_id,) = emu.threads
        del emu.threads[thread_id]  # a moderator deletes the thread
        failed = await deliver_pending(store, platform, worker_id="bot", now=T0)
        ((key, reason),) = failed.failures
        assert key.startswith("p") and reason.endswith("(404): Unknown Channel"), reason
        calls = len(emu.calls)
        for minutes in (1, 10, 60):
            later = await deliver_pending(
                store, platform, worker_id="bot", now=T0 + timedelta(minutes=minutes)
            )
            assert (later.delivered, later.failed, later.retrying) == (0, 0, 0)
    assert len(emu.calls) == calls, "never tried again"
    assert emu.messages.get(mods, []) == [], "moderators are not told about a ping"


async def test_slack_ping_into_an_archived_channel_fails_once_and_tells_no_one(
    store: Store, slack_emulator: SlackEmulator
) -> None:
    emu = slack_emulator
    async with slack_bot(store, emu) as ask:
        assert "You follow “ferry”" in await ask("/news", "follow ferry")
    await _one_followed_story(store, platform="slack", workspace=emu.team_id, channel="C0NEWS",
                              log_channel="C0MODS")  # fmt: skip
    client = web_client(token=emu.bot_token, base_url=emu.api_url)
    platform = {"slack": SlackPlatform(client, min_interval=0)}
    first = await deliver_pending(store, platform, worker_id="bot", now=T0, limit=2)
    assert first.delivered == 2, "the digest header and the story with its thread"
    emu.refuse("chat.postMessage", "is_archived")
    failed = await deliver_pending(store, platform, worker_id="bot", now=T0)
    ((key, reason),) = failed.failures
    assert key.startswith("p") and reason.endswith("is_archived"), reason
    calls = len(emu.calls)
    for minutes in (1, 10, 60):
        later = await deliver_pending(
            store, platform, worker_id="bot", now=T0 + timedelta(minutes=minutes)
        )
        assert (later.delivered, later.failed, later.retrying) == (0, 0, 0)
    assert len(emu.calls) == calls, "never tried again"
    assert "C0MODS" not in emu.channels, "moderators are not told about a ping"
