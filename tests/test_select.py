from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.digests.select import Candidate, KeywordFilter, select_stories

NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)


def cand(story_id: int, text: str, *, sources: int = 1, hours_old: float = 1) -> Candidate:
    return Candidate(story_id, text, sources, NOW - timedelta(hours=hours_old))


def test_keywords_match_whole_words_and_phrases() -> None:
    f = KeywordFilter.parse(include="net zero, rail", exclude="football")
    assert f.include == ("net zero", "rail")
    assert f.matches("Government sets Net  Zero target")
    assert f.matches("New rail line opens")
    assert not f.matches("Trailer park expands")  # "rail" inside a word does not count
    assert not f.matches("Rail strike hits football fans")  # excluded wins
    assert not f.matches("Weather turns cold")


def test_empty_filter_lets_everything_through() -> None:
    assert KeywordFilter.parse(None, "  ,  ").matches("anything at all")


def test_more_sources_and_newer_rank_first_and_limit_applies() -> None:
    stories = [
        cand(1, "old single", hours_old=30),
        cand(2, "fresh single", hours_old=0.5),
        cand(3, "widely covered", sources=5, hours_old=3),
    ]
    chosen = select_stories(stories, filters=[], limit=2, now=NOW)
    assert [c.story_id for c in chosen] == [3, 2]


def test_story_passes_if_any_subscription_filter_lets_it_through() -> None:
    stories = [cand(1, "Rail fares rise"), cand(2, "Storm closes schools"), cand(3, "Budget vote")]
    filters = [KeywordFilter.parse("rail"), KeywordFilter.parse("storm")]
    assert {c.story_id for c in select_stories(stories, filters=filters, limit=10, now=NOW)} == {
        1,
        2,
    }


def test_zero_limit_selects_nothing() -> None:
    assert select_stories([cand(1, "x")], filters=[], limit=0, now=NOW) == []
