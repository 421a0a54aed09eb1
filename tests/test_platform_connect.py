"""Connecting the configured platform the way `newsdigest run` and `bot` do: settings in,
a connected platform out, its slash commands answered (real discord.py and slack-bolt against
the loopback emulators)."""

from __future__ import annotations

import asyncio
import io
import logging
import socket

import pytest

from bot.commands import Commands
from bot.config import Settings
from bot.feeds.fetch import Fetcher
from bot.platforms.connect import PlatformConfigError, Stopped, choose, connect
from bot.render.views import DigestView
from bot.store import Store
from tests.emulators.discord_emulator import DiscordEmulator
from tests.emulators.slack_emulator import SlackEmulator


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg,arg-type]


def test_the_tokens_choose_the_platform(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(f"NEWSDIGEST_{name}", raising=False)
    assert choose(settings()) == "console"
    assert choose(settings(slack_bot_token="xoxb-1")) == "slack"
    assert choose(settings(slack_bot_token="xoxb-1", discord_token="d")) == "discord"
    assert "xoxb-1" not in repr(settings(slack_bot_token="xoxb-1")), "secrets never printed"


async def test_discord_connects_syncs_commands_and_answers_them(
    store: Store, discord_emulator: DiscordEmulator
) -> None:
    emu = discord_emulator
    commands = Commands(store=store, fetcher=Fetcher())
    async with connect("discord", settings(discord_token=emu.token), commands) as platform:
        assert platform.name == "discord"
        assert sorted(c["name"] for c in emu.commands["global"]) == ["digest", "feeds", "news"]
        asked = await emu.send_slash_command("news", [{"type": 1, "name": "help", "options": []}])
        (answer,) = await emu.wait_for(lambda: emu.callbacks.get(int(asked["id"])))
        assert "/news search \\<words\\>" in answer["data"]["content"], "markdown kept inert"
        posted = await platform.post_digest_header(
            channel_id=str(emu.guilds[0].text_channel), digest=DigestView("Test digest"), key="k1"
        )
        assert posted.message_id


async def test_discord_with_a_refused_token_is_one_line(
    store: Store, discord_emulator: DiscordEmulator
) -> None:
    commands = Commands(store=store, fetcher=Fetcher())
    with pytest.raises(PlatformConfigError, match="refused the bot token"):
        async with connect("discord", settings(discord_token="wrong"), commands):
            pass


async def test_slack_connects_over_socket_mode_and_answers(
    store: Store, slack_emulator: SlackEmulator
) -> None:
    emu = slack_emulator
    commands = Commands(store=store, fetcher=Fetcher())
    configured = settings(
        slack_bot_token=emu.bot_token, slack_app_token=emu.app_token, slack_api_url=emu.api_url
    )
    async with connect("slack", configured, commands) as platform:
        assert platform.name == "slack" and emu.socket_connections == 1
        await emu.send_slash_command("/news", "help")
        (answer,) = await emu.wait_for(lambda: emu.responses)
        assert "/news search" in answer["text"]


async def test_slack_with_a_refused_app_token_is_one_line_not_a_retry(
    store: Store, slack_emulator: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    emu = slack_emulator
    commands = Commands(store=store, fetcher=Fetcher())
    configured = settings(
        slack_bot_token=emu.bot_token, slack_app_token="xapp-wrong", slack_api_url=emu.api_url
    )
    with pytest.raises(PlatformConfigError, match=r"refused the app token \(invalid_auth\)"):
        async with asyncio.timeout(15), connect("slack", configured, commands):
            pass
    sdk = [r for r in caplog.records if r.name == "bot.platforms.slack.socket_mode"]
    assert sdk, "the SDK logged the refusal"
    assert all("\n" not in r.getMessage() and not r.exc_info for r in sdk)
    assert emu.socket_connections == 0


async def test_slack_socket_that_refuses_connections_is_left_when_stop_is_set(
    store: Store, slack_emulator: SlackEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    """The socket URL is issued but its port refuses: the SDK retries every 10 s on its own,
    one line a failure, until `stop` is set."""
    emu = slack_emulator
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as closed:
        closed.bind(("127.0.0.1", 0))
        emu.socket_url = f"ws://127.0.0.1:{closed.getsockname()[1]}/socket"
        configured = settings(
            slack_bot_token=emu.bot_token, slack_app_token=emu.app_token, slack_api_url=emu.api_url
        )
        stop = asyncio.Event()
        connecting = connect(
            "slack", configured, Commands(store=store, fetcher=Fetcher()), stop=stop
        )
        entered = asyncio.create_task(connecting.__aenter__())
        failed = "Failed to connect"
        await emu.wait_for(lambda: any(failed in r.getMessage() for r in caplog.records), within=15)
        stop.set()
        with pytest.raises(Stopped):
            async with asyncio.timeout(5):
                await entered
    sdk = [r for r in caplog.records if r.name == "bot.platforms.slack.socket_mode"]
    assert sdk and all("\n" not in r.getMessage() and not r.exc_info for r in sdk)
    assert not any(
        "ticket=" in r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING
    )


async def test_slack_without_app_token_or_signing_secret_is_refused(store: Store) -> None:
    commands = Commands(store=store, fetcher=Fetcher())
    with pytest.raises(PlatformConfigError, match="SLACK_APP_TOKEN"):
        async with connect("slack", settings(slack_bot_token="xoxb-1"), commands):
            pass


async def test_console_prints(store: Store) -> None:
    out = io.StringIO()
    commands = Commands(store=store, fetcher=Fetcher())
    async with connect("console", settings(), commands, out=out) as platform:
        await platform.post_digest_header(channel_id="c", digest=DigestView("Evening"), key="k")
    assert "Evening" in out.getvalue()
