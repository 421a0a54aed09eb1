"""`/news follow | unfollow | following` and the per-member mention limit on every surface:
the real discord.py (app_commands) and slack-bolt (Socket Mode) against the loopback
emulators, and the console's own command loop, each over the real store."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from discord import app_commands

from bot.commands import Commands
from bot.digests.pings import MAX_TOPICS_PER_MEMBER
from bot.feeds.fetch import Fetcher
from bot.platforms.console import serve_commands
from bot.platforms.discord import make_client
from bot.platforms.discord_commands import register_commands
from bot.platforms.slack import build_app, socket_mode_handler, web_client
from bot.platforms.slack_commands import register_commands as register_slack_commands
from bot.store import Store
from tests.emulators.discord_emulator import DiscordEmulator, running_client
from tests.emulators.slack_emulator import SlackEmulator
from tests.feed_site import Clock

T0 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
Ask = Callable[..., Awaitable[str]]


@pytest.fixture
def log_records(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """discord.py swallows handler errors into its logger; keep them for failure messages."""
    caplog.set_level(logging.WARNING)
    return caplog


@asynccontextmanager
async def discord_bot(store: Store, emu: DiscordEmulator) -> AsyncIterator[tuple[Ask, Any]]:
    """A running bot; `ask(group, name, **options)` sends a member's command, returns the answer."""
    async with Fetcher() as fetcher:
        commands = Commands(store=store, fetcher=fetcher, clock=Clock(T0))
        client = make_client(guild_ready_timeout=0.05)
        tree = app_commands.CommandTree(client)
        register_commands(tree, commands)

        async def ask(group: str, name: str, **options: str) -> str:
            inner = [{"type": 3, "name": k, "value": v} for k, v in options.items()]
            sent = await emu.send_slash_command(
                group, [{"type": 1, "name": name, "options": inner}]
            )
            iid = int(sent["id"])
            (callback,) = await emu.wait_for(lambda: emu.callbacks.get(iid), within=20)
            assert callback["data"]["flags"] == 64, "answered to the member alone"
            return str(callback["data"]["content"])

        async with running_client(client, emu):
            await tree.sync()
            yield ask, client


@asynccontextmanager
async def slack_bot(store: Store, emu: SlackEmulator) -> AsyncIterator[Ask]:
    """A running Socket Mode app; `ask("/news", "text", user_id=…)` returns the answer text."""
    async with Fetcher() as fetcher:
        commands = Commands(store=store, fetcher=fetcher, clock=Clock(T0))
        client = web_client(token=emu.bot_token, base_url=emu.api_url)
        app = build_app(client=client, signing_secret=emu.signing_secret)
        register_slack_commands(app, commands, moderator_ids=[])
        handler = socket_mode_handler(app, app_token=emu.app_token)
        await handler.connect_async()

        async def ask(command: str, text: str, *, user_id: str = "U0MEMBER") -> str:
            n = len(emu.responses)
            await emu.send_slash_command(command, text, user_id=user_id)
            await emu.wait_for(lambda: len(emu.responses) > n, within=20)
            answer = emu.responses[n]
            assert answer["response_type"] == "ephemeral"
            return str(answer["text"])

        try:
            yield ask
        finally:
            await handler.close_async()


async def console_lines(store: Store, *lines: str) -> str:
    async def source() -> AsyncIterator[str]:
        for line in lines:
            yield line

    out = io.StringIO()
    async with Fetcher() as fetcher:
        commands = Commands(store=store, fetcher=fetcher, clock=Clock(T0))
        assert await serve_commands(commands, source(), out=out) == len(lines)
    return out.getvalue()


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
