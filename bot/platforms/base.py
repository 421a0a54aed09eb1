"""The `Platform` seam: how the outbox puts digests, stories and thread updates into a channel.

Every method is idempotent on `key`, the outbox's idempotency key for that delivery: calling
it again with the same key after a crash (the platform accepted the message, the store never
recorded it) returns the ids of the message already posted instead of posting it twice.
How each adapter keeps that promise:

- Discord: the key becomes the message `nonce` (at most 25 characters, `enforce_nonce`), so
  Discord itself answers a repeat with the first message; "a thread already exists for this
  message" (code 160004) counts as success and the existing thread is used.
- Slack: no idempotency key exists, so the key goes into the message's `metadata`
  (`event_type` "newsdigest_post") and the channel's (or thread's) recent history is
  searched for it before posting again.
- Console: remembers keys for the life of the process.

Rate limits slow a call down (the libraries wait and retry); they never drop a message.
Failures raise `DeliveryError`, whose `retryable` tells the outbox whether to try later.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from bot.render.views import DigestView, StoryCard, ThreadUpdate

KEY_EVENT_TYPE = "newsdigest_post"


@dataclass(frozen=True, slots=True)
class Posted:
    """Where a delivery landed. `thread_id` is set when the message is in, or opened, a thread.

    Discord: snowflakes as strings (a thread on a message has the message's id; a forum post's
    starter message has the thread's id). Slack: `ts` strings; a story's thread id is the
    story message's `ts`.
    """

    channel_id: str
    message_id: str
    thread_id: str | None = None
    already_posted: bool = False


@dataclass(frozen=True, slots=True)
class PingPosted:
    """Where a ping landed, and the members it left out because they are no longer in the
    workspace (their follows are then forgotten, so they cost nothing again)."""

    posted: Posted
    gone: tuple[str, ...] = ()


class DeliveryError(Exception):
    """A delivery failed. `retryable` is False when trying again cannot help (unknown
    channel, missing permission, a payload the platform rejects); the reason is one line
    fit for the moderators' feed-health message."""

    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


@runtime_checkable
class Platform(Protocol):
    """A chat platform the outbox can deliver to.

    Implement it with keyword-only methods that render the view model for the platform,
    deliver it idempotently on `key` and return where it landed::

        class PigeonPlatform:
            name = "pigeon"

            async def post_story(self, *, channel_id, story, key):
                if (seen := self._sent.get(key)) is not None:
                    return seen
                msg_id = await self._coop.send(channel_id, render_for_pigeons(story))
                self._sent[key] = Posted(channel_id, msg_id, thread_id=None)
                return self._sent[key]
            ...

    Optional: `post_ping(*, channel_id, thread_id, ping, key) -> PingPosted` mentions
    exactly the members and roles of a `Ping` in a story's thread (a platform without it
    mentions nobody), and `post_notice` (see `bot.digests.views.Notice`).

    The outbox calls, for a digest: `post_digest_header` once, then per story `post_story`
    and always `open_thread` with the message id `post_story` returned (where `post_story`
    already made the thread, as a Discord forum post does, `open_thread` must recognise it and
    return it); later, when a posted story gains a source, `reply` into its thread.
    """

    name: str

    async def post_digest_header(self, *, channel_id: str, digest: DigestView, key: str) -> Posted:
        """Post the digest's header message ("Morning digest — 7 stories")."""
        ...

    async def post_story(self, *, channel_id: str, story: StoryCard, key: str) -> Posted:
        """Post one story's message. Where the channel is a forum (Discord), this creates the
        forum post and the result already carries its `thread_id`."""
        ...

    async def open_thread(
        self, *, channel_id: str, message_id: str, story: StoryCard, key: str
    ) -> Posted:
        """Open (or find) the story message's discussion thread and post the bot's first
        message in it: the full summary and every source link. Returns that message's id and
        the thread id."""
        ...

    async def reply(
        self, *, channel_id: str, thread_id: str, update: ThreadUpdate, key: str
    ) -> Posted:
        """Post an update into a story's existing thread ("New from <source>: …")."""
        ...
