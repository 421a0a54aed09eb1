"""Digest planning and outbox delivery throughput on a real store, to the console platform.

Seeds `--channels` channels, each following its own feed with `--stories` new stories, then
times `plan_due_digests` (one digest per channel) and `deliver_pending` (header, stories and
their thread openings: 2 platform calls per story post) with the console writing to a
throw-away buffer, so the figure is the engine and the store, not a chat platform.

    .venv/bin/python bench/digest_delivery.py [--channels 50] [--stories 7] [--url URL]

`--url` takes a PostgreSQL URL (postgresql+asyncpg://…): the bench migrates a schema of its
own there and drops it afterwards. By default a temporary SQLite file is used.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support

from bot.digests.engine import deliver_pending, plan_due_digests
from bot.platforms.console import ConsolePlatform
from bot.store import Store
from tests.support.newsroom import Newsroom

T0 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)


async def run(url: str, channels: int, stories: int) -> None:
    schema = None
    if url.startswith("postgresql"):
        schema = f"bench_digest_{os.getpid()}"
        await _ddl(url, f'CREATE SCHEMA "{schema}"')
    try:
        await _run(Store(url, schema=schema), channels, stories)
    finally:
        if schema:
            await _ddl(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


async def _ddl(url: str, statement: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def _run(store: Store, channels: int, stories: int) -> None:
    await store.upgrade()
    room = Newsroom(store, now=T0)
    start = time.perf_counter()
    for c in range(channels):
        feed = await room.feed(f"Bench Feed {c}")
        await room.subscribe(feed, channel=f"C{c}", max_stories=stories)
        for i in range(stories):
            await room.story(
                feed,
                f"Story {c}-{i}",
                facts=[f"Fact {i} of channel {c}.", "A second fact."],
                quotes=[("Something was said", "A Person")],
                at=T0 - timedelta(minutes=i),
            )
    seeded = time.perf_counter() - start

    start = time.perf_counter()
    digests = await plan_due_digests(store, now=T0, limit=channels)
    planned = time.perf_counter() - start

    console = ConsolePlatform(io.StringIO())
    start = time.perf_counter()
    report = await deliver_pending(
        store, {"console": console}, worker_id="bench", now=T0, limit=channels * (stories + 1)
    )
    delivered = time.perf_counter() - start
    await store.close()

    posts = report.delivered
    print(f"backend {store.dialect}: {channels} channels x {stories} stories")
    print(f"seeded in {seeded:.1f} s")
    rate = len(digests) / planned
    print(f"plan:    {len(digests)} digests in {planned:.2f} s = {rate:.0f} digests/s")
    print(
        f"deliver: {posts} posts in {delivered:.2f} s = {posts / delivered:.0f} posts/s "
        f"({report.failed} failed, {report.retrying} retrying)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=50)
    parser.add_argument("--stories", type=int, default=7)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        asyncio.run(run(url, args.channels, args.stories))


if __name__ == "__main__":
    main()
