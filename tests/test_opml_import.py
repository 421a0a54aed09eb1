"""OPML import and export on a real store (bot/feeds/opml_import.py).

Nothing here is fetched at import time: hosts are judged by the guard (IP literals, loopback
names) or by a fixed resolver standing in for DNS, so no packet leaves the machine. The one
test that polls uses the loopback feed server, its socket alone exempted from the guard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.digests.plan import plan_digest_now
from bot.feeds.fetch import Fetcher
from bot.feeds.opml import OPMLError, OpmlFeed, parse_opml, write_opml
from bot.feeds.opml_import import ADDED, ALREADY, REFUSED, export_opml, import_opml
from bot.store import Store
from bot.store.feeds import SubscribeTo
from bot.store.models import FEED_DISABLED, Entry, Feed, Subscription
from tests.feed_site import Clock, Item, exempt_fetcher, make_worker, rss
from tests.support.httpserver import LocalHTTPServer, Reply
from tests.support.resolver import FixedResolver

FIXTURES = Path(__file__).parent / "fixtures" / "opml"
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
PUBLIC = "93.184.216.34"
CHANNEL = SubscribeTo(platform="discord", workspace_id="W1", channel_id="C1", created_by="U1")


def opml(*urls: str) -> bytes:
    feeds = [OpmlFeed(xml_url=url, title=f"Feed {i}") for i, url in enumerate(urls)]
    return write_opml(feeds, title="t", now=NOW)


async def count(store: Store, model: type) -> int:
    async with store.session(readonly=True) as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_one_line_per_outline_and_only_good_feeds_stored(store: Store) -> None:
    data = (FIXTURES / "subscriptions.opml").read_bytes()
    async with Fetcher(resolver=FixedResolver(PUBLIC)) as fetcher:
        report = await import_opml(store, fetcher, data, subscribe=CHANNEL, now=NOW)

    lines = [line.line() for line in report.lines]
    assert lines[0].startswith("added: feed 1 “Harbour Wire” https://harbour.example/rss.xml")
    assert lines[1].startswith("added: feed 2 “Valley Post” https://valley.example/feed")
    assert lines[2] == ("refused: “Bare link” (no address): not a feed (the outline has no xmlUrl)")
    assert lines[3].startswith("refused: “Ftp thing” ftp://files.example/feed.xml: bad URL:")
    assert report.summary() == "4 outlines: 2 added, 0 already followed, 2 refused"
    feeds = await store.feeds.list()
    assert [(f.title, f.first_poll_done, f.next_check_at) for f in feeds] == [
        ("Harbour Wire", False, NOW),
        ("Valley Post", False, NOW),
    ]
    subs = await store.channels.subscriptions(platform="discord", workspace_id="W1")
    assert [(s.channel_id, s.created_by) for s, _ in subs] == [("C1", "U1"), ("C1", "U1")]

    async with Fetcher(resolver=FixedResolver(PUBLIC)) as fetcher:
        again = await import_opml(store, fetcher, data, subscribe=CHANNEL, now=NOW)
    assert [line.outcome for line in again.lines] == [ALREADY, ALREADY, REFUSED, REFUSED]
    assert again.added == 0 and await count(store, Feed) == 2


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8080/rss", "private address: 127.0.0.1 (127.0.0.1) is not a public"),
        ("http://[::1]/rss", "private address: ::1 (::1) is not a public"),
        ("http://localhost/rss", "private address: localhost is not a public internet host"),
        ("http://feeds.localhost/rss", "private address: feeds.localhost is not a public"),
        ("http://[::ffff:127.0.0.1]/rss", "private address:"),
        ("http://0x7f.1/rss", "private address: 0x7f.1 (127.0.0.1)"),
        ("http://2130706433/rss", "private address: 2130706433 (127.0.0.1)"),
        ("http://user:pw@news.example/rss", "bad URL: URLs with a user name or password"),
        ("javascript:alert(1)", "bad URL:"),
        ("not a url", "bad URL:"),
    ],
)
async def test_private_and_bad_addresses_are_refused_without_a_lookup(
    store: Store, url: str, reason: str
) -> None:
    resolver = FixedResolver(PUBLIC)
    async with Fetcher(resolver=resolver) as fetcher:
        report = await import_opml(store, fetcher, opml(url), now=NOW)

    (line,) = report.lines
    assert line.outcome == REFUSED and line.reason is not None
    assert line.reason.startswith(reason), line.reason
    assert resolver.asked == [] and await count(store, Feed) == 0


async def test_names_that_resolve_to_private_addresses_are_refused(store: Store) -> None:
    urls = ("https://intranet.example/a.xml", "https://intranet.example/b.xml")
    resolver = FixedResolver("10.0.0.7", "169.254.169.254", "fd00::5")
    async with Fetcher(resolver=resolver) as fetcher:
        report = await import_opml(store, fetcher, opml(*urls), now=NOW)

    assert [line.outcome for line in report.lines] == [REFUSED, REFUSED]
    assert report.lines[0].reason == (
        "private address: intranet.example does not resolve to a public internet address"
    )
    assert resolver.asked == ["intranet.example"], "one lookup per host"
    assert await count(store, Feed) == 0


async def test_a_host_that_does_not_resolve_is_refused(store: Store) -> None:
    class NoSuchHost(FixedResolver):
        async def resolve(self, host, port=0, family=0):  # type: ignore[no-untyped-def,override]
            raise OSError(-2, "Name or service not known")

    async with Fetcher(resolver=NoSuchHost()) as fetcher:
        report = await import_opml(store, fetcher, opml("https://gone.example/rss"), now=NOW)
    assert report.lines[0].reason == "host not found: the host name could not be resolved"


async def test_duplicates_and_feeds_followed_elsewhere(store: Store) -> None:
    other = SubscribeTo(platform="slack", workspace_id="T9", channel_id="C9")
    async with Fetcher(resolver=FixedResolver(PUBLIC)) as fetcher:
        await import_opml(store, fetcher, opml("https://a.example/rss"), subscribe=other, now=NOW)
        (feed,) = await store.feeds.list()
        await store.feeds.set_state(feed.id, FEED_DISABLED, now=NOW)
        data = opml(
            "https://a.example/rss", "http://A.example/rss?utm_source=x", "https://b.example/"
        )
        report = await import_opml(store, fetcher, data, subscribe=CHANNEL, now=NOW)

    first, twice, new = report.lines
    assert (first.outcome, first.feed_id) == (ADDED, feed.id), "new for this channel"
    assert first.reason == "it had been disabled; checked again now"
    assert (twice.outcome, twice.reason) == (ALREADY, "listed twice: see outline 1")
    assert new.outcome == ADDED
    revived = await store.feeds.get(feed.id)
    assert revived is not None and revived.state == "active" and revived.next_check_at == NOW
    assert await count(store, Subscription) == 3


async def test_refused_file_writes_nothing(store: Store) -> None:
    async with Fetcher(resolver=FixedResolver(PUBLIC)) as fetcher:
        with pytest.raises(OPMLError):
            await import_opml(store, fetcher, opml("https://a.example/rss")[:-20], now=NOW)
    assert await count(store, Feed) == 0


async def test_a_500_feed_import_is_one_pass_without_fetching(store: Store) -> None:
    resolver = FixedResolver(PUBLIC)
    data = opml(*(f"https://news{i}.example/feed.xml" for i in range(500)))
    async with Fetcher(resolver=resolver) as fetcher:
        report = await import_opml(store, fetcher, data, subscribe=CHANNEL, now=NOW)

    assert report.added == 500 and len(resolver.asked) == 500
    assert await count(store, Feed) == 500 and await count(store, Subscription) == 500


async def test_imported_feeds_backlog_is_never_posted(
    store: Store, http_server: LocalHTTPServer
) -> None:
    items = [
        Item(
            title=f"Item {i} about the harbour",
            link=None,
            guid=f"g{i}",
            description=f"Harbour news number {i} from the town council meeting today.",
            published=NOW - timedelta(hours=i),
        )
        for i in range(30)
    ]
    http_server.add("/feed.xml", Reply(body=rss(items), content_type="application/rss+xml"))
    clock = Clock(NOW)
    async with exempt_fetcher(http_server, total_timeout=5.0) as fetcher:
        report = await import_opml(
            store, fetcher, opml(http_server.url("/feed.xml")), subscribe=CHANNEL, now=NOW
        )
        assert report.added == 1
        assert not http_server.requests_for("/feed.xml"), "checked on its first poll, not now"
        await make_worker(store, fetcher, clock).run_once()

    async with store.session(readonly=True) as s:
        entries = (await s.scalars(select(Entry))).all()
    assert len(entries) == 30 and all(e.seen_for_posting for e in entries)
    where = {"platform": "discord", "workspace_id": "W1", "channel_id": "C1"}
    assert await plan_digest_now(store, **where, now=NOW) is None
    assert await plan_digest_now(store, **where, now=NOW, include_backlog=True) is not None


async def test_export_of_a_workspace_groups_feeds_by_channel(store: Store) -> None:
    async with Fetcher(resolver=FixedResolver(PUBLIC)) as fetcher:
        await import_opml(store, fetcher, opml("https://a.example/rss"), subscribe=CHANNEL, now=NOW)
        other = SubscribeTo(platform="discord", workspace_id="W1", channel_id="C2")
        data = opml("https://a.example/rss", "https://b.example/rss")
        await import_opml(store, fetcher, data, subscribe=other, now=NOW)
        elsewhere = SubscribeTo(platform="discord", workspace_id="W2", channel_id="C7")
        await import_opml(
            store, fetcher, opml("https://c.example/rss"), subscribe=elsewhere, now=NOW
        )

    mine = parse_opml(await export_opml(store, now=NOW, subscriptions_of=("discord", "W1")))
    assert [(o.category, o.xml_url) for o in mine.outlines] == [
        (("#C1",), "https://a.example/rss"),
        (("#C2",), "https://a.example/rss"),
        (("#C2",), "https://b.example/rss"),
    ]
    everything = parse_opml(await export_opml(store, now=NOW))
    assert [o.xml_url for o in everything.outlines] == [
        "https://a.example/rss",
        "https://b.example/rss",
        "https://c.example/rss",
    ]
