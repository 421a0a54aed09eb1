"""The article pipeline end to end: feeds and pages on 127.0.0.1, a real store, the real
summarizer; stories clustered across feeds, feed text used when the page cannot be read."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.digests.views import story_card
from bot.feeds.fetch import Fetcher
from bot.render.views import CARD_QUOTES, THREAD_QUOTES
from bot.store import Store
from bot.store.models import Article, Quote, Story, StorySource
from bot.store.types import utcnow
from bot.stories.lookup import find_stories
from bot.stories.pipeline import PAGE_RETRY_DELAYS_S, ArticlePipeline
from bot.stories.urls import link_key
from bot.worker import Worker
from tests.conftest import StoreTarget
from tests.feed_site import Article as Sample
from tests.feed_site import (
    Clock,
    Item,
    articles,
    exempt_fetcher,
    item_for,
    make_worker,
    page_html,
    rss,
)
from tests.support.httpserver import LocalHTTPServer, Reply

SAMPLES = articles()
RSS_TYPE = "application/rss+xml"


@pytest.fixture
async def fetcher(http_server: LocalHTTPServer) -> AsyncIterator[Fetcher]:
    async with exempt_fetcher(http_server, total_timeout=1.0) as f:
        yield f


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def worker(store: Store, fetcher: Fetcher, clock: Clock) -> Worker:
    return make_worker(store, fetcher, clock)


def serve_page(
    server: LocalHTTPServer, path: str, sample: Sample, reply: Reply | None = None
) -> str:
    server.add(
        path, reply or Reply(body=page_html(sample), content_type="text/html; charset=utf-8")
    )
    return server.url(path)


def serve_feed(server: LocalHTTPServer, path: str, entries: list[Item]) -> str:
    server.add(path, Reply(body=rss(entries), content_type=RSS_TYPE))
    return server.url(path)


async def follow(store: Store, url: str) -> int:
    feed, _ = await store.feeds.add(url=url, normalized_url=link_key(url))
    return feed.id


async def rows(store: Store, model: type) -> list:  # type: ignore[type-arg]
    async with store.session(readonly=True) as s:
        return list((await s.scalars(select(model).order_by(model.id))).all())


async def once(worker: Worker, clock: Clock) -> None:
    clock.now = max(clock.now, utcnow())
    await worker.run_once()


async def test_the_same_story_in_three_feeds_is_one_story_with_three_sources(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock
) -> None:
    plan = {
        "a": ["quake-peru-1", "helix-profit-1"],
        "b": ["quake-peru-2", "pt-resign-1"],
        "c": ["quake-peru-3"],
    }
    for name, ids in plan.items():
        entries = [
            item_for(SAMPLES[i], serve_page(http_server, f"/{name}/{i}", SAMPLES[i])) for i in ids
        ]
        await follow(store, serve_feed(http_server, f"/{name}.xml", entries))

    await once(worker, clock)

    stories = await rows(store, Story)
    assert len(stories) == 3
    quake = next(s for s in stories if "Peru" in s.title)
    sources = await store.stories.sources(quake.id)
    assert sorted(s.url for s in sources) == sorted(
        http_server.url(f"/{n}/quake-peru-{k}") for n, k in (("a", 1), ("b", 2), ("c", 3))
    )
    assert quake.source_count == 3 and not quake.from_feed_only
    assert len({s.feed_id for s in sources}) == 3
    # The story keeps the richest of its three summaries (not the short third report).
    assert quake.best_article_id != next(
        a.id for a in await rows(store, Article) if a.url.endswith("quake-peru-3")
    )
    assert all(a.state == "summarized" for a in await rows(store, Article))
    hits = await find_stories(store, "Arequipa earthquake")
    assert [h.id for h in hits] == [quake.id]
    assert len(hits[0].sources) == 3 and hits[0].key_facts
    for report in ("quake-peru-1", "quake-peru-2", "quake-peru-3"):
        headline = SAMPLES[report].title
        assert [h.id for h in await find_stories(store, headline)] == [quake.id], headline
    for path in ("/a/quake-peru-1", "/b/quake-peru-2", "/c/quake-peru-3"):
        assert len(http_server.requests_for(path)) == 1


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(status=404), "HTTP 404"),
        (Reply.redirect("http://10.1.2.3/article"), "not a public"),
        (Reply(body="<html>", delay=3.0), "no complete answer"),
        (Reply(body=b"%PDF-1.4", content_type="application/pdf"), "not a web page"),
        (
            Reply(body="<html><body><nav>Home</nav></body></html>", content_type="text/html"),
            "no article text",
        ),
    ],
)
async def test_unreadable_page_gives_a_story_from_the_feed_text_flagged_as_such(
    store: Store,
    worker: Worker,
    http_server: LocalHTTPServer,
    clock: Clock,
    reply: Reply,
    reason: str,
) -> None:
    sample = SAMPLES["pt-resign-1"]
    link = serve_page(http_server, "/p/resign", sample, reply)
    await follow(store, serve_feed(http_server, "/f.xml", [item_for(sample, link)]))

    await once(worker, clock)

    (article,) = await rows(store, Article)
    (story,) = await rows(store, Story)
    assert article.from_feed_only and story.from_feed_only
    assert reason in (article.fetch_error or "")
    assert article.summary is not None
    assert article.summary["extra"]["from_feed"] is True
    assert reason in article.summary["extra"]["page_error"]
    assert story.title == sample.title
    assert sample.lead.split(",")[0] in (story.lead or "")


async def test_a_linkless_item_is_summarized_from_its_own_text(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock
) -> None:
    sample = SAMPLES["helix-profit-1"]
    item = Item(title=sample.title, link=None, guid="note-1", description=sample.lead)
    await follow(store, serve_feed(http_server, "/n.xml", [item]))
    await once(worker, clock)
    (story,) = await rows(store, Story)
    assert story.from_feed_only and story.title == sample.title


async def test_a_page_version_replaces_a_feed_only_summary(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock
) -> None:
    short, full = SAMPLES["quake-peru-3"], SAMPLES["quake-peru-1"]
    dead = serve_page(http_server, "/dead", short, Reply(status=500))
    await follow(store, serve_feed(http_server, "/one.xml", [item_for(short, dead)]))
    await once(worker, clock)
    (story,) = await rows(store, Story)
    assert story.from_feed_only

    live = serve_page(http_server, "/live", full)
    await follow(store, serve_feed(http_server, "/two.xml", [item_for(full, live)]))
    await once(worker, clock)

    (story,) = await rows(store, Story)
    assert not story.from_feed_only and story.source_count == 2
    assert story.url == live and story.title == full.title
    assert story.summary is not None and len(story.summary["key_facts"]) >= 3


async def test_quotes_are_stored_for_the_story(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock
) -> None:
    sample = SAMPLES["quake-peru-2"]
    link = serve_page(http_server, "/q", sample)
    await follow(store, serve_feed(http_server, "/q.xml", [item_for(sample, link)]))
    await once(worker, clock)
    (story,) = await rows(store, Story)
    quotes = await rows(store, Quote)
    summary_quotes = (story.summary or {}).get("quotes", [])
    assert len(quotes) == len(summary_quotes)
    assert all(q.story_id == story.id for q in quotes)


async def test_every_quote_is_kept_for_lookup_and_the_thread_shows_the_best(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock
) -> None:
    people = ["Ana Ruiz", "Tomas Berg", "Lena Okafor", "Piet Mulder", "Rosa Dunn",
              "Ivo Marsh", "Kai Linden", "Noor Haddad", "Elif Sand"]  # fmt: skip
    paragraphs = [
        f"“The {word} plan for the harbour has to be finished before the winter storms "
        f"arrive,” said {name}, who chairs the {word} committee."
        for word, name in zip(
            ["ferry", "bridge", "dock", "school", "budget", "tram", "park", "water", "road"],
            people,
            strict=True,
        )
    ]
    sample = Sample(
        id="many-voices",
        event="many-voices",
        title="Harbour committees press for plans before winter",
        lead="Nine committee chairs in the harbour town said on Monday their plans were late.",
        facts=tuple(paragraphs),
        published=clock.now,
    )
    link = serve_page(http_server, "/voices", sample)
    feed_id = await follow(store, serve_feed(http_server, "/voices.xml", [item_for(sample, link)]))
    await store.channels.subscribe(
        platform="console", workspace_id="W1", channel_id="C1", feed_id=feed_id
    )
    await once(worker, clock)
    (story,) = await rows(store, Story)
    stored = {q.speaker for q in await rows(store, Quote)}
    assert stored == set(people)
    for name in people:
        (hit,) = await store.stories.quotes_by_speaker(
            name.split()[-1], platform="console", workspace_id="W1"
        )
        assert hit.speaker == name and hit.story_id == story.id
    card = story_card(story, [])
    assert len(card.quotes) == THREAD_QUOTES and len(card.card_quotes) == CARD_QUOTES


async def test_summaries_run_in_a_process_pool(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer, clock: Clock
) -> None:
    pages = ["quake-peru-1", "quake-peru-2", "helix-profit-1"]
    entries = [item_for(SAMPLES[i], serve_page(http_server, f"/{i}", SAMPLES[i])) for i in pages]
    await follow(store, serve_feed(http_server, "/pool.xml", entries))
    with ProcessPoolExecutor(max_workers=1) as pool:
        await once(make_worker(store, fetcher, clock, executor=pool), clock)
    assert len(await rows(store, Story)) == 2
    assert len(await rows(store, StorySource)) == 3


async def test_a_worker_that_lost_its_lease_writes_nothing(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer, clock: Clock
) -> None:
    sample = SAMPLES["helix-profit-2"]
    link = serve_page(http_server, "/l", sample)
    await follow(store, serve_feed(http_server, "/l.xml", [item_for(sample, link)]))
    await make_worker(store, fetcher, clock).poll_due(now=max(clock.now, utcnow()))
    late = ArticlePipeline(store=store, fetcher=fetcher, worker_id="late", clock=clock)
    now = utcnow()
    (claimed,) = await store.articles.claim_pending(now=now, limit=1, worker_id="late", lease_s=1)
    later = now + timedelta(seconds=5)
    taken = await store.articles.claim_pending(now=later, limit=1, worker_id="new", lease_s=60)
    assert [a.id for a in taken] == [claimed.id]

    stats = await late._process(claimed)

    assert stats.lost_leases == 1 and stats.summarized == 0
    assert await rows(store, Story) == []
    async with store.session(readonly=True) as s:
        assert await s.scalar(select(func.count()).select_from(StorySource)) == 0


async def test_two_pipelines_on_one_database_still_make_one_story(
    store: Store,
    store_target: StoreTarget,
    fetcher: Fetcher,
    http_server: LocalHTTPServer,
    clock: Clock,
) -> None:
    ids = ["quake-peru-1", "quake-peru-2", "quake-peru-3", "boc-cut-1", "boc-cut-2"]
    for n, sample_id in enumerate(ids):
        link = serve_page(http_server, f"/s/{sample_id}", SAMPLES[sample_id])
        await follow(
            store, serve_feed(http_server, f"/f{n}.xml", [item_for(SAMPLES[sample_id], link)])
        )
    await make_worker(store, fetcher, clock).poll_due(now=max(clock.now, utcnow()))
    other = store_target.open()
    try:
        pipelines = [
            ArticlePipeline(store=s, fetcher=fetcher, worker_id=w, concurrency=2)
            for s, w in ((store, "p1"), (other, "p2"))
        ]
        results = await asyncio.gather(*(p.drain() for p in pipelines))
    finally:
        await other.close()
    assert sum(r.summarized for r in results) == len(ids)
    stories = await rows(store, Story)
    assert sorted(s.source_count for s in stories) == [2, 3]
    assert len(await rows(store, StorySource)) == len(ids)


async def test_a_broken_summarizer_pool_falls_back_to_a_thread(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer, clock: Clock
) -> None:
    pages = ["ars-che-1", "lena-1"]
    entries = [item_for(SAMPLES[i], serve_page(http_server, f"/{i}", SAMPLES[i])) for i in pages]
    await follow(store, serve_feed(http_server, "/broken.xml", entries))
    pool = ProcessPoolExecutor(max_workers=1)
    try:
        assert pool.submit(abs, -1).result(timeout=60) == 1
        for process in list(pool._processes.values()):
            process.kill()
            process.join(timeout=10)
        await once(make_worker(store, fetcher, clock, executor=pool), clock)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    assert [a.state for a in await rows(store, Article)] == ["summarized", "summarized"]
    assert not any(a.from_feed_only for a in await rows(store, Article))


async def _page_story(store: Store) -> tuple[Article, Story]:
    (article,) = await rows(store, Article)
    (story,) = await rows(store, Story)
    return article, story


@pytest.mark.parametrize(
    ("first", "wait_s"),
    [
        (Reply(status=503), 300),
        (Reply(body="<html>", delay=3.0), 300),
        (Reply(status=429, headers={"Retry-After": "900"}), 900),
    ],
    ids=["503", "timeout", "429-retry-after"],
)
async def test_a_page_that_fails_for_a_while_is_retried_and_replaces_the_feed_text(
    store: Store,
    worker: Worker,
    http_server: LocalHTTPServer,
    clock: Clock,
    first: Reply,
    wait_s: int,
) -> None:
    sample = SAMPLES["quake-peru-1"]
    page = Reply(body=page_html(sample), content_type="text/html; charset=utf-8")
    link = serve_page(http_server, "/flaky", sample, [first, page])  # type: ignore[arg-type]
    await follow(store, serve_feed(http_server, "/flaky.xml", [item_for(sample, link)]))

    await once(worker, clock)

    article, story = await _page_story(store)
    assert story.from_feed_only and article.from_feed_only
    assert article.summary is not None and article.summary["extra"]["from_feed"] is True
    assert article.state == "pending" and article.story_id == story.id
    assert article.next_attempt_at >= clock.now + timedelta(seconds=wait_s - 1)
    feed_facts = len((story.summary or {}).get("key_facts", []))

    clock.advance(wait_s - 30)
    await once(worker, clock)
    assert len(http_server.requests_for("/flaky")) == 1, "not retried before its time"

    clock.advance(60)
    await once(worker, clock)

    assert len(http_server.requests_for("/flaky")) == 2
    article, story = await _page_story(store)
    assert article.state == "summarized" and not article.from_feed_only
    assert article.fetch_error is None and article.final_url == link
    assert not story.from_feed_only and story.source_count == 1
    assert story.summary is not None and "from_feed" not in story.summary.get("extra", {})
    assert len(story.summary["key_facts"]) > feed_facts
    assert len(await rows(store, StorySource)) == 1
    hits = await find_stories(store, "Arequipa earthquake")
    assert [h.id for h in hits] == [story.id] and not hits[0].from_feed_only

    clock.advance(24 * 3600)
    await once(worker, clock)
    assert len(http_server.requests_for("/flaky")) == 2


async def test_page_retries_are_bounded_and_the_feed_text_stays(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock
) -> None:
    sample = SAMPLES["boc-cut-1"]
    link = serve_page(http_server, "/down", sample, Reply(status=502))
    await follow(store, serve_feed(http_server, "/down.xml", [item_for(sample, link)]))

    await once(worker, clock)
    for _ in range(6):
        clock.advance(3 * 3600)
        await once(worker, clock)

    assert len(http_server.requests_for("/down")) == 1 + len(PAGE_RETRY_DELAYS_S)
    article, story = await _page_story(store)
    assert article.state == "summarized" and "HTTP 502" in (article.fetch_error or "")
    assert story.from_feed_only and article.from_feed_only
    assert story.title == sample.title


@pytest.mark.parametrize(
    "reply",
    [
        Reply(status=404),
        Reply(status=410),
        Reply(body=b"%PDF-1.4", content_type="application/pdf"),
    ],
    ids=["404", "410", "not-html"],
)
async def test_a_page_that_fails_for_good_is_not_retried(
    store: Store, worker: Worker, http_server: LocalHTTPServer, clock: Clock, reply: Reply
) -> None:
    sample = SAMPLES["helix-profit-1"]
    link = serve_page(http_server, "/gone", sample, reply)
    await follow(store, serve_feed(http_server, "/gone.xml", [item_for(sample, link)]))

    await once(worker, clock)
    article, story = await _page_story(store)
    assert article.state == "summarized" and story.from_feed_only

    for _ in range(3):
        clock.advance(3 * 3600)
        await once(worker, clock)
    assert len(http_server.requests_for("/gone")) == 1
