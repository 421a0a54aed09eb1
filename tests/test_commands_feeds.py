"""`/feeds add | list | remove | pause | resume` on a real store and a real loopback feed
server, with the SSRF guard on (only the test server's socket is exempt)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.commands import Commands
from bot.feeds.fetch import Fetcher
from bot.feeds.manage import add_feed
from bot.store import Store
from bot.store.models import FEED_DISABLED, Entry
from tests.feed_site import Clock, Item, exempt_fetcher, make_worker, rss
from tests.support.commands import ctx, fixture_text, make_commands
from tests.support.httpserver import LocalHTTPServer, Reply

T0 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
RSS = "application/rss+xml"
MOD = ctx(moderator=True)
MEMBER = ctx()
OTHER_MOD = ctx(moderator=True, workspace="W2", channel="C9", user="U9")


@pytest.fixture
async def fetcher(http_server: LocalHTTPServer) -> AsyncIterator[Fetcher]:
    async with exempt_fetcher(http_server, total_timeout=5.0) as f:
        yield f


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def commands(store: Store, fetcher: Fetcher, clock: Clock) -> Commands:
    return make_commands(store, fetcher, clock)


def serve_feed(server: LocalHTTPServer, path: str = "/feed.xml", *, title: str = "Courier") -> str:
    items = [
        Item(
            title="Kestrel Bay ferry returns after winter repairs",
            link=server.url("/ferry.html"),
            guid="ferry-1",
            description="The ferry resumes crossings on Monday.",
            published=T0 - timedelta(hours=2),
        ),
        Item(
            title="Older item",
            link=server.url("/old.html"),
            guid="old-1",
            description="Something from last week.",
            published=T0 - timedelta(days=7),
        ),
    ]
    server.add(path, Reply(body=rss(items, title=title), content_type=RSS))
    server.add(
        "/ferry.html", Reply(body=fixture_text("ferry_article.html"), content_type="text/html")
    )
    return server.url(path)


async def test_member_is_refused_every_moderator_command(commands: Commands, store: Store) -> None:
    for group, name, options in [
        ("feeds", "add", {"url": "https://example.org/feed.xml"}),
        ("feeds", "list", {}),
        ("feeds", "remove", {"feed": "1"}),
        ("feeds", "pause", {"feed": "1"}),
        ("feeds", "resume", {"feed": "1"}),
        ("digest", "schedule", {"spec": "every 6h"}),
        ("digest", "now", {}),
    ]:
        reply = await commands.handle(MEMBER, group, name, options)
        assert reply.error and reply.ephemeral, (group, name)
        assert "\n" not in reply.text and "moderators" in reply.text
    assert await store.feeds.list() == []
    assert await commands.autocomplete(MEMBER, "feeds", "remove", "feed", "") == []


async def test_add_validates_previews_and_subscribes(
    commands: Commands, store: Store, http_server: LocalHTTPServer, fetcher: Fetcher, clock: Clock
) -> None:
    url = serve_feed(http_server)

    reply = await commands.handle(
        MOD, "feeds", "add", {"url": url, "include": "ferry, Rail ", "exclude": "football"}
    )

    assert not reply.error, reply.text
    assert reply.ephemeral
    assert "follows “Courier”" in reply.text and "2 items" in reply.text
    assert "counts as already seen" in reply.text
    (preview,) = reply.cards
    assert preview.title == "Kestrel Bay ferry returns after winter repairs"
    assert not preview.from_feed_only
    assert any("Monday" in f for f in (preview.lead, *preview.key_facts))
    assert http_server.requests_for("/ferry.html"), "the preview reads the latest item's page"
    assert not http_server.requests_for("/old.html")
    (feed,) = await store.feeds.list()
    assert feed.title == "Courier" and feed.first_poll_done is False
    ((sub, _),) = await store.channels.subscriptions(platform="discord", workspace_id="W1")
    assert (sub.channel_id, sub.include_keywords, sub.exclude_keywords) == (
        "C1",
        ["ferry", "rail"],
        ["football"],
    )
    assert sub.created_by == "U1"

    # The worker's first poll stores what the feed holds as backlog: never posted.
    await make_worker(store, fetcher, clock).run_once()
    async with store.session(readonly=True) as s:
        entries = (await s.scalars(select(Entry).where(Entry.feed_id == feed.id))).all()
    assert len(entries) == 2 and all(e.seen_for_posting for e in entries)

    again = await commands.handle(MOD, "feeds", "add", {"url": url, "channel": "<#C2|other>"})
    assert not again.error and "#C2 now follows" in again.plain_text()
    same = await commands.handle(MOD, "feeds", "add", {"url": url})
    assert "already follows" in same.text
    assert len(await store.feeds.list()) == 1


async def test_adding_a_polled_feed_says_what_the_next_digest_may_offer(
    commands: Commands, store: Store, http_server: LocalHTTPServer, fetcher: Fetcher, clock: Clock
) -> None:
    """Items of the feed's first poll are backlog for every channel: a second channel is told
    so, and `/digest now` agrees. A story that came after that poll is offered, and counted."""
    url = serve_feed(http_server)
    await commands.handle(MOD, "feeds", "add", {"url": url})
    await make_worker(store, fetcher, clock).run_once()

    second = await commands.handle(OTHER_MOD, "feeds", "add", {"url": url})
    empty = await commands.handle(OTHER_MOD, "digest", "now", {})

    assert not second.error and "counts as already seen" in second.text, second.text
    assert "may come in the next digest" not in second.text
    assert "Nothing new" in empty.text

    fresh = Item(
        title="Harbour bridge reopens to lorries",
        link=http_server.url("/ferry.html?b"),
        guid="bridge-1",
        description="Lorries may cross again.",
        published=T0,
    )
    http_server.add("/feed.xml", Reply(body=rss([fresh], title="Courier"), content_type=RSS))
    clock.advance(4000)
    await make_worker(store, fetcher, clock).run_once()

    third = await commands.handle(ctx(moderator=True, channel="C3"), "feeds", "add", {"url": url})
    digest = await commands.handle(ctx(moderator=True, channel="C3"), "digest", "now", {})

    assert "1 story of the last 2 days may come in the next digest" in third.text, third.text
    assert not digest.error and "Nothing new" not in digest.text, digest.text


async def test_add_preview_falls_back_to_feed_text_when_the_page_cannot_be_read(
    commands: Commands, http_server: LocalHTTPServer
) -> None:
    url = serve_feed(http_server)
    http_server.add("/ferry.html", Reply(status=404))

    reply = await commands.handle(MOD, "feeds", "add", {"url": url})

    assert not reply.error
    (preview,) = reply.cards
    assert preview.from_feed_only
    assert preview.title == "Kestrel Bay ferry returns after winter repairs"


@pytest.mark.parametrize(
    ("route", "expected"),
    [
        (Reply(body="<html><body>hello</body></html>", content_type="text/html"), "not an RSS"),
        (Reply(status=500), "HTTP 500"),
        (Reply(body=b"x" * 300_000, content_type=RSS), "larger than"),
    ],
)
async def test_add_refuses_what_is_not_a_readable_feed(
    store: Store, http_server: LocalHTTPServer, clock: Clock, route: Reply, expected: str
) -> None:
    http_server.add("/bad.xml", route)
    async with exempt_fetcher(http_server, total_timeout=5.0, max_bytes=100_000) as small:
        commands = make_commands(store, small, clock)
        reply = await commands.handle(MOD, "feeds", "add", {"url": http_server.url("/bad.xml")})
    assert reply.error and "\n" not in reply.text
    assert expected in reply.text
    assert await store.feeds.list() == []


async def test_add_refuses_blocked_and_malformed_addresses(
    commands: Commands, store: Store
) -> None:
    for url in (
        "http://10.0.0.7/feed.xml",
        "http://169.254.169.254/latest",
        "file:///etc/passwd",
        "not a url",
    ):
        reply = await commands.handle(MOD, "feeds", "add", {"url": url})
        assert reply.error and "\n" not in reply.text, url
    assert await store.feeds.list() == []


async def test_list_shows_state_last_success_last_error_channel_and_filters(
    commands: Commands, store: Store, http_server: LocalHTTPServer, fetcher: Fetcher, clock: Clock
) -> None:
    url = serve_feed(http_server)
    await commands.handle(MOD, "feeds", "add", {"url": url, "include": "ferry"})
    await make_worker(store, fetcher, clock).run_once()
    listed = await commands.handle(MOD, "feeds", "list", {})
    assert "state: ok" in listed.text
    assert "last success: 2026-04-02 08:00 UTC" in listed.text
    assert "in #C1" in listed.plain_text() and "only with: ferry" in listed.text

    http_server.add("/feed.xml", Reply(status=503))
    for _ in range(3):
        clock.advance(7200)
        await make_worker(store, fetcher, clock).run_once()
    failing = await commands.handle(MOD, "feeds", "list", {})
    assert "failing (" in failing.text or "DISABLED" in failing.text
    assert "last error" in failing.text and "HTTP 503" in failing.text
    assert "last success: 2026-04-02 08:00 UTC" in failing.text


async def test_remove_pause_resume(
    commands: Commands, store: Store, http_server: LocalHTTPServer
) -> None:
    url = serve_feed(http_server)
    await commands.handle(MOD, "feeds", "add", {"url": url})
    (feed,) = await store.feeds.list()

    paused = await commands.handle(MOD, "feeds", "pause", {"feed": str(feed.id)})
    assert not paused.error and "Paused" in paused.text
    ((sub, _),) = await store.channels.subscriptions(platform="discord", workspace_id="W1")
    assert sub.paused
    assert "paused here" in (await commands.handle(MOD, "feeds", "list", {})).text

    await store.feeds.set_state(feed.id, FEED_DISABLED)
    resumed = await commands.handle(MOD, "feeds", "resume", {"feed": url})
    assert not resumed.error and "checked again now" in resumed.text
    ((sub, feed_now),) = await store.channels.subscriptions(platform="discord", workspace_id="W1")
    assert not sub.paused and feed_now.state == "active"

    removed = await commands.handle(MOD, "feeds", "remove", {"feed": str(feed.id)})
    assert not removed.error and "no longer follows" in removed.text
    assert await store.channels.subscriptions(platform="discord", workspace_id="W1") == []
    assert await store.feeds.list() == [], "a feed nobody follows is dropped"
    gone = await commands.handle(MOD, "feeds", "remove", {"feed": str(feed.id)})
    assert gone.error and "no such feed" in gone.text


async def test_workspaces_never_see_or_change_each_others_feeds(
    commands: Commands, store: Store, http_server: LocalHTTPServer
) -> None:
    mine = serve_feed(http_server, "/mine.xml", title="Mine")
    theirs = serve_feed(http_server, "/theirs.xml", title="Theirs")
    await commands.handle(MOD, "feeds", "add", {"url": mine})
    await commands.handle(OTHER_MOD, "feeds", "add", {"url": theirs})
    feeds = {f.title: f for f in await store.feeds.list()}
    their_id = str(feeds["Theirs"].id)

    listed = await commands.handle(MOD, "feeds", "list", {})
    assert "Mine" in listed.text and "Theirs" not in listed.text
    for name in ("remove", "pause", "resume"):
        by_id = await commands.handle(MOD, "feeds", name, {"feed": their_id})
        by_url = await commands.handle(MOD, "feeds", name, {"feed": theirs})
        assert by_id.error and "no such feed" in by_id.text, name
        assert by_url.error and "no such feed" in by_url.text, name
    choices = await commands.autocomplete(MOD, "feeds", "remove", "feed", "")
    assert [label for label, _ in choices] == [f"{feeds['Mine'].id} · Mine"]
    ((sub, _),) = await store.channels.subscriptions(platform="discord", workspace_id="W2")
    assert not sub.paused
    assert "Theirs" in (await commands.handle(OTHER_MOD, "feeds", "list", {})).text


async def test_shared_feed_stays_while_another_workspace_follows_it(
    commands: Commands, store: Store, http_server: LocalHTTPServer
) -> None:
    url = serve_feed(http_server)
    first = await commands.handle(MOD, "feeds", "add", {"url": url})
    second = await commands.handle(OTHER_MOD, "feeds", "add", {"url": url})
    (feed,) = await store.feeds.list()
    assert "counts as already seen" in first.text
    assert "counts as already seen" in second.text, "nothing polled yet: none is offered"

    await commands.handle(MOD, "feeds", "remove", {"feed": str(feed.id)})

    assert [f.id for f in await store.feeds.list()] == [feed.id]
    other = await store.channels.subscriptions(platform="discord", workspace_id="W2")
    assert [s.channel_id for s, _ in other] == ["C9"]


async def test_autocomplete_filters_by_partial_text(
    commands: Commands, store: Store, http_server: LocalHTTPServer
) -> None:
    await commands.handle(
        MOD, "feeds", "add", {"url": serve_feed(http_server, "/a.xml", title="Alpha News")}
    )
    await commands.handle(
        MOD, "feeds", "add", {"url": serve_feed(http_server, "/b.xml", title="Beta Wire")}
    )
    ids = {f.title: str(f.id) for f in await store.feeds.list()}

    assert [v for _, v in await commands.autocomplete(MOD, "feeds", "pause", "feed", "beta")] == [
        ids["Beta Wire"]
    ]
    assert len(await commands.autocomplete(MOD, "feeds", "pause", "feed", "")) == 2
    assert await commands.autocomplete(MOD, "feeds", "add", "url", "a") == []
    assert await commands.autocomplete(MOD, "feeds", "pause", "feed", "zzz") == []
    assert len(await commands.autocomplete(MOD, "feeds", "pause", "feed", "\x00" * 500)) == 2


async def test_add_preview_never_follows_an_item_link_to_a_blocked_address(
    commands: Commands, http_server: LocalHTTPServer
) -> None:
    url = serve_feed(http_server)
    http_server.add("/ferry.html", Reply.redirect("http://169.254.169.254/latest/meta-data"))

    reply = await commands.handle(MOD, "feeds", "add", {"url": url})

    assert not reply.error and "now follows" in reply.text
    (preview,) = reply.cards
    assert preview.from_feed_only and preview.title.startswith("Kestrel Bay ferry")


async def test_add_shares_the_cli_step_and_revives_a_disabled_feed(
    commands: Commands, store: Store, http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    url = serve_feed(http_server)
    added = await add_feed(store, fetcher, url)
    assert added.created and added.state == "active" and added.items == 2
    assert [e.title for e in added.parsed.entries][1] == "Older item"
    await store.feeds.set_state(added.feed_id, FEED_DISABLED)

    reply = await commands.handle(MOD, "feeds", "add", {"url": url})

    assert not reply.error, reply.text
    assert f"(feed {added.feed_id}, 2 items)" in reply.text
    assert "counts as already seen" in reply.text
    assert "had been disabled" in reply.text
    (feed,) = await store.feeds.list()
    assert feed.state == "active"
    assert len(http_server.requests_for("/feed.xml")) == 2
