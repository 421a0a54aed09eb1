"""One moderator's and one member's session end to end, on the real store, worker, digest
engine and console platform, with feeds and pages served on loopback: `/feeds add` → first
poll (backlog, never posted) → a new item → `/news search` → `/digest now` → delivery →
`/news search` links to the story's thread → `/news story`."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.commands import CommandContext
from bot.digests.outbox import deliver_pending
from bot.feeds.fetch import Fetcher
from bot.platforms.console import ConsolePlatform
from bot.store import Store
from tests.feed_site import Clock, Item, exempt_fetcher, make_worker, rss
from tests.support.commands import fixture_text, make_commands
from tests.support.httpserver import LocalHTTPServer, Reply

T0 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
RSS = "application/rss+xml"
MOD = CommandContext("console", "console", "news", "op", "operator", is_moderator=True)
MEMBER = CommandContext("console", "console", "news", "reader", "reader")


@pytest.fixture
async def fetcher(http_server: LocalHTTPServer) -> AsyncIterator[Fetcher]:
    async with exempt_fetcher(http_server, total_timeout=5.0) as f:
        yield f


def old_items(server: LocalHTTPServer) -> list[Item]:
    return [
        Item(
            title="Council approves harbour wall budget",
            link=server.url("/wall.html"),
            guid="wall",
            description="The council approved money for the harbour wall.",
            published=T0 - timedelta(days=1),
        )
    ]


def thread_link(*, platform: str, workspace_id: str, channel_id: str, thread_id: str) -> str:
    return f"console://{workspace_id}/{channel_id}/{thread_id}"


async def test_add_poll_search_digest_thread(
    store: Store, fetcher: Fetcher, http_server: LocalHTTPServer
) -> None:
    clock = Clock(T0)
    page = Reply(body=fixture_text("ferry_article.html"), content_type="text/html")
    http_server.add("/feed.xml", Reply(body=rss(old_items(http_server)), content_type=RSS))
    http_server.add("/wall.html", Reply(status=404))
    http_server.add("/ferry.html", page)
    commands = make_commands(store, fetcher, clock, thread_link=thread_link)

    added = await commands.handle_text(MOD, f"feeds add {http_server.url('/feed.xml')}")
    assert not added.error, added.text
    worker = make_worker(store, fetcher, clock)
    await worker.run_once()

    ferry = Item(
        title="Kestrel Bay ferry returns after winter repairs",
        link=http_server.url("/ferry.html"),
        guid="ferry",
        description="The ferry resumes crossings on Monday.",
        published=T0 + timedelta(minutes=30),
    )
    items = [ferry, *old_items(http_server)]
    http_server.add("/feed.xml", Reply(body=rss(items), content_type=RSS))
    clock.advance(3600)
    await worker.run_once()

    found = await commands.handle_text(MEMBER, "news search kestrel ferry")
    assert [c.title for c in found.cards] == [ferry.title]
    assert found.cards[0].thread_url is None, "not posted anywhere yet"
    story_id = found.cards[0].story_id

    digest = await commands.handle_text(MOD, "digest now")
    assert digest.plain_text() == "A digest of 1 story is on its way to #news.", "backlog"
    out = io.StringIO()
    report = await deliver_pending(
        store, {"console": ConsolePlatform(out)}, worker_id="bot", now=clock()
    )
    assert report.delivered >= 2 and report.failed == 0
    assert ferry.title in out.getvalue() and "harbour wall" not in out.getvalue()

    linked = await commands.handle_text(MEMBER, "news search kestrel")
    (card,) = linked.cards
    assert card.thread_url is not None and card.thread_url.startswith("console://console/news/")
    assert f"thread: {card.thread_url}" in linked.text
    shown = await commands.handle_text(MEMBER, f"news story {story_id}")
    assert shown.cards[0].thread_url == card.thread_url
    assert shown.cards[0].title == ferry.title and shown.cards[0].key_facts
    quoted = await commands.handle_text(MEMBER, "news quotes Lindqvist")
    assert "sorry it took so long" in quoted.text and f"[story {story_id}]" in quoted.text
