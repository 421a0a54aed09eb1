"""Feed parsing on fixtures written for these tests (tests/fixtures/feeds, each saying what it
expects), plus fetch → parse against the loopback server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.feeds.errors import ParseError
from bot.feeds.fetch import Fetcher, FetchLimits
from bot.feeds.guard import AddressPolicy
from bot.feeds.parse import ParsedFeed, parse_feed
from tests.support.httpserver import LocalHTTPServer, Reply

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
HOSTILE = (
    '<img src=x onerror=alert(1)>@everyone <script>alert("pwned")</script>Free <b>tickets</b>!'
)
RSS_HEADERS = {"Content-Type": "application/rss+xml; charset=utf-8"}
JSON_HEADERS = {"Content-Type": "application/feed+json"}


def _parse(name: str, url: str = "https://news.example/feeds/main.xml") -> ParsedFeed:
    headers = JSON_HEADERS if name.endswith(".json") else RSS_HEADERS
    return parse_feed((FIXTURES / name).read_bytes(), headers=headers, url=url)


def _everything(feed: ParsedFeed) -> str:
    return repr(feed)


def test_rss20() -> None:
    feed = _parse("rss20.xml")
    assert not feed.bozo
    assert feed.format == "rss20"
    assert feed.title == "Harbour Town Gazette & Friends"
    assert feed.link == "https://news.example/"
    first, second, third, fourth = feed.entries
    assert first.guid == "gazette-0001"
    assert first.link == "https://news.example/2026/03/ferry.html"
    assert first.title == "New ferry timetable starts Monday"
    assert first.summary == "The harbour board approved a new timetable."
    assert first.published == datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    assert first.author == "Mara Lind"
    assert first.content_html is not None and "twenty minutes" in first.content_html
    assert second.guid == second.link == "https://news.example/2026/03/bridge.html"
    assert second.published is None
    assert third.title == HOSTILE
    assert fourth.link is None
    assert fourth.guid.startswith("sha256:")
    assert any("javascript:" in w for w in feed.warnings)


def test_a_plain_text_title_is_decoded_not_parsed() -> None:
    """Markup-looking text in a title the feed gives as plain text is kept whole (renderers
    escape it); only controls and bidi overrides go."""
    title = _parse("rss20.xml").entries[2].title
    assert title == HOSTILE and "\u202e" not in title


@pytest.mark.parametrize(
    ("element", "expected"),
    [
        ("<title>&lt;!channel&gt; alert</title>", "<!channel> alert"),
        ("<title>&lt;@U123&gt; hi</title>", "<@U123> hi"),
        ("<title>I &lt;3 cats</title>", "I <3 cats"),
        ("<title>a &lt;b&gt; c</title>", "a <b> c"),
        ("<title>Fish &amp;amp; chips</title>", "Fish & chips"),
        ("<title>x &lt;i&gt;y&lt;/i&gt; z</title>", "x y z"),
        ("<description>a &lt;b&gt; c</description>", "a c"),
    ],
)
def test_rss_title_and_description_by_the_type_feedparser_reads(
    element: str, expected: str
) -> None:
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
        f"<link>https://x.example/a</link>{element}</item></channel></rss>"
    ).encode()
    (entry,) = parse_feed(body, headers={}, url="https://x.example/f").entries
    assert expected in (entry.title, entry.summary)


def test_atom_text_elements_are_plain_and_html_elements_are_parsed() -> None:
    body = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">&lt;i&gt;Desk&lt;/i&gt;'
        b"</title><entry><id>e1</id>"
        b'<title type="text">&lt;!here&gt; a &lt;b&gt;c&lt;/b&gt; &amp;lt;3</title>'
        b'<summary type="html">&lt;p&gt;x &amp;lt;3&lt;/p&gt;</summary></entry></feed>'
    )
    feed = parse_feed(body, headers={}, url="https://x.example/f")
    (entry,) = feed.entries
    assert feed.title == "Desk"
    assert entry.title == "<!here> a <b>c</b> <3"
    assert entry.summary == "x <3"


def test_rss10() -> None:
    feed = _parse("rss10.xml")
    assert not feed.bozo
    assert feed.format == "rss10"
    assert feed.title == "Valley Weather Desk"
    storm, frost = feed.entries
    assert storm.link == storm.guid == "https://weather.example/reports/storm"
    assert storm.published == datetime(2026, 2, 14, 6, 30, tzinfo=UTC)
    assert storm.author == "K. Osei"
    assert frost.title == "Late frost"


def test_atom() -> None:
    feed = _parse("atom.xml")
    assert not feed.bozo
    assert feed.format == "atom10"
    assert feed.title == "Lakeside Science Notes"
    assert feed.link == "https://science.example/"
    algae, ice = feed.entries
    assert algae.guid == "tag:science.example,2026:/notes/1"
    assert algae.link == "https://science.example/notes/algae"
    assert algae.published == datetime(2026, 1, 20, 8, 0, tzinfo=UTC)
    assert algae.updated == datetime(2026, 1, 21, 10, 0, tzinfo=UTC)
    assert algae.author == "Ines Duarte"
    assert algae.summary == "Students measured the bloom."
    assert algae.content_html is not None and "<p>" in algae.content_html
    assert ice.published == datetime(2026, 1, 22, 0, 0, tzinfo=UTC)


def test_json_feed_11() -> None:
    feed = _parse("jsonfeed11.json", url="https://radio.example/feed.json")
    assert feed.format == "json1.1"
    assert feed.title == "Orchard <em>Radio</em>"
    assert feed.link == "https://radio.example/"
    first, second, third, fourth = feed.entries
    assert first.guid == "r-1"
    assert first.link == "https://radio.example/shows/1"
    assert first.published == datetime(2026, 4, 2, 18, 0, tzinfo=UTC)
    assert first.author == "Bea Holm"
    assert first.summary == "Growers talk about the <b>harvest</b>."
    assert second.guid == "42"
    assert (
        second.content_html == "<p>First paragraph &lt;not a tag&gt;.</p><p>Second paragraph.</p>"
    )
    assert second.published is None
    assert third.guid == third.link == "https://radio.example/shows/3"
    assert fourth.link is None and fourth.guid.startswith("sha256:")


def test_json_feed_10() -> None:
    feed = _parse("jsonfeed10.json", url="https://quarry.example/feed.json")
    assert feed.format == "json1"
    (entry,) = feed.entries
    assert entry.link == "https://elsewhere.example/quarry-story"
    assert entry.author == "Tomas Berg"
    assert entry.published == datetime(2026, 5, 5, 12, 0, tzinfo=UTC)


def test_json_feed_is_recognised_without_a_json_content_type() -> None:
    body = (FIXTURES / "jsonfeed10.json").read_bytes()
    feed = parse_feed(body, headers={"Content-Type": "text/plain"}, url="https://q.example/f")
    assert feed.entries[0].guid == "q-7"


def test_xml_feed_mislabelled_as_json_is_still_read() -> None:
    body = (FIXTURES / "rss10.xml").read_bytes()
    feed = parse_feed(body, headers=JSON_HEADERS, url="https://weather.example/feed")
    assert feed.format == "rss10"


@pytest.mark.parametrize(
    "body",
    [
        b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
        b'{"title": "no version", "items": []}',
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b'{"version": 1}',
    ],
)
def test_bad_json_feeds_raise_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError) as caught:
        parse_feed(body, headers=JSON_HEADERS, url="https://x.example/feed.json")
    assert "\n" not in caught.value.message


def test_json_feed_with_odd_items_keeps_the_good_ones() -> None:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "T",
        "items": [
            "not an object",
            {"id": True, "url": "https://x.example/1", "title": "Hello\u0000\u202eWorld\u200b!"},
            {"id": ["x"], "url": "javascript:alert(1)", "date_published": "0001-01-01T00:00:00"},
        ],
    }
    feed = parse_feed(json.dumps(doc).encode(), headers=JSON_HEADERS, url="https://x.example/f")
    first, second = feed.entries
    assert first.guid == "https://x.example/1"
    assert first.title == "Hello World!"
    assert second.link is None and second.published is None
    assert feed.bozo
    assert len(feed.warnings) == 2


def test_ill_formed_xml_gives_what_can_be_read() -> None:
    feed = _parse("illformed.xml")
    assert feed.bozo
    assert feed.warnings and "ill-formed" in feed.warnings[0]
    assert [e.title for e in feed.entries] == ["Fish & chips night", "Choir tour"]


def test_billion_laughs_is_not_expanded() -> None:
    feed = _parse("billion_laughs.xml")
    assert any("entity expansion is refused" in w for w in feed.warnings)
    text = _everything(feed)
    assert "lollol" not in text
    assert "Acme" not in text
    assert "Springvale" not in text
    assert "root:" not in text
    assert len(text) < 5_000
    assert [e.title for e in feed.entries][1] == "Plain item"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-32"])
def test_billion_laughs_in_wide_encodings_is_not_expanded(codec: str) -> None:
    text = (FIXTURES / "billion_laughs.xml").read_text("utf-8").replace("utf-8", codec, 1)
    feed = parse_feed(text.encode(codec), headers={}, url="https://laughs.example/feed")
    assert any("entity expansion is refused" in w for w in feed.warnings)
    text = _everything(feed)
    assert "Acme" not in text and "Springvale" not in text and "lollol" not in text
    assert feed.entries[1].title == "Plain item"


def test_unterminated_doctype_is_refused() -> None:
    body = b'<?xml version="1.0"?><!DOCTYPE rss [ <!ENTITY a "x"> <rss version="2.0"></rss>'
    with pytest.raises(ParseError, match="DOCTYPE"):
        parse_feed(body, headers=RSS_HEADERS, url="https://x.example/feed")


def test_doctype_text_inside_the_feed_is_left_alone() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
        b"<title>Quirks</title><link>https://x.example/q</link>"
        b"<description><![CDATA[<p>Pages start with <code>&lt;!DOCTYPE html&gt;</code></p>]]>"
        b"</description></item></channel></rss>"
    )
    feed = parse_feed(body, headers=RSS_HEADERS, url="https://x.example/feed")
    assert not feed.bozo
    assert "DOCTYPE html" in feed.entries[0].summary


@pytest.mark.parametrize("body", [b"/etc/passwd", b"file:///etc/passwd", b"   \n"])
def test_strings_that_look_like_paths_are_not_opened(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse_feed(body, headers={}, url="https://x.example/feed")


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(ParseError):
        _parse("not_a_feed.html")


@pytest.mark.parametrize(
    "date",
    [
        "Mon, 31 Feb 2026 10:00:00 GMT",
        "2026-13-45T99:00:00Z",
        "Sat, 01 Jan 0000 00:00:00 GMT",
        "Fri, 31 Dec 9999 23:59:59 +1400",
        "",
        "tomorrow-ish",
    ],
)
def test_malformed_dates_become_none(date: str) -> None:
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
        f"<title>A</title><link>https://x.example/a</link><pubDate>{date}</pubDate>"
        "</item></channel></rss>"
    ).encode()
    feed = parse_feed(body, headers=RSS_HEADERS, url="https://x.example/feed")
    assert feed.entries[0].published is None


def test_entry_count_is_capped() -> None:
    items = "".join(
        f"<item><title>{i}</title><link>https://x.example/{i}</link></item>" for i in range(5)
    )
    body = f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()
    feed = parse_feed(body, headers=RSS_HEADERS, url="https://x.example/f", max_entries=2)
    assert [e.title for e in feed.entries] == ["0", "1"]
    assert any("first 2 of 5" in w for w in feed.warnings)


def test_changed_guid_keeps_the_same_resolved_link() -> None:
    url = "https://town.example/feeds/news.xml"
    (before,) = _parse("guid_change_before.xml", url=url).entries
    (after,) = _parse("guid_change_after.xml", url=url).entries
    assert before.guid != after.guid
    assert before.link == after.link == "https://town.example/news/library-opens"


async def test_fetched_then_parsed_with_the_final_url_as_base(
    http_server: LocalHTTPServer,
) -> None:
    atom = (
        (FIXTURES / "atom.xml")
        .read_bytes()
        .replace(b' xml:base="https://science.example/notes/"', b"")
    )
    http_server.add("/old-feed", Reply.redirect("/science/atom.xml", status=301))
    http_server.add(
        "/science/atom.xml",
        Reply(body=atom, content_type="application/atom+xml", encoding="br", etag='"a1"'),
    )
    policy = AddressPolicy.exempting([(http_server.host, http_server.port)])
    limits = FetchLimits(max_bytes=256 * 1024, total_timeout=2)
    async with Fetcher(policy=policy, limits=limits) as fetcher:
        result = await fetcher.fetch(http_server.url("/old-feed"))
    feed = parse_feed(result.body, headers=result.headers, url=result.url)
    assert feed.format == "atom10"
    assert feed.entries[0].link == http_server.url("/science/algae")


_SAMPLES = [p.read_bytes() for p in sorted(FIXTURES.iterdir())]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sample=st.sampled_from(_SAMPLES),
    cut=st.integers(0, 4000),
    junk=st.binary(max_size=40),
    content_type=st.sampled_from(["", "application/rss+xml", "application/json", "text/html"]),
)
def test_damaged_feeds_give_a_feed_or_a_parse_error(
    sample: bytes, cut: int, junk: bytes, content_type: str
) -> None:
    body = sample[:cut] + junk + sample[cut:]
    try:
        feed = parse_feed(body, headers={"Content-Type": content_type}, url="https://x.example/f")
    except ParseError as exc:
        assert "\n" not in exc.message
        return
    for entry in feed.entries:
        assert entry.guid
        assert entry.published is None or entry.published.tzinfo is not None
        assert entry.link is None or entry.link.startswith(("http://", "https://"))
