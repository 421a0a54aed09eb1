"""OPML read and write (bot/feeds/opml.py): categories, round trips, and hostile files refused
in one line before anything expands or piles up in memory."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.feeds.opml import (
    MAX_OPML_BYTES,
    OPMLError,
    OpmlFeed,
    parse_opml,
    write_opml,
)

FIXTURES = Path(__file__).parent / "fixtures" / "opml"
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def outlines_xml(count: int, *, depth: int = 0) -> bytes:
    opening = '<outline text="folder">' * depth
    closing = "</outline>" * depth
    leaves = "".join(
        f'<outline type="rss" text="Feed {i}" xmlUrl="https://f{i}.example/rss"/>'
        for i in range(count)
    )
    return f'<opml version="2.0"><body>{opening}{leaves}{closing}</body></opml>'.encode()


def test_reads_feeds_with_their_categories() -> None:
    document = parse_opml((FIXTURES / "subscriptions.opml").read_bytes())

    assert document.title == "A reader's export"
    harbour, valley, bare, ftp = document.outlines
    assert (harbour.title, harbour.xml_url, harbour.html_url, harbour.category) == (
        "Harbour Wire",
        "https://harbour.example/rss.xml",
        "https://harbour.example/",
        ("News", "Local"),
    )
    assert valley.title == "Valley Post", "title wins over text"
    assert (bare.title, bare.xml_url) == ("Bare link", None), "kept, to be told 'not a feed'"
    assert ftp.xml_url == "ftp://files.example/feed.xml", "checking URLs is the importer's job"


def test_written_file_reads_back_the_same() -> None:
    feeds = [
        OpmlFeed("https://a.example/rss?x=1&y=2", "Tom & Jerry <News>", "https://a.example/"),
        OpmlFeed("https://b.example/atom", 'Quote "marks"\x01 and\nnewline', None, ("#news",)),
        OpmlFeed("https://c.example/feed", "", None, ("#news",)),
    ]
    data = write_opml(feeds, title="newsdigest feeds", now=NOW)

    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<opml version=\"2.0\">")
    assert b"<dateCreated>Mon, 07 Dec 2026 12:00:00 GMT</dateCreated>" in data
    document = parse_opml(data)
    assert [(o.xml_url, o.title, o.html_url, o.category) for o in document.outlines] == [
        ("https://a.example/rss?x=1&y=2", "Tom & Jerry <News>", "https://a.example/", ()),
        ("https://b.example/atom", 'Quote "marks" and newline', None, ("#news",)),
        ("https://c.example/feed", "https://c.example/feed", None, ("#news",)),
    ]
    assert data.count(b'text="#news"') == 1, "one category outline for both feeds"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "the file is empty"),
        (b"<opml><body><outline text='x'", "not well-formed XML"),
        (b"<html><body>hello</body></html>", "its root element is <html>"),
        (b'{"feeds": []}', "not well-formed XML"),
        (b"<opml version='2.0'><head/><body/></opml>", "has no outlines"),
        ((FIXTURES / "billion_laughs.opml").read_bytes(), "declares a DTD or entities"),
        ((FIXTURES / "external_entity.opml").read_bytes(), "declares a DTD or entities"),
        (b"<?xml version='1.0' encoding='x-unknown'?><opml/>", "could not be read"),
    ],
)
def test_hostile_or_broken_files_are_refused_in_one_line(data: bytes, expected: str) -> None:
    with pytest.raises(OPMLError) as caught:
        parse_opml(data)
    assert expected in caught.value.message
    assert "\n" not in caught.value.message


def test_billion_laughs_is_refused_before_it_expands() -> None:
    data = (FIXTURES / "billion_laughs.opml").read_bytes()
    tracemalloc.start()
    try:
        with pytest.raises(OPMLError):
            parse_opml(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024, "expanding 10^9 entities would need gigabytes"


def test_a_50_mb_file_is_refused_by_its_size() -> None:
    data = b"<opml><body>" + b" " * (50 * 1024 * 1024) + b"</body></opml>"
    with pytest.raises(OPMLError, match="larger than 2 MB"):
        parse_opml(data)
    assert len(data) > MAX_OPML_BYTES


def test_ten_thousand_outlines_are_refused_not_half_read() -> None:
    with pytest.raises(OPMLError, match="more than 2,000 outlines"):
        parse_opml(outlines_xml(10_000))
    assert len(parse_opml(outlines_xml(2_000)).outlines) == 2_000


def test_deep_nesting_is_refused() -> None:
    assert parse_opml(outlines_xml(1, depth=15)).outlines[0].category == ("folder",) * 15
    with pytest.raises(OPMLError, match="nested more than 16 deep"):
        parse_opml(outlines_xml(1, depth=16))
    deep = b"<opml>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</opml>"
    with pytest.raises(OPMLError, match="nested more than"):
        parse_opml(deep)
