"""`/news quotes <person>` on a store built from real articles: the PolNeAR dev split served on
loopback, run through the real article pipeline into SQLite, then looked up by each labelled
speaker's surname through the command router, as a member would.

    .venv/bin/python bench/quotes_lookup.py            # both halves, one store each
    .venv/bin/python bench/quotes_lookup.py --show 3   # also print three replies

The articles are read from /work/shared/eval/quotes_dev_polnear.jsonl (see
bench/polnear_quotes.py for the data, the halves and the fair scoring), served as HTML pages
by an aiohttp server on 127.0.0.1, and fetched, extracted, summarized, clustered and stored
by `ArticlePipeline` exactly as the worker does. For each surname that labels at least one
counted gold quote (a `full` quote of five words or more whose speaker span names someone),
the bench asks `/news quotes <surname>` and judges every quote listed:

* right: it is (80% of its words inside, or token F1 >= .8) a gold quote of that person;
* wrong: it is a gold quote of somebody else (a wrong attribution reaching the member);
* unlabelled: it matches no counted gold (an unlabelled real quote, a neither-way gold, or
  not a quote at all): left out of precision, counted for the record.

Printed per half: precision right / (right + wrong), recall (gold quotes of the person that
the listing covers), and the store's ceiling: the share of counted gold quotes that are
stored as quotes at all, whoever they are given to. The ceiling is bounded by how many
quotes a story keeps (`summarize(max_quotes=…)` in the pipeline).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiohttp import web
from sqlalchemy import select

from bench.polnear_quotes import (
    INSIDE,
    MIN_WORDS,
    POLNEAR,
    gold_surname,
    load,
    overlap_f1,
    paragraphs_of,
    share_inside,
    split_halves,
    tokens,
)
from bot.commands import Commands
from bot.commands.context import CommandContext
from bot.feeds.fetch import Fetcher
from bot.store import EntryData, Store
from bot.store.migrate import upgrade
from bot.store.models import Quote
from bot.stories.pipeline import ArticlePipeline

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
MEMBER = CommandContext(
    platform="console", workspace_id="W1", channel_id="C1", user_id="U1", user_name="member"
)


@dataclass(frozen=True)
class Gold:
    article: str
    surname: str | None
    tokens: tuple[str, ...]


@dataclass
class Tally:
    people: int = 0
    gold: int = 0
    found: int = 0
    right: int = 0
    wrong: int = 0
    unlabelled: int = 0
    stored_gold: int = 0
    counted_gold: int = 0
    replies: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / (self.right + self.wrong) if self.right + self.wrong else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 1.0


def counted_gold(rows: list[dict]) -> list[Gold]:
    golds = []
    for row in rows:
        for g in row["gold"]:
            words = tuple(tokens(g["text"]))
            if g["kind"] != "full" or len(words) < MIN_WORDS:
                continue
            surname = None if g.get("pronoun") else gold_surname(g["speaker"] or "")
            golds.append(Gold(row["id"], surname, words))
    return golds


def page(row: dict) -> bytes:
    paragraphs = paragraphs_of(row["text"])
    title, body = paragraphs[0], paragraphs[1:]
    html = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title></head><body><article><h1>{escape(title)}</h1>"
        + "".join(f"<p>{escape(p)}</p>" for p in body)
        + "</article></body></html>"
    )
    return html.encode()


def best_gold(text: str, golds: list[Gold]) -> Gold | None:
    words = tokens(text)
    best, share = None, 0.0
    for g in golds:
        s = max(share_inside(words, list(g.tokens)), overlap_f1(words, list(g.tokens)))
        if s > share:
            best, share = g, s
    return best if share >= INSIDE else None


async def build_store(rows: list[dict], db: str) -> tuple[Store, Fetcher]:
    pages = {f"/a/{i}": page(row) for i, row in enumerate(rows)}

    async def serve(request: web.Request) -> web.Response:
        body = pages.get(request.path)
        if body is None:
            return web.Response(status=404)
        return web.Response(body=body, content_type="text/html", charset="utf-8")

    app = web.Application()
    app.router.add_get("/a/{n}", serve)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    store = Store(f"sqlite+aiosqlite:///{db}")
    await upgrade(store.engine)
    feed, _ = await store.feeds.add(
        url="https://polnear.test/feed", normalized_url="polnear.test/f"
    )
    await store.channels.subscribe(
        platform="console", workspace_id="W1", channel_id="C1", feed_id=feed.id
    )
    entries = [
        EntryData(
            guid=row["id"],
            link=f"http://127.0.0.1:{port}/a/{i}",
            normalized_link=f"127.0.0.1:{port}/a/{i}",
            title=paragraphs_of(row["text"])[0],
        )
        for i, row in enumerate(rows)
    ]
    await store.articles.upsert_entries(feed.id, entries, backlog=True, now=NOW)
    fetcher = Fetcher(allow_private=True)
    pipeline = ArticlePipeline(store=store, fetcher=fetcher, worker_id="bench")
    stats = await pipeline.drain()
    await runner.cleanup()
    print(f"  pipeline: {stats.summarized} articles summarized, {stats.failed} failed")
    return store, fetcher


async def run_half(rows: list[dict], db: str, show: int) -> Tally:
    golds = counted_gold(rows)
    store, fetcher = await build_store(rows, db)
    t = Tally(counted_gold=len(golds))
    async with store.session(readonly=True) as s:
        stored = [q for (q,) in (await s.execute(select(Quote.text))).all()]
    covered: set[Gold] = set()
    for text in stored:
        if (g := best_gold(text, golds)) is not None:
            covered.add(g)
    t.stored_gold = len(covered)
    by_person: dict[str, list[Gold]] = defaultdict(list)
    for g in golds:
        if g.surname:
            by_person[g.surname].append(g)
    commands = Commands(store=store, fetcher=fetcher, clock=lambda: NOW)
    for surname, theirs in sorted(by_person.items()):
        t.people += 1
        t.gold += len(theirs)
        hits = await store.stories.quotes_by_speaker(
            surname, platform="console", workspace_id="W1", limit=200
        )
        listed: dict[Gold, list[str]] = defaultdict(list)
        for hit in hits:
            g = best_gold(hit.text, golds)
            if g is None:
                t.unlabelled += 1
            elif g.surname == surname:
                t.right += 1
                listed[g].extend(tokens(hit.text))
            elif g.surname is None:
                t.unlabelled += 1
            else:
                t.wrong += 1
        t.found += sum(
            1 for g in theirs if share_inside(list(g.tokens), listed.get(g, [])) >= INSIDE
        )
        if len(t.replies) < show and hits:
            reply = await commands.handle(MEMBER, "news", "quotes", {"person": surname})
            t.replies.append(reply.plain_text())
    await fetcher.close()
    await store.close()
    return t


async def main_async(show: int) -> None:
    dev, held = split_halves(load(POLNEAR))
    for name, rows in (("development half", dev), ("held-out half", held)):
        print(f"{name}: {len(rows)} articles")
        with tempfile.TemporaryDirectory() as tmp:
            t = await run_half(rows, f"{tmp}/quotes.db", show)
        print(
            f"  /news quotes for {t.people} people: precision {t.precision:.3f} "
            f"({t.right} right, {t.wrong} given to the wrong person, {t.unlabelled} unlabelled), "
            f"recall {t.recall:.3f} ({t.found}/{t.gold} of their gold quotes listed)"
        )
        print(
            f"  ceiling: {t.stored_gold}/{t.counted_gold} counted gold quotes are stored as "
            f"quotes at all ({t.stored_gold / max(t.counted_gold, 1):.3f})"
        )
        for reply in t.replies:
            print("  " + reply.replace("\n", "\n  "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", type=int, default=0, help="print this many replies")
    asyncio.run(main_async(parser.parse_args().show))


if __name__ == "__main__":
    main()
