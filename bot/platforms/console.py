"""Console adapter: digests and threads printed to a terminal (the default with no token).

Thread messages are indented under their story. Keys are remembered for the life of the
process, so a repeated delivery prints nothing the second time.
"""

from __future__ import annotations

import itertools
import sys
import textwrap
from typing import TextIO

from bot.digests.views import Notice
from bot.platforms.base import Posted
from bot.render import plain
from bot.render.text import flatten, safe_url
from bot.render.views import DigestView, StoryCard, ThreadUpdate


class ConsolePlatform:
    """`Platform` that writes plain text to `out`; message ids are "console-N"."""

    name = "console"

    def __init__(self, out: TextIO | None = None) -> None:
        self._out = out or sys.stdout
        self._ids = itertools.count(1)
        self._seen: dict[str, Posted] = {}

    async def post_digest_header(self, *, channel_id: str, digest: DigestView, key: str) -> Posted:
        heading = plain.digest_header(digest)
        rule = "=" * min(72, max(20, len(heading)))
        return self._print(key, channel_id, f"\n{rule}\n{heading}  [#{channel_id}]\n{rule}")

    async def post_story(self, *, channel_id: str, story: StoryCard, key: str) -> Posted:
        posted = self._print(key, channel_id, "\n" + plain.story_message(story))
        return Posted(channel_id, posted.message_id, None, posted.already_posted)

    async def open_thread(
        self, *, channel_id: str, message_id: str, story: StoryCard, key: str
    ) -> Posted:
        text = textwrap.indent(plain.thread_opening(story), "    │ ")
        return self._print(key, channel_id, text, thread=message_id)

    async def reply(
        self, *, channel_id: str, thread_id: str, update: ThreadUpdate, key: str
    ) -> Posted:
        text = textwrap.indent(plain.thread_update(update), "    │ ")
        return self._print(key, channel_id, text, thread=thread_id)

    async def post_notice(self, *, channel_id: str, notice: Notice, key: str) -> Posted:
        """A message to moderators (feed health, undeliverable posts)."""
        lines = [f"[notice #{channel_id}] {flatten(notice.title)}"]
        lines.extend(f"  {flatten(line)}" for line in notice.lines if flatten(line))
        if url := safe_url(notice.url):
            lines.append(f"  {url}")
        return self._print(key, channel_id, "\n" + "\n".join(lines))

    def _print(self, key: str, channel_id: str, text: str, *, thread: str | None = None) -> Posted:
        if (seen := self._seen.get(key)) is not None:
            return Posted(seen.channel_id, seen.message_id, seen.thread_id, already_posted=True)
        print(text, file=self._out, flush=True)
        posted = Posted(channel_id, f"console-{next(self._ids)}", thread)
        self._seen[key] = posted
        return posted
