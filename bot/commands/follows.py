"""Opt-in pings from chat: `/news follow | unfollow | following` for members, `/feeds ping`
for moderators. What is matched and when a ping goes out: `bot.digests.pings`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.commands.context import CommandContext, CommandError, Reply
from bot.commands.deps import Deps, channel_label
from bot.commands.feeds import targets
from bot.digests.pings import MAX_TOPIC_CHARS, MAX_TOPICS_PER_MEMBER, PING_WINDOW, PINGS_PER_WINDOW
from bot.digests.select import split_keywords

Options = Mapping[str, Any]

_DISCORD_ROLE = re.compile(r"^(?:<@&)?([1-9][0-9]{5,19})>?$")
_SLACK_GROUP = re.compile(r"^(?:<!subteam\^)?(S[A-Z0-9]{1,39})(?:\|[^>]*)?>?$")
_OTHER_ROLE = re.compile(r"^@?([\w.-]{1,64})$")
_NONE = frozenset({"none", "off", "nobody", "-"})


def topics_of(raw: str) -> tuple[str, ...]:
    """Comma-separated topics, as a feed's include filter reads them; each must have a word."""
    topics = split_keywords(raw)
    if not topics:
        raise CommandError("give the words to follow, e.g. /news follow ferry strike, rail")
    for topic in topics:
        if len(topic) > MAX_TOPIC_CHARS:
            raise CommandError(f"a topic is at most {MAX_TOPIC_CHARS} characters")
        if not re.search(r"\w", topic):
            raise CommandError(f"“{topic[:40]}” has no word to match")
    return topics


def _quoted(topics: tuple[str, ...]) -> str:
    return ", ".join(f"“{t}”" for t in topics)


async def follow(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    topics = topics_of(str(opts["words"]))
    result = await deps.store.follows.follow(
        platform=ctx.platform,
        workspace_id=ctx.workspace_id,
        channel_id=ctx.channel_id,
        user_id=ctx.user_id,
        topics=topics,
        limit=MAX_TOPICS_PER_MEMBER,
        now=deps.clock(),
    )
    where = channel_label(ctx.channel_id)
    parts = []
    if result.added:
        parts.append(
            f"You follow {_quoted(result.added)} in {where}: when a story posted here matches "
            "(title or key facts), you are mentioned in its thread "
            f"(at most {PINGS_PER_WINDOW} mentions every {_window()})."
        )
    if result.already:
        parts.append(f"Already followed: {_quoted(result.already)}.")
    if result.refused:
        parts.append(
            f"Not followed, you are at the limit of {MAX_TOPICS_PER_MEMBER} topics: "
            f"{_quoted(result.refused)} (/news unfollow some first)."
        )
    if result.refused and not result.added:
        raise CommandError(" ".join(parts))
    return Reply(" ".join(parts))


async def unfollow(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    topics = topics_of(str(opts["words"]))
    removed = await deps.store.follows.unfollow(
        platform=ctx.platform,
        workspace_id=ctx.workspace_id,
        channel_id=ctx.channel_id,
        user_id=ctx.user_id,
        topics=topics,
    )
    where = channel_label(ctx.channel_id)
    if not removed:
        raise CommandError(f"you do not follow {_quoted(topics)} in {where} (see /news following)")
    return Reply(f"You no longer follow {_quoted(removed)} in {where}.")


async def following(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    rows = await deps.store.follows.following(
        platform=ctx.platform, workspace_id=ctx.workspace_id, user_id=ctx.user_id
    )
    if not rows:
        return Reply("You follow no topics. Try /news follow ferry strike, rail")
    by_channel: dict[str, list[str]] = {}
    for channel, words in rows:
        by_channel.setdefault(channel, []).append(words)
    lines = [f"You follow {len(rows)} of at most {MAX_TOPICS_PER_MEMBER} topics:"]
    lines += [f"{channel_label(c)}: {_quoted(tuple(w))}" for c, w in by_channel.items()]
    return Reply("\n".join(lines))


def _window() -> str:
    minutes = int(PING_WINDOW.total_seconds() // 60)
    return "hour" if minutes == 60 else f"{minutes} minutes"


def role_of(ctx: CommandContext, raw: str) -> str | None:
    """The role (Discord id or `<@&id>`) or user group (Slack `<!subteam^S…>`) a moderator
    named; None for "none". The @everyone role (the server's own id) is refused."""
    value = raw.strip()
    if value.casefold() in _NONE:
        return None
    if ctx.platform == "discord":
        match = _DISCORD_ROLE.match(value)
        if match is None:
            raise CommandError("role must be one of this server's roles")
        if match.group(1) == ctx.workspace_id:
            raise CommandError("the @everyone role cannot be mentioned; pick another role")
        return match.group(1)
    if ctx.platform == "slack":
        match = _SLACK_GROUP.match(value)
        if match is None:
            raise CommandError("role must be a user group, e.g. @ferry-watchers")
        return match.group(1)
    match = _OTHER_ROLE.match(value)
    if match is None:
        raise CommandError(
            "role must be a name of letters, digits, '.', '-' or '_', e.g. ferry-team"
        )
    return match.group(1)


async def ping(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    role = role_of(ctx, str(opts["role"])) if opts.get("role") else None
    feed, subs = await targets(deps, ctx, opts)
    for sub in subs:
        await deps.store.channels.set_ping_role(
            platform=ctx.platform,
            workspace_id=ctx.workspace_id,
            subscription_id=sub.id,
            role_id=role,
        )
    name = f"“{feed.title or feed.url}” (feed {feed.id})"
    where = ", ".join(channel_label(s.channel_id) for s in subs)
    if role is None:
        return Reply(f"Stories from {name} in {where} mention nobody now.")
    if ctx.platform == "discord":
        return Reply(
            f"Each new story from {name} in {where} mentions <@&{role}> in its thread; the "
            "role must allow @mentions (Server Settings → Roles) for its members to be notified."
        )
    return Reply(f"Each new story from {name} in {where} mentions {role} in its thread.")
