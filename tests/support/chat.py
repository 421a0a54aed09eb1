"""Running bots for end-to-end command tests: the real discord.py (app_commands) and
slack-bolt (Socket Mode) apps against the loopback emulators, and the console's command
loop, each over the caller's store. Each `ask` sends one command and returns its answer."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from discord import app_commands

from bot.commands import Commands
from bot.feeds.fetch import Fetcher
from bot.platforms.console import serve_commands
from bot.platforms.discord import make_client
from bot.platforms.discord_commands import register_commands
from bot.platforms.slack import build_app, socket_mode_handler, web_client
from bot.platforms.slack_commands import register_commands as register_slack_commands
from bot.store import Store
from tests.emulators.discord_emulator import (
    EVERYONE_PERMISSIONS,
    MANAGE_GUILD,
    DiscordEmulator,
    running_client,
)
from tests.emulators.slack_emulator import SlackEmulator
from tests.feed_site import Clock

Ask = Callable[..., Awaitable[str]]
_KINDS = {str: 3, int: 4}


@asynccontextmanager
async def discord_bot(
    store: Store, emu: DiscordEmulator, *, now: datetime
) -> AsyncIterator[tuple[Ask, Any]]:
    """`ask(group, name, moderator=False, resolved=None, **options)`: the answer's content.

    Options are strings or integers (a `channel` option is given as its id with its
    `resolved` entry); every answer here is ephemeral and its callback is checked to be.
    """
    async with Fetcher() as fetcher:
        commands = Commands(store=store, fetcher=fetcher, clock=Clock(now))
        client = make_client(guild_ready_timeout=0.05)
        tree = app_commands.CommandTree(client)
        register_commands(tree, commands)
        guild = emu.guilds[0]

        async def ask(
            group: str,
            name: str,
            *,
            moderator: bool = False,
            resolved: dict[str, Any] | None = None,
            **options: Any,
        ) -> str:
            inner = []
            for key, value in options.items():
                kind = 7 if key in ("channel", "of") else _KINDS[type(value)]
                inner.append({"type": kind, "name": key, "value": value})
            sent = await emu.send_slash_command(
                group,
                [{"type": 1, "name": name, "options": inner}],
                roles=[guild.moderator_role] if moderator else [],
                permissions=EVERYONE_PERMISSIONS | (MANAGE_GUILD if moderator else 0),
                resolved=resolved,
            )
            iid = int(sent["id"])
            (callback,) = await emu.wait_for(lambda: emu.callbacks.get(iid), within=20)
            assert callback["data"]["flags"] == 64, "answered to the caller alone"
            return str(callback["data"]["content"])

        async with running_client(client, emu):
            await tree.sync()
            yield ask, client


@asynccontextmanager
async def slack_bot(store: Store, emu: SlackEmulator, *, now: datetime) -> AsyncIterator[Ask]:
    """`ask("/news", "text", user_id="U0MEMBER")`: the ephemeral answer's text (`U0ADMIN` is
    a workspace admin, so a moderator)."""
    async with Fetcher() as fetcher:
        commands = Commands(store=store, fetcher=fetcher, clock=Clock(now))
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


async def console_lines(store: Store, *lines: str, now: datetime) -> str:
    """What the console's command loop prints for `lines` typed by the operator."""

    async def source() -> AsyncIterator[str]:
        for line in lines:
            yield line

    out = io.StringIO()
    async with Fetcher() as fetcher:
        commands = Commands(store=store, fetcher=fetcher, clock=Clock(now))
        assert await serve_commands(commands, source(), out=out) == len(lines)
    return out.getvalue()
