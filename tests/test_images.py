"""Story pictures: where they come from (feed media, then the page's og:/twitter:image), which
addresses may be shown (https, the guard's syntax checks, never fetched), and how they render."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.digests.views import card_from_json, card_to_json, story_card
from bot.feeds.parse import parse_feed
from bot.render import StoryCard, discord_payloads, plain, slack_payloads
from bot.store import Store
from bot.store.models import Entry, Story
from bot.stories.images import best_image, display_image
from bot.stories.urls import link_key
from summarizer import summarize
from summarizer.extract import extract
from tests.feed_site import Clock, articles, exempt_fetcher, make_worker, page_html
from tests.support.httpserver import LocalHTTPServer, Reply

FEEDS = Path(__file__).parent / "fixtures" / "feeds"
BODY = "".join(
    f"<p>The harbour board met on Tuesday and approved plan number {n} for the ferry.</p>"
    for n in range(8)
)


def _page(head: str) -> str:
    head = f"<head><title>Ferry plan</title>{head}</head>"
    return f"<html>{head}<body><article>{BODY}</article></body></html>"


def test_feed_media_gives_each_item_its_best_image() -> None:
    feed = parse_feed(
        (FEEDS / "media.xml").read_bytes(),
        headers={"Content-Type": "application/rss+xml"},
        url="https://news.example/feeds/media.xml",
    )
    assert not feed.bozo
    images = [e.image for e in feed.entries]
    assert images == [
        "https://img.news.example/wide.jpg",
        "https://news.example/thumbs/t2.png",
        "https://cdn.news.example/enc.webp",
        "https://cdn.news.example/bare.jpg",
        None,
        None,
    ]


def test_json_feed_image_banner_and_attachments() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "J",
        "items": [
            {"id": "1", "url": "https://j.example/1", "image": "/img/one.png"},
            {"id": "2", "url": "https://j.example/2", "banner_image": "https://j.example/b.jpg"},
            {
                "id": "3",
                "url": "https://j.example/3",
                "attachments": [
                    {"url": "https://j.example/a.mp3", "mime_type": "audio/mpeg"},
                    {"url": "https://j.example/a.gif", "mime_type": "image/gif"},
                ],
            },
            {"id": "4", "url": "https://j.example/4", "image": 42},
            {
                "id": "5",
                "url": "https://j.example/5",
                "image": "https://j.example/" + "x" * 3000,
                "banner_image": "javascript:alert(1)",
                "attachments": [{"url": "https://j.example/ok.png", "mime_type": "image/png"}],
            },
        ],
    }
    feed = parse_feed(json.dumps(doc).encode(), headers={}, url="https://j.example/feed.json")
    assert [e.image for e in feed.entries] == [
        "https://j.example/img/one.png",
        "https://j.example/b.jpg",
        "https://j.example/a.gif",
        None,
        "https://j.example/ok.png",
    ]


def test_page_og_image_is_resolved_against_the_page() -> None:
    doc = extract(_page('<meta property="og:image" content="../pics/p.jpg">'),
                  url="https://paper.example/news/2026/ferry.html")  # fmt: skip
    assert doc.image == "https://paper.example/news/pics/p.jpg"
    summary = summarize(
        _page('<meta name="twitter:image" content="https://cdn.paper.example/t.png">'),
        url="https://paper.example/a",
    )
    assert summary.image == "https://cdn.paper.example/t.png"
    assert type(summary).from_dict(summary.to_dict()).image == summary.image


@pytest.mark.parametrize(
    "content",
    ["javascript:alert(1)", "data:image/png;base64,AAAA", "//", "", "   "],
)
def test_page_image_that_is_not_a_web_address_is_dropped(content: str) -> None:
    doc = extract(
        _page(f'<meta property="og:image" content="{content}">'), url="https://p.example/a"
    )
    assert doc.image is None


def test_no_page_image_without_metadata() -> None:
    assert extract(_page(""), url="https://p.example/a").image is None


@pytest.mark.parametrize(
    "url",
    [
        "http://img.example/a.jpg",
        "javascript:alert(1)//a.jpg",
        "data:image/png;base64,AAAA",
        "ftp://img.example/a.jpg",
        "https://10.0.0.7/a.jpg",
        "https://127.0.0.1/a.jpg",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/a.jpg",
        "https://[::ffff:192.168.0.1]/a.jpg",
        "https://0x7f.1/a.jpg",
        "https://2130706433/a.jpg",
        "https://localhost/a.jpg",
        "https://cam.localhost/a.jpg",
        "https://user:pw@img.example/a.jpg",
        "https://img.example:99999/a.jpg",
        "https://img.example/" + "a" * 2100 + ".jpg",
        "https://img.example/a\u202e.jpg",
        "https://img.example/a\n.jpg",
        "/relative/a.jpg",
        "img.example/a.jpg",
        "",
        None,
    ],
)
def test_hostile_image_addresses_are_never_shown(url: str | None) -> None:
    assert display_image(url) is None


def test_a_public_https_image_is_shown_and_escaped_for_markup() -> None:
    assert display_image("https://img.example/a(1)é.jpg?x=1&y=2") == (
        "https://img.example/a%281%29%C3%A9.jpg?x=1&y=2"
    )
    assert display_image("https://img.example/a b.jpg") is None
    assert display_image("https://93.184.216.34/a.jpg") == "https://93.184.216.34/a.jpg"


def test_feed_image_comes_before_the_page_image_and_bad_ones_are_skipped() -> None:
    page = "https://paper.example/og.jpg"
    assert best_image(feed_images=[None, "https://feed.example/f.jpg"], page_image=page) == (
        "https://feed.example/f.jpg"
    )
    assert best_image(feed_images=["http://feed.example/f.jpg"], page_image=page) == page
    assert best_image(feed_images=[], page_image="https://10.1.2.3/x.jpg") is None


def _card(image: str | None) -> StoryCard:
    return StoryCard(story_id="5", title="Ferry plan", url="https://paper.example/a",
                     key_facts=("The board met.",), image_url=image)  # fmt: skip


def test_cards_show_the_picture_on_every_platform() -> None:
    card = _card("https://img.example/a.jpg")
    embed = discord_payloads.story_message(card)["embeds"][0]
    assert embed["thumbnail"] == {"url": "https://img.example/a.jpg"}
    blocks = slack_payloads.story_message(card)["blocks"]
    accessory = blocks[0]["accessory"]
    assert accessory == {
        "type": "image",
        "image_url": "https://img.example/a.jpg",
        "alt_text": "Ferry plan",
    }
    assert "picture: https://img.example/a.jpg" in plain.story_message(card)


@pytest.mark.parametrize("image", [None, "http://img.example/a.jpg", "javascript:x"])
def test_no_picture_when_absent_or_unsafe(image: str | None) -> None:
    card = _card(image)
    assert "thumbnail" not in discord_payloads.story_message(card)["embeds"][0]
    assert all("accessory" not in b for b in slack_payloads.story_message(card)["blocks"])
    assert "picture:" not in plain.story_message(card)


def _rss(items: list[tuple[str, str, str]]) -> str:
    body = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>{media}</item>"
        for title, link, media in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">'
        f"<channel><title>Pictures</title><link>https://news.example/</link>{body}"
        "</channel></rss>"
    )


async def test_stories_keep_the_feed_picture_else_the_page_picture(
    store: Store, http_server: LocalHTTPServer
) -> None:
    samples = articles()
    pages = {
        "feed-pic": ("quake-peru-1", '<meta property="og:image" content="https://og.example/no.jpg">'),
        "page-pic": ("helix-profit-1", '<meta property="og:image" content="https://og.example/p.jpg">'),
        "relative": ("pt-resign-1", '<meta property="og:image" content="/local.jpg">'),
    }  # fmt: skip
    items = []
    for path, (sample_id, head) in pages.items():
        html = page_html(samples[sample_id]).replace("</head>", head + "</head>")
        http_server.add(f"/{path}", Reply(body=html, content_type="text/html; charset=utf-8"))
        media = '<media:thumbnail url="https://cdn.example/f.jpg"/>' if path == "feed-pic" else ""
        items.append((samples[sample_id].title, http_server.url(f"/{path}"), media))
    http_server.add("/pics.xml", Reply(body=_rss(items), content_type="application/rss+xml"))
    url = http_server.url("/pics.xml")
    await store.feeds.add(url=url, normalized_url=link_key(url))
    clock = Clock()
    async with exempt_fetcher(http_server, total_timeout=2.0) as fetcher:
        await make_worker(store, fetcher, clock).run_once()

    async with store.session(readonly=True) as s:
        stories = {st.url: st for st in (await s.scalars(select(Story))).all()}
        entry_images = sorted(filter(None, (await s.scalars(select(Entry.image_url))).all()))
    assert entry_images == ["https://cdn.example/f.jpg"]
    by_path = {u.rsplit("/", 1)[-1]: st for u, st in stories.items()}
    assert by_path["feed-pic"].image_url == "https://cdn.example/f.jpg"
    assert by_path["page-pic"].image_url == "https://og.example/p.jpg"
    # Resolved against the page: http://127.0.0.1:…/local.jpg, which is neither https nor public.
    assert by_path["relative"].image_url is None
    card = story_card(by_path["page-pic"], [])
    assert card_from_json(card_to_json(card)).image_url == "https://og.example/p.jpg"
