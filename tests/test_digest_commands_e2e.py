"""`/digest layout` and `/digest size` typed by a moderator through the real discord.py and
slack-bolt apps against the loopback emulators, then the next digest as the emulators receive
it: at most that many stories, each one compact line with its thread still opened."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.digests.engine import deliver_pending, plan_due_digests
from bot.platforms.discord import DiscordPlatform
from bot.platforms.slack import SlackPlatform, web_client
from bot.store import Store
from tests.emulators.discord_emulator import DiscordEmulator
from tests.emulators.slack_emulator import SlackEmulator
from tests.support import chat
from tests.support.newsroom import Newsroom

T0 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
TITLES = ("Ferry returns to the harbour", "Library opens late", "Bridge repairs begin")


@pytest.fixture
def log_records(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING)
    return caplog


async def _three_stories(store: Store, *, platform: str, workspace: str, channel: str) -> None:
    room = Newsroom(store, now=T0, platform=platform)
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, workspace=workspace, channel=channel)
    for i, title in enumerate(TITLES):
        await room.story(
            feed, title, facts=[f"Lead fact {i}.", "More."], at=T0 - timedelta(minutes=i)
        )


async def _deliver(store: Store, platforms: dict[str, Any]) -> None:
    for _ in range(3):
        report = await deliver_pending(store, platforms, worker_id="bot", now=T0)
        assert report.failed == 0
        if report.delivered == 0:
            return


def _titles(messages: list[dict[str, Any]]) -> list[str]:
    return [t for m in messages for t in TITLES if t in str(m)]


# --- /digest layout compact ---------------------------------------------------------------------


async def test_discord_layout_command_makes_the_next_digest_compact_with_threads(
    store: Store, discord_emulator: DiscordEmulator, log_records: pytest.LogCaptureFixture
) -> None:
    emu = discord_emulator
    guild = emu.guilds[0]
    await _three_stories(store, platform="discord", workspace=str(guild.id),
                         channel=str(guild.text_channel))  # fmt: skip
    async with chat.discord_bot(store, emu, now=T0) as (ask, client):
        refused = await ask("digest", "layout", style="compact")
        assert refused.startswith("⚠️ ") and "moderators" in refused, refused
        layout = await ask("digest", "layout", moderator=True, style="compact")
        assert "one line per story" in layout, log_records.text
        assert await plan_due_digests(store, now=T0)
        await _deliver(store, {"discord": DiscordPlatform(client)})
    header, *lines = emu.messages[guild.text_channel]
    assert header["content"].startswith("## ") and _titles(lines) == list(TITLES)
    for message in lines:
        assert message["embeds"] == [] and "\n" not in message["content"]
        assert message["flags"] & 4, "link previews suppressed"
        (opening,) = emu.messages[int(message["id"])]
        assert opening["embeds"][0]["footer"]["text"].startswith("Story ")
    assert len(emu.threads) == len(TITLES)


async def test_slack_layout_command_makes_the_next_digest_compact_with_threads(
    store: Store, slack_emulator: SlackEmulator
) -> None:
    emu = slack_emulator
    await _three_stories(store, platform="slack", workspace=emu.team_id, channel="C0NEWS")
    async with chat.slack_bot(store, emu, now=T0) as ask:
        refused = await ask("/digest", "layout compact")
        assert refused.startswith(":warning: ") and "moderators" in refused, refused
        assert "one line per story" in await ask("/digest", "layout compact", user_id="U0ADMIN")
    assert await plan_due_digests(store, now=T0)
    client = web_client(token=emu.bot_token, base_url=emu.api_url)
    await _deliver(store, {"slack": SlackPlatform(client, min_interval=0)})
    _header, *lines = emu.channels["C0NEWS"]
    assert _titles(lines) == list(TITLES)
    for message in lines:
        (block,) = message["blocks"]
        assert "\n" not in block["text"]["text"]
        (opening,) = message["replies"]
        assert opening["text"].startswith("Summary: ")


# --- /digest size N -----------------------------------------------------------------------------


async def test_discord_size_command_bounds_the_next_digest(
    store: Store, discord_emulator: DiscordEmulator, log_records: pytest.LogCaptureFixture
) -> None:
    emu = discord_emulator
    guild = emu.guilds[0]
    await _three_stories(store, platform="discord", workspace=str(guild.id),
                         channel=str(guild.text_channel))  # fmt: skip
    async with chat.discord_bot(store, emu, now=T0) as (ask, client):
        refused = await ask("digest", "size", stories=2)
        assert refused.startswith("⚠️ ") and "moderators" in refused, refused
        too_many = await ask("digest", "size", moderator=True, stories=21)
        assert too_many.startswith("⚠️ ") and "\n" not in too_many, too_many
        size = await ask("digest", "size", moderator=True, stories=2)
        assert "at most 2 stories" in size, log_records.text
        assert await plan_due_digests(store, now=T0)
        await _deliver(store, {"discord": DiscordPlatform(client)})
    header, *cards = emu.messages[guild.text_channel]
    assert "2 stories" in header["content"]
    assert [m["embeds"][0]["title"] for m in cards] == list(TITLES[:2]), "newest first, full cards"
    assert len(emu.threads) == 2


async def test_slack_size_command_bounds_the_next_digest(
    store: Store, slack_emulator: SlackEmulator
) -> None:
    emu = slack_emulator
    await _three_stories(store, platform="slack", workspace=emu.team_id, channel="C0NEWS")
    async with chat.slack_bot(store, emu, now=T0) as ask:
        refused = await ask("/digest", "size 2")
        assert refused.startswith(":warning: ") and "moderators" in refused, refused
        lots = await ask("/digest", "size lots", user_id="U0ADMIN")
        assert lots.startswith(":warning: ") and "whole number" in lots, lots
        assert "at most 2 stories" in await ask("/digest", "size 2", user_id="U0ADMIN")
    assert await plan_due_digests(store, now=T0)
    client = web_client(token=emu.bot_token, base_url=emu.api_url)
    await _deliver(store, {"slack": SlackPlatform(client, min_interval=0)})
    _header, *cards = emu.channels["C0NEWS"]
    assert _titles(cards) == list(TITLES[:2])
    assert all(len(m["blocks"]) > 1 and len(m["replies"]) == 1 for m in cards), "full cards"
