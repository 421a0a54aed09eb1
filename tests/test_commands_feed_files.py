"""`/feeds import`, `/feeds export` and `/feeds health-channel` through the command router on a
real store: the OPML file comes from the loopback server (through the guarded fetcher, only
that server's socket exempted), from an `Upload` as an adapter builds one, or from a local
path on the console. Feed hosts in the files are judged by a fixed resolver standing in for
DNS, so nothing leaves the machine and no feed is fetched at import time."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.commands import Commands
from bot.commands.context import CommandError
from bot.digests.health import notify_feed_health
from bot.feeds.fetch import Fetcher
from bot.feeds.guard import AddressPolicy
from bot.feeds.opml import OpmlFeed, parse_opml, write_opml
from bot.platforms.console import CONSOLE_MODERATOR, serve_commands
from bot.store import Store
from bot.store.models import Feed, Post, Subscription
from tests.feed_site import Clock
from tests.support.commands import ctx, make_commands
from tests.support.httpserver import LocalHTTPServer, Reply
from tests.support.resolver import FixedResolver

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
PUBLIC = "93.184.216.34"
FIXTURES = Path(__file__).parent / "fixtures" / "opml"
MOD = ctx(moderator=True)
MEMBER = ctx()
OPML = "text/x-opml"


def opml(*urls: str) -> bytes:
    feeds = [OpmlFeed(xml_url=url, title=f"Feed {i}") for i, url in enumerate(urls)]
    return write_opml(feeds, title="t", now=NOW)


class FakeUpload:
    """An `Upload` as an adapter would build it, declaring `size` and holding `data`."""

    def __init__(self, data: bytes, *, size: int | None = None) -> None:
        self.filename = "feeds.opml"
        self.data = data
        self.size = len(data) if size is None else size
        self.reads = 0

    async def read(self, *, limit: int) -> bytes:
        self.reads += 1
        if len(self.data) > limit:
            raise CommandError("that file is larger than the limit")
        return self.data


@pytest.fixture
async def fetcher(http_server: LocalHTTPServer) -> AsyncIterator[Fetcher]:
    policy = AddressPolicy.exempting([(http_server.host, http_server.port)])
    async with Fetcher(policy=policy, resolver=FixedResolver(PUBLIC)) as f:
        yield f


@pytest.fixture
def commands(store: Store, fetcher: Fetcher) -> Commands:
    return make_commands(store, fetcher, Clock(NOW))


async def count(store: Store, model: type) -> int:
    async with store.session(readonly=True) as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


async def test_import_from_an_address_reports_each_feed_then_export_reads_back(
    commands: Commands, store: Store, http_server: LocalHTTPServer
) -> None:
    http_server.add(
        "/subs.opml", Reply(body=(FIXTURES / "subscriptions.opml").read_bytes(), content_type=OPML)
    )
    reply = await commands.handle(MOD, "feeds", "import", {"file": http_server.url("/subs.opml")})
    assert not reply.error and reply.ephemeral
    head, *lines = reply.plain_text().splitlines()
    assert head.startswith("Import into #C1: 4 outlines: 2 added, 0 already followed, 2 refused")
    assert lines[0] == "refused: “Bare link” (no address): not a feed (the outline has no xmlUrl)"
    assert lines[1].startswith("refused: “Ftp thing” ftp://files.example/feed.xml: bad URL:")
    assert lines[2].startswith("added: feed 1 “Harbour Wire” https://harbour.example/rss.xml")
    assert len(lines) == 4
    assert not [r for r in http_server.requests if r.path != "/subs.opml"], "no feed fetched"

    again = await commands.handle(MOD, "feeds", "import", {"file": http_server.url("/subs.opml")})
    assert "0 added, 2 already followed, 2 refused" in again.text

    export = await commands.handle(MOD, "feeds", "export", {})
    assert export.file is not None and export.ephemeral and not export.error
    assert export.file.filename.endswith(".opml") and "2 feeds in 1 channel" in export.text
    back = parse_opml(export.file.data)
    assert [(o.category, o.xml_url) for o in back.outlines] == [
        (("#C1",), "https://harbour.example/rss.xml"),
        (("#C1",), "https://valley.example/feed"),
    ]
    other = await commands.handle(ctx(moderator=True, workspace="W2"), "feeds", "export", {})
    assert other.file is None and "nothing to export" in other.text


async def test_import_into_a_named_channel_refuses_private_hosts(
    commands: Commands, store: Store
) -> None:
    data = opml("https://wire.example/rss", "http://127.0.0.1:9/rss", "http://localhost/rss")
    reply = await commands.handle(
        MOD, "feeds", "import", {"file": FakeUpload(data), "channel": "C7"}
    )
    text = reply.plain_text()
    assert text.startswith("Import into #C7: 3 outlines: 1 added, 0 already followed, 2 refused")
    assert "refused: “Feed 1” http://127.0.0.1:9/rss: private address:" in text
    assert "refused: “Feed 2” http://localhost/rss: private address:" in text
    subs = await store.channels.subscriptions(platform="discord", workspace_id="W1")
    assert [(s.channel_id, f.url, s.created_by) for s, f in subs] == [
        ("C7", "https://wire.example/rss", "U1")
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ((FIXTURES / "billion_laughs.opml").read_bytes(), "declares a DTD or entities"),
        ((FIXTURES / "external_entity.opml").read_bytes(), "declares a DTD or entities"),
        (b"<opml><body><outline xmlUrl='https://a.example/rss'>", "not well-formed XML"),
        (b"<rss><channel/></rss>", "not an OPML file"),
        (opml(*(f"https://n{i}.example/rss" for i in range(10_000))), "more than 2,000"),
        (b"", "empty"),
    ],
    ids=["billion-laughs", "external-entity", "malformed", "not-opml", "10000-outlines", "empty"],
)
async def test_hostile_files_get_one_line_and_write_nothing(
    commands: Commands, store: Store, data: bytes, expected: str
) -> None:
    reply = await commands.handle(MOD, "feeds", "import", {"file": FakeUpload(data)})
    assert reply.error and "\n" not in reply.text, reply.text
    assert reply.text.startswith("that OPML file was refused") and expected in reply.text
    assert await count(store, Feed) == 0 and await count(store, Subscription) == 0


async def test_a_50_mb_file_is_refused_by_its_declared_size_without_reading_it(
    commands: Commands, store: Store, http_server: LocalHTTPServer
) -> None:
    upload = FakeUpload(b"", size=50 * 1024 * 1024)
    reply = await commands.handle(MOD, "feeds", "import", {"file": upload})
    assert reply.error and "larger than 2 MB" in reply.text and upload.reads == 0

    big = b"<opml><body>" + b"<!-- padding -->" * (3 * 1024 * 1024 // 16) + b"</body></opml>"
    http_server.add("/big.opml", Reply(body=big, content_type=OPML))
    fetched = await commands.handle(MOD, "feeds", "import", {"file": http_server.url("/big.opml")})
    assert fetched.error and "\n" not in fetched.text
    assert fetched.text.startswith("could not fetch the OPML file:"), fetched.text
    assert await count(store, Feed) == 0


async def test_the_file_address_goes_through_the_address_guard(commands: Commands) -> None:
    reply = await commands.handle(MOD, "feeds", "import", {"file": "http://127.0.0.2:9/x.opml"})
    assert reply.error and reply.text.startswith("could not fetch the OPML file:")
    assert "not a public" in reply.text


async def test_a_path_is_read_only_on_the_console(
    store: Store, fetcher: Fetcher, tmp_path: Path
) -> None:
    path = tmp_path / "feeds.opml"
    path.write_bytes(opml("https://wire.example/rss"))
    chat = make_commands(store, fetcher, Clock(NOW))
    refused = await chat.handle(MOD, "feeds", "import", {"file": str(path)})
    assert refused.error and "give the address of the OPML file" in refused.text
    assert await count(store, Feed) == 0

    console = make_commands(store, fetcher, Clock(NOW), local_files=True)
    out = io.StringIO()
    script = [f"/feeds import {path}", "/feeds export", "/feeds import /no/such/file.opml"]

    async def lines() -> AsyncIterator[str]:
        for line in script:
            yield line

    assert await serve_commands(console, lines(), out=out) == 3
    text = out.getvalue()
    assert "Import into #console: 1 outline: 1 added" in text
    assert "added: feed 1 “Feed 0” https://wire.example/rss" in text
    assert "----- newsdigest-feeds.opml (" in text and 'xmlUrl="https://wire.example/rss"' in text
    assert "error: cannot read /no/such/file.opml:" in text
    subs = await store.channels.subscriptions(platform="console", workspace_id="console")
    assert [s.created_by for s, _ in subs] == [CONSOLE_MODERATOR.user_id]


async def test_a_500_feed_import_answers_in_one_bounded_reply(
    commands: Commands, store: Store
) -> None:
    data = opml(*(f"https://news{i}.example/feed.xml" for i in range(500)))
    reply = await commands.handle(MOD, "feeds", "import", {"file": FakeUpload(data)})
    text = reply.plain_text()
    assert text.startswith("Import into #C1: 500 outlines: 500 added")
    assert len(text) <= 1900
    shown = [line for line in text.splitlines() if line.startswith("added: ")]
    assert 10 < len(shown) < 500
    assert text.splitlines()[-1] == f"… and {500 - len(shown)} more lines (see /feeds list)"
    assert await count(store, Subscription) == 500


async def test_members_are_refused_import_export_and_health_channel(
    commands: Commands, store: Store
) -> None:
    upload = FakeUpload(opml("https://wire.example/rss"))
    for name, options in [
        ("import", {"file": upload}),
        ("export", {}),
        ("health-channel", {"channel": "C5"}),
    ]:
        reply = await commands.handle(MEMBER, "feeds", name, options)
        assert reply.error and "for moderators" in reply.text, name
    assert upload.reads == 0 and await count(store, Feed) == 0


async def test_health_channel_sends_failing_feed_notices_there(
    commands: Commands, store: Store
) -> None:
    refused = await commands.handle(MOD, "feeds", "health-channel", {"channel": "C5"})
    assert refused.error and "no channel here follows a feed yet" in refused.text

    data = opml("https://wire.example/rss")
    await commands.handle(MOD, "feeds", "import", {"file": FakeUpload(data)})
    await commands.handle(MOD, "feeds", "import", {"file": FakeUpload(data), "channel": "C2"})
    reply = await commands.handle(MOD, "feeds", "health-channel", {"channel": "<#C5|mods>"})
    assert not reply.error
    assert reply.plain_text().startswith(
        "Notices about failing, disabled and recovered feeds of #C1, #C2 now go to #C5"
    )
    only = await commands.handle(MOD, "feeds", "health-channel", {"channel": "C2", "of": "C2"})
    assert "#C2 gets its own feeds' notices itself" in only.plain_text()

    (feed,) = await store.feeds.list()
    async with store.session() as s:
        row = await s.get(Feed, feed.id)
        assert row is not None
        row.error_count, row.last_error = 3, "HTTP 404"
        row.last_success_at = NOW - timedelta(days=1)
    assert await notify_feed_health(store, now=NOW) == 2
    async with store.session(readonly=True) as s:
        posts = (await s.scalars(select(Post).where(Post.kind == "feed_health"))).all()
    assert sorted(p.channel_id for p in posts) == ["C2", "C5"]
    assert all("is failing" in p.payload["notice"]["title"] for p in posts)


async def test_help_lists_the_new_commands_for_moderators(commands: Commands) -> None:
    text = (await commands.handle(MOD, "feeds", "help", {})).text
    assert "/feeds import <file> [channel]" in text
    assert "/feeds export —" in text
    assert "/feeds health-channel <channel> [of]" in text
    member = (await commands.handle(MEMBER, "news", "help", {})).text
    assert "/feeds import" not in member
