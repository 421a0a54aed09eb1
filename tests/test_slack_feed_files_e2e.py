"""`/feeds import <address>` and `/feeds export` on Slack, end to end: the real slack-bolt app
over Socket Mode against the loopback emulator, with the real store and guarded fetcher.

The OPML file is served over https on 127.0.0.1 (a throwaway certificate; only that server's
socket is exempt from the address guard). Feed hosts named in the files are judged by a fixed
resolver standing in for DNS, so nothing leaves the machine, and no feed is fetched at import
time. The export goes through `files_upload_v2` to the caller's DM and is read back from the
emulator's file URL with the bot token; `/feeds import` alone opens a modal whose picked file
the bot reads through `files.info` and its download address.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.commands import Commands
from bot.feeds.fetch import Fetcher, FetchLimits
from bot.feeds.guard import AddressPolicy
from bot.feeds.opml import OpmlFeed, parse_opml, write_opml
from bot.platforms.slack import build_app, socket_mode_handler, web_client
from bot.platforms.slack_commands import IMPORT_VIEW, command_text, register_commands
from bot.platforms.slack_files import trusted_file_url
from bot.store import Store
from bot.store.models import Feed, Subscription
from tests.emulators.slack_emulator import SlackEmulator
from tests.feed_site import Clock
from tests.support.httpserver import Drip, LocalHTTPServer, Reply
from tests.support.resolver import FixedResolver
from tests.support.tls import make_certificate

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)
PUBLIC = "93.184.216.34"
ADMIN = "U0ADMIN"
MEMBER = "U0MEMBER"
OPML = "text/x-opml"
FIXTURES = Path(__file__).parent / "fixtures" / "opml"
HUGE = b"<opml><body>" + b"<!-- padding -->" * (50 * 1024 * 1024 // 16) + b"</body></opml>"


@pytest.fixture
async def site(tmp_path: Path) -> AsyncIterator[tuple[LocalHTTPServer, Any]]:
    certificate = make_certificate(tmp_path)
    if certificate is None:
        pytest.skip("no openssl command to make a test certificate")
    async with LocalHTTPServer(ssl_context=certificate.server_context()) as server:
        yield server, certificate


@pytest.fixture
async def resolver() -> FixedResolver:
    return FixedResolver(PUBLIC)


@pytest.fixture
async def bot(
    store: Store,
    site: tuple[LocalHTTPServer, Any],
    resolver: FixedResolver,
    slack_emulator: SlackEmulator,
) -> AsyncIterator[Commands]:
    server, certificate = site
    emu = slack_emulator
    fetcher = Fetcher(
        policy=AddressPolicy.exempting([(server.host, server.port)]),
        resolver=resolver,
        ssl_context=certificate.client_context(),
        limits=FetchLimits(total_timeout=2.0),
    )
    async with fetcher:
        commands = Commands(store=store, fetcher=fetcher, clock=Clock(NOW))
        app = build_app(
            client=web_client(token=emu.bot_token, base_url=emu.api_url),
            signing_secret=emu.signing_secret,
        )
        register_commands(app, commands)
        handler = socket_mode_handler(app, app_token=emu.app_token)
        await handler.connect_async()
        try:
            yield commands
        finally:
            await handler.close_async()


async def answer(emu: SlackEmulator, n: int) -> dict[str, Any]:
    """The n-th (1-based) answer posted to a response URL."""
    await emu.wait_for(lambda: len(emu.responses) >= n, within=20)
    return emu.responses[n - 1]


async def count(store: Store, model: type) -> int:
    async with store.session(readonly=True) as s:
        return int(await s.scalar(select(func.count()).select_from(model)) or 0)


def opml_file(*urls: str) -> bytes:
    feeds = [OpmlFeed(xml_url=url, title=f"Feed {i}") for i, url in enumerate(urls)]
    return write_opml(feeds, title="exported elsewhere", now=NOW)


def escaped_link(url: str) -> str:
    """`url` as Slack sends a typed link in command text (`should_escape`)."""
    label = url.split("://", 1)[1]
    return f"<{url.replace('&', '&amp;')}|{label.replace('&', '&amp;')}>"


def test_command_text_undoes_slacks_escaping_and_keeps_mentions() -> None:
    text = "import <https://a.example/f.opml?x=1&amp;y=2|a.example/f.opml> <#C0DESK|desk>"
    assert command_text(text) == "import https://a.example/f.opml?x=1&y=2 <#C0DESK|desk>"
    assert command_text("search R&amp;D &lt;b&gt; <!subteam^S1|@ops>") == (
        "search R&D <b> <!subteam^S1|@ops>"
    )
    assert command_text("add <HTTP://A.example/rss>") == "add HTTP://A.example/rss"
    assert command_text("add <mailto:a@b.example|a@b.example>") == (
        "add <mailto:a@b.example|a@b.example>"
    )


async def test_import_from_an_address_then_export_as_a_file_in_the_callers_dm(
    store: Store,
    site: tuple[LocalHTTPServer, Any],
    resolver: FixedResolver,
    slack_emulator: SlackEmulator,
    bot: Commands,
) -> None:
    server, _ = site
    emu = slack_emulator
    private = (
        b'<outline text="Intranet" xmlUrl="https://10.1.2.3/rss"/>'
        b'<outline text="Metadata" xmlUrl="http://169.254.169.254/latest/meta-data"/></body>'
    )
    data = (FIXTURES / "subscriptions.opml").read_bytes().replace(b"</body>", private)
    server.add("/subs.opml", Reply(body=data, content_type=OPML))
    url = server.url("/subs.opml?from=reader&v=2")
    await emu.send_slash_command("/feeds", f"import {escaped_link(url)}", user_id=ADMIN)
    first = await answer(emu, 1)
    assert first["response_type"] == "ephemeral"
    head, *lines = first["text"].splitlines()
    assert head.startswith("Import into <#C0NEWS>: 6 outlines: 2 added, 0 already followed, 4 ")
    assert len(lines) == 6, "one line per feed"
    assert [line.split(":", 1)[0] for line in lines] == ["refused"] * 4 + ["added"] * 2
    assert any("“Intranet” https://10.1.2.3/rss: private address" in line for line in lines)
    assert any("“Metadata” http://169.254.169.254/latest/meta-data: private address" in line
               for line in lines)  # fmt: skip
    assert any(line.startswith("refused: “Ftp thing” ftp://files.example/feed.xml: bad URL")
               for line in lines)  # fmt: skip
    assert "added: feed 1 “Harbour Wire” https://harbour.example/rss.xml" in lines
    (fetched,) = server.requests_for("/subs.opml")
    assert fetched.query == "from=reader&v=2", "the link unwrapped and &amp; undone"
    assert len(server.requests) == 1, "no feed fetched at import time"
    assert "10.1.2.3" not in resolver.asked and "harbour.example" in resolver.asked

    subs = await store.channels.subscriptions(platform="slack", workspace_id=emu.team_id)
    assert sorted((s.channel_id, f.url, s.created_by) for s, f in subs) == [
        ("C0NEWS", "https://harbour.example/rss.xml", ADMIN),
        ("C0NEWS", "https://valley.example/feed", ADMIN),
    ]

    await emu.send_slash_command("/feeds", f"import {url}", user_id=ADMIN)
    again = await answer(emu, 2)
    assert "6 outlines: 0 added, 2 already followed, 4 refused" in again["text"]
    await emu.send_slash_command("/feeds", f"import {url} <#C0DESK|desk>", user_id=ADMIN)
    desk = await answer(emu, 3)
    assert "Import into <#C0DESK>: 6 outlines: 2 added, 0 already followed" in desk["text"]
    assert "added: feed 1 “Harbour Wire”" in desk["text"], "the same feed, one more channel"

    await emu.send_slash_command("/feeds", "export", user_id=ADMIN)
    exported = await answer(emu, 4)
    assert exported["response_type"] == "ephemeral" and not exported["text"].startswith(":warn")
    assert "newsdigest-feeds.opml, is in your direct messages with me" in exported["text"]
    (opened,) = emu.calls_of("conversations.open")
    assert opened.args["users"] == ADMIN
    (file,) = emu.files.values()
    assert file.channels == ["D0ADMIN"] and file.filename == "newsdigest-feeds.opml"
    (dm,) = emu.channels["D0ADMIN"]
    assert "4 feeds in 2 channels" in dm["text"] and dm["files"][0]["id"] == file.id
    headers = {"Authorization": f"Bearer {emu.bot_token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.get(dm["files"][0]["url_private_download"], headers=headers) as resp,
    ):
        assert resp.status == 200
        back = parse_opml(await resp.read())
    assert sorted((o.category, o.xml_url) for o in back.outlines) == [
        (("#C0DESK",), "https://harbour.example/rss.xml"),
        (("#C0DESK",), "https://valley.example/feed"),
        (("#C0NEWS",), "https://harbour.example/rss.xml"),
        (("#C0NEWS",), "https://valley.example/feed"),
    ]
    assert "C0NEWS" not in emu.channels, "nothing posted in the channel"


BOMB = (FIXTURES / "billion_laughs.opml").read_bytes()
FETCH = "could not fetch the OPML file: "
REFUSED = "that OPML file was refused: "


@pytest.mark.parametrize(
    ("reply", "expected", "detail"),
    [
        (Reply(body=HUGE, content_type=OPML, headers={"Content-Length": str(len(HUGE))},
               drip=Drip(chunk=1024 * 1024, interval=0)),
         FETCH, "larger than 2 MB"),
        (Reply(body=HUGE, content_type=OPML, drip=Drip(chunk=256 * 1024, interval=0)),
         FETCH, "larger than 2 MB"),
        (Reply(body=b"<opml><body><outline xmlUrl='https://a.example/rss'>", content_type=OPML),
         REFUSED, "not well-formed XML"),
        (Reply(body=BOMB, content_type=OPML), REFUSED, "declares a DTD or entities"),
        (Reply.redirect("https://169.254.169.254/latest/meta-data/feeds.opml"),
         FETCH, "not a public"),
        (Reply.redirect("https://10.0.0.5/feeds.opml", status=301), FETCH, "not a public"),
        (Reply(body=opml_file("https://a.example/rss"), content_type=OPML,
               drip=Drip(chunk=8, interval=0.5)),
         FETCH, "no complete answer within 2 s"),
        (Reply(status=404, body="gone"), FETCH, "HTTP 404"),
    ],
    ids=["50mb-declared", "50mb-chunked", "malformed", "xml-bomb", "redirect-metadata",
         "redirect-private", "too-slow", "not-found"],
)  # fmt: skip
async def test_a_hostile_or_broken_address_gets_one_line_and_stores_nothing(
    store: Store,
    site: tuple[LocalHTTPServer, Any],
    slack_emulator: SlackEmulator,
    bot: Commands,
    reply: Reply,
    expected: str,
    detail: str,
) -> None:
    server, _ = site
    emu = slack_emulator
    server.add("/feeds.opml", reply)
    await emu.send_slash_command(
        "/feeds", f"import {escaped_link(server.url('/feeds.opml'))}", user_id=ADMIN
    )
    refused = await answer(emu, 1)
    text = refused["text"]
    assert refused["response_type"] == "ephemeral" and "\n" not in text, text
    assert text.startswith(":warning: " + expected) and detail in text, text
    assert len(text) < 400 and "Traceback" not in text
    assert [r.path for r in server.requests] == ["/feeds.opml"], "no second hop followed"
    assert await count(store, Feed) == 0 and await count(store, Subscription) == 0


async def test_an_address_naming_a_private_host_is_refused_before_connecting(
    store: Store, site: tuple[LocalHTTPServer, Any], slack_emulator: SlackEmulator, bot: Commands
) -> None:
    server, _ = site
    emu = slack_emulator
    await emu.send_slash_command(
        "/feeds", f"import {escaped_link(f'https://127.0.0.1:{server.port + 1}/x.opml')}",
        user_id=ADMIN,
    )  # fmt: skip
    refused = await answer(emu, 1)
    assert refused["text"].startswith(":warning: could not fetch the OPML file:")
    assert "not a public" in refused["text"] and "\n" not in refused["text"]
    await emu.send_slash_command("/feeds", "import notes.opml", user_id=ADMIN)
    local = await answer(emu, 2)
    assert "give the address of the OPML file" in local["text"], "no path on the bot's disk"
    assert server.requests == [] and await count(store, Feed) == 0


async def test_members_get_no_file_and_a_refused_upload_is_one_line(
    store: Store, site: tuple[LocalHTTPServer, Any], slack_emulator: SlackEmulator, bot: Commands
) -> None:
    server, _ = site
    emu = slack_emulator
    server.add("/one.opml", Reply(body=opml_file("https://a.example/rss"), content_type=OPML))
    await emu.send_slash_command("/feeds", f"import {server.url('/one.opml')}", user_id=ADMIN)
    assert "1 added" in (await answer(emu, 1))["text"]

    await emu.send_slash_command("/feeds", "export", user_id=MEMBER)
    member = await answer(emu, 2)
    assert member["text"].startswith(":warning:") and "for moderators" in member["text"]
    assert emu.files == {} and emu.calls_of("conversations.open") == []

    emu.refuse("files.getUploadURLExternal", "missing_scope")
    await emu.send_slash_command("/feeds", "export", user_id=ADMIN)
    failed = await answer(emu, 3)
    assert failed["response_type"] == "ephemeral" and "\n" not in failed["text"]
    assert failed["text"].startswith(":warning: could not send you newsdigest-feeds.opml: ")
    assert "Slack said missing" in failed["text"] and "files:write and im:write" in failed["text"]
    assert emu.files == {}


def test_the_token_goes_only_to_slacks_file_host_or_the_api_host() -> None:
    api = "https://slack.com/api/"
    assert trusted_file_url("https://files.slack.com/files-pri/T1-F1/download/a.opml", api_base=api)
    for url in (
        "http://files.slack.com/files-pri/T1-F1/a.opml",
        "https://files.slack.com:8443/a.opml",
        "https://files.slack.com.evil.example/a.opml",
        "https://user@files.slack.com/a.opml",
        "https://slack.com.evil.example/api/",
        "https://127.0.0.1/a.opml",
        "/files-pri/a.opml",
        "",
    ):
        assert not trusted_file_url(url, api_base=api), url
    local = "http://127.0.0.1:8123/api/"
    assert trusted_file_url("http://127.0.0.1:8123/files/F1/a.opml", api_base=local)
    assert not trusted_file_url("http://127.0.0.1:8124/files/F1/a.opml", api_base=local)


async def submit_import(
    emu: SlackEmulator, file_ids: list[str], *, user_id: str = ADMIN, channel: str = "C0DESK"
) -> dict[str, Any]:
    """Submit the import modal with these files picked; the ephemeral result."""
    before = len(emu.ephemerals)
    payload = emu.view_submission(IMPORT_VIEW, {}, user_id=user_id, files={"file": file_ids})
    payload["view"]["private_metadata"] = channel
    await emu.send_interactive(payload)
    await emu.wait_for(lambda: len(emu.ephemerals) > before, within=20)
    return emu.ephemerals[-1]


async def test_import_alone_opens_a_file_picker_and_the_picked_file_is_imported(
    store: Store, slack_emulator: SlackEmulator, bot: Commands
) -> None:
    emu = slack_emulator
    await emu.send_slash_command("/feeds", "import", user_id=ADMIN, channel="C0DESK")
    (opened,) = await emu.wait_for(lambda: emu.views)
    view = opened["view"]
    assert view["callback_id"] == IMPORT_VIEW and view["private_metadata"] == "C0DESK"
    element = view["blocks"][0]["element"]
    assert element["type"] == "file_input" and element["max_files"] == 1
    assert emu.responses == [], "the modal is the answer"

    file = emu.user_file("reader.opml", opml_file("https://a.example/rss", "http://127.0.0.1:9/"))
    told = await submit_import(emu, [file.id])
    assert told["channel"] == "C0DESK" and told["user"] == ADMIN
    head, *lines = told["text"].splitlines()
    assert head.startswith("Import into <#C0DESK>: 2 outlines: 1 added, 0 already followed, 1 ")
    assert lines[0].startswith("refused: “Feed 1” http://127.0.0.1:9/: private address")
    assert lines[1] == "added: feed 1 “Feed 0” https://a.example/rss"
    assert [c.args["file"] for c in emu.calls_of("files.info")] == [file.id]
    assert emu.downloads == [file.id]
    subs = await store.channels.subscriptions(platform="slack", workspace_id=emu.team_id)
    assert [(s.channel_id, f.url) for s, f in subs] == [("C0DESK", "https://a.example/rss")]


async def test_a_hostile_picked_file_gets_one_line_and_stores_nothing(
    store: Store, slack_emulator: SlackEmulator, bot: Commands
) -> None:
    emu = slack_emulator
    big = emu.user_file("big.opml", HUGE[: 3 * 1024 * 1024])
    told = await submit_import(emu, [big.id])
    assert told["text"].startswith(":warning: that file is larger than 2 MB")
    assert emu.downloads == [], "refused by the size Slack gives, unread"
    big.length = 100  # a size Slack got wrong: the download itself stops at the cap
    told = await submit_import(emu, [big.id])
    assert told["text"].startswith(":warning: that file is larger than 2,097,152 bytes")
    assert emu.downloads == [big.id], "read, and stopped at the cap"
    emu.downloads.clear()

    bomb = emu.user_file("bomb.opml", BOMB)
    told = await submit_import(emu, [bomb.id])
    assert told["text"].startswith(":warning: that OPML file was refused: the file declares a DTD")

    elsewhere = emu.user_file("elsewhere.opml", opml_file("https://a.example/rss"))
    elsewhere.download_url = "https://files.slack.com.evil.example/elsewhere.opml"
    told = await submit_import(emu, [elsewhere.id])
    assert "download address is not Slack's, so it was not read" in told["text"]

    told = await submit_import(emu, [])
    assert told["text"] == ":warning: pick one .opml file in the form"

    good = emu.user_file("good.opml", opml_file("https://a.example/rss"))
    told = await submit_import(emu, [good.id], user_id=MEMBER)
    assert told["text"].startswith(":warning:") and "for moderators" in told["text"]
    assert good.id not in [c.args["file"] for c in emu.calls_of("files.info")]
    assert all("\n" not in t["text"] for t in emu.ephemerals)
    assert emu.downloads == [bomb.id]
    assert await count(store, Feed) == 0 and await count(store, Subscription) == 0
