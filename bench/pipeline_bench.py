"""Article pipeline throughput: pending articles → fetch page → extract + summarize → cluster →
store, on SQLite, pages served from a local aiohttp server in its own process.

    .venv/bin/python bench/pipeline_bench.py --articles 300 --processes 1
    .venv/bin/python bench/pipeline_bench.py --articles 300 --processes 2

Pages are the invented reports of tests/fixtures/cluster/events.json, each served under many
URLs, so clustering sees real candidates. `--processes 0` runs summarize() in a thread.
Printed: articles per second, CPU seconds per article (this process and the pool's), peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import sys
import tempfile
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import web
from sqlalchemy import func, select

from bot.feeds.fetch import Fetcher
from bot.store import EntryData, Store
from bot.store.migrate import upgrade
from bot.store.models import Story
from bot.stories.pipeline import ArticlePipeline
from tests.feed_site import articles, page_html

SAMPLES = list(articles().values())


def serve(port_pipe: Connection) -> None:
    pages = [page_html(a).encode() for a in SAMPLES]

    async def page(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        return web.Response(body=pages[n % len(pages)], content_type="text/html", charset="utf-8")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/a/{n}", page)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        port_pipe.send(runner.addresses[0][1])
        await asyncio.Event().wait()

    asyncio.run(main())


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def self_cpu() -> tuple[float, int]:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime, r.ru_maxrss


async def run(count: int, processes: int, concurrency: int, port: int, db: str) -> None:
    store = Store(f"sqlite+aiosqlite:///{db}")
    await upgrade(store.engine)
    feed, _ = await store.feeds.add(url="http://bench.test/feed", normalized_url="//bench.test/f")
    items = [
        EntryData(
            guid=f"a{n}",
            link=f"http://127.0.0.1:{port}/a/{n}",
            normalized_link=f"//127.0.0.1:{port}/a/{n}",
            title=SAMPLES[n % len(SAMPLES)].title,
            summary=SAMPLES[n % len(SAMPLES)].lead,
        )
        for n in range(count)
    ]
    await store.articles.upsert_entries(feed.id, items, backlog=True)
    executor: Executor | None = None
    if processes:
        executor = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
        list(executor.map(abs, range(processes * 4)))
    fetcher = Fetcher(allow_private=True)
    pipeline = ArticlePipeline(
        store=store, fetcher=fetcher, worker_id="bench", executor=executor, concurrency=concurrency
    )
    cpu0, _ = self_cpu()
    child0 = children_cpu()
    t0 = time.perf_counter()
    stats = await pipeline.drain()
    wall = time.perf_counter() - t0
    cpu1, rss = self_cpu()
    if executor is not None:
        executor.shutdown(wait=True)
    child = children_cpu() - child0
    async with store.session(readonly=True) as s:
        stories = await s.scalar(select(func.count()).select_from(Story))
    print(
        f"  {stats.summarized} articles in {wall:.2f} s = {stats.summarized / wall:.1f} articles/s "
        f"({stats.from_feed} from feed text, {stories} stories, {stats.failed} failed)"
    )
    per = 1000 * (cpu1 - cpu0 + child) / max(stats.summarized, 1)
    print(
        f"  CPU: this process {cpu1 - cpu0:.2f} s, summarizer processes {child:.2f} s "
        f"= {per:.1f} ms per article"
    )
    print(f"  peak RSS (this process): {rss / 1024:.0f} MB")
    await fetcher.close()
    await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    ctx = multiprocessing.get_context("spawn")
    recv, send = ctx.Pipe(duplex=False)
    server = ctx.Process(target=serve, args=(send,), daemon=True)
    server.start()
    port = recv.recv()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            print(
                f"pipeline, SQLite, {args.articles} articles, "
                f"{args.processes} summarizer processes, {args.concurrency} at once:"
            )
            asyncio.run(run(args.articles, args.processes, args.concurrency, port, f"{tmp}/p.db"))
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    main()
