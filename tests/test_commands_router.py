"""The router: the command table, permissions on every call, option checks, and the promise
that no handler ever raises to the adapter."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.commands import COMMANDS, Commands, Reply, help_text
from bot.commands.router import APOLOGY, HANDLERS
from bot.commands.spec import OPTION_TYPES
from bot.feeds.fetch import Fetcher
from bot.store import Store
from tests.feed_site import Clock
from tests.support.commands import ctx, make_commands

MOD = ctx(moderator=True)
MEMBER = ctx()


@pytest.fixture
async def commands(store: Store) -> AsyncIterator[Commands]:
    async with Fetcher() as fetcher:
        yield make_commands(store, fetcher, Clock())


def test_the_table_fits_discord_and_slack() -> None:
    """Discord: lower-case names of at most 32 characters (hyphens allowed in command names;
    option names also become the Python keyword parameters discord.py reads, so no hyphen),
    descriptions of at most 100, required options before optional ones, at most 25 options;
    every entry has a handler."""
    command = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
    name = re.compile(r"^[a-z_]{1,32}$")
    for spec in COMMANDS:
        assert command.match(spec.group) and command.match(spec.name), spec
        assert 1 <= len(spec.description) <= 100, spec.name
        assert len(spec.options) <= 25
        required = [o.required for o in spec.options]
        assert required == sorted(required, reverse=True), f"{spec.name}: required first"
        for opt in spec.options:
            assert name.match(opt.name) and 1 <= len(opt.description) <= 100, opt
            assert opt.type in OPTION_TYPES
        assert sum(o.rest for o in spec.options) <= 1
        if spec.name != "help":
            assert (spec.group, spec.name) in HANDLERS
        if spec.group in ("feeds", "digest"):
            assert spec.moderator_only and spec.ephemeral, spec.name


def test_help_is_generated_from_the_table() -> None:
    member, moderator = help_text(moderator=False), help_text(moderator=True)
    assert "/news search <words>" in member and "/feeds" not in member.split("\n")[0]
    assert "/feeds add <url> [channel] [include] [exclude]" not in member
    assert "/feeds add <url> [channel] [include] [exclude]" in moderator
    assert len(moderator.splitlines()) == len(COMMANDS)


async def test_help_and_unknown_commands(commands: Commands) -> None:
    assert "/news story <id>" in (await commands.handle(MEMBER, "news", "help", {})).text
    assert "/digest now" in (await commands.handle_text(MOD, "help", group="digest")).text
    for group, name in [("news", "explode"), ("nope", "latest"), ("", ""), ("news", "x" * 5000)]:
        reply = await commands.handle(MEMBER, group, name, {})
        assert reply.error and "\n" not in reply.text and len(reply.text) <= 300


async def test_moderator_flag_is_checked_on_every_call(commands: Commands, store: Store) -> None:
    allowed = await commands.handle(MOD, "digest", "schedule", {"spec": "every 6h"})
    refused = await commands.handle(MEMBER, "digest", "schedule", {"spec": "every 1h"})
    assert not allowed.error and refused.error
    settings = await store.channels.settings(platform="discord", workspace_id="W1", channel_id="C1")
    assert settings is not None and settings.schedule == "every 6h"


HOSTILE: list[object] = [
    "",
    " ",
    "\x00" * 10,
    "x" * 10_000,
    "<@everyone> @here <!channel>",
    "' OR 1=1; DROP TABLE feeds; --",
    "‮evil",
    "http://[::1",
    "#",
    "<#>",
    "-1",
    10**30,
    True,
    3.5,
    ["a"],
    {"a": 1},
    None,
]


async def test_no_handler_ever_raises(commands: Commands) -> None:
    for spec in COMMANDS:
        for value in HOSTILE:
            options = {opt.name: value for opt in spec.options}
            for who in (MEMBER, MOD):
                reply = await commands.handle(who, spec.group, spec.name, options)
                assert isinstance(reply, Reply), (spec.name, value)
                if reply.error:
                    assert "\n" not in reply.text and len(reply.text) <= 300, reply.text
                    assert reply.ephemeral
    text_replies = [
        await commands.handle_text(MOD, text)
        for text in ("feeds add", "digest schedule", "news story x", '"', "news summarize ftp://")
    ]
    assert all(r.error and "\n" not in r.text for r in text_replies)


async def test_unexpected_failure_is_logged_and_answered_with_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    broken = Store(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db")
    async with Fetcher() as fetcher:
        commands = make_commands(broken, fetcher, Clock())
        with caplog.at_level(logging.ERROR, logger="bot.commands.router"):
            replies = [
                await commands.handle(MOD, "feeds", "list", {}),
                await commands.handle(MEMBER, "news", "latest", {}),
                await commands.handle(MEMBER, "news", "search", {"words": "ferry"}),
            ]
            choices = await commands.autocomplete(MOD, "feeds", "remove", "feed", "")
    await broken.close()
    assert all(r.error and r.text == APOLOGY for r in replies)
    assert choices == []
    failures = [r for r in caplog.records if r.name == "bot.commands.router" and r.exc_info]
    assert len(failures) == 4, "three commands and the autocomplete"
    assert "/feeds list" in failures[0].getMessage()
    assert "autocomplete" in failures[3].getMessage()
