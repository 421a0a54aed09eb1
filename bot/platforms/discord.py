"""Discord adapter: delivery through discord.py (embeds, threads on messages, forum posts).

Idempotency: the outbox key becomes the message `nonce` (`nonce_for`, at most 25
characters); discord.py always sends `enforce_nonce`, so Discord answers a repeated send with
the message it already has. A thread that already exists on a message (code 160004) is taken
as success: Discord gives such a thread the message's id. Forum starter messages carry no
nonce, so before a forum post the forum's active threads are searched for one the bot owns
with the same name whose starter message is this story (its footer names the story id); a
notice posted to a forum carries its key in its footer ("Notice <key>") and is looked for the
same way.
Discord checks nonces only for a few minutes, so a story message and a thread's opening are
also looked for in the channel's (thread's) last `history_check` messages by that footer: a
story is never posted to a channel twice, which makes the footer an exact key.

Rate limits are discord.py's: it waits out 429s (`retry_after`, per bucket) and retries the
identical body, nonce included. It re-sends on a 5xx too, which is safe for a message (the nonce)
and a thread on a message (160004), but not for a forum post or a command's follow-up: Discord
may have made it before answering 500, and the re-send skips our look-up. The client's trace
stops those re-sends (`NotResent`); the outbox's next attempt looks first, and a follow-up is
logged, not sent twice.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import aiohttp
import discord

from bot.digests.views import Notice
from bot.platforms.base import DeliveryError, PingPosted, Posted
from bot.render import discord_payloads
from bot.render.text import discord_plain, truncate
from bot.render.views import DigestView, Ping, StoryCard, ThreadUpdate

NONCE_MAX = 25
THREAD_EXISTS = 160004
_RESENT_STATUSES = frozenset({500, 502, 504, 524})
"""The answers discord.py re-sends a request on (`HTTPClient.request`)."""
_UNKEYED_CREATES = (
    (re.compile(r"/channels/\d+/threads$"), "a forum post"),
    (re.compile(r"/webhooks/\d+/[^/]+$"), "a command's follow-up"),
)
"""POST routes that create something without a nonce, with what they make."""


class NotResent(aiohttp.ClientError):
    """A server error answered a post without a nonce, which Discord may have made anyway."""


async def _stop_unkeyed_resend(
    session: aiohttp.ClientSession, context: Any, params: aiohttp.TraceRequestEndParams
) -> None:
    status = params.response.status
    if params.method != "POST" or status not in _RESENT_STATUSES:
        return
    for route, what in _UNKEYED_CREATES:
        if route.search(params.url.path):
            raise NotResent(f"Discord answered {status} to {what}; not re-sent blind")


def nonce_for(key: str) -> str:
    """The Discord nonce for an outbox key: the key itself when it fits in 25 characters,
    else a 25-character digest of it (stable across processes)."""
    if 0 < len(key) <= NONCE_MAX and key.isascii() and key.isprintable():
        return key
    digest = base64.b32encode(hashlib.sha256(key.encode()).digest()).decode().lower()
    return "nd" + digest[: NONCE_MAX - 2]


def make_client(
    *, sharded: bool = False, guild_ready_timeout: float = 2.0, **options: Any
) -> discord.Client:
    """A discord.py client with the one intent delivery and slash commands need (guilds).

    `sharded` gives an `AutoShardedClient` that asks Discord for the shard count. Its HTTP
    trace stops discord.py re-sending a forum post after a server error (see the module doc).
    """
    intents = discord.Intents.none()
    intents.guilds = True
    trace = options.pop("http_trace", None) or aiohttp.TraceConfig()
    trace.on_request_end.append(_stop_unkeyed_resend)
    cls = discord.AutoShardedClient if sharded else discord.Client
    return cls(
        intents=intents, guild_ready_timeout=guild_ready_timeout, http_trace=trace, **options
    )


class DiscordPlatform:
    """`Platform` for Discord on a connected discord.py client (ids are snowflake strings)."""

    name = "discord"

    def __init__(
        self, client: discord.Client, *, auto_archive_minutes: int = 1440, history_check: int = 50
    ) -> None:
        self._client = client
        self._archive = auto_archive_minutes
        self._history_check = history_check

    async def post_digest_header(self, *, channel_id: str, digest: DigestView, key: str) -> Posted:
        """Post the header; a forum channel has no place for one, so there nothing is posted
        and the result's `message_id` is empty."""
        channel = await self._channel(channel_id)
        if isinstance(channel, discord.ForumChannel):
            return Posted(channel_id, "")
        message = await self._send(channel, discord_payloads.digest_header(digest), key)
        return Posted(channel_id, str(message.id))

    async def post_story(self, *, channel_id: str, story: StoryCard, key: str) -> Posted:
        channel = await self._channel(channel_id)
        if isinstance(channel, discord.ForumChannel):
            return await self._forum_post(channel, story)
        if (found := await self._find_story_message(channel, story)) is not None:
            return Posted(channel_id, found, already_posted=True)
        message = await self._send(channel, discord_payloads.story_message(story), key)
        return Posted(channel_id, str(message.id))

    async def open_thread(
        self, *, channel_id: str, message_id: str, story: StoryCard, key: str
    ) -> Posted:
        channel = await self._channel(channel_id)
        thread_id = message_id
        fresh = False
        if not isinstance(channel, discord.ForumChannel):
            if not isinstance(channel, discord.TextChannel):
                raise DeliveryError("threads need a text or forum channel", retryable=False)
            starter = channel.get_partial_message(int(message_id))
            try:
                thread = await starter.create_thread(
                    name=discord_payloads.thread_name(story),
                    auto_archive_duration=self._archive,  # type: ignore[arg-type]
                )
                thread_id, fresh = str(thread.id), True
            except discord.HTTPException as exc:
                if exc.code != THREAD_EXISTS:
                    raise _delivery_error(exc) from exc
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise DeliveryError(f"Discord unreachable: {exc!r}", retryable=True) from exc
        target = self._client.get_partial_messageable(int(thread_id))
        if not fresh:
            found = await self._find_story_message(target, story, skip=int(thread_id))
            if found is not None:
                return Posted(channel_id, found, thread_id, already_posted=True)
        opening = await self._send(target, discord_payloads.thread_opening(story), key)
        return Posted(channel_id, str(opening.id), thread_id)

    async def reply(
        self, *, channel_id: str, thread_id: str, update: ThreadUpdate, key: str
    ) -> Posted:
        target = self._client.get_partial_messageable(int(thread_id))
        message = await self._send(target, discord_payloads.thread_update(update), key)
        return Posted(channel_id, str(message.id), thread_id)

    async def post_ping(
        self, *, channel_id: str, thread_id: str, ping: Ping, key: str
    ) -> PingPosted:
        """Mention a story's followers and roles in its thread, with `allowed_mentions`
        naming exactly them. Members no longer in the server are left out and reported."""
        gone = await self._departed(channel_id, ping.user_ids)
        if gone:
            ping = replace(ping, user_ids=tuple(u for u in ping.user_ids if u not in gone))
        payload = discord_payloads.ping(ping)
        if not payload["content"]:
            return PingPosted(Posted(channel_id, "", thread_id), gone)
        target = self._client.get_partial_messageable(int(thread_id))
        if (found := await self._find_ping(target)) is not None:
            return PingPosted(Posted(channel_id, found, thread_id, already_posted=True), gone)
        message = await self._send(target, payload, key)
        return PingPosted(Posted(channel_id, str(message.id), thread_id), gone)

    async def _departed(self, channel_id: str, user_ids: tuple[str, ...]) -> tuple[str, ...]:
        """The members Discord says are not in the channel's server (Unknown Member). A
        failed look-up counts as present: a glitch must not make anyone lose their follows."""
        if not user_ids:
            return ()
        guild = getattr(await self._channel(channel_id), "guild", None)
        if guild is None:
            return ()
        gone: list[str] = []
        for user_id in user_ids:
            if not user_id.isdigit() or guild.get_member(int(user_id)) is not None:
                continue
            try:
                await guild.fetch_member(int(user_id))
            except discord.NotFound:
                gone.append(user_id)
            except (discord.HTTPException, aiohttp.ClientError, TimeoutError):
                continue
        return tuple(gone)

    async def _find_ping(self, target: Any) -> str | None:
        """A ping of ours already in the thread (one per story and channel, so any counts)."""
        return await self._find_own(
            target, lambda message: message.content.startswith(discord_payloads.PING_MARK)
        )

    async def post_notice(self, *, channel_id: str, notice: Notice, key: str) -> Posted:
        """A message to moderators; in a forum channel it becomes a post of its own."""
        channel = await self._channel(channel_id)
        payload = discord_payloads.notice(
            title=notice.title, lines=tuple(notice.lines), url=notice.url
        )
        if not isinstance(channel, discord.ForumChannel):
            message = await self._send(channel, payload, key)
            return Posted(channel_id, str(message.id))
        name = truncate("⚠ " + (discord_plain(notice.title) or "Notice"), 100)
        marker = f"Notice {nonce_for(key)}"
        embeds = [{**e, "footer": {"text": marker}} for e in payload["embeds"]]
        found = await self._find_forum_thread(
            channel, name, lambda starter: any(_names_story(e, marker) for e in starter.embeds)
        )
        if found is not None:
            return Posted(channel_id, found, found, already_posted=True)
        try:
            made = await channel.create_thread(
                name=name,
                embeds=[discord.Embed.from_dict(e) for e in embeds],
                allowed_mentions=discord.AllowedMentions.none(),
            )
        except discord.HTTPException as exc:
            raise _delivery_error(exc) from exc
        except (aiohttp.ClientError, TimeoutError, discord.RateLimited) as exc:
            raise DeliveryError(f"Discord unreachable: {exc!r}", retryable=True) from exc
        return Posted(channel_id, str(made.message.id), str(made.thread.id))

    async def _channel(self, channel_id: str) -> Any:
        channel = self._client.get_channel(int(channel_id))
        if channel is not None:
            return channel
        try:
            return await self._client.fetch_channel(int(channel_id))
        except discord.HTTPException as exc:
            raise _delivery_error(exc) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"Discord unreachable: {exc!r}", retryable=True) from exc

    async def _send(self, target: Any, payload: dict[str, Any], key: str) -> discord.Message:
        try:
            return await target.send(
                content=payload.get("content") or None,
                embeds=[discord.Embed.from_dict(e) for e in payload.get("embeds", [])],
                allowed_mentions=_allowed_mentions(payload),
                nonce=nonce_for(key),
                suppress_embeds=bool(payload.get("flags", 0) & discord_payloads.SUPPRESS_EMBEDS),
            )
        except discord.HTTPException as exc:
            raise _delivery_error(exc) from exc
        except (aiohttp.ClientError, TimeoutError, discord.RateLimited) as exc:
            raise DeliveryError(f"Discord unreachable: {exc!r}", retryable=True) from exc

    async def _find_story_message(
        self, target: Any, story: StoryCard, *, skip: int | None = None
    ) -> str | None:
        """The id of a recent plain message of the bot's whose embed footer names this story.

        Nonces are only checked by Discord for a few minutes; this catches a story posted
        before a longer outage. Command replies (other message types) and the forum starter
        (`skip`) do not count. Without permission to read history, the nonce is all there is.
        """
        marker = f"Story {story.story_id}"

        def names_story(message: discord.Message) -> bool:
            if message.id == skip or message.type is not discord.MessageType.default:
                return False
            if any(_names_story(e, marker) for e in message.embeds):
                return True
            return message.content.endswith(" · " + marker)

        return await self._find_own(target, names_story)

    async def _find_own(
        self, target: Any, matches: Callable[[discord.Message], bool]
    ) -> str | None:
        """The id of the newest of the bot's last `history_check` messages in `target` that
        `matches`; None without permission to read history (the nonce is all there is)."""
        if self._history_check <= 0 or self._client.user is None:
            return None
        me = self._client.user.id
        try:
            async for message in target.history(limit=self._history_check):
                if message.author.id == me and matches(message):
                    return str(message.id)
        except discord.Forbidden:
            return None
        except discord.HTTPException as exc:
            raise _delivery_error(exc) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"Discord unreachable: {exc!r}", retryable=True) from exc
        return None

    async def _forum_post(self, forum: discord.ForumChannel, story: StoryCard) -> Posted:
        channel_id = str(forum.id)
        found = await self._find_forum_post(forum, story)
        if found is not None:
            return Posted(channel_id, found, found, already_posted=True)
        payload = discord_payloads.forum_post(story)
        message = payload["message"]
        try:
            made = await forum.create_thread(
                name=payload["name"],
                content=message.get("content") or None,
                embeds=[discord.Embed.from_dict(e) for e in message.get("embeds", [])],
                allowed_mentions=discord.AllowedMentions.none(),
                suppress_embeds=bool(message.get("flags", 0) & discord_payloads.SUPPRESS_EMBEDS),
                auto_archive_duration=self._archive,  # type: ignore[arg-type]
            )
        except discord.HTTPException as exc:
            raise _delivery_error(exc) from exc
        except (aiohttp.ClientError, TimeoutError, discord.RateLimited) as exc:
            raise DeliveryError(f"Discord unreachable: {exc!r}", retryable=True) from exc
        return Posted(channel_id, str(made.message.id), str(made.thread.id))

    async def _find_forum_post(self, forum: discord.ForumChannel, story: StoryCard) -> str | None:
        """The id of an active forum post the bot made for this story, if any."""
        marker = f"Story {story.story_id}"

        def names_story(starter: discord.Message) -> bool:
            if any(_names_story(e, marker) for e in starter.embeds):
                return True
            return starter.content.endswith(" · " + marker)

        return await self._find_forum_thread(
            forum, discord_payloads.thread_name(story), names_story
        )

    async def _find_forum_thread(
        self, forum: discord.ForumChannel, name: str, matches: Callable[[discord.Message], bool]
    ) -> str | None:
        """The id of an active post of the bot's in `forum` named `name` whose starter
        message `matches`, if any."""
        me = self._client.user.id if self._client.user else None
        try:
            threads = await forum.guild.active_threads()
            for thread in threads:
                if thread.parent_id != forum.id or thread.owner_id != me or thread.name != name:
                    continue
                if matches(await thread.fetch_message(thread.id)):
                    return str(thread.id)
        except discord.NotFound:
            return None
        except discord.HTTPException as exc:
            raise _delivery_error(exc) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"Discord unreachable: {exc!r}", retryable=True) from exc
        return None


def _allowed_mentions(payload: dict[str, Any]) -> discord.AllowedMentions:
    """None, unless the payload names users or roles (a ping): then exactly those."""
    spec = payload.get("allowed_mentions") or {}
    users = [discord.Object(int(u)) for u in spec.get("users") or ()]
    roles = [discord.Object(int(r)) for r in spec.get("roles") or ()]
    if not users and not roles:
        return discord.AllowedMentions.none()
    return discord.AllowedMentions(
        everyone=False, users=users or False, roles=roles or False, replied_user=False
    )


def _names_story(embed: discord.Embed, marker: str) -> bool:
    footer = embed.footer.text or ""
    return footer == marker or footer.startswith(marker + " ")


def _delivery_error(exc: discord.HTTPException) -> DeliveryError:
    status = getattr(exc, "status", 0)
    retryable = status >= 500 or status == 429
    text = (exc.text or "").strip() or exc.__class__.__name__
    return DeliveryError(f"Discord refused the message ({status}): {text}", retryable=retryable)


__all__ = ["DiscordPlatform", "NotResent", "make_client", "nonce_for"]
