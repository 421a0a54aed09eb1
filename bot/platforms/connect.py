"""Connecting the configured chat platform, with its slash commands, for `run` and `bot`.

    async with connect("discord", settings, commands) as platform:
        ...   # connected (Discord: READY and commands synced); deliver through `platform`

`choose(settings)` picks the platform the tokens name: Discord when
`NEWSDIGEST_DISCORD_TOKEN` is set, else Slack when `NEWSDIGEST_SLACK_BOT_TOKEN` is set (Socket
Mode with `NEWSDIGEST_SLACK_APP_TOKEN`, else HTTP mode with the signing secret on
`NEWSDIGEST_SLACK_HTTP_HOST:PORT`), else the console (stdin commands, digests printed).

Connecting retries an unreachable platform with backoff, one log line an attempt; setting
`stop` (SIGTERM) meanwhile closes the client and raises `Stopped`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import secrets
import sys
from collections.abc import AsyncIterator, Awaitable
from typing import TextIO, TypeVar

from bot.commands.router import Commands
from bot.config import Settings
from bot.platforms.base import Platform

log = logging.getLogger(__name__)

PLATFORMS = ("discord", "slack", "console")

T = TypeVar("T")


class PlatformConfigError(Exception):
    """The settings do not allow connecting to the chosen platform (one line for the user)."""


class Stopped(Exception):
    """`stop` was set before the platform was connected."""


async def _unless_stopped(step: Awaitable[T], stop: asyncio.Event | None) -> T:
    """`await step`, or Stopped (with `step` cancelled) as soon as `stop` is set."""
    task = asyncio.ensure_future(step)
    if stop is None:
        return await task
    stopping = asyncio.create_task(stop.wait())
    try:
        done, _ = await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
        if not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
    if task not in done:
        raise Stopped
    return task.result()


def choose(settings: Settings) -> str:
    if settings.discord_token is not None and settings.discord_token.get_secret_value():
        return "discord"
    if settings.slack_bot_token is not None and settings.slack_bot_token.get_secret_value():
        return "slack"
    return "console"


@contextlib.asynccontextmanager
async def connect(
    name: str,
    settings: Settings,
    commands: Commands,
    *,
    out: TextIO | None = None,
    stop: asyncio.Event | None = None,
) -> AsyncIterator[Platform]:
    """The platform `name`, connected, with slash commands answered by `commands`; Stopped if
    `stop` is set first."""
    if name == "discord":
        async with _discord(settings, commands, stop) as platform:
            yield platform
    elif name == "slack":
        async with _slack(settings, commands, stop) as platform:
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
async def _discord(
    settings: Settings, commands: Commands, stop: asyncio.Event | None
) -> AsyncIterator[Platform]:
    import discord
    from aiohttp import ClientError
    from discord import app_commands

    from bot.platforms.discord import DiscordPlatform, make_client
    from bot.platforms.discord_commands import register_commands
    from bot.platforms.logs import one_line, reason
    from bot.platforms.retry import retry_delay

    token = _secret(settings.discord_token)
    if not token:
        raise PlatformConfigError("set NEWSDIGEST_DISCORD_TOKEN to run on Discord")
    guild = None
    if settings.discord_command_guild:
        guild = discord.Object(int(settings.discord_command_guild))
    one_line(logging.getLogger("discord.client"))
    unreachable = (OSError, ClientError, discord.GatewayNotFound, discord.DiscordServerError)

    async def start() -> tuple[discord.Client, app_commands.CommandTree, asyncio.Task[None]]:
        """A client that is READY, after as many tries as it takes (one log line a failure).

        A client is not reused after a failed try: discord.py 2.7 cannot retry a first gateway
        connection (its reconnect reads `client.ws`, still None, and raises AttributeError from
        the connection error), and a closed client has closed its HTTP connector.
        """
        for attempt in itertools.count():
            client = make_client(sharded=settings.discord_sharded)
            tree = app_commands.CommandTree(client)
            register_commands(tree, commands, guild=guild)
            task = asyncio.create_task(client.start(token))
            ready = asyncio.create_task(client.wait_until_ready())
            try:
                done, _ = await asyncio.wait({task, ready}, return_when=asyncio.FIRST_COMPLETED)
            except BaseException:
                await _close(client, task)
                raise
            finally:
                ready.cancel()
            if ready in done:
                return client, tree, task
            await _close(client, task)
            exc = task.exception()
            if exc is None:
                raise PlatformConfigError("the Discord connection closed before it was ready")
            cause = next((e for e in _chain(exc) if isinstance(e, unreachable)), None)
            if cause is None:
                raise exc
            delay = retry_delay(attempt)
            log.warning("Discord: cannot connect (%s); next retry in %g s", reason(cause), delay)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    try:
        client, tree, task = await _unless_stopped(start(), stop)
    except discord.LoginFailure:
        raise PlatformConfigError("Discord refused the bot token") from None
    try:
        await _unless_stopped(tree.sync(guild=guild), stop)
        log.info("connected to Discord as %s", client.user)
        yield DiscordPlatform(client)
    finally:
        await _close(client, task)


async def _close(client: object, task: asyncio.Task[None]) -> None:
    await client.close()  # type: ignore[attr-defined]
    task.cancel()  # it may be sleeping before a reconnect
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc` and the exceptions it was raised from or while handling."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


@contextlib.asynccontextmanager
async def _slack(
    settings: Settings, commands: Commands, stop: asyncio.Event | None
) -> AsyncIterator[Platform]:
    from aiohttp import web

    from bot.platforms.slack import (
        SlackPlatform,
        TokenRefused,
        build_app,
        http_app,
        open_socket_mode,
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
        try:
            try:
                await _unless_stopped(open_socket_mode(handler), stop)
            except TokenRefused as exc:
                raise PlatformConfigError(f"Slack refused the app token ({exc})") from None
            log.info("connected to Slack over Socket Mode")
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


__all__ = ["PLATFORMS", "PlatformConfigError", "Stopped", "choose", "connect"]
