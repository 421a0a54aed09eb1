"""Moderator commands: `/digest schedule`, `/digest now`, `/digest layout` and `/digest size`."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from bot.commands.context import CommandContext, CommandError, Reply
from bot.commands.deps import Deps, channel_label
from bot.digests.plan import plan_digest_now
from bot.digests.schedule import ScheduleError, parse_schedule
from bot.plural import counted
from bot.store.models import LAYOUT_COMPACT, LAYOUTS, Digest

log = logging.getLogger(__name__)

Options = Mapping[str, Any]
DEFAULT_MAX_STORIES = 7


async def schedule(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    channel = await deps.channel(ctx, opts.get("channel"))
    current = await deps.store.channels.settings(
        platform=ctx.platform, workspace_id=ctx.workspace_id, channel_id=channel
    )
    timezone = opts.get("timezone") or (current.timezone if current else "UTC")
    try:
        parsed = parse_schedule(opts["spec"], timezone=timezone)
    except ScheduleError as exc:
        raise CommandError(str(exc)) from None
    max_stories = opts.get("max_stories") or (
        current.max_stories if current else DEFAULT_MAX_STORIES
    )
    now = deps.clock()
    next_at = parsed.next_run(last_run=current.last_digest_at if current else None, now=now)
    await deps.store.channels.save_settings(
        platform=ctx.platform,
        workspace_id=ctx.workspace_id,
        channel_id=channel,
        schedule=parsed.spec,
        timezone=parsed.timezone,
        max_stories=max_stories,
        next_digest_at=next_at,
    )
    where = channel_label(channel)
    if parsed.kind == "live":
        most = counted(max_stories, "story")
        return Reply(f"{where} now gets stories as they happen (up to {most} at a time).")
    local = next_at.astimezone(ZoneInfo(parsed.timezone))
    when = f"{next_at:%Y-%m-%d %H:%M} UTC"
    if parsed.timezone != "UTC":
        when += f" ({local:%H:%M} {parsed.timezone})"
    return Reply(
        f"{where} gets a digest {parsed.describe()}, up to {counted(max_stories, 'story')}; "
        f"next one {when}."
    )


async def now(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    channel = await deps.channel(ctx, opts.get("channel"))
    subs = await deps.store.channels.subscriptions(
        platform=ctx.platform, workspace_id=ctx.workspace_id, channel_id=channel
    )
    where = channel_label(channel)
    if not subs:
        raise CommandError(f"{where} follows no feeds yet; add one with /feeds add <url>")
    digest_id = await plan_digest_now(
        deps.store,
        platform=ctx.platform,
        workspace_id=ctx.workspace_id,
        channel_id=channel,
        now=deps.clock(),
    )
    if digest_id is None:
        return Reply(f"Nothing new for {where} since its last digest.")
    async with deps.store.session(readonly=True) as s:
        digest = await s.get(Digest, digest_id)
    count = digest.story_count if digest else 0
    if deps.on_digest_planned is not None:
        try:
            await deps.on_digest_planned(ctx, digest_id)
        except Exception:
            log.exception("after /digest now: waking delivery for digest %s failed", digest_id)
    noun = "story" if count == 1 else "stories"
    return Reply(f"A digest of {count} {noun} is on its way to {where}.")


async def layout(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    style = str(opts["style"]).strip().casefold()
    if style not in LAYOUTS:
        raise CommandError(f"layout must be 'full' or 'compact', not {style[:40]!r}")
    channel = await deps.channel(ctx, opts.get("channel"))
    await deps.store.channels.save_settings(
        platform=ctx.platform, workspace_id=ctx.workspace_id, channel_id=channel, layout=style
    )
    where = channel_label(channel)
    if style == LAYOUT_COMPACT:
        return Reply(
            f"{where} now gets compact digests: one line per story (headline, sources, lead); "
            "each story's thread still has the full summary."
        )
    return Reply(f"{where} now gets full story cards (key facts, quotes, picture).")


async def size(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    stories = int(opts["stories"])
    channel = await deps.channel(ctx, opts.get("channel"))
    await deps.store.channels.save_settings(
        platform=ctx.platform, workspace_id=ctx.workspace_id, channel_id=channel,
        max_stories=stories,
    )  # fmt: skip
    noun = "story" if stories == 1 else "stories"
    return Reply(f"{channel_label(channel)}'s digests now hold at most {stories} {noun}.")
