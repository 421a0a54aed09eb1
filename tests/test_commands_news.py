"""Member commands `/news latest | search | quotes | story | summarize` on a real store
(stories written with tests/support/newsroom.py) and, for summarize, a real loopback server
behind the SSRF guard."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.commands import Commands
from bot.feeds.fetch import Fetcher
from bot.store import HIGHLIGHT_END, HIGHLIGHT_START, Store
from bot.store.models import Story
from tests.feed_site import Clock, exempt_fetcher
from tests.support.commands import ctx, fixture_text, make_commands
from tests.support.httpserver import LocalHTTPServer, Reply
from tests.support.newsroom import Newsroom

T0 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
HERE = ctx()
ELSEWHERE = ctx(workspace="W2", channel="C9", user="U9")


@pytest.fixture
async def fetcher(http_server: LocalHTTPServer) -> AsyncIterator[Fetcher]:
    async with exempt_fetcher(http_server, total_timeout=3.0, max_bytes=200_000) as f:
        yield f


@pytest.fixture
def commands(store: Store, fetcher: Fetcher) -> Commands:
    return make_commands(store, fetcher, Clock(T0))


class World:
    """W1 follows the Gazette in C1 and C2; W2 follows the Herald."""

    def __init__(self, ferry: Story, library: Story, bridge: Story, secret: Story) -> None:
        self.ferry, self.library, self.bridge, self.secret = ferry, library, bridge, secret


@pytest.fixture
async def world(store: Store) -> World:
    room = Newsroom(store, now=T0, platform="discord")
    gazette, herald = await room.feed("Harbour Gazette"), await room.feed("Harbour Herald")
    await room.subscribe(gazette, workspace="W1", channel="C1", schedule=None)
    await room.subscribe(gazette, workspace="W1", channel="C2", schedule=None)
    await room.subscribe(herald, workspace="W2", channel="C9", schedule=None)
    ferry = await room.story(
        gazette,
        "Ferry returns to Gull Island",
        facts=["The ferry sails again on Monday after repairs."],
        quotes=[("We are sorry it took so long.", "Mara Lindqvist")],
        at=T0 - timedelta(hours=3),
    )
    library = await room.story(
        gazette,
        "Library extends opening hours",
        facts=["The library will open until nine on weekdays."],
        quotes=[("Students asked for this for years.", "Mara Lindqvist")],
        at=T0 - timedelta(hours=1),
    )
    bridge = await room.story(
        gazette,
        "Bridge repairs start in May",
        facts=["The harbour bridge closes to lorries for repairs."],
        at=T0 - timedelta(hours=2),
    )
    secret = await room.story(
        herald,
        "Ferry strike on the north coast",
        facts=["Ferry crews on the north coast walk out on Friday."],
        quotes=[("Nobody listened to us.", "Mara Lindqvist")],
        at=T0,
    )
    for workspace, channel, story, thread in [
        ("W1", "C2", ferry, "T-c2-ferry"),
        ("W1", "C1", ferry, "T-c1-ferry"),
        ("W1", "C2", bridge, "T-c2-bridge"),
        ("W2", "C9", secret, "T-c9-secret"),
    ]:
        await store.channels.record_channel_story(
            platform="discord", workspace_id=workspace, channel_id=channel, story_id=story.id
        )
        await store.channels.update_channel_story(
            platform="discord",
            workspace_id=workspace,
            channel_id=channel,
            story_id=story.id,
            thread_id=thread,
        )
    return World(ferry, library, bridge, secret)


async def test_search_gives_snippets_and_links_to_threads_in_this_workspace(
    commands: Commands, world: World
) -> None:
    reply = await commands.handle(HERE, "news", "search", {"words": "ferry"})

    assert not reply.error and reply.ephemeral
    assert [c.story_id for c in reply.cards] == [str(world.ferry.id)]
    (card,) = reply.cards
    assert card.thread_url == "https://discord.com/channels/W1/T-c1-ferry", "this channel first"
    assert f"{HIGHLIGHT_START}ferry{HIGHLIGHT_END}" in reply.text.casefold()
    assert "strike" not in reply.text.casefold(), "W2's story stays invisible"
    assert "ferry" in reply.plain_text().casefold() and HIGHLIGHT_START not in reply.plain_text()

    other_channel = await commands.handle(ctx(channel="C2"), "news", "search", {"words": "ferry"})
    assert other_channel.cards[0].thread_url == "https://discord.com/channels/W1/T-c2-ferry"
    bridge = await commands.handle(HERE, "news", "search", {"words": "bridge"})
    assert bridge.cards[0].thread_url.endswith("/T-c2-bridge"), "another channel of W1"
    library = await commands.handle(HERE, "news", "search", {"words": "library"})
    assert library.cards[0].thread_url is None and "thread:" not in library.text

    theirs = await commands.handle(ELSEWHERE, "news", "search", {"words": "ferry"})
    assert [c.story_id for c in theirs.cards] == [str(world.secret.id)]


async def test_search_phrases_exclusions_and_hostile_words(
    commands: Commands, world: World
) -> None:
    phrase = await commands.handle_text(HERE, 'search "opening hours"', group="news")
    assert [c.story_id for c in phrase.cards] == [str(world.library.id)]
    minus = await commands.handle(HERE, "news", "search", {"words": "repairs -bridge"})
    assert [c.story_id for c in minus.cards] == [str(world.ferry.id)]
    none = await commands.handle(HERE, "news", "search", {"words": "zeppelin"})
    assert not none.error and none.cards == () and "No stories match" in none.text
    for words in ["-ferry", "!!! ???", 'AND ( " NEAR *', "\x00\x01"]:
        reply = await commands.handle(HERE, "news", "search", {"words": words})
        assert "\n" not in reply.text and reply.cards == (), words


async def test_quotes_by_person_newest_first_each_with_its_story(
    commands: Commands, world: World
) -> None:
    reply = await commands.handle(HERE, "news", "quotes", {"person": "lindqvist"})

    assert not reply.error
    lines = reply.text.splitlines()
    said = [line for line in lines if line.startswith("“")]
    assert said[0].startswith("“Students asked") and said[1].startswith("“We are sorry")
    assert "Nobody listened" not in reply.text, "W2's story stays invisible"
    assert f"Library extends opening hours [story {world.library.id}]" in reply.text
    assert "https://discord.com/channels/W1/T-c1-ferry" in reply.text
    nobody = await commands.handle(HERE, "news", "quotes", {"person": "Someone Else"})
    assert not nobody.error and "No quotes" in nobody.text


async def test_latest_newest_first_and_by_topic(commands: Commands, world: World) -> None:
    reply = await commands.handle(HERE, "news", "latest", {})
    assert [c.story_id for c in reply.cards] == [
        str(world.library.id),
        str(world.bridge.id),
        str(world.ferry.id),
    ]
    topic = await commands.handle(HERE, "news", "latest", {"topic": "repairs"})
    assert [c.story_id for c in topic.cards] == [str(world.bridge.id), str(world.ferry.id)]
    assert (await commands.handle(ctx(workspace="W3"), "news", "latest", {})).cards == ()


async def test_story_by_id_only_when_visible_here(commands: Commands, world: World) -> None:
    reply = await commands.handle(HERE, "news", "story", {"id": str(world.ferry.id)})
    assert not reply.error and not reply.ephemeral
    (card,) = reply.cards
    assert card.title == "Ferry returns to Gull Island"
    assert card.key_facts == ("The ferry sails again on Monday after repairs.",)
    assert [s.name for s in card.sources] == ["Harbour Gazette"]
    assert card.thread_url == "https://discord.com/channels/W1/T-c1-ferry"

    hidden = await commands.handle(HERE, "news", "story", {"id": world.secret.id})
    assert hidden.error and hidden.text == f"no story {world.secret.id} in this server's feeds"
    for bad in ("abc", "-1", "0", "1e9", "99999999999999999999"):
        refused = await commands.handle(HERE, "news", "story", {"id": bad})
        assert refused.error and "\n" not in refused.text, bad
    missing = await commands.handle(HERE, "news", "story", {"id": "424242"})
    assert missing.error and "no story 424242" in missing.text


async def test_quotes_are_dated_and_ordered_by_their_articles_publication(
    commands: Commands, store: Store
) -> None:
    room = Newsroom(store, now=T0, platform="discord")
    courier = await room.feed("Quay Courier")
    await room.subscribe(courier, workspace="W1", channel="C1", schedule=None)
    said = "Ines Okoro"
    for title, quote, stored, published in [
        ("Harbour fees rise", "Fees pay for the dredging.", 1, T0 - timedelta(days=6)),
        ("Dock opens", "The dock is ready at last.", 3, T0 - timedelta(days=1)),
        ("Pier closes for winter", "We close the pier in storms.", 2, None),
    ]:
        await room.story(
            courier,
            title,
            facts=[f"{title}."],
            quotes=[(quote, said)],
            at=T0 - timedelta(hours=stored),
            published=published,
        )

    reply = await commands.handle(HERE, "news", "quotes", {"person": "okoro"})

    lines = [line for line in reply.text.splitlines() if line.startswith("“")]
    assert lines == [
        "“We close the pier in storms.” — Ines Okoro (2026-04-02)",
        "“The dock is ready at last.” — Ines Okoro (2026-04-01)",
        "“Fees pay for the dredging.” — Ines Okoro (2026-03-27)",
    ], reply.text


async def test_summarize_a_page_on_the_local_server(
    commands: Commands, http_server: LocalHTTPServer
) -> None:
    http_server.add(
        "/ferry.html", Reply(body=fixture_text("ferry_article.html"), content_type="text/html")
    )
    http_server.add("/go", Reply.redirect("/ferry.html"))

    reply = await commands.handle(HERE, "news", "summarize", {"url": http_server.url("/go")})

    assert not reply.error, reply.text
    assert not reply.ephemeral
    (card,) = reply.cards
    assert card.title == "Kestrel Bay ferry returns after winter repairs"
    assert card.url == http_server.url("/ferry.html")
    assert "Monday" in card.lead or any("Monday" in f for f in card.key_facts)
    assert any("sorry it took so long" in q.text for q in card.quotes)
    assert http_server.requests_for("/ferry.html")[0].headers["Accept"].startswith("text/html")


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        (Reply.redirect("http://169.254.169.254/latest/meta-data"), "not a public"),
        (Reply.redirect("http://10.1.2.3/"), "not a public"),
        (Reply(status=404), "HTTP 404"),
        (Reply(body=b"%PDF-1.4", content_type="application/pdf"), "not a web page"),
        (Reply(body=fixture_text("not_an_article.html"), content_type="text/html"), "no article"),
        (Reply(body="<p>x</p>" * 40_000, content_type="text/html"), "larger than"),
        (Reply(body="<p>late</p>", content_type="text/html", delay=5.0), "within 3 s"),
    ],
)
async def test_summarize_failures_are_one_line(
    commands: Commands, http_server: LocalHTTPServer, route: Reply, expected: str
) -> None:
    http_server.add("/page", route)

    reply = await commands.handle(HERE, "news", "summarize", {"url": http_server.url("/page")})

    assert reply.error and reply.ephemeral and reply.cards == ()
    assert "\n" not in reply.text and expected in reply.text, reply.text


async def test_summarize_refuses_what_is_not_a_web_address(commands: Commands) -> None:
    for url in ("file:///etc/passwd", "gopher://x", "javascript:alert(1)", "http://", "ftp://h/"):
        reply = await commands.handle(HERE, "news", "summarize", {"url": url})
        assert reply.error and "\n" not in reply.text, url


async def test_one_summary_at_a_time_per_person(
    commands: Commands, http_server: LocalHTTPServer
) -> None:
    http_server.add(
        "/slow",
        Reply(body=fixture_text("ferry_article.html"), content_type="text/html", delay=0.5),
    )
    url = http_server.url("/slow")

    first, second, other = await asyncio.gather(
        commands.handle(HERE, "news", "summarize", {"url": url}),
        commands.handle(HERE, "news", "summarize", {"url": url}),
        commands.handle(ctx(user="U2"), "news", "summarize", {"url": url}),
    )

    assert not first.error and not other.error
    assert second.error and "already have a summary" in second.text
    again = await commands.handle(HERE, "news", "summarize", {"url": url})
    assert not again.error


@pytest.mark.parametrize("host", ["127.0.0.1", "0x7f.1", "[::ffff:127.0.0.1]"])
async def test_summarize_refuses_loopback_without_the_setting(
    store: Store, http_server: LocalHTTPServer, host: str
) -> None:
    http_server.add(
        "/ferry.html", Reply(body=fixture_text("ferry_article.html"), content_type="text/html")
    )
    port = http_server.url("/").split(":")[2].split("/")[0]
    async with Fetcher() as guarded:
        commands = make_commands(store, guarded, Clock(T0))
        url = f"http://{host}:{port}/ferry.html"
        reply = await commands.handle(HERE, "news", "summarize", {"url": url})

    assert reply.error and "\n" not in reply.text and "not a public" in reply.text, reply.text
    assert http_server.requests_for("/ferry.html") == []
