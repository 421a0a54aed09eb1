"""The article pipeline: pending articles → page → summary → story.

Usage::

    pipeline = ArticlePipeline(store=store, fetcher=fetcher, worker_id="w1", executor=pool)
    stats = await pipeline.drain()          # until no pending article is left to claim

For each claimed article (the store is the queue; claims carry a lease):

1. fetch its page with the same guarded, limited `Fetcher` as feeds;
2. summarize it in an executor (`summarize()` is CPU-bound and would stall the event loop);
3. when the page cannot be fetched or yields no text, summarize the feed's own content or
   description instead, and say so: `summary.extra["from_feed"] = True` and the reason in
   `summary.extra["page_error"]`; the article and story get `from_feed_only`. When the page
   failed for a reason that may pass (timeout, connection failure, 5xx, 429) the article stays
   in the queue, already in its story, for a page retry after a growing delay
   (`page_retry_delays_s`, one retry each; the claim count `attempts` says which). A retry that
   reads the page replaces the story's feed-only summary (`better_summary` prefers a page);
   one that fails again waits for the next delay, and after the last the article is done with
   its feed text. Permanent failures (4xx, a blocked address, not a web page, too large, no
   article text) are never retried;
4. cluster it (`bot.stories.cluster`): join the best-matching recent story, or start one;
   the story keeps the better of its summaries, gains the source link and the quotes;
5. mark the article summarized.

Steps 4 and 5 are one transaction that first re-checks the lease, so a worker killed at any
point leaves either nothing or the whole result: the next worker redoes an unfinished article
from the start and nothing is stored twice. Clustering decisions are serialised (an asyncio lock
in the process, plus a transaction-scoped advisory lock on PostgreSQL) so two reports of one
event processed at the same moment cannot both start a story.

The fingerprints clustering compares are those of every article already in a story (one per
article, as `cluster.best_match` expects), recomputed from the stored summaries and held in a
`ClusterIndex` keyed by `candidate_keys()`; the index catches up with other workers' articles
from the store before every decision.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import BrokenExecutor, Executor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.feeds.errors import ConnectionFailed, FetchError, HTTPStatusError, Timeout
from bot.feeds.fetch import PAGE_ACCEPT, Fetcher, FetchResult
from bot.feeds.parse import text_as_html
from bot.render.views import STORED_QUOTES, THREAD_FACTS
from bot.store.articles import LINKLESS_PREFIX
from bot.store.claims import owned_by
from bot.store.models import (
    ARTICLE_PENDING,
    ARTICLE_SUMMARIZED,
    ENTRY_DONE,
    Article,
    Entry,
    Story,
    StorySource,
)
from bot.store.store import Store
from bot.store.stories import add_headline, add_quotes, search_fields
from bot.store.types import utcnow
from bot.store.upsert import insert_ignore
from bot.stories.cluster import (
    CLUSTER_WINDOW,
    FROM_FEED,
    StoryFingerprint,
    best_match,
    better_summary,
)
from bot.stories.images import best_image
from summarizer import Summary, summarize

__all__ = [
    "PAGE_RETRY_DELAYS_S",
    "ArticlePipeline",
    "ClusterIndex",
    "PipelineStats",
    "fingerprint_of",
    "is_transient",
]

log = logging.getLogger(__name__)

PAGE_ERROR = "page_error"
CLUSTER_LOCK_KEY = 0x6E6473
"""PostgreSQL advisory lock id held while a clustering decision is stored ("nds")."""
_REFRESH_OVERLAP = timedelta(minutes=1)
"""Clustering decisions are serialised and each stamps `summarized_at` while holding the lock,
so an index only has to look back past its last refresh by the clocks' possible skew."""
PAGE_RETRY_DELAYS_S: tuple[float, ...] = (300.0, 1800.0, 7200.0)
"""Waits before each page retry of an article summarized from its feed text: 5 min, 30 min, 2 h."""
MAX_RETRY_AFTER_S = 6 * 3600.0
"""A server's Retry-After lengthens a page retry's wait, up to this."""
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)


def _summarize_job(source: str, title: str | None, url: str | None) -> Summary:
    return summarize(source, title=title, url=url, max_facts=THREAD_FACTS, max_quotes=STORED_QUOTES)


def fingerprint_of(summary: dict[str, Any] | None, published: datetime | None) -> StoryFingerprint:
    """The clustering fingerprint of a stored summary (`Summary.to_dict()`)."""
    summary = summary or {}
    return StoryFingerprint.from_summary(
        title=summary.get("title"),
        lead=summary.get("lead"),
        facts=[f.get("text", "") for f in summary.get("key_facts", ())],
        published=published,
    )


@dataclass
class PipelineStats:
    summarized: int = 0
    from_feed: int = 0
    new_stories: int = 0
    joined_stories: int = 0
    failed: int = 0
    lost_leases: int = 0
    page_retries_queued: int = 0
    pages_recovered: int = 0

    def add(self, other: PipelineStats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class ClusterIndex:
    """Fingerprints of recent articles that belong to stories, found by candidate key."""

    window: timedelta = CLUSTER_WINDOW
    _articles: dict[int, tuple[int, StoryFingerprint, datetime]] = field(default_factory=dict)
    _by_key: dict[str, set[int]] = field(default_factory=dict)
    _watermark: datetime | None = None

    def __len__(self) -> int:
        return len(self._articles)

    def add(self, article_id: int, story_id: int, fp: StoryFingerprint, at: datetime) -> None:
        """Index an article of `story_id`; `at` is when it was summarized (for pruning)."""
        if article_id in self._articles:
            return
        self._articles[article_id] = (story_id, fp, at)
        for key in fp.candidate_keys():
            self._by_key.setdefault(key, set()).add(article_id)

    def replace(self, article_id: int, story_id: int, fp: StoryFingerprint, at: datetime) -> None:
        """Index an article again with a new fingerprint (its page was read on a retry)."""
        self._discard(article_id)
        self.add(article_id, story_id, fp, at)

    def candidates(self, fp: StoryFingerprint) -> Iterator[tuple[int, StoryFingerprint]]:
        seen: set[int] = set()
        for key in fp.candidate_keys():
            for article_id in self._by_key.get(key, ()):
                if article_id not in seen:
                    seen.add(article_id)
                    story_id, other, _ = self._articles[article_id]
                    yield story_id, other

    async def refresh(self, session: AsyncSession, *, now: datetime) -> None:
        """Load articles put into stories since the last refresh (by any worker)."""
        since = now - self.window if self._watermark is None else self._watermark
        recent = await session.scalars(
            select(Article.id).where(Article.story_id.is_not(None), Article.summarized_at >= since)
        )
        unknown = [i for i in recent if i not in self._articles]
        for start in range(0, len(unknown), 500):
            rows = await session.execute(
                select(
                    Article.id,
                    Article.story_id,
                    Article.summary,
                    Article.published_at,
                    Article.summarized_at,
                ).where(Article.id.in_(unknown[start : start + 500]))
            )
            for article_id, story_id, summary, published, summarized in rows:
                fp = fingerprint_of(summary, published or summarized)
                self.add(article_id, story_id, fp, summarized or now)
        self._watermark = now - _REFRESH_OVERLAP
        self._prune(now)

    def _prune(self, now: datetime) -> None:
        cutoff = now - self.window - timedelta(days=1)
        old = [a for a, (_, _, at) in self._articles.items() if at < cutoff]
        for article_id in old:
            self._discard(article_id)

    def _discard(self, article_id: int) -> None:
        known = self._articles.pop(article_id, None)
        if known is None:
            return
        for key in known[1].candidate_keys():
            ids = self._by_key.get(key)
            if ids is not None:
                ids.discard(article_id)
                if not ids:
                    del self._by_key[key]


@dataclass(frozen=True, slots=True)
class _Made:
    summary: Summary
    text: str | None
    final_url: str | None
    page_error: str | None
    published: datetime
    feed_id: int | None
    retry_in_s: float | None = None
    """Set when the page failed transiently: the article stays queued for a page retry."""
    image: str | None = None
    """The picture to show: the feed's own first, else the page's (see `bot.stories.images`)."""
    headlines: tuple[str, ...] = ()
    """The titles of the feed items that point at the article (searchable with its story)."""


@dataclass(frozen=True, slots=True)
class _PageStillFailing:
    """A page retry that failed again; the story keeps its feed-text summary."""

    page_error: str
    retry_in_s: float | None


def is_transient(exc: FetchError) -> bool:
    """A page failure that may pass: a timeout, a failed connection, a 5xx or a 429."""
    if isinstance(exc, Timeout | ConnectionFailed):
        return True
    return isinstance(exc, HTTPStatusError) and (exc.status == 429 or exc.status >= 500)


class ArticlePipeline:
    """Summarizes pending articles into stories; see the module docstring.

    `executor` runs `summarize()` (a process pool in production, see bot/app.py); None runs it
    in a thread. `clock` gives aware UTC datetimes.
    """

    def __init__(
        self,
        *,
        store: Store,
        fetcher: Fetcher,
        worker_id: str,
        executor: Executor | None = None,
        concurrency: int = 8,
        lease_s: float = 300,
        max_attempts: int = 5,
        page_retry_delays_s: Sequence[float] = PAGE_RETRY_DELAYS_S,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._fetcher = fetcher
        self._worker_id = worker_id
        self._executor = executor
        self._concurrency = max(1, concurrency)
        self._lease_s = lease_s
        self._max_attempts = max_attempts
        self._page_retry_delays_s = tuple(page_retry_delays_s)
        self._clock = clock
        self._index = ClusterIndex()
        self._cluster_lock = asyncio.Lock()
        self._feed_titles: dict[int, str | None] = {}

    async def drain(
        self, *, wait_for_leases_s: float = 0.0, stop: asyncio.Event | None = None
    ) -> PipelineStats:
        """Process pending articles until none can be claimed. With `wait_for_leases_s`, also
        wait (that long at most) for articles other workers hold, and take over any whose
        lease runs out, so `worker --once` finishes the work a killed worker left. Once `stop`
        is set, nothing more is claimed and the articles in hand are finished."""
        stats = PipelineStats()
        loop = asyncio.get_running_loop()
        give_up = loop.time() + wait_for_leases_s
        running: set[asyncio.Task[PipelineStats]] = set()
        try:
            while True:
                room = self._concurrency - len(running)
                stopping = stop is not None and stop.is_set()
                batch = await self._claim(room) if room > 0 and not stopping else []
                running.update(asyncio.create_task(self._process(a)) for a in batch)
                if not running:
                    if stopping:
                        return stats
                    if loop.time() < give_up and await self._pending_held_by_others():
                        if not await self._store.release_dead_leases(now=self._clock()):
                            await asyncio.sleep(min(0.5, max(0.0, give_up - loop.time())))
                        continue
                    return stats
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    stats.add(task.result())
        finally:
            for task in running:
                task.cancel()

    async def _claim(self, limit: int) -> list[Article]:
        return await self._store.articles.claim_pending(
            now=self._clock(),
            limit=limit,
            worker_id=self._worker_id,
            lease_s=self._lease_s,
            max_attempts=self._max_attempts,
        )

    async def _pending_held_by_others(self) -> bool:
        async with self._store.session(readonly=True) as s:
            count = await s.scalar(
                select(func.count())
                .select_from(Article)
                .where(
                    Article.state == ARTICLE_PENDING,
                    Article.attempts < self._max_attempts,
                    Article.lease_owner.is_not(None),
                    Article.lease_owner != self._worker_id,
                )
            )
        return bool(count)

    async def _process(self, article: Article) -> PipelineStats:
        stats = PipelineStats()
        retrying = article.story_id is not None
        try:
            made = await self._make_summary(article)
            if isinstance(made, _PageStillFailing):
                if made.retry_in_s is not None:
                    await self._store.articles.fail(
                        article.id,
                        worker_id=self._worker_id,
                        error=made.page_error,
                        retry_in_s=made.retry_in_s,
                        now=self._clock(),
                    )
                    stats.page_retries_queued += 1
                else:
                    await self._settle(article, made.page_error)
                return stats
            if made is None:
                await self._store.articles.fail(
                    article.id, worker_id=self._worker_id, error="the entry has no text or title"
                )
                stats.failed += 1
                return stats
            outcome = await self._store_result(article, made)
        except Exception as exc:  # one bad article must not stop the queue
            if retrying:
                await self._settle(article, f"page retry failed ({type(exc).__name__})")
                stats.failed += 1
                return stats
            retry = None if article.attempts >= self._max_attempts else 60.0 * article.attempts
            await self._store.articles.fail(
                article.id,
                worker_id=self._worker_id,
                error=f"internal error while summarizing ({type(exc).__name__})",
                retry_in_s=retry,
            )
            stats.failed += 1
            return stats
        if outcome is None:
            stats.lost_leases += 1
            return stats
        stats.summarized += 1
        stats.from_feed += bool(made.page_error)
        stats.page_retries_queued += made.retry_in_s is not None
        if retrying:
            stats.pages_recovered += 1
        elif outcome:
            stats.new_stories += 1
        else:
            stats.joined_stories += 1
        return stats

    async def _summarize(self, source: str, title: str | None, url: str | None) -> Summary:
        """Run summarize() in the executor. A pool whose worker died (killed for memory, say)
        is broken for good; the rest of this process's articles then run in a thread rather
        than all failing."""
        executor = self._executor
        if executor is not None:
            loop = asyncio.get_running_loop()
            try:
                return await loop.run_in_executor(executor, _summarize_job, source, title, url)
            except BrokenExecutor:
                if self._executor is executor:
                    log.error("the summarizer pool broke; summarizing in a thread from now on")
                    self._executor = None
        return await asyncio.to_thread(_summarize_job, source, title, url)

    def _page_retry_in(self, article: Article, exc: FetchError) -> float | None:
        """The wait before the page is tried again, or None when it is not to be retried."""
        tries = max(1, article.attempts)
        if (
            not is_transient(exc)
            or tries > len(self._page_retry_delays_s)
            or tries >= self._max_attempts
        ):
            return None
        delay = self._page_retry_delays_s[tries - 1]
        after = exc.retry_after if isinstance(exc, HTTPStatusError) else None
        return max(delay, min(after, MAX_RETRY_AFTER_S)) if after else delay

    async def _settle(self, article: Article, error: str) -> None:
        """Finish an article whose page will not be tried again: it keeps its story and the
        summary made from its feed text."""
        async with self._store.session() as s:
            await s.execute(
                update(Article)
                .where(owned_by(Article, article.id, self._worker_id))
                .values(
                    state=ARTICLE_SUMMARIZED,
                    fetch_error=error,
                    lease_owner=None,
                    lease_expires_at=None,
                )
                .execution_options(synchronize_session=False)
            )

    async def _make_summary(self, article: Article) -> _Made | _PageStillFailing | None:
        entries = await self._store.articles.entries_for(article.id)
        title = next((e.title for e in entries if e.title), None)
        headlines = tuple(e.title for e in entries if e.title)
        published = next((e.published_at for e in entries if e.published_at), None)
        feed_id = entries[0].feed_id if entries else None
        feed_images = [e.image_url for e in entries]
        page_error: str | None = None
        retry_in_s: float | None = None
        if article.normalized_url.startswith(LINKLESS_PREFIX):
            page_error = "the feed item has no link to a page"
        else:
            try:
                page = await self._fetcher.fetch(article.url, accept=PAGE_ACCEPT)
                page_error = not_a_page(page)
                if page_error is None:
                    html = decode_page(page)
                    summary = await self._summarize(html, title, page.url)
                    if summary.lead.strip() or summary.key_facts:
                        return _Made(
                            summary=summary,
                            text=html,
                            final_url=page.url,
                            page_error=None,
                            published=published or self._clock(),
                            feed_id=feed_id,
                            headlines=headlines,
                            image=best_image(feed_images=feed_images, page_image=summary.image),
                        )
                    page_error = "no article text was found on the page"
            except FetchError as exc:
                page_error = exc.message
                retry_in_s = self._page_retry_in(article, exc)
        if article.story_id is not None:
            return _PageStillFailing(page_error or "the page could not be read", retry_in_s)
        feed_text = max(
            (
                t
                for e in entries
                for t in (e.content, text_as_html(e.summary or ""))
                if t and t.strip()
            ),
            key=len,
            default=None,
        )
        if feed_text is None and title is None:
            return None
        summary = (
            await self._summarize(feed_text, title, article.url)
            if feed_text
            else Summary(title=title, lead="", key_facts=(), quotes=(), url=article.url)
        )
        summary = replace(
            summary,
            title=summary.title or title,
            extra={**summary.extra, FROM_FEED: True, PAGE_ERROR: page_error},
        )
        return _Made(
            summary=summary,
            text=feed_text,
            final_url=None,
            page_error=page_error,
            published=published or self._clock(),
            feed_id=feed_id,
            retry_in_s=retry_in_s,
            headlines=headlines,
            image=best_image(feed_images=feed_images, page_image=None),
        )

    async def _feed_title(self, feed_id: int | None) -> str | None:
        if feed_id is None:
            return None
        if feed_id not in self._feed_titles:
            feed = await self._store.feeds.get(feed_id)
            self._feed_titles[feed_id] = feed.title if feed is not None else None
        return self._feed_titles[feed_id]

    async def _store_result(self, article: Article, made: _Made) -> bool | None:
        """Cluster and store in one transaction. True: a new story; False: joined one (or, on a
        page retry, the article's own story); None: the lease was lost (another worker took
        the article over), nothing written."""
        summary = made.summary
        data = summary.to_dict()
        fp = fingerprint_of(data, made.published)
        feed_title = await self._feed_title(made.feed_id)
        async with self._cluster_lock, self._store.session() as s:
            if s.get_bind().dialect.name == "postgresql":
                await s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CLUSTER_LOCK_KEY})
            held = await s.scalar(
                select(Article.id)
                .where(owned_by(Article, article.id, self._worker_id))
                .where(Article.state == ARTICLE_PENDING)
                .with_for_update()
            )
            if held is None:
                return None
            now = self._clock()
            await self._index.refresh(s, now=now)
            story = await s.get(Story, article.story_id) if article.story_id else None
            if story is None:
                hit = best_match(fp, self._index.candidates(fp))
                story = await s.get(Story, hit[0]) if hit else None
            source_url = made.final_url or article.url
            if story is None:
                story = Story(
                    title=summary.title or source_url,
                    lead=summary.lead or None,
                    url=source_url,
                    summary=data,
                    best_article_id=article.id,
                    from_feed_only=bool(made.page_error),
                    image_url=made.image,
                    published_at=made.published,
                    source_count=0,
                    created_at=now,
                    updated_at=now,
                    **search_fields(data, summary.lead or None),
                )
                s.add(story)
                await s.flush()
                created = True
            else:
                current = Summary.from_dict(story.summary or {"lead": ""})
                if better_summary(current, summary) == "b":
                    story.title = summary.title or story.title
                    story.lead = summary.lead or None
                    story.url = source_url
                    story.summary = data
                    story.best_article_id = article.id
                    story.from_feed_only = bool(made.page_error)
                    story.image_url = made.image or story.image_url
                elif story.image_url is None:
                    story.image_url = made.image
                    for key, value in search_fields(data, story.lead).items():
                        setattr(story, key, value)
                story.updated_at = now
                created = False
            story.search_headlines = add_headline(
                story.search_headlines, summary.title, *made.headlines
            )
            added = await insert_ignore(
                s,
                StorySource,
                {
                    "story_id": story.id,
                    "url": article.url,
                    "article_id": article.id,
                    "feed_id": made.feed_id,
                    "feed_title": feed_title,
                    "added_at": now,
                },
                conflict=["story_id", "url"],
            )
            if added is not None:
                story.source_count = (story.source_count or 0) + 1
            await add_quotes(s, story.id, data, article.id, now)
            retry_at = None if made.retry_in_s is None else now + timedelta(seconds=made.retry_in_s)
            await s.execute(
                update(Article)
                .where(Article.id == article.id)
                .values(
                    state=ARTICLE_SUMMARIZED if retry_at is None else ARTICLE_PENDING,
                    **({} if retry_at is None else {"next_attempt_at": retry_at}),
                    summary=data,
                    text=made.text,
                    title=summary.title,
                    byline=summary.byline,
                    final_url=made.final_url,
                    published_at=made.published,
                    from_feed_only=bool(made.page_error),
                    fetch_error=made.page_error,
                    story_id=story.id,
                    summarized_at=now,
                    lease_owner=None,
                    lease_expires_at=None,
                )
                .execution_options(synchronize_session=False)
            )
            await s.execute(
                update(Entry).where(Entry.article_id == article.id).values(state=ENTRY_DONE)
            )
            story_id = story.id
        self._index.replace(article.id, story_id, fp, now)
        return created


def not_a_page(page: FetchResult) -> str | None:
    if page.content_type not in _HTML_TYPES:
        return f"the link is not a web page ({page.content_type})"
    if not page.body.strip():
        return "the page is empty"
    return None


def decode_page(page: FetchResult) -> str:
    """The page's text: the charset the server named, else the page's meta tag, else UTF-8."""
    charset = None
    for part in page.headers.get("content-type", "").split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "charset":
            charset = value.strip().strip("\"'")
    if charset is None and (meta := _META_CHARSET.search(page.body[:4096])):
        charset = meta.group(1).decode("ascii")
    try:
        return page.body.decode(charset or "utf-8", errors="replace")
    except LookupError:
        return page.body.decode("utf-8", errors="replace")
