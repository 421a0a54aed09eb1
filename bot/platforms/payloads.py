"""A dry-run `Platform`: the request bodies a platform would be sent, handed to a callback.

`newsdigest demo --payloads discord|slack` prints them as JSON lines (a preview for
moderators), and the README's screenshot is drawn from them. Discord bodies are the
create-message (with the nonce the adapter sends) and start-thread bodies; Slack bodies are
the `chat.postMessage` arguments, with `channel`, `thread_ts` and the key in `metadata`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TextIO

from bot.platforms.base import KEY_EVENT_TYPE, PingPosted, Posted
from bot.platforms.console import write_line
from bot.platforms.discord import nonce_for
from bot.render import discord_payloads, slack_payloads
from bot.render.views import DigestView, Ping, StoryCard, ThreadUpdate

PAYLOAD_PLATFORMS = ("discord", "slack")

Emit = Callable[[dict[str, Any], bool], None]
"""Receives each request body and whether it goes into a story's thread."""


class PayloadPlatform:
    """A `Platform` that hands each request body it would send to `emit` instead of sending.

    Ids are made up (Discord-like snowflakes, Slack-like `ts`), so thread bodies can say
    which message they belong to.
    """

    def __init__(self, name: str, emit: Emit) -> None:
        if name not in PAYLOAD_PLATFORMS:
            raise ValueError(f"payloads for {name!r}? choose one of {PAYLOAD_PLATFORMS}")
        self.name = name
        self._emit = emit
        self._n = 0

    def _next_id(self) -> str:
        self._n += 1
        if self.name == "discord":
            return str(1_300_000_000_000_000_000 + self._n)
        return f"1764000000.{self._n:06d}"

    def _send(self, channel_id: str, body: dict[str, Any], key: str, thread: str | None) -> str:
        if self.name == "discord":
            body = dict(body, nonce=nonce_for(key), enforce_nonce=True)
        else:
            metadata = {"event_type": KEY_EVENT_TYPE, "event_payload": {"key": key}}
            body = {"channel": channel_id, "thread_ts": thread, "metadata": metadata, **body}
        self._emit(body, thread is not None)
        return self._next_id()

    async def post_digest_header(self, *, channel_id: str, digest: DigestView, key: str) -> Posted:
        render = discord_payloads if self.name == "discord" else slack_payloads
        return Posted(channel_id, self._send(channel_id, render.digest_header(digest), key, None))

    async def post_story(self, *, channel_id: str, story: StoryCard, key: str) -> Posted:
        render = discord_payloads if self.name == "discord" else slack_payloads
        message_id = self._send(channel_id, render.story_message(story), key, None)
        thread = message_id if self.name == "slack" else None
        return Posted(channel_id, message_id, thread)

    async def open_thread(
        self, *, channel_id: str, message_id: str, story: StoryCard, key: str
    ) -> Posted:
        if self.name == "discord":
            self._emit(discord_payloads.start_thread(story), True)
            body = discord_payloads.thread_opening(story)
        else:
            body = slack_payloads.thread_opening(story)
        return Posted(channel_id, self._send(channel_id, body, key, message_id), message_id)

    async def reply(
        self, *, channel_id: str, thread_id: str, update: ThreadUpdate, key: str
    ) -> Posted:
        render = discord_payloads if self.name == "discord" else slack_payloads
        body = render.thread_update(update)
        return Posted(channel_id, self._send(channel_id, body, key, thread_id), thread_id)

    async def post_ping(
        self, *, channel_id: str, thread_id: str, ping: Ping, key: str
    ) -> PingPosted:
        render = discord_payloads if self.name == "discord" else slack_payloads
        body = render.ping(ping)
        if not (body.get("content") or body.get("text")):
            return PingPosted(Posted(channel_id, "", thread_id))
        return PingPosted(
            Posted(channel_id, self._send(channel_id, body, key, thread_id), thread_id)
        )


def json_lines(out: TextIO) -> Emit:
    def emit(body: dict[str, Any], in_thread: bool) -> None:
        write_line(json.dumps(body, ensure_ascii=False, sort_keys=True), out)

    return emit


__all__ = ["PAYLOAD_PLATFORMS", "Emit", "PayloadPlatform", "json_lines"]
