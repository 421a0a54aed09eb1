"""`/feeds health-channel`, end to end: a moderator names the channel through the real
discord.py / slack-bolt apps against the loopback emulators (and on the console's command
loop), then a failing feed's notice goes there and not to the channel that follows it."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.digests.engine import deliver_pending
from bot.digests.health import notify_feed_health
from bot.platforms.console import ConsolePlatform
from bot.platforms.discord import DiscordPlatform
from bot.platforms.slack import SlackPlatform, web_client
from bot.store import Store
from bot.store.models import Feed
from tests.emulators.discord_emulator import EVERYONE_PERMISSIONS, MANAGE_GUILD, DiscordEmulator
from tests.emulators.slack_emulator import SlackEmulator
from tests.support import chat
from tests.support.newsroom import Newsroom

T0 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
FAILING = "⚠ Feed “Harbour Gazette” is failing"


@pytest.fixture
def log_records(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING)
    return caplog


async def _followed_feed(store: Store, *, platform: str, workspace: str, channel: str) -> Feed:
    room = Newsroom(store, now=T0, platform=platform)
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, workspace=workspace, channel=channel, due=False)
    return feed


async def _fail(store: Store, feed: Feed) -> None:
    async with store.session() as s:
        row = await s.get(Feed, feed.id)
        assert row is not None
        row.error_count, row.last_error = 5, "HTTP 404"
        row.last_success_at = T0 - timedelta(days=1)


async def _announce(store: Store, platforms: dict[str, Any]) -> None:
    for minute in range(3):
        at = T0 + timedelta(minutes=minute)
        await notify_feed_health(store, now=at)
        report = await deliver_pending(store, platforms, worker_id="bot", now=at)
        assert report.failed == 0


async def test_discord_notices_go_to_the_channel_the_command_names(
    store: Store, discord_emulator: DiscordEmulator, log_records: pytest.LogCaptureFixture
) -> None:
    emu = discord_emulator
    guild = emu.guilds[0]
    mods = emu.add_text_channel(guild, "mods")
    feed = await _followed_feed(store, platform="discord", workspace=str(guild.id),
                                channel=str(guild.text_channel))  # fmt: skip
    resolved = {"channels": {str(mods): {"id": str(mods), "name": "mods", "type": 0,
                "permissions": str(EVERYONE_PERMISSIONS | MANAGE_GUILD)}}}  # fmt: skip
    async with chat.discord_bot(store, emu, now=T0) as (ask, client):
        refused = await ask("feeds", "health-channel", channel=str(mods), resolved=resolved)
        assert refused.startswith("⚠️ ") and "moderators" in refused, refused
        answer = await ask(
            "feeds", "health-channel", moderator=True, channel=str(mods), resolved=resolved
        )
        assert f"now go to <#{mods}>" in answer, log_records.text
        await _fail(store, feed)
        await _announce(store, {"discord": DiscordPlatform(client)})
    (notice,) = emu.messages[mods]
    assert notice["embeds"][0]["title"] == FAILING
    assert notice["allowed_mentions"] == {"parse": []}
    assert emu.messages.get(guild.text_channel, []) == [], "not in the feed's own channel"


async def test_slack_notices_go_to_the_channel_the_command_names(
    store: Store, slack_emulator: SlackEmulator
) -> None:
    emu = slack_emulator
    feed = await _followed_feed(store, platform="slack", workspace=emu.team_id, channel="C0NEWS")
    async with chat.slack_bot(store, emu, now=T0) as ask:
        refused = await ask("/feeds", "health-channel <#C0MODS|mods>")
        assert refused.startswith(":warning: ") and "moderators" in refused, refused
        answer = await ask("/feeds", "health-channel <#C0MODS|mods>", user_id="U0ADMIN")
        assert "now go to <#C0MODS>" in answer, answer
    await _fail(store, feed)
    client = web_client(token=emu.bot_token, base_url=emu.api_url)
    await _announce(store, {"slack": SlackPlatform(client, min_interval=0)})
    (notice,) = emu.channels["C0MODS"]
    assert "Feed “Harbour Gazette” is failing" in notice["text"]
    assert emu.channels.get("C0NEWS", []) == [], "not in the feed's own channel"


async def test_console_notices_go_to_the_channel_the_command_names(store: Store) -> None:
    feed = await _followed_feed(store, platform="console", workspace="console", channel="console")
    said = await chat.console_lines(store, "/feeds health-channel mods", now=T0)
    assert "now go to #mods" in said and "error:" not in said, said
    await _fail(store, feed)
    out = io.StringIO()
    await _announce(store, {"console": ConsolePlatform(out)})
    notices = [line for line in out.getvalue().splitlines() if line.startswith("[notice ")]
    assert notices == ["[notice #mods] Feed “Harbour Gazette” is failing"], out.getvalue()
