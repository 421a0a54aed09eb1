"""The run loops in one process: worker, digest planning and delivery on one asyncio loop,
with a real store, a guarded fetcher and a feed on loopback that gains an item, printed by the
console platform, then a clean stop."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.commands import CommandContext, Commands
from bot.demo.server import content_files
from bot.feeds.fetch import Fetcher
from bot.platforms.console import ConsolePlatform
from bot.runner import Runner
from bot.store import Store
from bot.store.types import utcnow
from bot.worker import make_all_due
from tests.feed_site import Item, exempt_fetcher, make_worker, rss
from tests.support.httpserver import LocalHTTPServer, Reply

MOD = CommandContext("console", "console", "news", "op", "operator", is_moderator=True)
TITLE = "Riverton council approves new harbour bridge after decade of delays"


@pytest.fixture
async def fetcher(http_server: LocalHTTPServer) -> AsyncIterator[Fetcher]:
    async with exempt_fetcher(http_server, total_timeout=10.0) as f:
        yield f


async def test_new_item_is_polled_summarized_planned_and_delivered_then_stop(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer
) -> None:
    page = content_files()["bridge.html"].replace("{base}", http_server.url(""))
    http_server.add("/bridge.html", Reply(body=page, content_type="text/html"))
    http_server.add("/feed.xml", Reply(body=rss([]), content_type="application/rss+xml"))
    commands = Commands(store=store, fetcher=fetcher)
    assert not (await commands.handle_text(MOD, f"feeds add {http_server.url('/feed.xml')}")).error
    assert not (await commands.handle_text(MOD, "digest schedule live")).error
    worker = make_worker(store, fetcher, utcnow)
    await worker.run_once()  # the first poll: nothing yet, nothing is backlog

    item = Item(TITLE, http_server.url("/bridge.html"), "bridge", "Councillors voted 9-2.",
                utcnow() - timedelta(minutes=5))  # fmt: skip
    http_server.add("/feed.xml", Reply(body=rss([item]), content_type="application/rss+xml"))
    await make_all_due(store, now=utcnow())

    out = io.StringIO()
    runner = Runner(
        store=store,
        platforms={"console": ConsolePlatform(out)},
        worker_id="w1",
        worker=worker,
        digest_cycle_s=0.05,
        deliver_interval_s=0.05,
        worker_idle_s=0.05,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(runner.run(stop))
    try:
        async with asyncio.timeout(30):
            while "│ Sources:" not in out.getvalue():
                assert not running.done(), running
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        async with asyncio.timeout(15):
            await running
    printed = out.getvalue()
    assert printed.count(TITLE) == 2, "the story's message and its thread's opening, once each"
    assert "— Elena Markovic" in printed
    assert all(n > 0 for n in runner.cycles.values()), runner.cycles


async def test_a_failing_step_is_logged_and_the_loops_go_on(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    runner = Runner(store=store, platforms={}, worker_id="w1", digest_cycle_s=0.01)
    calls = 0
    third = asyncio.Event()

    async def broken() -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            third.set()
        raise RuntimeError("database went away")

    runner.digest_step = broken  # type: ignore[method-assign]
    stop = asyncio.Event()
    running = asyncio.create_task(runner.run(stop))
    async with asyncio.timeout(10):
        await third.wait()
    stop.set()
    async with asyncio.timeout(5):
        await running
    assert "the digests step failed" in caplog.text and "database went away" in caplog.text
