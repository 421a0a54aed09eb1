"""Outbox idempotency keys.

A key names one delivery for good: planning twice, or two processes planning at once, makes
the same key, and the outbox keeps one post per key. The platform adapters are idempotent on
the key too (Discord: the key is the message nonce, which must fit in 25 characters; Slack:
the key is in the message metadata), so a delivery retried after a crash finds its message.

    d{digest}h          a digest's header
    d{digest}s{story}   a story's message in a digest
    d{digest}s{story}t  the opening message of that story's thread
    u{posting}s{source} a thread update: channel_story `posting` gained StorySource `source`
    p{posting}          the mentions (opt-in pings) in the thread of channel_story `posting`
    f{x}{hash}          a feed-health notice (x: f failing, d disabled, r recovered; the
                        hash names the feed, the failure episode and the destination)
    x{post}             a notice to moderators that post `post` could not be delivered

Ids are decimal; with ids below 10^10 every key fits a Discord nonce unchanged (longer
keys would be hashed by the Discord adapter, stably).
"""

from __future__ import annotations

import hashlib


def header_key(digest_id: int) -> str:
    return f"d{digest_id}h"


def story_key(digest_id: int, story_id: int) -> str:
    return f"d{digest_id}s{story_id}"


def thread_key(post_key: str) -> str:
    """The key of the thread opening that follows the story message `post_key`."""
    return post_key + "t"


def update_key(channel_story_id: int, source_id: int) -> str:
    return f"u{channel_story_id}s{source_id}"


def ping_key(channel_story_id: int) -> str:
    return f"p{channel_story_id}"


def health_key(feed_id: int, status: str, episode: int, *, destination: str) -> str:
    """One notice per feed, status, failure episode and destination channel."""
    name = f"{feed_id}|{status}|{episode}|{destination}"
    return f"f{status[0]}" + hashlib.sha256(name.encode()).hexdigest()[:20]


def undeliverable_key(post_id: int) -> str:
    return f"x{post_id}"
