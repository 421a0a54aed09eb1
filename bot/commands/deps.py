"""What the handlers are given: the store, the fetcher, the clock, the summarizer's executor
and the few platform hooks an adapter may override. Built once by `Commands`."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import Executor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.commands.context import CommandContext, CommandError, channel_ref
from bot.feeds.fetch import Fetcher
from bot.store.store import Store


class ThreadLink(Protocol):
    def __call__(
        self, *, platform: str, workspace_id: str, channel_id: str, thread_id: str
    ) -> str | None: ...


def default_thread_link(
    *, platform: str, workspace_id: str, channel_id: str, thread_id: str
) -> str | None:
    """A link that opens a story's thread. Discord: a thread is a channel of the guild.
    Slack: the thread of the message whose `ts` is the thread id, in the web client (an
    adapter that knows the workspace's domain can give a permalink instead)."""
    if platform == "discord":
        return f"https://discord.com/channels/{workspace_id}/{thread_id}"
    if platform == "slack":
        return (
            f"https://app.slack.com/client/{workspace_id}/{channel_id}/thread/"
            f"{channel_id}-{thread_id}"
        )
    return None


ChannelResolver = Callable[[CommandContext, str], Awaitable[str | None]]
"""`#name` → channel id in the caller's workspace, or None when there is no such channel."""

DigestPlanned = Callable[[CommandContext, int], Awaitable[None]]
"""Called after `/digest now` queued digest `digest_id` (say, to wake the outbox)."""

_MENTION = re.compile(r"^<#([A-Za-z0-9]{1,64})(?:\|[^>]*)?>$")
_CHANNEL_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


@dataclass
class Deps:
    store: Store
    fetcher: Fetcher
    clock: Callable[[], datetime]
    executor: Executor | None = None
    thread_link: ThreadLink = default_thread_link
    resolve_channel: ChannelResolver | None = None
    on_digest_planned: DigestPlanned | None = None
    summarize_timeout_s: float = 60.0
    max_summaries: int = 4
    local_files: bool = False
    _gate: asyncio.Semaphore | None = field(default=None, repr=False)
    _summarizing: set[tuple[str, str, str]] = field(default_factory=set, repr=False)
    _importing: set[tuple[str, str]] = field(default_factory=set, repr=False)

    async def channel(self, ctx: CommandContext, value: str | None) -> str:
        """The channel an option names (default: where the command was run)."""
        if not value:
            return ctx.channel_id
        value = value.strip()
        if m := _MENTION.match(value):
            return m.group(1)
        if value.startswith("#"):
            name = value[1:]
            resolved = None
            if self.resolve_channel is not None:
                resolved = await self.resolve_channel(ctx, name)
            elif ctx.platform == "console":
                resolved = name
            if resolved is None or not _CHANNEL_ID.match(resolved):
                raise CommandError(f"no channel #{name[:80]} here; mention it as #channel")
            return resolved
        if _CHANNEL_ID.match(value):
            return value
        raise CommandError("that is not a channel; mention it as #channel")

    @asynccontextmanager
    async def summary_slot(self, ctx: CommandContext) -> AsyncIterator[None]:
        """One on-demand summary per person at a time, `max_summaries` at once overall."""
        who = (ctx.platform, ctx.workspace_id, ctx.user_id)
        if who in self._summarizing:
            raise CommandError("you already have a summary on the way; wait for it first")
        if self._gate is None:
            self._gate = asyncio.Semaphore(self.max_summaries)
        if self._gate.locked():
            raise CommandError("the bot is busy summarizing; try again in a minute")
        self._summarizing.add(who)
        try:
            async with self._gate:
                yield
        finally:
            self._summarizing.discard(who)

    @asynccontextmanager
    async def import_slot(self, ctx: CommandContext) -> AsyncIterator[None]:
        """One OPML import per workspace at a time (a second would race the first's writes
        and double its replies)."""
        where = (ctx.platform, ctx.workspace_id)
        if where in self._importing:
            raise CommandError("an import is already running here; wait for its answer first")
        self._importing.add(where)
        try:
            yield
        finally:
            self._importing.discard(where)


def channel_label(channel_id: str) -> str:
    """A channel as replies name it: a reference each adapter shows as a mention."""
    return channel_ref(channel_id)
