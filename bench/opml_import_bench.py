"""How quick an OPML import of 500 feeds is, beside the same 500 feeds added one at a time.

    .venv/bin/python bench/opml_import_bench.py [--feeds 500] [--repeat 3]

Each run uses a fresh SQLite file. `import` is `bot.feeds.opml_import.import_opml` on a
generated OPML 2.0 file of N outlines: every URL judged by the address guard and its host
resolved once (by a fixed stand-in resolver, so nothing leaves the machine), then one
transaction for the feeds and the channel's subscriptions. `one by one` is what N
`/feeds add` calls write without their fetch: `store.feeds.add` and
`store.channels.subscribe` per feed. Also timed: the refusal of a file of 10,000 outlines
(it stops while parsing, nothing written). Printed: the median seconds of each, ms per feed
and the ratio import / one-by-one, measured in the same run (the machine is shared; compare
the ratio, not the absolute times).

First run (2026-12-08, this 2-core machine, under load): import 0.198 s (0.40 ms/feed), one
by one 1.904 s (3.81 ms/feed), ratio 0.104; refusal of 10,000 outlines 0.122 s.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.support

from bot.feeds.fetch import Fetcher
from bot.feeds.opml import OPMLError, OpmlFeed, write_opml
from bot.feeds.opml_import import import_opml
from bot.store import Store
from bot.store.feeds import SubscribeTo
from tests.support.resolver import FixedResolver

NOW = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
PUBLIC = "93.184.216.34"
CHANNEL = SubscribeTo(platform="discord", workspace_id="W1", channel_id="C1", created_by="U1")


def document(n: int) -> bytes:
    feeds = [OpmlFeed(xml_url=f"https://news{i}.example/feed.xml", title=f"F{i}") for i in range(n)]
    return write_opml(feeds, title="bench", now=NOW)


async def fresh_store(tmp: str, run: int) -> Store:
    store = Store(f"sqlite+aiosqlite:///{Path(tmp) / f'import{run}.db'}")
    await store.upgrade()
    return store


async def import_all(store: Store, n: int) -> None:
    async with Fetcher(resolver=FixedResolver(PUBLIC)) as fetcher:
        report = await import_opml(store, fetcher, document(n), subscribe=CHANNEL, now=NOW)
    assert report.added == n, report.summary()


async def one_by_one(store: Store, n: int) -> None:
    for i in range(n):
        feed, _ = await store.feeds.add(
            url=f"https://news{i}.example/feed.xml",
            normalized_url=f"news{i}.example/feed.xml",
            title=f"F{i}",
            now=NOW,
        )
        await store.channels.subscribe(
            platform="discord", workspace_id="W1", channel_id="C1", feed_id=feed.id
        )


async def refuse_huge(store: Store, n: int) -> None:
    async with Fetcher(resolver=FixedResolver(PUBLIC)) as fetcher:
        try:
            await import_opml(store, fetcher, document(10_000), subscribe=CHANNEL, now=NOW)
        except OPMLError:
            return
    raise AssertionError("a 10,000-outline file was not refused")


async def timed(tmp: str, run: int, job: Callable[[Store, int], Awaitable[None]], n: int) -> float:
    store = await fresh_store(tmp, run)
    try:
        started = time.perf_counter()
        await job(store, n)
        return time.perf_counter() - started
    finally:
        await store.close()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    jobs = {"import": import_all, "one by one": one_by_one, "refuse 10,000": refuse_huge}
    seconds: dict[str, list[float]] = {name: [] for name in jobs}
    with tempfile.TemporaryDirectory() as tmp:
        run = 0
        for _ in range(args.repeat):
            for name, job in jobs.items():
                run += 1
                seconds[name].append(await timed(tmp, run, job, args.feeds))
    med = {name: statistics.median(values) for name, values in seconds.items()}
    print(f"{args.feeds} feeds, SQLite, median of {args.repeat} runs")
    for name in ("import", "one by one"):
        per = 1000 * med[name] / args.feeds
        print(f"  {name:<14} {med[name]:7.3f} s  {per:6.2f} ms/feed")
    print(f"  {'refuse 10,000':<14} {med['refuse 10,000']:7.3f} s  (nothing written)")
    print(f"  import / one by one: {med['import'] / med['one by one']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
