"""Console adapter: digests and threads printed to a terminal (the default with no token).

Thread messages are indented under their story. Keys are remembered for the life of the
process, so a repeated delivery prints nothing the second time.

Commands come from stdin, one a line, as the console moderator (`serve_commands`)::

    /news search bridge
    /feeds add https://example.org/feed.xml include: rail
    news latest            (the slash is optional; "quit" or end of input stops reading)
"""

from __future__ import annotations

import asyncio
import itertools
import os
import stat
import sys
import textwrap
from collections.abc import AsyncIterable, AsyncIterator
from typing import TextIO

from bot.commands.context import CommandContext, Reply
from bot.commands.router import Commands
from bot.digests.views import Notice
from bot.platforms.base import PingPosted, Posted
from bot.render import plain
from bot.render.text import flatten, safe_url
from bot.render.views import DigestView, Ping, StoryCard, ThreadUpdate


def write_line(text: str, out: TextIO) -> None:
    """Print `text` to `out`; once the reader has gone (`newsdigest demo | head`), discard
    the rest quietly instead of failing every later delivery with a BrokenPipeError."""
    try:
        print(text, file=out, flush=True)
    except BrokenPipeError:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, out.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass


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

    async def post_ping(
        self, *, channel_id: str, thread_id: str, ping: Ping, key: str
    ) -> PingPosted:
        text = plain.ping(ping)
        if not text:
            return PingPosted(Posted(channel_id, "", thread_id))
        indented = textwrap.indent(text, "    │ ")
        return PingPosted(self._print(key, channel_id, indented, thread=thread_id))

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
        write_line(text, self._out)
        posted = Posted(channel_id, f"console-{next(self._ids)}", thread)
        self._seen[key] = posted
        return posted


CONSOLE_MODERATOR = CommandContext(
    platform="console",
    workspace_id="console",
    channel_id="console",
    user_id="operator",
    user_name="operator",
    is_moderator=True,
)
QUIT = frozenset({"quit", "exit", "/quit", "/exit"})


def format_reply(reply: Reply) -> str:
    """A command's reply as terminal text: errors as one `error:` line, cards in full, a file
    (an OPML export) printed after the text between two rules."""
    if reply.error:
        return f"error: {flatten(reply.plain_text())}"
    lines = [flatten(line) for line in reply.plain_text().splitlines()]
    if reply.file is not None:
        name = flatten(reply.file.filename)
        lines += [f"----- {name} ({len(reply.file.data):,} bytes) -----"]
        lines += [flatten(line) for line in reply.file.data.decode("utf-8", "replace").splitlines()]
        lines += [f"----- end of {name} -----"]
    for card in reply.cards:
        lines += ["", plain.story_message(card)]
        if thread := safe_url(card.thread_url):
            lines.append(f"  thread: {thread}")
    return "\n".join(lines)


async def serve_commands(
    commands: Commands,
    lines: AsyncIterable[str],
    *,
    out: TextIO | None = None,
    ctx: CommandContext = CONSOLE_MODERATOR,
) -> int:
    """Run each line as a slash command (`/news search bridge`) and print the reply; stop at
    "quit" or the end of `lines`. Returns how many commands ran."""
    out = out or sys.stdout
    ran = 0
    async for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.casefold() in QUIT:
            break
        reply = await commands.handle_text(ctx, line.lstrip("/"))
        write_line(format_reply(reply), out)
        ran += 1
    return ran


async def stdin_lines(stream: TextIO | None = None) -> AsyncIterator[str]:
    """Lines of `stream` (stdin) read without blocking the event loop: through the loop's
    pipe reader for pipes, sockets and terminals, a thread for anything else (a regular file,
    or /dev/null, which the loop accepts but epoll then refuses)."""
    stream = stream or sys.stdin
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    try:
        fd = stream.fileno()
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or os.isatty(fd)):
            raise OSError("not a pipe, socket or terminal")
        pipe = os.fdopen(fd, "rb", closefd=False)
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), pipe
        )
    except (OSError, ValueError, AttributeError):
        while line := await asyncio.to_thread(stream.readline):
            yield line
        return
    try:
        while data := await reader.readline():
            yield data.decode("utf-8", errors="replace")
    finally:
        transport.close()
