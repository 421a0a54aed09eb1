"""Render: limits always hold, feed text never pings or formats, links stay intact."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render import (
    DigestView,
    QuoteLine,
    SourceLink,
    StoryCard,
    ThreadUpdate,
    discord_payloads,
    plain,
    slack_payloads,
)
from bot.render import limits as L
from bot.render.text import discord_escape, flatten, safe_url, slack_escape, truncate
from summarizer.model import KeyFact, Quote, Summary
from tests.render_samples import HOSTILE, HOSTILE_UPDATE, LONG

HOSTILE_BITS = [
    "@everyone", "@here", "<!channel>", "<!here>", "<!everyone>", "<@U024BE7LH>", "<@123>",
    "<@!123>", "<@&42>", "<#99>", "[x](https://evil.example)", "**", "__", "~~", "`", "||",
    "*", "_", "~", "&", "<", ">", "\\", "\n# h", "\n> q", "|", "<https://e.example|t>", " ",
]  # fmt: skip

hostile_text = st.lists(
    st.one_of(st.sampled_from(HOSTILE_BITS), st.text(max_size=40)), max_size=60
).map("".join)
long_text = st.one_of(hostile_text, st.integers(0, 9000).map(lambda n: "word " * (n // 5)))
urls = st.one_of(
    st.none(),
    st.just("https://example.org/a?b=1&c=2"),
    st.text(max_size=30).map(lambda t: "https://example.org/" + t),
    st.sampled_from(["javascript:alert(1)", "ftp://x.example/", "https://e.example/a)b|c>d"]),
    st.integers(1900, 2100).map(lambda n: "https://example.org/" + "a" * n),
)
sources = st.builds(SourceLink, name=long_text, url=urls)
quotes = st.builds(QuoteLine, text=long_text, speaker=st.one_of(st.none(), long_text))
cards = st.builds(
    StoryCard,
    story_id=st.text(min_size=1, max_size=30),
    title=long_text,
    url=urls,
    sources=st.lists(sources, max_size=60).map(tuple),
    published=st.one_of(st.none(), st.just(datetime(2026, 1, 2, 3, 4, tzinfo=UTC))),
    key_facts=st.lists(long_text, max_size=25).map(tuple),
    quotes=st.lists(quotes, max_size=30).map(tuple),
    lead=long_text,
    from_feed_only=st.booleans(),
    thread_url=urls,
)
updates = st.builds(
    ThreadUpdate,
    story_id=st.just("1"),
    source=sources,
    key_facts=st.lists(long_text, max_size=25).map(tuple),
    quotes=st.lists(quotes, max_size=30).map(tuple),
)

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_discord_within_limits(payload: dict[str, Any]) -> None:
    assert payload["allowed_mentions"] == {"parse": []}
    assert len(payload["content"]) <= L.DISCORD_CONTENT
    embeds = payload["embeds"]
    assert len(embeds) <= L.DISCORD_EMBEDS_PER_MESSAGE
    assert sum(discord_payloads.embed_size(e) for e in embeds) <= L.DISCORD_EMBEDS_TOTAL
    for e in embeds:
        assert 0 < len(e["title"]) <= L.DISCORD_EMBED_TITLE
        assert len(e.get("description", "")) <= L.DISCORD_EMBED_DESCRIPTION
        assert len(e.get("footer", {}).get("text", "")) <= L.DISCORD_FOOTER
        assert len(e.get("fields", [])) <= L.DISCORD_EMBED_FIELDS
        for f in e.get("fields", []):
            assert 0 < len(f["name"]) <= L.DISCORD_FIELD_NAME
            assert 0 < len(f["value"]) <= L.DISCORD_FIELD_VALUE
        if "url" in e:
            assert e["url"].startswith(("http://", "https://"))


def discord_texts(payload: dict[str, Any]) -> list[str]:
    out = [payload["content"]]
    for e in payload["embeds"]:
        out += [e["title"], e.get("description", ""), e.get("footer", {}).get("text", "")]
        out += [x for f in e.get("fields", []) for x in (f["name"], f["value"])]
    return out


LIVE_DISCORD = re.compile(r"@(everyone|here)|<@[!&]?\d|<#\d|</\w|<t:\d")


def assert_discord_inert(payload: dict[str, Any]) -> None:
    for text in discord_texts(payload):
        assert not LIVE_DISCORD.search(text), text


def assert_slack_within_limits(args: dict[str, Any]) -> None:
    assert args["unfurl_links"] is False and args["unfurl_media"] is False
    assert 0 < len(args["text"]) <= L.SLACK_TEXT_FALLBACK
    blocks = args["blocks"]
    assert 0 < len(blocks) <= L.SLACK_BLOCKS
    for b in blocks:
        if b["type"] == "header":
            assert 0 < len(b["text"]["text"]) <= L.SLACK_HEADER_TEXT
        elif b["type"] == "section":
            assert 0 < len(b["text"]["text"]) <= L.SLACK_SECTION_TEXT
        else:
            assert b["type"] == "context"
            assert 0 < len(b["elements"]) <= L.SLACK_CONTEXT_ELEMENTS
            assert all(0 < len(x["text"]) <= L.SLACK_SECTION_TEXT for x in b["elements"])


def slack_mrkdwn(args: dict[str, Any]) -> list[str]:
    out = [args["text"]]
    for b in args["blocks"]:
        if b["type"] == "section":
            out.append(b["text"]["text"])
        elif b["type"] == "context":
            out += [x["text"] for x in b["elements"]]
    return out


def assert_slack_inert(args: dict[str, Any]) -> None:
    """The only `<…>` in mrkdwn are our own links and dates (and `>` our quote marks)."""
    ours = r"(?m)^> |<https?://[^|<>\s]+\|[^<>]*>|<!date\^\d+\^[^|<>]+\|[^<>]*>"
    for text in slack_mrkdwn(args):
        without_ours = re.sub(ours, "", text)
        assert "<" not in without_ours and ">" not in without_ours, text
        assert not re.search(r"@(everyone|here|channel)", text, re.IGNORECASE), text


@PROPERTY
@given(card=cards)
def test_discord_story_payloads_stay_within_limits_and_inert(card: StoryCard) -> None:
    for payload in (
        discord_payloads.story_message(card),
        discord_payloads.thread_opening(card),
        discord_payloads.forum_post(card)["message"],
        discord_payloads.digest_header(DigestView(card.title, (card,))),
    ):
        assert_discord_within_limits(payload)
        assert_discord_inert(payload)
    assert 0 < len(discord_payloads.thread_name(card)) <= L.DISCORD_THREAD_NAME


@PROPERTY
@given(card=cards)
def test_slack_story_payloads_stay_within_limits_and_inert(card: StoryCard) -> None:
    for args in (
        slack_payloads.story_message(card),
        slack_payloads.thread_opening(card),
        slack_payloads.digest_header(DigestView(card.title or "Digest", (card,))),
    ):
        assert_slack_within_limits(args)
        assert_slack_inert(args)


@PROPERTY
@given(update=updates)
def test_thread_updates_stay_within_limits_and_inert(update: ThreadUpdate) -> None:
    payload = discord_payloads.thread_update(update)
    assert_discord_within_limits(payload)
    assert_discord_inert(payload)
    args = slack_payloads.thread_update(update)
    assert_slack_within_limits(args)
    assert_slack_inert(args)
    assert plain.thread_update(update).startswith("New from ")


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300), limit=st.integers(1, 200))
def test_truncate_respects_limit_and_keeps_short_text(text: str, limit: int) -> None:
    out = truncate(text, limit)
    assert len(out) <= limit
    if len(text) <= limit:
        assert out == text
    else:
        assert out.endswith("…")


def test_truncate_cuts_at_a_word_boundary_without_breaking_escapes() -> None:
    assert truncate("alpha beta gamma delta", 14) == "alpha beta…"
    assert truncate("abc " + "\\*" * 20, 10) == "abc \\*\\*…"
    assert truncate("x" * 8 + " &amp; tail", 12) == "xxxxxxxx…"


def test_discord_escape_neutralises_mentions_links_and_formatting() -> None:
    out = discord_escape("@everyone see [x](https://evil.example) **now** <@123> <#9>")
    assert "@\u200beveryone" in out
    assert "\\[x\\]\\(https://evil.example\\)" in out
    assert "\\*\\*now\\*\\*" in out
    assert "\\<@\u200b123\\>" in out and "\\<#\u200b9\\>" in out


def test_slack_escape_keeps_mentions_inert() -> None:
    out = slack_escape("<!channel> & <@U1> *bold* @here")
    assert out == "&lt;!channel&gt; &amp; &lt;@U1&gt; ∗bold∗ @\u200bhere"


def test_only_http_links_survive() -> None:
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("ftp://files.example/") is None
    assert safe_url("https://e.example/a b") == "https://e.example/a%20b"
    assert safe_url("https://e.example/\x00") is None


def test_hostile_story_keeps_its_words_visible_but_inert() -> None:
    embed = discord_payloads.story_message(HOSTILE)["embeds"][0]
    assert "url" not in embed
    assert "everyone" in embed["title"] and "click me" in embed["title"]
    assert "(https://phish.example/)" not in embed["description"]
    assert "could not be read" in embed["description"]
    slack = slack_payloads.story_message(HOSTILE)
    assert "&lt;!channel&gt;" in slack["blocks"][0]["text"]["text"]
    assert (
        "<https://evil.example/a?x=1&amp;y=%3C2%3E%7Cz|"
        in slack["blocks"][1]["elements"][0]["text"]
    )
    update = slack_payloads.thread_update(HOSTILE_UPDATE)
    assert update["text"].startswith("New from @\u200beveryone &lt;!channel&gt;:")


def test_thread_opening_carries_full_summary_and_every_source_that_fits() -> None:
    payload = discord_payloads.thread_opening(LONG)
    links = "\n".join(e.get("description", "") for e in payload["embeds"][1:])
    shown = len(re.findall(r"\]\(https://gazette\d+", links))
    note = re.search(r"…and (\d+) more sources", links)
    assert note is not None and shown + int(note.group(1)) == len(LONG.sources)
    slack = slack_payloads.thread_opening(LONG)
    text = "\n".join(slack_mrkdwn(slack))
    assert all(f"gazette{i}.example.net" in text for i in range(len(LONG.sources)))
    assert "The council approved the timetable." in text


def test_short_story_is_rendered_whole() -> None:
    summary = Summary(
        title="Ferry returns",
        lead="The ferry is back.",
        key_facts=(KeyFact("Second fact.", 5), KeyFact("First fact.", 1)),
        quotes=(Quote("It feels good", "Ana Ruiz", 2),),
        url="https://news.example.org/ferry",
    )
    card = StoryCard.from_summary(
        summary, story_id="7", sources=(SourceLink("Example News", summary.url),)
    )
    assert card.key_facts == ("First fact.", "Second fact.")
    embed = discord_payloads.story_message(card)["embeds"][0]
    assert embed["title"] == "Ferry returns" and embed["url"] == summary.url
    assert embed["description"] == (
        "[Example News](https://news.example.org/ferry)\n• First fact.\n• Second fact."
    )
    assert embed["fields"] == [{"name": "— Ana Ruiz", "value": "“It feels good”", "inline": False}]
    blocks = slack_payloads.story_message(card)["blocks"]
    assert blocks[0]["text"]["text"] == "*<https://news.example.org/ferry|Ferry returns>*"
    assert blocks[2]["text"]["text"] == "• First fact.\n• Second fact."
    assert blocks[3]["text"]["text"] == "> “It feels good” — _Ana Ruiz_"
    assert DigestView("Morning digest", (card,) * 7).heading == "Morning digest — 7 stories"
    assert "First fact." in plain.digest(DigestView("Evening digest", (card,)))


def test_the_card_shows_the_best_facts_and_the_thread_adds_the_rest() -> None:
    scores = [0.2, 0.9, 0.1, 0.8, 0.3, 0.7, 0.05]
    summary = Summary(
        title="Harbour plan",
        lead="The plan passed.",
        key_facts=tuple(KeyFact(f"Fact {i}.", i * 3, s) for i, s in enumerate(scores)),
        quotes=tuple(Quote(f"Words {i}", f"Speaker {i}", i) for i in range(4)),
        url="https://news.example.org/plan",
    )
    card = StoryCard.from_summary(summary, story_id="9")
    assert card.card_facts == ("Fact 1.", "Fact 3.", "Fact 5.")
    assert [q.text for q in card.card_quotes] == ["Words 0", "Words 1"]
    embed = discord_payloads.story_message(card)["embeds"][0]
    assert re.findall(r"Fact \d", embed["description"]) == ["Fact 1", "Fact 3", "Fact 5"]
    assert [f["name"] for f in embed["fields"]] == ["— Speaker 0", "— Speaker 1"]
    card_text = "\n".join(slack_mrkdwn(slack_payloads.story_message(card)))
    assert re.findall(r"Fact \d", card_text) == ["Fact 1", "Fact 3", "Fact 5"]
    assert "Words 2" not in card_text and "Fact 0" not in plain.story_message(card)

    (summary_embed, *_) = discord_payloads.thread_opening(card)["embeds"]
    assert re.findall(r"Fact \d", summary_embed["description"]) == [f"Fact {i}" for i in range(7)]
    assert len(summary_embed["fields"]) == 4
    thread_text = "\n".join(slack_mrkdwn(slack_payloads.thread_opening(card)))
    assert all(f"Fact {i}." in thread_text and "Words 3" in thread_text for i in range(7))
    assert "Fact 6." in plain.thread_opening(card)

    whole = replace(card, whole=True)
    assert whole.card_facts == card.key_facts and whole.card_quotes == card.quotes
    old = replace(card, top_facts=())
    assert old.card_facts == ("Fact 0.", "Fact 1.", "Fact 2.")


def test_flatten_drops_controls_and_bidi_tricks_but_keeps_emoji_sequences() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    text = "Red\x1b[31m  alert\u202egnp.exe\n\u200bnext\u2028line " + family
    assert flatten(text) == "Red[31m alertgnp.exe next line " + family


@PROPERTY
@given(title=long_text, lines=st.lists(long_text, max_size=30), url=urls)
def test_notices_stay_within_limits_and_inert(
    title: str, lines: list[str], url: str | None
) -> None:
    payload = discord_payloads.notice(title=title, lines=tuple(lines), url=url)
    assert_discord_within_limits(payload)
    assert_discord_inert(payload)
    args = slack_payloads.notice(title=title, lines=tuple(lines), url=url)
    assert_slack_within_limits(args)
    assert_slack_inert(args)
    assert plain.notice(title=title, lines=tuple(lines), url=url).startswith("! ")
