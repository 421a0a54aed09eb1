"""Feeds and article pages for the engine tests (poll, pipeline, worker, CLI).

Articles come from tests/fixtures/cluster/events.json (invented reports written for this
project): each becomes an HTML page (title, lead and facts as paragraphs, padded with a
paragraph of background so the extractor sees an article) and an RSS item pointing at it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path

EVENTS = Path(__file__).parent / "fixtures" / "cluster" / "events.json"


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    event: str
    title: str
    lead: str
    facts: tuple[str, ...]
    published: datetime


def articles() -> dict[str, Article]:
    data = json.loads(EVENTS.read_text(encoding="utf-8"))["articles"]
    return {
        a["id"]: Article(
            id=a["id"],
            event=a["event"],
            title=a["title"],
            lead=a["lead"],
            facts=tuple(a["facts"]),
            published=datetime.fromisoformat(a["published"].replace("Z", "+00:00")),
        )
        for a in data
    }


def page_html(article: Article) -> str:
    paragraphs = [article.lead, *article.facts]
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{escape(article.title)}</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>{escape(article.title)}</h1>{body}</article>"
        "<footer>Copyright The Test Gazette</footer></body></html>"
    )


@dataclass(frozen=True, slots=True)
class Item:
    title: str
    link: str | None
    guid: str | None = None
    description: str = ""
    published: datetime | None = None


def item_for(article: Article, link: str, *, guid: str | None = None) -> Item:
    return Item(
        title=article.title,
        link=link,
        guid=guid or link,
        description=article.lead,
        published=article.published,
    )


def rss(items: list[Item], *, title: str = "Test feed", link: str = "http://127.0.0.1/") -> str:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>{escape(link)}</link>",
        "<description>feed for tests</description>",
    ]
    for item in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(item.title)}</title>")
        if item.link:
            parts.append(f"<link>{escape(item.link)}</link>")
        if item.guid:
            parts.append(f'<guid isPermaLink="false">{escape(item.guid)}</guid>')
        if item.description:
            parts.append(f"<description>{escape(item.description)}</description>")
        if item.published:
            parts.append(f"<pubDate>{format_datetime(item.published)}</pubDate>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts)


class Clock:
    """A settable clock for the worker (aware UTC)."""

    def __init__(self, start: datetime | None = None) -> None:
        from bot.store.types import utcnow

        self.now = start or utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        from datetime import timedelta

        self.now += timedelta(seconds=seconds)


def exempt_fetcher(*servers: object, **limits: object):  # type: ignore[no-untyped-def]
    """A Fetcher with the SSRF guard on, exempting exactly these test servers' sockets."""
    from bot.feeds.fetch import Fetcher, FetchLimits
    from bot.feeds.guard import AddressPolicy

    policy = AddressPolicy.exempting((s.host, s.port) for s in servers)  # type: ignore[attr-defined]
    return Fetcher(policy=policy, limits=FetchLimits(**limits))  # type: ignore[arg-type]


def make_worker(store, fetcher, clock, *, worker_id: str = "w1", policy=None, executor=None):  # type: ignore[no-untyped-def]
    from bot.feeds.poll import PollPolicy
    from bot.stories.pipeline import ArticlePipeline
    from bot.worker import Worker

    pipeline = ArticlePipeline(
        store=store, fetcher=fetcher, worker_id=worker_id, executor=executor, clock=clock
    )
    return Worker(
        store=store,
        fetcher=fetcher,
        pipeline=pipeline,
        worker_id=worker_id,
        policy=policy or PollPolicy(min_interval_s=60, max_interval_s=3600, max_failures=3),
        clock=clock,
        lease_s=30,
    )
