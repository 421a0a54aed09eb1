"""Polling throughput: N feeds served from a local aiohttp server in its own process, 90% of
them answering 304 once their ETag is known.

    .venv/bin/python bench/poll_bench.py --feeds 1000
    .venv/bin/python bench/poll_bench.py --feeds 10000
    .venv/bin/python bench/poll_bench.py --feeds 10000 --postgres postgresql+asyncpg://postgres@127.0.0.1:5432/test

The feeds are spread over `--hosts` loopback addresses (127.0.0.2, 127.0.0.3, …), so the
fetcher's per-host limit applies as it would to many sites. A first cycle learns the ETags (and
stores every feed's items); the second, measured cycle is the steady state: 10% of feeds answer
200 with unchanged items, 90% answer 304. Printed: feeds polled per second, CPU seconds per
1,000 polls, peak RSS, and whether the server saw any feed twice in the cycle. With
`--postgres` (default: NEWSDIGEST_TEST_POSTGRES_URL) the measured cycle is also run by two
worker processes sharing the database.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import secrets
import sys
import tempfile
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import web
from sqlalchemy import insert, text

from bot.feeds.fetch import Fetcher, FetchLimits
from bot.feeds.poll import PollPolicy
from bot.store import Store
from bot.store.migrate import upgrade
from bot.store.models import Feed
from bot.store.types import utcnow
from bot.stories.pipeline import ArticlePipeline
from bot.worker import Worker, make_all_due

ITEMS = 3
POOL_SIZE = 10
"""Database connections per worker on PostgreSQL (bot/app.py picks the same)."""


def feed_xml(n: int) -> bytes:
    items = "".join(
        f"<item><title>Feed {n} item {i}</title><link>http://site{n}.test/a/{i}</link>"
        f"<guid>f{n}-{i}</guid><description>Item {i} of feed {n}.</description></item>"
        for i in range(ITEMS)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel>'
        f"<title>Feed {n}</title><link>http://site{n}.test/</link>{items}</channel></rss>"
    ).encode()


def serve(hosts: int, port_pipe: Connection) -> None:
    """The feed server (its own process): /feed/N.xml, /_stats, /_reset."""
    counts: Counter[int] = Counter()

    async def feed(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        counts[n] += 1
        if n % 10 == 0:
            return web.Response(body=feed_xml(n), content_type="application/rss+xml")
        etag = f'"v{n}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(
            body=feed_xml(n), content_type="application/rss+xml", headers={"ETag": etag}
        )

    async def stats(_request: web.Request) -> web.Response:
        return web.json_response({str(k): v for k, v in counts.items()})

    async def reset(_request: web.Request) -> web.Response:
        counts.clear()
        return web.Response(text="ok")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{n}.xml", feed)
        app.router.add_get("/_stats", stats)
        app.router.add_get("/_reset", reset)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        first = web.TCPSite(runner, "127.0.0.2", 0)
        await first.start()
        port = runner.addresses[0][1]
        for h in range(1, hosts):
            await web.TCPSite(runner, f"127.0.0.{2 + h}", port).start()
        port_pipe.send(port)
        await asyncio.Event().wait()

    asyncio.run(main())


def feed_url(n: int, port: int, hosts: int) -> str:
    return f"http://127.0.0.{2 + n % hosts}:{port}/feed/{n}.xml"


async def server_counts(port: int) -> Counter[int]:
    async with Fetcher(allow_private=True) as f:
        body = (await f.fetch(f"http://127.0.0.2:{port}/_stats")).body
    import json

    return Counter({int(k): v for k, v in json.loads(body).items()})


async def reset_server(port: int) -> None:
    async with Fetcher(allow_private=True) as f:
        await f.fetch(f"http://127.0.0.2:{port}/_reset")


async def seed(store: Store, feeds: int, port: int, hosts: int) -> None:
    now = utcnow()
    rows = [
        {
            "url": feed_url(n, port, hosts),
            "normalized_url": feed_url(n, port, hosts).removeprefix("http:"),
            "next_check_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(feeds)
    ]
    async with store.session() as s:
        for start in range(0, len(rows), 1000):
            await s.execute(insert(Feed), rows[start : start + 1000])


def make_worker(store: Store, fetcher: Fetcher, worker_id: str) -> Worker:
    pipeline = ArticlePipeline(store=store, fetcher=fetcher, worker_id=worker_id)
    return Worker(
        store=store,
        fetcher=fetcher,
        pipeline=pipeline,
        worker_id=worker_id,
        policy=PollPolicy(min_interval_s=60, max_interval_s=3600),
        concurrency=200,
        batch_size=1000,
        lease_s=600,
    )


def usage() -> tuple[float, int]:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime, r.ru_maxrss


async def measured_cycle(worker: Worker, store: Store) -> tuple[int, float, float]:
    start = utcnow()
    await make_all_due(store, now=start)
    cpu0, _ = usage()
    t0 = time.perf_counter()
    stats = await worker.poll_due(now=start)
    wall = time.perf_counter() - t0
    cpu1, _ = usage()
    return stats.polled, wall, cpu1 - cpu0


async def one_process(url: str, schema: str | None, feeds: int, port: int, hosts: int) -> None:
    store = Store(url, schema=schema)
    await upgrade(store.engine)
    await seed(store, feeds, port, hosts)
    fetcher = Fetcher(allow_private=True, limits=FetchLimits(max_in_flight=200))
    worker = make_worker(store, fetcher, "bench-1")
    t0 = time.perf_counter()
    learn = await worker.poll_due(now=utcnow())
    print(
        f"  first cycle (learns ETags, stores {feeds * ITEMS} entries): {learn.polled} feeds "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    await reset_server(port)
    polled, wall, cpu = await measured_cycle(worker, store)
    counts = await server_counts(port)
    _, rss_kb = usage()
    report(polled, wall, cpu, rss_kb, counts, feeds)
    await fetcher.close()
    await store.close()


def report(
    polled: int, wall: float, cpu: float, rss_kb: int, counts: Counter[int], feeds: int
) -> None:
    twice = sum(1 for v in counts.values() if v > 1)
    missed = feeds - len(counts)
    print(f"  measured cycle: {polled} feeds in {wall:.2f} s = {polled / wall:,.0f} feeds/s")
    print(f"  CPU: {cpu:.2f} s = {1000 * cpu / max(polled, 1):.2f} CPU s per 1,000 polls")
    print(f"  peak RSS: {rss_kb / 1024:.0f} MB")
    print(f"  server: {len(counts)} feeds requested, {twice} more than once, {missed} not at all")


def pg_worker(url: str, schema: str, worker_id: str, start_iso: str, out: Connection) -> None:
    async def main() -> None:
        from datetime import datetime

        store = Store(url, schema=schema, pool_size=POOL_SIZE)
        fetcher = Fetcher(allow_private=True, limits=FetchLimits(max_in_flight=200))
        worker = make_worker(store, fetcher, worker_id)
        cpu0, _ = usage()
        t0 = time.perf_counter()
        stats = await worker.poll_due(now=datetime.fromisoformat(start_iso))
        wall = time.perf_counter() - t0
        cpu1, rss = usage()
        out.send((stats.polled, wall, cpu1 - cpu0, rss))
        await fetcher.close()
        await store.close()

    asyncio.run(main())


async def two_workers(url: str, feeds: int, port: int, hosts: int) -> None:
    schema = f"bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = Store(url)
    async with admin.engine.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        store = Store(url, schema=schema, pool_size=POOL_SIZE)
        await upgrade(store.engine)
        await seed(store, feeds, port, hosts)
        fetcher = Fetcher(allow_private=True, limits=FetchLimits(max_in_flight=200))
        t0 = time.perf_counter()
        await make_worker(store, fetcher, "learn").poll_due(now=utcnow())
        print(f"  first cycle by one worker (learns ETags): {time.perf_counter() - t0:.1f} s")
        await fetcher.close()
        await reset_server(port)
        start = utcnow()
        await make_all_due(store, now=start)
        await store.close()
        ctx = multiprocessing.get_context("spawn")
        pipes = [ctx.Pipe(duplex=False) for _ in range(2)]
        procs = [
            ctx.Process(target=pg_worker, args=(url, schema, f"w{i}", start.isoformat(), w))
            for i, (_r, w) in enumerate(pipes)
        ]
        t0 = time.perf_counter()
        for p in procs:
            p.start()
        results = [r.recv() for r, _w in pipes]
        wall = time.perf_counter() - t0
        for p in procs:
            p.join()
        counts = await server_counts(port)
        polled = sum(r[0] for r in results)
        for i, (n, w, cpu, rss) in enumerate(results):
            print(
                f"  worker {i}: {n} feeds in {w:.2f} s, CPU {cpu:.2f} s, "
                f"peak RSS {rss / 1024:.0f} MB"
            )
        print(
            f"  together: {polled} feeds in {wall:.2f} s (incl. process start) "
            f"= {polled / wall:,.0f} feeds/s"
        )
        twice = sum(1 for v in counts.values() if v > 1)
        print(
            f"  server: {len(counts)} feeds requested, {twice} more than once, "
            f"{feeds - len(counts)} not at all"
        )
    finally:
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--postgres", default=os.environ.get("NEWSDIGEST_TEST_POSTGRES_URL"))
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()

    ctx = multiprocessing.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    server = ctx.Process(target=serve, args=(args.hosts, send), daemon=True)
    server.start()
    port = recv.recv()
    try:
        if not args.skip_sqlite:
            with tempfile.TemporaryDirectory() as tmp:
                print(f"one process, SQLite, {args.feeds} feeds over {args.hosts} hosts:")
                url = f"sqlite+aiosqlite:///{tmp}/bench.db"
                asyncio.run(one_process(url, None, args.feeds, port, args.hosts))
        if args.postgres:
            print(f"two worker processes, PostgreSQL, {args.feeds} feeds:")
            asyncio.run(two_workers(args.postgres, args.feeds, port, args.hosts))
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    main()
