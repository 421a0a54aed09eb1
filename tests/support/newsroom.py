"""A small newsroom written into a real store for the digest tests: feeds, subscriptions,
entries, summarized articles and stories, all invented here.

    room = Newsroom(store, now=T0)
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, channel="C1")
    story = await room.story(feed, "Ferry returns", facts=["The ferry sails on Monday."])
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update

from bot.store import EntryData, Store
from bot.store.models import Article, Feed, Story


def summary(
    title: str,
    *,
    facts: Sequence[str] = (),
    quotes: Sequence[tuple[str, str | None]] = (),
    url: str | None = None,
) -> dict[str, object]:
    return {
        "title": title,
        "lead": facts[0] if facts else title,
        "key_facts": [{"text": f, "position": i, "score": 1.0} for i, f in enumerate(facts)],
        "quotes": [
            {"text": t, "speaker": s, "position": i, "score": 1.0}
            for i, (t, s) in enumerate(quotes)
        ],
        "url": url,
    }


class Newsroom:
    def __init__(self, store: Store, *, now: datetime, platform: str = "console") -> None:
        self.store = store
        self.now = now
        self.platform = platform
        self._n = itertools.count(1)

    async def feed(self, title: str, *, first_poll_done: bool = True) -> Feed:
        slug = title.lower().replace(" ", "-")
        feed, _ = await self.store.feeds.add(
            url=f"https://{slug}.example/feed.xml",
            normalized_url=f"{slug}.example/feed.xml",
            title=title,
            now=self.now - timedelta(days=1),
        )
        if first_poll_done:
            async with self.store.session() as s:
                await s.execute(update(Feed).where(Feed.id == feed.id).values(first_poll_done=True))
        return feed

    async def subscribe(
        self,
        feed: Feed,
        *,
        channel: str = "C1",
        workspace: str = "W1",
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        schedule: str | None = "every 6h",
        due: bool = True,
        platform: str | None = None,
        **settings: object,
    ) -> None:
        platform = platform or self.platform
        await self.store.channels.subscribe(
            platform=platform,
            workspace_id=workspace,
            channel_id=channel,
            feed_id=feed.id,
            include_keywords=include,
            exclude_keywords=exclude,
        )
        if schedule is not None:
            await self.store.channels.save_settings(
                platform=platform,
                workspace_id=workspace,
                channel_id=channel,
                schedule=schedule,
                next_digest_at=self.now if due else self.now + timedelta(hours=1),
                **settings,
            )

    async def article(
        self,
        feed: Feed,
        title: str,
        *,
        facts: Sequence[str] = (),
        quotes: Sequence[tuple[str, str | None]] = (),
        backlog: bool = False,
        at: datetime | None = None,
        published: datetime | None = None,
    ) -> int:
        """An entry of `feed` and its summarized article (first seen `at`, dated `published`
        when given); returns the article id."""
        n = next(self._n)
        host = (feed.title or "feed").lower().replace(" ", "-")
        link = f"https://{host}.example/story/{n}"
        (change,) = await self.store.articles.upsert_entries(
            feed.id,
            [EntryData(guid=link, link=link, normalized_link=link[8:], title=title)],
            backlog=backlog,
            now=at or self.now,
        )
        async with self.store.session() as s:
            await s.execute(
                update(Article)
                .where(Article.id == change.article_id)
                .values(
                    state="summarized",
                    summary=summary(title, facts=facts, quotes=quotes, url=link),
                    published_at=published,
                )
            )
        return change.article_id

    async def story(
        self,
        feed: Feed,
        title: str,
        *,
        facts: Sequence[str] = (),
        quotes: Sequence[tuple[str, str | None]] = (),
        backlog: bool = False,
        at: datetime | None = None,
        published: datetime | None = None,
    ) -> Story:
        """A one-source story carried by a new entry of `feed`."""
        article_id = await self.article(
            feed, title, facts=facts, quotes=quotes, backlog=backlog, at=at, published=published
        )
        article = await self.store.articles.get(article_id)
        assert article is not None
        story = await self.store.stories.create(
            title=title,
            lead=facts[0] if facts else None,
            url=article.url,
            summary=article.summary,
            best_article_id=article_id,
            published_at=published or at or self.now,
            now=at or self.now,
        )
        await self.add_source(story, feed, article_id)
        return story

    async def add_source(self, story: Story, feed: Feed, article_id: int) -> None:
        article = await self.store.articles.get(article_id)
        assert article is not None
        await self.store.stories.add_source(
            story.id,
            url=article.normalized_url,
            article_id=article_id,
            feed_id=feed.id,
            feed_title=feed.title,
            now=self.now,
        )

    async def second_source(
        self,
        story: Story,
        feed: Feed,
        title: str,
        *,
        facts: Sequence[str] = (),
        quotes: Sequence[tuple[str, str | None]] = (),
    ) -> int:
        """Another article of `feed` carrying `story` (what clustering would do)."""
        article_id = await self.article(feed, title, facts=facts, quotes=quotes)
        await self.add_source(story, feed, article_id)
        return article_id


class Crash(BaseException):
    """The process dies: nothing in the outbox may catch it."""


class CrashAfterAccept:
    """Wraps a real `Platform`: once the call for key `key` has been accepted by the platform,
    the process "dies" (raises `Crash`) before the outbox can record it."""

    def __init__(self, inner: Any, key: str) -> None:
        self.inner = inner
        self.name = inner.name
        self.key = key
        self.crashed = False

    def __getattr__(self, attr: str) -> Any:
        method = getattr(self.inner, attr)

        async def call(**kwargs: Any) -> Any:
            result = await method(**kwargs)
            if kwargs.get("key") == self.key and not self.crashed:
                self.crashed = True
                raise Crash(self.key)
            return result

        return call
