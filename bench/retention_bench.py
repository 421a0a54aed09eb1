"""Retention: the SQLite file's size per simulated day, with the day's prune, for feeds of 20
items a day over 90 days and a 30-day retention.

    .venv/bin/python bench/retention_bench.py                 # 100 feeds (the default scale)
    .venv/bin/python bench/retention_bench.py --feeds 1000    # the issue's scale: 1.8 million

The default is 100 feeds (2,000 items a day, 180,000 in 90 days; about 4 minutes here): the
issue's 1,000 feeds take about 40 s a simulated day on this 2-core machine (an hour for 90
days) and a 5 GB file at the plateau. The scale is printed on the first line.

Each day, every feed publishes a document of its 20 new items, stored through the store's own
write path (`upsert_entries`, which also marks the day before's items no longer listed); the
day's articles are then summarized in bulk SQL that matches the schema (page text, summary
JSON), two articles from different feeds make one story (title, facts, quotes and headlines
in the full-text index, two quotes with speaker tokens, two sources), and 50 channels get four
digests a day of 7 stories each (header and story posts, delivered, with their
`channel_story` rows). Then the day ends with what the worker does: `prune` (30 days) and
`give_back_space` (incremental vacuum). Printed per day: the file's size (database and WAL),
the rows kept, and the seconds the day's writes and the prune took. The size should stop
growing once the first day falls out of the retention (day 31) and stay flat after it.

Run 2026-12-08, `--feeds 1000 --days 90 --tables` (2-core shared machine, 1 h 30 min): 298.0 MB
on day 1, 5,030.8 MB on day 30, 5,042.3 on day 31 (the first prune: 20,000 articles, 151 MB
given back), 5,049.8 on day 60, 5,052.2 on day 90; 600,000 entries and articles and 300,000
stories kept from day 30 on. Largest at the end (MB): articles 2,463.7, stories 1,231.9,
entries 311.3, quotes 163.2, the search index's data 119.5.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import bindparam, func, insert, select, update

from bot.store import EntryData, Store
from bot.store.models import (
    Article,
    ChannelStory,
    Digest,
    Entry,
    Post,
    Quote,
    QuoteSpeakerToken,
    Story,
    StorySource,
)
from bot.store.retention import give_back_space, prune

START = datetime(2026, 1, 1, 6, 0, tzinfo=UTC)
CHANNELS = 50
DIGESTS_A_DAY = 4
STORIES_A_DIGEST = 7
_WORDS = [
    "council",
    "harbour",
    "ferry",
    "strike",
    "budget",
    "minister",
    "court",
    "rail",
    "bridge",
    "storm",
    "election",
    "school",
    "hospital",
    "police",
    "river",
    "festival",
    "museum",
    "library",
    "market",
    "union",
    "wages",
    "tax",
    "flood",
    "energy",
    "port",
    "airport",
    "mayor",
    "report",
    "inquiry",
    "vote",
    "housing",
    "transport",
    "climate",
    "water",
    "health",
    "trade",
    "summit",
]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."


class Newsroom:
    """What 1,000 feeds and 50 channels write into the store in a day."""

    def __init__(self, store: Store, *, feeds: int, items: int, text_words: int) -> None:
        self.store = store
        self.feeds = feeds
        self.items = items
        rng = random.Random(7)
        self.pages = [_text(rng, text_words) for _ in range(200)]
        self.facts = [[_text(rng, 25) for _ in range(4)] for _ in range(200)]
        self.names = [f"{rng.choice(_WORDS)} {rng.choice(_WORDS)}".title() for _ in range(200)]
        self.feed_ids: list[int] = []

    async def setup(self) -> None:
        for n in range(self.feeds):
            feed, _ = await self.store.feeds.add(
                url=f"https://feed{n}.example/rss",
                normalized_url=f"feed{n}.example/rss",
                title=f"Feed {n}",
                now=START,
            )
            self.feed_ids.append(feed.id)

    async def day(self, d: int, now: datetime) -> None:
        article_ids: list[int] = []
        for f, feed_id in enumerate(self.feed_ids):
            batch = [self._item(d, f, i, now) for i in range(self.items)]
            changes = await self.store.articles.upsert_entries(
                feed_id, batch, backlog=False, now=now
            )
            article_ids += [c.article_id for c in changes if c.kind == "new"]
        await self._summarize(article_ids, d, now)
        stories = await self._stories(article_ids, d, now)
        await self._digests(stories, d, now)

    def _item(self, d: int, f: int, i: int, now: datetime) -> EntryData:
        link = f"https://site{f}.example/{d}/{i}"
        n = (d * 7919 + f * 31 + i) % len(self.pages)
        return EntryData(
            guid=link,
            link=link,
            normalized_link=link[8:],
            content_hash=f"{d:03d}{f:05d}{i:03d}".ljust(64, "0"),
            title=f"{self.facts[n][0][:60]} ({d}/{f}/{i})",
            summary=self.facts[n][1],
            published_at=now,
        )

    def _summary(self, n: int, title: str) -> dict[str, object]:
        facts = self.facts[n % len(self.facts)]
        return {
            "title": title,
            "lead": facts[0],
            "key_facts": [{"text": t, "position": i, "score": 1.0} for i, t in enumerate(facts)],
            "quotes": [
                {"text": facts[2], "speaker": self.names[n % 200], "position": 0, "score": 1.0},
                {"text": facts[3], "speaker": self.names[(n + 1) % 200], "position": 1},
            ],
        }

    async def _summarize(self, ids: list[int], d: int, now: datetime) -> None:
        rows = [
            {
                "row_id": a,
                "new_text": self.pages[a % len(self.pages)] + f" {d}-{a}",
                "new_summary": self._summary(a, f"Report {a}"),
                "new_title": f"Report {a}",
            }
            for a in ids
        ]
        stmt = (
            update(Article.__table__)
            .where(Article.__table__.c.id == bindparam("row_id"))
            .values(
                state="summarized",
                text=bindparam("new_text"),
                summary=bindparam("new_summary"),
                title=bindparam("new_title"),
                summarized_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        async with self.store.session() as s:
            for i in range(0, len(rows), 2000):
                await s.execute(stmt, rows[i : i + 2000])

    async def _stories(self, ids: list[int], d: int, now: datetime) -> list[int]:
        """Articles of two different feeds (the same position in consecutive feeds' days)
        make a story; returns the day's story ids."""
        pairs = [
            (ids[k], ids[k + self.items])
            for k in range(len(ids) - self.items)
            if (k // self.items) % 2 == 0
        ]
        story_ids: list[int] = []
        async with self.store.session() as s:
            for first, second in pairs:
                facts = self.facts[first % len(self.facts)]
                result = await s.execute(
                    insert(Story.__table__).values(
                        title=f"Report {first}",
                        lead=facts[0],
                        url=f"https://x.example/{first}",
                        summary=self._summary(first, f"Report {first}"),
                        best_article_id=first,
                        from_feed_only=False,
                        source_count=2,
                        published_at=now,
                        search_facts="\n".join(facts),
                        search_quotes="\n".join(facts[2:]),
                        search_speakers=self.names[first % 200],
                        search_headlines=f"Report {first}\nReport {second}",
                        created_at=now,
                        updated_at=now,
                    )
                )
                story_ids.append(int(result.inserted_primary_key[0]))
            links = [
                {"story_id": sid, "article_id": a, "url": f"https://x.example/{a}", "added_at": now}
                for sid, pair in zip(story_ids, pairs, strict=True)
                for a in pair
            ]
            await s.execute(insert(StorySource.__table__), links)
            await s.execute(
                update(Article.__table__)
                .where(Article.__table__.c.id == bindparam("row_id"))
                .values(story_id=bindparam("new_story"))
                .execution_options(synchronize_session=False),
                [{"row_id": link["article_id"], "new_story": link["story_id"]} for link in links],
            )
            quotes = [
                {
                    "story_id": sid,
                    "article_id": pair[0],
                    "speaker": self.names[(pair[0] + q) % 200],
                    "speaker_normalized": self.names[(pair[0] + q) % 200].lower(),
                    "text": self.facts[pair[0] % len(self.facts)][2 + q],
                    "text_hash": f"{sid}-{q}",
                    "position": q,
                    "created_at": now,
                }
                for sid, pair in zip(story_ids, pairs, strict=True)
                for q in (0, 1)
            ]
            await s.execute(insert(Quote.__table__), quotes)
            first_quote = await s.scalar(
                select(func.min(Quote.id)).where(Quote.story_id.in_(story_ids[:1]))
            )
            tokens = [
                {"quote_id": (first_quote or 0) + i, "token": word}
                for i, quote in enumerate(quotes)
                for word in sorted(set(quote["speaker_normalized"].split()))  # type: ignore[union-attr]
            ]
            await s.execute(insert(QuoteSpeakerToken.__table__), tokens)
        return story_ids

    async def _digests(self, stories: list[int], d: int, now: datetime) -> None:
        async with self.store.session() as s:
            for slot in range(DIGESTS_A_DAY):
                at = now + timedelta(hours=6 * slot)
                for c in range(CHANNELS):
                    channel = f"C{c}"
                    digest = await s.execute(
                        insert(Digest.__table__).values(
                            platform="console",
                            workspace_id="W",
                            channel_id=channel,
                            title="Digest",
                            state="posted",
                            story_count=STORIES_A_DIGEST,
                            created_at=at,
                            posted_at=at,
                        )
                    )
                    digest_id = int(digest.inserted_primary_key[0])
                    start = (c * 97 + slot * STORIES_A_DIGEST * CHANNELS) % max(1, len(stories))
                    chosen = [stories[(start + k) % len(stories)] for k in range(STORIES_A_DIGEST)]
                    posts = [
                        self._post(f"d{digest_id}h", "digest_header", channel, digest_id, None, at)
                    ] + [
                        self._post(f"d{digest_id}s{sid}", "story", channel, digest_id, sid, at)
                        for sid in chosen
                    ]
                    await s.execute(insert(Post.__table__), posts)
                    await s.execute(
                        insert(ChannelStory.__table__).prefix_with("OR IGNORE"),
                        [
                            {
                                "platform": "console",
                                "workspace_id": "W",
                                "channel_id": channel,
                                "story_id": sid,
                                "message_id": f"m{digest_id}{sid}",
                                "thread_id": f"t{digest_id}{sid}",
                                "sources_posted": 2,
                                "created_at": at,
                            }
                            for sid in chosen
                        ],
                    )

    def _post(
        self, key: str, kind: str, channel: str, digest_id: int, story_id: int | None, at: datetime
    ) -> dict[str, object]:
        payload = {"card": {"title": f"Story {story_id}", "facts": self.facts[0]}}
        return {
            "idempotency_key": key,
            "platform": "console",
            "workspace_id": "W",
            "channel_id": channel,
            "kind": kind,
            "digest_id": digest_id,
            "story_id": story_id,
            "payload": payload,
            "state": "posted",
            "message_id": f"m-{key}",
            "attempts": 1,
            "next_attempt_at": at,
            "created_at": at,
            "posted_at": at,
        }


def _size(path: Path) -> int:
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


async def _rows(store: Store) -> tuple[int, int, int]:
    async with store.session(readonly=True) as s:
        counts = [
            await s.scalar(select(func.count()).select_from(m)) for m in (Entry, Article, Story)
        ]
    return tuple(int(c or 0) for c in counts)  # type: ignore[return-value]


async def _table_sizes(store: Store) -> str:
    """The largest tables and indexes (SQLite's dbstat), in MB."""
    async with store.sqlite_connection() as db:
        cursor = await db.execute(
            "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 12"
        )
        rows = await cursor.fetchall()
    return "largest: " + ", ".join(f"{name} {size / 1e6:.1f}" for name, size in rows)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=100, help="default 100; the issue's: 1000")
    parser.add_argument("--items", type=int, default=20, help="items per feed per day")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--retention", type=int, default=30, help="days")
    parser.add_argument("--text-words", type=int, default=300, help="words of page text")
    parser.add_argument(
        "--tables", action="store_true", help="at the end, the space of each table and index"
    )
    parser.add_argument("--dir", help="where the database file goes (default: a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        path = Path(tmp) / "retention.db"
        store = Store(f"sqlite+aiosqlite:///{path}")
        await store.upgrade()
        room = Newsroom(store, feeds=args.feeds, items=args.items, text_words=args.text_words)
        await room.setup()
        print(
            f"{args.feeds} feeds x {args.items} items a day, {args.days} days, retention "
            f"{args.retention} days, {CHANNELS} channels x {DIGESTS_A_DAY} digests of "
            f"{STORIES_A_DIGEST} stories, page text {args.text_words} words; SQLite {path}"
        )
        print("day  size_MB  entries  articles  stories  write_s  prune_s  pruned")
        try:
            for d in range(1, args.days + 1):
                now = START + timedelta(days=d)
                t0 = time.perf_counter()
                await room.day(d, now)
                t1 = time.perf_counter()
                report = await prune(
                    store, older_than=timedelta(days=args.retention), now=now + timedelta(hours=23)
                )
                report.freed_bytes = await give_back_space(store)
                t2 = time.perf_counter()
                entries, articles, stories = await _rows(store)
                print(
                    f"{d:3d}  {_size(path) / 1e6:7.1f}  {entries:7d}  {articles:8d}  "
                    f"{stories:7d}  {t1 - t0:7.1f}  {t2 - t1:7.1f}  "
                    f"{report.articles} articles, {report.freed_bytes / 1e6:.0f} MB back",
                    flush=True,
                )
            if args.tables:
                print(await _table_sizes(store))
        finally:
            await store.close()


if __name__ == "__main__":
    asyncio.run(main())
