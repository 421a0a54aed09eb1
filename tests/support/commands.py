"""Helpers for the slash-command tests: contexts for members and moderators of two
workspaces, and a `Commands` over a real store and a guarded fetcher that lets exactly the
test's HTTP server through."""

from __future__ import annotations

from pathlib import Path

from bot.commands import CommandContext, Commands
from bot.feeds.fetch import Fetcher
from bot.store import Store
from tests.feed_site import Clock

FIXTURES = Path(__file__).parent.parent / "fixtures" / "commands"


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def ctx(
    *,
    moderator: bool = False,
    workspace: str = "W1",
    channel: str = "C1",
    user: str = "U1",
    platform: str = "discord",
) -> CommandContext:
    return CommandContext(
        platform=platform,
        workspace_id=workspace,
        channel_id=channel,
        user_id=user,
        user_name=f"user-{user}",
        is_moderator=moderator,
    )


def make_commands(store: Store, fetcher: Fetcher, clock: Clock, **kwargs: object) -> Commands:
    return Commands(store=store, fetcher=fetcher, clock=clock, **kwargs)  # type: ignore[arg-type]
