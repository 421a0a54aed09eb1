"""Hostile story pictures: an address is kept only when it is https and passes the address
guard's syntax checks, the bot never fetches one (not even its host's name is looked up), and
the Discord embed and the Slack block show a picture only when a good one is there, whatever
the database holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import escape

import discord
import pytest
from sqlalchemy import select, update

from bot.digests.engine import deliver_pending, plan_due_digests
from bot.feeds.fetch import Fetcher, FetchLimits
from bot.feeds.guard import AddressPolicy
from bot.platforms.discord import DiscordPlatform
from bot.platforms.slack import SlackPlatform, web_client
from bot.store import Store
from bot.store.models import Story
from bot.stories.images import display_image
from bot.stories.urls import link_key
from tests.emulators.discord_emulator import DiscordEmulator, running_client
from tests.emulators.slack_emulator import SlackEmulator
from tests.feed_site import Clock, articles, make_worker, page_html
from tests.support.httpserver import LocalHTTPServer, Reply
from tests.support.newsroom import Newsroom
from tests.support.resolver import FixedResolver

PUBLIC = "93.184.216.34"
GOOD = "https://pics.example/harbour.jpg"
LONG = "https://pics.example/" + "a" * 2100 + ".jpg"
MARKUP = set("\"'<>| \t\r\n`")


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/x.png",
        "https://[::1]/",
        "https://[::1]:8443/x.png",
        "https://[0:0:0:0:0:0:0:1]/x.png",
        "https://127.1/x.png",
        "https://0/x.png",
        "https://192.168.1.10/x.png",
        "https://[fe80::1]/x.png",
        "https://100.64.0.1/x.png",
        "http://pics.example/x.png",
        "HTTP://pics.example/x.png",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)//https://pics.example/x.png",
        "data:image/svg+xml,<svg onload=alert(1)>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        'https://pics.example/a.jpg" onerror="alert(1)',
        'https://pics.example/a.jpg"onerror="alert(1)',
        'https://pics.example/a.jpg"><script>alert(1)</script>',
        "https://pics.example/a.jpg|<!channel>",
        "https://pics.example/a.jpg><@U123>",
        "https://pics.example/a.jpg?`x`",
        'https://pics.example/a.jpg#"x',
        "https://pics.example/{a}^.jpg",
        "https://pics.example/a.jpg onerror=alert(1)",
        "https://pics.example/a.jpg\u00a0x",
        "https://pics.example/a.jpg\u200bx",
        "https://pics.example/a\x00.jpg",
        "https://pics.example/a\r\nX-Injected: 1",
        "https://pics.example\\@127.0.0.1/x.png",
        "https://pics.example@127.0.0.1/x.png",
        LONG,
    ],
)
def test_a_hostile_address_is_not_kept(url: str) -> None:
    assert display_image(url) is None


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://pics.example/a.jpg'onerror='alert(1)",
         "https://pics.example/a.jpg%27onerror=%27alert%281%29"),
        ("https://pics.example/[x](y).jpg", "https://pics.example/[x]%28y%29.jpg"),
        ("https://pics.example/caf\u00e9.jpg", "https://pics.example/caf%C3%A9.jpg"),
    ],
)  # fmt: skip
def test_a_kept_address_has_no_quote_or_markup_left_raw(url: str, shown: str) -> None:
    assert display_image(url) == shown
    assert not MARKUP & set(shown)


def test_surrounding_white_space_is_trimmed_and_a_good_address_is_kept() -> None:
    assert display_image(f"  {GOOD}\t") == GOOD
    assert display_image(GOOD) == GOOD


def _rss(items: list[tuple[str, str, str]]) -> str:
    body = "".join(
        f"<item><title>{escape(title)}</title><link>{link}</link><guid>{link}</guid>{media}</item>"
        for title, link, media in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">'
        f"<channel><title>Pictures</title><link>https://news.example/</link>{body}"
        "</channel></rss>"
    )


async def test_the_pipeline_keeps_only_good_pictures_and_never_fetches_one(
    store: Store, http_server: LocalHTTPServer
) -> None:
    server = http_server
    own = server.url("/img/own.png")
    own_https = f"https://127.0.0.1:{server.port}/img/og.png"
    cases = {
        # path: (sample article, feed media URL or None, og:image or None)
        "good": ("quake-peru-1", GOOD, "https://og.example/second.jpg"),
        "http": ("helix-profit-1", "http://pics.example/a.jpg", None),
        "loopback": ("pt-resign-1", "https://127.0.0.1/x.png", "https://[::1]/"),
        "own-server": ("boc-cut-1", own, own_https),
        "scripts": ("fire-ventura-1", "javascript:alert(1)", "data:image/png;base64,AAAA"),
        "long": ("vireo-orbit-1", LONG, None),
        "quotes": ("lena-1", 'https://pics.example/q.jpg" onerror="alert(1)', None),
    }
    samples = articles()
    items = []
    for path, (sample, media, og) in cases.items():
        head = f'<meta property="og:image" content="{escape(og)}">' if og else ""
        html = page_html(samples[sample]).replace("</head>", head + "</head>")
        server.add(f"/{path}", Reply(body=html, content_type="text/html; charset=utf-8"))
        tag = f'<media:content url="{escape(media)}" medium="image"/>' if media else ""
        items.append((samples[sample].title, server.url(f"/{path}"), tag))
    server.add("/pics.xml", Reply(body=_rss(items), content_type="application/rss+xml"))
    server.add("/img/own.png", Reply(body=b"\x89PNG", content_type="image/png"))
    url = server.url("/pics.xml")
    await store.feeds.add(url=url, normalized_url=link_key(url))
    resolver = FixedResolver(PUBLIC)
    fetcher = Fetcher(
        policy=AddressPolicy.exempting([(server.host, server.port)]),
        resolver=resolver,
        limits=FetchLimits(total_timeout=2.0),
    )
    async with fetcher:
        await make_worker(store, fetcher, Clock()).run_once()

    async with store.session(readonly=True) as s:
        stories = (await s.scalars(select(Story))).all()
    by_path = {st.url.rsplit("/", 1)[-1]: st.image_url for st in stories if st.url}
    assert set(by_path) == set(cases), "one story per page"
    assert by_path == {path: (GOOD if path == "good" else None) for path in cases}
    fetched = sorted({r.path for r in server.requests})
    assert fetched == sorted(["/pics.xml", *(f"/{p}" for p in cases)]), "no picture fetched"
    assert resolver.asked == [], "no picture host looked up"


T0 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
STORED = {
    "Good picture": GOOD,
    "Loopback picture": "https://127.0.0.1/x.png",
    "Script picture": "javascript:alert(1)",
    "Plain http picture": "http://pics.example/x.png",
    "Injected picture": 'https://pics.example/x.png" onerror="alert(1)',
    "No picture": None,
}


async def _stories_with_stored_pictures(store: Store, *, platform: str, workspace: str,
                                        channel: str) -> None:  # fmt: skip
    """Stories whose `image_url` column holds these values as written by hand (an old row, a
    tampered database): what the renderers get is checked again on the way out."""
    room = Newsroom(store, now=T0, platform=platform)
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, workspace=workspace, channel=channel)
    for i, (title, image) in enumerate(STORED.items()):
        story = await room.story(feed, title, facts=[f"Fact {i}."], at=T0 - timedelta(minutes=i))
        async with store.session() as s:
            await s.execute(update(Story).where(Story.id == story.id).values(image_url=image))
    assert await plan_due_digests(store, now=T0)


async def test_slack_shows_an_image_block_only_for_the_good_picture(
    store: Store, slack_emulator: SlackEmulator
) -> None:
    emu = slack_emulator
    await _stories_with_stored_pictures(store, platform="slack", workspace=emu.team_id,
                                        channel="C1")  # fmt: skip
    client = web_client(token=emu.bot_token, base_url=emu.api_url)
    await deliver_pending(store, {"slack": SlackPlatform(client, min_interval=0)},
                          worker_id="b", now=T0)  # fmt: skip
    shown = {}
    for message in emu.channels["C1"][1:]:
        title = next(t for t in STORED if t in str(message["blocks"]))
        images = [b for b in message["blocks"] if b.get("type") == "image"]
        accessories = [b["accessory"] for b in message["blocks"] if "accessory" in b]
        assert not images, "no separate image block either"
        shown[title] = [a["image_url"] for a in accessories if a["type"] == "image"]
    assert shown == {t: ([GOOD] if t == "Good picture" else []) for t in STORED}


async def test_discord_shows_an_embed_picture_only_for_the_good_one(
    store: Store, discord_emulator: DiscordEmulator
) -> None:
    emu = discord_emulator
    guild = emu.guilds[0]
    await _stories_with_stored_pictures(store, platform="discord", workspace=str(guild.id),
                                        channel=str(guild.text_channel))  # fmt: skip
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
    async with running_client(client, emu):
        await deliver_pending(store, {"discord": DiscordPlatform(client)}, worker_id="b", now=T0)
    shown = {}
    for message in emu.messages[guild.text_channel][1:]:
        (embed,) = message["embeds"]
        assert "image" not in embed, "the picture is the thumbnail, never the large image"
        shown[embed["title"]] = (embed.get("thumbnail") or {}).get("url")
    assert shown == {t: (GOOD if t == "Good picture" else None) for t in STORED}
