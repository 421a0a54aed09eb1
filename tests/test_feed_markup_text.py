"""Headlines that look like markup but are plain text, from a real feed over loopback to the
Discord and Slack payloads: every character survives, escaped for the platform, and nothing
pings. The feeds are tests/fixtures/markup/ (each says what it expects)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.digests.views import story_card
from bot.feeds.fetch import Fetcher
from bot.render import discord_payloads, slack_payloads
from bot.render.text import ZWSP, discord_escape, slack_escape
from bot.store import Store
from bot.store.models import Story
from bot.stories.urls import link_key
from tests.feed_site import Clock, articles, exempt_fetcher, make_worker, page_html
from tests.support.httpserver import LocalHTTPServer, Reply

MARKUP = Path(__file__).parent / "fixtures" / "markup"
SAMPLES = articles()
PAGES = {
    "/p/ferry": "aslef-1",
    "/p/bridge": "helix-recall-1",
    "/p/harbour": "vireo-orbit-1",
    "/p/tram": "boc-cut-1",
}
FEEDS = {
    "/titles.rss": ("titles.rss", "application/rss+xml"),
    "/flood.atom": ("flood.atom", "application/atom+xml"),
    "/tram.json": ("tram.json", "application/feed+json"),
}
TITLES = {
    "<!channel> Ferry strike called off",
    "<@U123> and @everyone: the bridge reopens",
    "Why we <3 the harbour, a <b> c",
    "<!here> Flood warning for <b>Low Street</b>",
    "I <3 the new tram & a <b> c",
}
LIVE = ("<!channel>", "<!here>", "<@U123>")


@pytest.fixture
async def fetcher(http_server: LocalHTTPServer) -> AsyncIterator[Fetcher]:
    async with exempt_fetcher(http_server, total_timeout=2.0) as f:
        yield f


async def _stories(store: Store, http_server: LocalHTTPServer, fetcher: Fetcher) -> list:  # type: ignore[type-arg]
    for path, sample in PAGES.items():
        body = page_html(SAMPLES[sample])
        http_server.add(path, Reply(body=body, content_type="text/html; charset=utf-8"))
    http_server.add("/p/flood", Reply(status=404))
    for path, (name, kind) in FEEDS.items():
        http_server.add(path, Reply(body=(MARKUP / name).read_bytes(), content_type=kind))
        url = http_server.url(path)
        await store.feeds.add(url=url, normalized_url=link_key(url))
    await make_worker(store, fetcher, Clock()).run_once()
    async with store.session(readonly=True) as s:
        stories = list((await s.scalars(select(Story).order_by(Story.id))).all())
    return [story_card(story, await store.stories.sources(story.id)) for story in stories]


async def test_markup_looking_headlines_survive_escaped_and_never_ping(
    store: Store, http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    cards = await _stories(store, http_server, fetcher)
    assert {c.title for c in cards} == TITLES
    for card in cards:
        slack = slack_payloads.story_message(card)
        sent = json.dumps(slack, ensure_ascii=False)
        assert slack_escape(card.title) in sent
        assert not any(raw in sent for raw in LIVE)
        discord = discord_payloads.story_message(card)
        (embed,) = discord["embeds"]
        assert embed["title"] == discord_escape(card.title)
        assert discord["allowed_mentions"] == {"parse": []}
        assert "@everyone" not in json.dumps(discord, ensure_ascii=False)
    bridge = next(c for c in cards if "bridge" in c.title)
    assert f"@{ZWSP}everyone" in discord_payloads.story_message(bridge)["embeds"][0]["title"]
    assert "&lt;@U123&gt;" in slack_payloads.story_message(bridge)["text"]


async def test_plain_feed_text_becomes_the_summary_whole(
    store: Store, http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    cards = await _stories(store, http_server, fetcher)
    flood = next(c for c in cards if "Flood" in c.title)
    assert flood.from_feed_only
    assert flood.lead.startswith("<!channel> Residents of Low Street")
    opening = json.dumps(slack_payloads.thread_opening(flood), ensure_ascii=False)
    assert "&lt;!channel&gt; Residents" in opening and "<!channel>" not in opening
