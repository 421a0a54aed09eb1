"""Connecting the configured chat platform, with its slash commands, for `run` and `bot`.

    async with connect("discord", settings, commands) as platform:
        ...   # connected (Discord: READY and commands synced); deliver through `platform`

`choose(settings)` picks the platform the tokens name: Discord when
`NEWSDIGEST_DISCORD_TOKEN` is set, else Slack when `NEWSDIGEST_SLACK_BOT_TOKEN` is set (Socket
Mode with `NEWSDIGEST_SLACK_APP_TOKEN`, else HTTP mode with the signing secret on
`NEWSDIGEST_SLACK_HTTP_HOST:PORT`), else the console (stdin commands, digests printed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import sys
from collections.abc import AsyncIterator
from typing import TextIO

from bot.commands.router import Commands
from bot.config import Settings
from bot.platforms.base import Platform

log = logging.getLogger(__name__)

PLATFORMS = ("discord", "slack", "console")


class PlatformConfigError(Exception):
    """The settings do not allow connecting to the chosen platform (one line for the user)."""


def choose(settings: Settings) -> str:
    if settings.discord_token is not None and settings.discord_token.get_secret_value():
        return "discord"
    if settings.slack_bot_token is not None and settings.slack_bot_token.get_secret_value():
        return "slack"
    return "console"


@contextlib.asynccontextmanager
async def connect(
    name: str, settings: Settings, commands: Commands, *, out: TextIO | None = None
) -> AsyncIterator[Platform]:
    """The platform `name`, connected, with slash commands answered by `commands`."""
    if name == "discord":
        async with _discord(settings, commands) as platform:
            yield platform
    elif name == "slack":
        async with _slack(settings, commands) as platform:
            yield platform
    elif name == "console":
        from bot.platforms.console import ConsolePlatform

        yield ConsolePlatform(out or sys.stdout)
    else:
        raise PlatformConfigError(f"unknown platform {name!r}; choose one of {PLATFORMS}")


def _secret(value: object) -> str:
    getter = getattr(value, "get_secret_value", None)
    return getter() if getter is not None else ""


@contextlib.asynccontextmanager
async def _discord(settings: Settings, commands: Commands) -> AsyncIterator[Platform]:
    import discord
    from discord import app_commands

    from bot.platforms.discord import DiscordPlatform, make_client
    from bot.platforms.discord_commands import register_commands

    token = _secret(settings.discord_token)
    if not token:
        raise PlatformConfigError("set NEWSDIGEST_DISCORD_TOKEN to run on Discord")
    client = make_client(sharded=settings.discord_sharded)
    tree = app_commands.CommandTree(client)
    guild = None
    if settings.discord_command_guild:
        guild = discord.Object(int(settings.discord_command_guild))
    register_commands(tree, commands, guild=guild)
    task = asyncio.create_task(client.start(token))
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        done, _ = await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            task.result()
            raise PlatformConfigError("the Discord connection closed before it was ready")
        await tree.sync(guild=guild)
        log.info("connected to Discord as %s", client.user)
        yield DiscordPlatform(client)
    except discord.LoginFailure:
        raise PlatformConfigError("Discord refused the bot token") from None
    finally:
        ready.cancel()
        await client.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


@contextlib.asynccontextmanager
async def _slack(settings: Settings, commands: Commands) -> AsyncIterator[Platform]:
    from aiohttp import web

    from bot.platforms.slack import (
        SlackPlatform,
        build_app,
        http_app,
        socket_mode_handler,
        web_client,
    )
    from bot.platforms.slack_commands import register_commands

    token = _secret(settings.slack_bot_token)
    app_token = _secret(settings.slack_app_token)
    signing_secret = _secret(settings.slack_signing_secret)
    if not token:
        raise PlatformConfigError("set NEWSDIGEST_SLACK_BOT_TOKEN to run on Slack")
    if not app_token and not signing_secret:
        raise PlatformConfigError(
            "set NEWSDIGEST_SLACK_APP_TOKEN (Socket Mode) or NEWSDIGEST_SLACK_SIGNING_SECRET "
            "(HTTP mode)"
        )
    client = web_client(token=token, base_url=settings.slack_api_url)
    # Socket Mode requests arrive over our own authenticated socket and are not signed.
    app = build_app(client=client, signing_secret=signing_secret or secrets.token_hex(16))
    register_commands(app, commands, moderator_ids=settings.slack_moderator_ids())
    if app_token:
        handler = socket_mode_handler(app, app_token=app_token)
        await handler.connect_async()
        log.info("connected to Slack over Socket Mode")
        try:
            yield SlackPlatform(client)
        finally:
            await handler.close_async()
        return
    runner = web.AppRunner(http_app(app), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, settings.slack_http_host, settings.slack_http_port)
    await site.start()
    log.info(
        "serving Slack HTTP mode on %s:%d/slack/events",
        settings.slack_http_host,
        settings.slack_http_port,
    )
    try:
        yield SlackPlatform(client)
    finally:
        await runner.cleanup()


__all__ = ["PLATFORMS", "PlatformConfigError", "choose", "connect"]
