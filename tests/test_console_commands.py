"""Console commands from stdin: lines read through a real pipe, run as the console moderator
against the real store, worker and guarded fetcher, replies printed as text."""

from __future__ import annotations

import asyncio
import io
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TextIO

import pytest

from bot.commands import Commands
from bot.demo.server import ContentServer
from bot.feeds.fetch import Fetcher
from bot.platforms.console import serve_commands, stdin_lines
from bot.store import Store
from tests.feed_site import Clock, exempt_fetcher, make_worker


@pytest.fixture
async def content() -> AsyncIterator[ContentServer]:
    async with ContentServer() as server:
        yield server


@pytest.fixture
async def fetcher(content: ContentServer) -> AsyncIterator[Fetcher]:
    async with exempt_fetcher(content, total_timeout=10.0) as f:
        yield f


def pipe_with(text: str) -> io.TextIOWrapper:
    """The read end of an OS pipe that holds `text` and then ends (like `echo … | newsdigest`)."""
    read_fd, write_fd = os.pipe()
    os.write(write_fd, text.encode())
    os.close(write_fd)
    return os.fdopen(read_fd, "r", encoding="utf-8")


async def test_stdin_commands_add_search_and_stop_at_quit(
    store: Store, fetcher: Fetcher, content: ContentServer
) -> None:
    clock = Clock()
    commands = Commands(store=store, fetcher=fetcher, clock=clock)
    out = io.StringIO()
    with pipe_with(f"/feeds add {content.url('/feeds/gazette.rss')}\n") as stdin:
        assert await serve_commands(commands, stdin_lines(stdin), out=out) == 1
    assert "now follows “Riverton Gazette”" in out.getvalue()
    assert "Hundreds evacuated" in out.getvalue(), "the preview's story text"

    await make_worker(store, fetcher, clock).run_once()
    out = io.StringIO()
    script = "# a comment\n\nnews search bridge\n/news frobnicate\nquit\n/news latest\n"
    with pipe_with(script) as stdin:
        assert await serve_commands(commands, stdin_lines(stdin), out=out) == 2
    printed = out.getvalue()
    assert "Stories matching “bridge”" in printed and "harbour bridge" in printed.lower()
    assert "Key facts" in printed or "•" in printed
    (error,) = [line for line in printed.splitlines() if line.startswith("error:")]
    assert "frobnicate" in error
    assert "Latest stories" not in printed, "nothing runs after quit"


async def test_lines_from_a_regular_file_are_read_too(
    store: Store, fetcher: Fetcher, tmp_path
) -> None:
    script = tmp_path / "commands.txt"
    script.write_text("news help\n", encoding="utf-8")
    out = io.StringIO()
    commands = Commands(store=store, fetcher=fetcher)
    with script.open(encoding="utf-8") as stdin:
        assert await serve_commands(commands, stdin_lines(stdin), out=out) == 1
    assert "/feeds add <url>" in out.getvalue(), "the console operator is a moderator"


@pytest.fixture
def dev_null() -> Iterator[TextIO]:
    with Path(os.devnull).open(encoding="utf-8") as stream:
        yield stream


async def test_stdin_from_dev_null_ends_at_once_without_a_loop_error(
    store: Store, fetcher: Fetcher, dev_null: TextIO
) -> None:
    """`newsdigest run < /dev/null` (a service, `nohup`): the loop accepts /dev/null as a pipe
    and epoll then refuses it, which left a traceback and a reader waiting forever."""
    loop = asyncio.get_running_loop()
    errors: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: errors.append(context))
    commands = Commands(store=store, fetcher=fetcher)
    try:
        ran = await asyncio.wait_for(serve_commands(commands, stdin_lines(dev_null)), 30)
        await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(None)
    assert ran == 0
    assert errors == []
