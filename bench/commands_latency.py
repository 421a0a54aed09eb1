"""Latency of the member lookups (`/news search | latest | quotes | story`) and of
`/feeds list` on a store with many stories: what an adapter has before Discord's 3-second
interaction deadline (past it, the adapter must defer first).

Writes N invented stories (three feeds, two workspaces, quotes on every other story) into a
fresh SQLite file (or the PostgreSQL URL given with --postgres, in a throwaway schema), then
times each command through `Commands.handle` and prints the median and 95th percentile.

    .venv/bin/python bench/commands_latency.py [--stories 5000] [--runs 50] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from bot.commands import CommandContext, Commands
from bot.feeds.fetch import Fetcher
from bot.store import EntryData, Store, upgrade

WORDS = [
    "harbour",
    "ferry",
    "council",
    "budget",
    "bridge",
    "library",
    "school",
    "rail",
    "strike",
    "storm",
    "river",
    "hospital",
    "election",
    "port",
    "museum",
    "market",
    "festival",
    "airport",
    "tram",
    "flood",
]
PEOPLE = ["Mara Lindqvist", "Tomas Reyes", "Ana Okafor", "Li Wen", "Jo Baptiste"]
T0 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)


def summary(i: int) -> dict[str, object]:
    a, b, c = WORDS[i % 20], WORDS[(i * 7) % 20], WORDS[(i * 13) % 20]
    facts = [
        f"The {a} plan number {i} was approved on Tuesday after a long debate.",
        f"Officials said the {b} works would cost {i % 90 + 10} million.",
        f"Residents near the {c} asked for more information about the schedule.",
    ]
    quotes = (
        [{"text": f"We will finish the {a} on time", "speaker": PEOPLE[i % 5], "position": 0}]
        if i % 2 == 0
        else []
    )
    return {
        "title": f"{a.title()} {b} update {i}",
        "lead": facts[0],
        "key_facts": [{"text": f, "position": n} for n, f in enumerate(facts)],
        "quotes": quotes,
    }


async def populate(store: Store, n: int) -> None:
    feeds = []
    for name in ("gazette", "herald", "courier"):
        feed, _ = await store.feeds.add(
            url=f"https://{name}.example/feed.xml", normalized_url=f"{name}.example/feed.xml"
        )
        feeds.append(feed)
    for feed, (ws, ch) in zip(feeds, [("W1", "C1"), ("W1", "C2"), ("W2", "C9")], strict=True):
        await store.channels.subscribe(
            platform="discord", workspace_id=ws, channel_id=ch, feed_id=feed.id
        )
    for i in range(n):
        feed = feeds[i % 3]
        link = f"https://{feed.id}.example/a/{i}"
        (change,) = await store.articles.upsert_entries(
            feed.id,
            [EntryData(guid=link, link=link, normalized_link=link[8:], title=f"t{i}")],
            backlog=False,
            now=T0,
        )
        data = summary(i)
        at = T0 - timedelta(minutes=n - i)
        story = await store.stories.create(
            title=str(data["title"]),
            lead=str(data["lead"]),
            url=link,
            summary=data,
            best_article_id=change.article_id,
            published_at=at,
            now=at,
        )
        await store.stories.add_source(
            story.id, url=link[8:], article_id=change.article_id, feed_id=feed.id, now=at
        )


async def timed(
    commands: Commands, ctx: CommandContext, group: str, name: str, opts: dict[str, str], runs: int
) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        reply = await commands.handle(ctx, group, name, opts)
        samples.append(time.perf_counter() - start)
        if reply.error:
            raise SystemExit(f"/{group} {name} failed: {reply.text}")
    return samples


async def main(args: argparse.Namespace) -> None:
    schema = None
    if args.postgres:
        url = args.postgres
        schema = f"bench_{secrets.token_hex(4)}"
        admin = Store(url)
        async with admin.engine.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        await admin.close()
        await upgrade(url, schema=schema)
    else:
        url = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
        await upgrade(url)
    store = Store(url, schema=schema)
    try:
        start = time.perf_counter()
        await populate(store, args.stories)
        print(
            f"{store.dialect}: wrote {args.stories} stories in {time.perf_counter() - start:.1f} s"
        )
        member = CommandContext("discord", "W1", "C1", "U1")
        moderator = CommandContext("discord", "W1", "C1", "U2", is_moderator=True)
        async with Fetcher() as fetcher:
            commands = Commands(store=store, fetcher=fetcher)
            cases = [
                (member, "news", "search", {"words": "ferry budget"}),
                (member, "news", "search", {"words": '"plan number" -storm'}),
                (member, "news", "latest", {}),
                (member, "news", "latest", {"topic": "harbour"}),
                (member, "news", "quotes", {"person": "lindqvist"}),
                (member, "news", "story", {"id": str(args.stories // 2)}),
                (moderator, "feeds", "list", {}),
            ]
            print(f"{'command':<46}{'median ms':>10}{'p95 ms':>10}")
            for ctx, group, name, opts in cases:
                samples = sorted(await timed(commands, ctx, group, name, opts, args.runs))
                label = f"/{group} {name} {' '.join(opts.values())}"[:45]
                p95 = samples[min(len(samples) - 1, int(0.95 * len(samples)))]
                print(f"{label:<46}{statistics.median(samples) * 1000:>10.1f}{p95 * 1000:>10.1f}")
    finally:
        await store.close()
        if schema is not None:
            admin = Store(url)
            async with admin.engine.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--postgres", help="a postgresql+asyncpg:// URL (a schema is made)")
    asyncio.run(main(parser.parse_args()))
