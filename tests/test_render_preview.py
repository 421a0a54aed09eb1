"""The HTML preview draws our markup and nothing from the feed as markup."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render import (
    DigestView,
    QuoteLine,
    SourceLink,
    StoryCard,
    discord_payloads,
    slack_payloads,
)
from bot.render.preview import html_page
from tests.render_samples import HOSTILE, LONG, UPDATE

ALLOWED = {
    "html", "head", "meta", "title", "style", "body", "section", "h2", "div", "a", "b", "i",
    "br", "blockquote",
}  # fmt: skip


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs.extend(v or "" for k, v in attrs if k == "href")
        assert all(k in ("href", "class", "style", "charset") for k, _ in attrs), attrs

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _page(card: StoryCard) -> str:
    digest = DigestView("Morning digest", (card,))
    return html_page(
        discord=[
            (discord_payloads.digest_header(digest), False),
            (discord_payloads.story_message(card), False),
            (discord_payloads.thread_opening(card), True),
            (discord_payloads.thread_update(UPDATE), True),
        ],
        slack=[
            (slack_payloads.digest_header(digest), False),
            (slack_payloads.story_message(card), False),
            (slack_payloads.thread_opening(card), True),
            (slack_payloads.thread_update(UPDATE), True),
        ],
    )


def _parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


EVIL = "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) **b**"


def test_feed_html_is_shown_as_text_never_as_tags() -> None:
    card = StoryCard(
        story_id="9",
        title=EVIL,
        url="https://news.example.org/a?b=1&c=2",
        sources=(SourceLink(EVIL, "https://src.example.org/x"),),
        key_facts=(EVIL,),
        quotes=(QuoteLine(EVIL, EVIL),),
        lead=EVIL,
    )
    parsed = _parse(_page(card))
    assert set(parsed.tags) <= ALLOWED
    assert all(h.startswith(("https://", "http://")) for h in parsed.hrefs)
    assert "https://news.example.org/a?b=1&c=2" in parsed.hrefs
    text = "".join(parsed.text)
    assert "<script>alert(1)</script>" in text and "<img src=x onerror=alert(2)>" in text


def test_preview_shows_the_story_as_platforms_would() -> None:
    parsed = _parse(_page(LONG))
    text = "".join(parsed.text)
    assert "Morning digest — 1 story" in text
    assert "Fact 0: the council voted on clause 0" in text
    assert "…and" in text and "more sources" in text
    assert "New from Example Tribune" in text
    assert sum(h.startswith("https://gazette") for h in parsed.hrefs) > 40
    hostile = "".join(_parse(_page(HOSTILE)).text)
    assert "<!channel>" in hostile and "@\u200beveryone" in hostile


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>&\"'*_~`[]()\\|!@#/:= abcx\n")), max_size=200))
def test_no_generated_text_becomes_a_tag(text: str) -> None:
    card = StoryCard(
        story_id="1",
        title=text,
        url=None,
        sources=(SourceLink(text, "https://e.example/"),),
        key_facts=(text,),
        quotes=(QuoteLine(text, text),),
        lead=text,
    )
    parsed = _parse(_page(card))
    assert set(parsed.tags) <= ALLOWED
    assert all(h.startswith("https://") for h in parsed.hrefs)
