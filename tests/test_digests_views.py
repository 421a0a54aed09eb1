"""Store rows → view models, the JSON kept in outbox payloads, and the outbox keys."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.digests.keys import header_key, health_key, story_key, thread_key, update_key
from bot.digests.views import (
    Notice,
    card_from_json,
    card_to_json,
    shown_texts,
    story_card,
    thread_update,
    update_from_json,
    update_to_json,
)
from bot.platforms.discord import NONCE_MAX
from bot.render.views import QuoteLine
from bot.store.models import Story, StorySource
from tests.support.newsroom import summary

PUBLISHED = datetime(2026, 4, 2, 7, 30, tzinfo=UTC)


def _story(**kw: object) -> Story:
    values: dict[str, object] = {
        "id": 7,
        "title": "Ferry returns",
        "lead": "The ferry is back.",
        "url": None,
        "summary": summary(
            "Ferry returns",
            facts=["Repairs took six weeks.", "The ferry sails on Monday."],
            quotes=[("We missed it", "Ana Ruiz"), ("", None)],
        ),
        "from_feed_only": True,
        "published_at": PUBLISHED,
        "created_at": PUBLISHED,
        "source_count": 2,
    }
    values.update(kw)
    return Story(**values)


def _source(sid: int, url: str, feed_title: str | None) -> StorySource:
    return StorySource(id=sid, story_id=7, article_id=sid * 10, url=url, feed_title=feed_title)


def test_story_card_from_rows() -> None:
    sources = [
        _source(1, "gazette.example/ferry", "Harbour Gazette"),
        _source(2, "tribune.example/f", None),
    ]
    card = story_card(_story(), sources, article_urls={10: "https://gazette.example/ferry?id=1"})
    assert card.story_id == "7" and card.title == "Ferry returns"
    assert [(s.name, s.url) for s in card.sources] == [
        ("Harbour Gazette", "https://gazette.example/ferry?id=1"),
        ("tribune.example", "https://tribune.example/f"),
    ]
    assert card.url == "https://gazette.example/ferry?id=1"  # the story had none
    assert card.key_facts == ("Repairs took six weeks.", "The ferry sails on Monday.")
    assert card.quotes == (QuoteLine("We missed it", "Ana Ruiz"),)
    assert card.lead == "The ferry is back." and card.from_feed_only
    assert card.published == PUBLISHED
    assert card_from_json(card_to_json(card)) == card


def test_stored_scores_pick_the_card_facts_and_survive_the_outbox() -> None:
    facts = [
        {"text": "Third.", "position": 9, "score": 0.9},
        {"text": "First.", "position": 1, "score": 0.1},
        {"text": "Second.", "position": 4, "score": "0.5"},
        {"text": "Fourth.", "position": 12, "score": "odd"},
        {"text": "Fifth.", "position": 15, "score": 0.7},
    ]
    story = _story(summary={"title": "Ferry", "key_facts": facts, "quotes": []})
    card = story_card(story, [])
    assert card.key_facts == ("First.", "Second.", "Third.", "Fourth.", "Fifth.")
    assert card.card_facts == ("Second.", "Third.", "Fifth.")
    assert card_from_json(card_to_json(card)).card_facts == card.card_facts
    frozen = card_to_json(card)
    del frozen["top_facts"]
    assert card_from_json(frozen).card_facts == ("First.", "Second.", "Third.")


def test_story_card_survives_a_missing_or_odd_summary() -> None:
    card = story_card(_story(summary=None, lead=None, from_feed_only=False), [])
    assert card.key_facts == () and card.quotes == () and card.lead == ""
    odd = _story(summary={"key_facts": ["not a dict", {"text": "  "}], "quotes": None})
    assert story_card(odd, []).key_facts == ()


def test_thread_update_keeps_only_what_was_not_shown() -> None:
    new = _source(3, "https://tribune.example/f", "Harbour Tribune")
    shown_facts, shown_quotes = shown_texts(
        [{"card": card_to_json(story_card(_story(), []))}, {"other": 1}]
    )
    view = thread_update(
        story_id=7,
        source=new,
        url=None,
        summary=summary(
            "Ferry back",
            facts=["REPAIRS took  six weeks.", "Fares stay the same.", "Fares stay the same."],
            quotes=[("We missed it", "Ana Ruiz"), ("A relief", "Tom Lee")],
        ),
        shown_facts=shown_facts,
        shown_quotes=shown_quotes,
    )
    assert view.key_facts == ("Fares stay the same.",)
    assert view.quotes == (QuoteLine("A relief", "Tom Lee"),)
    assert view.source.name == "Harbour Tribune"
    assert update_from_json(update_to_json(view)) == view


def test_notice_round_trip() -> None:
    notice = Notice("Feed down", ("why", "how to fix"), "https://x.example/feed")
    assert Notice.from_json(notice.to_json()) == notice


def test_keys_are_distinct_and_fit_a_discord_nonce() -> None:
    big = 9_999_999_999
    keys = [
        header_key(big),
        story_key(big, big),
        thread_key(story_key(big, big)),
        update_key(big, big),
        health_key(big, "failing", 1_775_000_000, destination="slack|T1|C1"),
    ]
    assert len(set(keys)) == len(keys)
    assert all(len(k) <= NONCE_MAX for k in keys), [len(k) for k in keys]
    assert health_key(1, "failing", 5, destination="a") != health_key(
        1, "failing", 5, destination="b"
    )
    assert health_key(1, "failing", 5, destination="a") != health_key(
        1, "disabled", 5, destination="a"
    )
