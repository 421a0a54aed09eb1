"""`Commands`: the one entry point adapters call for slash commands.

Usage (an adapter)::

    commands = Commands(store=app.store, fetcher=app.fetcher, executor=app.executor)
    ctx = CommandContext(platform="slack", workspace_id=team_id, channel_id=channel_id,
                         user_id=user_id, user_name=user_name, is_moderator=is_admin)
    reply = await commands.handle(ctx, "feeds", "add", {"url": url})   # from typed options
    reply = await commands.handle_text(ctx, text, group="feeds")        # from Slack's text
    choices = await commands.autocomplete(ctx, "feeds", "remove", "feed", partial)

`handle` never raises for anything a user or a feed can do: moderator commands are refused
for non-moderators on every call (platform-registered permissions are only a default that
server admins can change), options are checked against `spec.COMMANDS`, expected failures
become a one-line error `Reply`, and an unexpected exception is logged with its traceback and
answered with a one-line apology. Only cancellation propagates.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import Executor
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.commands import digest, feed_files, feeds, follows, news
from bot.commands.context import CommandContext, CommandError, PermissionDenied, Reply
from bot.commands.deps import (
    ChannelResolver,
    Deps,
    DigestPlanned,
    ThreadLink,
    default_thread_link,
)
from bot.commands.feed_files import Upload
from bot.commands.spec import (
    GROUPS,
    MAX_OPTION_CHARS,
    MAX_URL_CHARS,
    CommandSpec,
    find,
    help_text,
)
from bot.commands.text import clean_text, parse_text
from bot.feeds.errors import FeedLayerError
from bot.feeds.fetch import Fetcher
from bot.store.store import Store
from bot.store.types import utcnow

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on our side; it has been logged. Please try again later."

Handler = Callable[[Deps, CommandContext, Mapping[str, Any]], Awaitable[Reply]]

HANDLERS: dict[tuple[str, str], Handler] = {
    ("news", "latest"): news.latest,
    ("news", "search"): news.search,
    ("news", "quotes"): news.quotes,
    ("news", "summarize"): news.summarize,
    ("news", "story"): news.story,
    ("news", "follow"): follows.follow,
    ("news", "unfollow"): follows.unfollow,
    ("news", "following"): follows.following,
    ("feeds", "ping"): follows.ping,
    ("feeds", "add"): feeds.add,
    ("feeds", "list"): feeds.list_feeds,
    ("feeds", "remove"): feeds.remove,
    ("feeds", "pause"): feeds.pause,
    ("feeds", "resume"): feeds.resume,
    ("feeds", "import"): feed_files.import_feeds,
    ("feeds", "export"): feed_files.export_feeds,
    ("feeds", "health-channel"): feeds.health_channel,
    ("digest", "schedule"): digest.schedule,
    ("digest", "now"): digest.now,
    ("digest", "layout"): digest.layout,
    ("digest", "size"): digest.size,
}


class Commands:
    """Slash-command handlers with their collaborators injected.

    `executor` runs `summarize()` (the app's process pool; None: a thread). `thread_link`
    builds the link to a story's thread (default: `deps.default_thread_link`);
    `resolve_channel` turns a `#name` into a channel id of the caller's workspace;
    `on_digest_planned(ctx, digest_id)` runs after `/digest now` queued a digest.
    `local_files`: a `/feeds import` file option may be a path on this machine (the console
    only; never for a chat platform, whose users must not read the bot's disk).
    """

    def __init__(
        self,
        *,
        store: Store,
        fetcher: Fetcher,
        clock: Callable[[], datetime] = utcnow,
        executor: Executor | None = None,
        thread_link: ThreadLink = default_thread_link,
        resolve_channel: ChannelResolver | None = None,
        on_digest_planned: DigestPlanned | None = None,
        summarize_timeout_s: float = 60.0,
        max_summaries: int = 4,
        local_files: bool = False,
    ) -> None:
        self.deps = Deps(
            store=store,
            fetcher=fetcher,
            clock=clock,
            executor=executor,
            thread_link=thread_link,
            resolve_channel=resolve_channel,
            on_digest_planned=on_digest_planned,
            summarize_timeout_s=summarize_timeout_s,
            max_summaries=max_summaries,
            local_files=local_files,
        )

    async def handle(
        self, ctx: CommandContext, group: str, name: str, options: Mapping[str, Any]
    ) -> Reply:
        """Run `/group name` with `options` (values as the platform gave them: strings, or
        ints for integer options). Always returns a Reply."""
        try:
            return await self._handle(ctx, group, name, options)
        except asyncio.CancelledError:
            raise
        except CommandError as exc:
            return Reply.failure(exc.message)
        except FeedLayerError as exc:
            return Reply.failure(exc.message)
        except Exception:
            log.exception(
                "command /%s %s failed (platform %s, workspace %s)",
                str(group)[:20],
                str(name)[:20],
                ctx.platform,
                ctx.workspace_id,
            )
            return Reply.failure(APOLOGY)

    async def handle_text(
        self, ctx: CommandContext, text: str, *, group: str | None = None
    ) -> Reply:
        """Slack's `/feeds add …` text (give `group`) or a whole CLI line (`news search …`)."""
        try:
            parsed = parse_text(text, group=group)
        except CommandError as exc:
            return Reply.failure(exc.message)
        return await self.handle(ctx, parsed.group, parsed.name, parsed.options)

    async def autocomplete(
        self, ctx: CommandContext, group: str, name: str, option: str, partial: str
    ) -> list[tuple[str, str]]:
        """(label, value) choices for an option marked `autocomplete`, at most 25. Empty for
        anyone who may not run the command (feed names are moderators' business)."""
        spec = find(group, name)
        opt = spec.option(option) if spec else None
        if spec is None or opt is None or not opt.autocomplete:
            return []
        if spec.moderator_only and not ctx.is_moderator:
            return []
        try:
            return await feeds.feed_choices(self.deps, ctx, clean_text(str(partial))[:100])
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("autocomplete for /%s %s failed", group[:20], name[:20])
            return []

    async def _handle(
        self, ctx: CommandContext, group: str, name: str, options: Mapping[str, Any]
    ) -> Reply:
        if group in GROUPS and name == "help":
            return Reply(help_text(moderator=ctx.is_moderator, group=None))
        spec = find(group, name)
        handler = HANDLERS.get((group, name))
        if spec is None or handler is None:
            raise CommandError(f"unknown command /{str(group)[:20]} {str(name)[:20]}")
        if spec.moderator_only and not ctx.is_moderator:
            raise PermissionDenied(
                f"/{group} {name} is for moderators (Manage Server on Discord; workspace "
                "admins or listed moderators on Slack)"
            )
        reply = await handler(self.deps, ctx, checked_options(spec, options))
        if spec.moderator_only or spec.ephemeral:
            reply = replace(reply, ephemeral=True)
        return reply


def checked_options(spec: CommandSpec, options: Mapping[str, Any]) -> dict[str, Any]:
    """Options cleaned and typed per the table; a CommandError names what is wrong."""
    out: dict[str, Any] = {}
    for opt in spec.options:
        raw = options.get(opt.name)
        if opt.type == "file" and isinstance(raw, Upload):
            out[opt.name] = raw
            continue
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if opt.required:
                raise CommandError(f"{opt.name} is missing; usage: {spec.usage}")
            continue
        if opt.type == "integer":
            value = _integer(opt.name, raw)
            if opt.min_value is not None and value < opt.min_value:
                raise CommandError(f"{opt.name} must be at least {opt.min_value}")
            if opt.max_value is not None and value > opt.max_value:
                raise CommandError(f"{opt.name} must be at most {opt.max_value}")
            out[opt.name] = value
            continue
        text = " ".join(clean_text(str(raw)).split())
        limit = MAX_URL_CHARS if opt.type == "url" else MAX_OPTION_CHARS
        if len(text) > limit:
            raise CommandError(f"{opt.name} is too long (at most {limit} characters)")
        if not text:
            if opt.required:
                raise CommandError(f"{opt.name} is missing; usage: {spec.usage}")
            continue
        out[opt.name] = text
    return out


def _integer(name: str, raw: object) -> int:
    if isinstance(raw, bool):
        raise CommandError(f"{name} must be a whole number")
    if isinstance(raw, int):
        return raw
    text = str(raw).strip().lstrip("#")
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        raise CommandError(f"{name} must be a whole number")
    return int(text)
