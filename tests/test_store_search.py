"""Full-text search over stories, quotes by speaker, and workspace scoping."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.store import HIGHLIGHT_END, HIGHLIGHT_START, Store, normalize_name, search_stories
from bot.store.search import fts5_match, parse_query, pg_tsquery


def summary(lead: str, facts: list[str], quotes: list[tuple[str, str | None]]) -> dict[str, Any]:
    return {
        "title": None,
        "lead": lead,
        "key_facts": [{"text": t, "position": i, "score": 1.0} for i, t in enumerate(facts)],
        "quotes": [
            {"text": t, "speaker": s, "position": i, "score": 1.0}
            for i, (t, s) in enumerate(quotes)
        ],
    }


async def _stories(store: Store) -> dict[str, int]:
    """Three invented stories; each test's expectations follow from their words."""
    ferry = await store.stories.create(
        title="Harbour ferry fares cut for winter",
        lead="The council will cut ferry fares by a third from June.",
        url="https://riverton.example/ferry",
        summary=summary(
            "The council will cut ferry fares by a third from June.",
            ["Ferries will run every 15 minutes at peak times.", "The cut costs 2 million a year."],
            [("Nobody should pay more to cross the water than to cross town", "Mara Quell")],
        ),
    )
    bridge = await store.stories.create(
        title="Bridge repairs delayed again",
        lead="Repairs to the old bridge will finish in autumn, not spring.",
        url="https://riverton.example/bridge",
        summary=summary(
            "Repairs to the old bridge will finish in autumn, not spring.",
            ["Ferry services will add sailings while the bridge is shut."],
            [("We found more corrosion than expected", "Dr. Zoë O'Neill")],
        ),
    )
    budget = await store.stories.create(
        title="Council budget passes",
        lead="The annual budget passed by seven votes to four.",
        url="https://riverton.example/budget",
        summary=summary(
            "The annual budget passed by seven votes to four.",
            ["Spending on libraries rises by 4 percent."],
            [("This budget protects what people use every day", "Mara Quell")],
        ),
    )
    return {"ferry": ferry.id, "bridge": bridge.id, "budget": budget.id}


async def test_title_match_outranks_a_passing_mention(store: Store) -> None:
    ids = await _stories(store)
    hits = await search_stories(store, "ferry", limit=10)
    assert [h.story_id for h in hits] == [ids["ferry"], ids["bridge"]]
    assert hits[0].rank > hits[1].rank
    assert hits[0].title == "Harbour ferry fares cut for winter"
    assert hits[0].url == "https://riverton.example/ferry"
    assert hits[0].source_count == 0
    assert hits[0].created_at is not None and hits[0].created_at.tzinfo is not None


async def test_snippets_highlight_the_matched_words(store: Store) -> None:
    ids = await _stories(store)
    (hit,) = await search_stories(store, "corrosion", limit=5)
    assert hit.story_id == ids["bridge"]
    assert f"{HIGHLIGHT_START}corrosion{HIGHLIGHT_END}" in hit.snippet


async def test_words_are_stemmed_and_all_must_match(store: Store) -> None:
    ids = await _stories(store)
    assert [h.story_id for h in await search_stories(store, "repair bridges")] == [ids["bridge"]]
    assert await search_stories(store, "bridge budget") == []


async def test_speakers_are_searchable(store: Store) -> None:
    ids = await _stories(store)
    hits = await search_stories(store, "Quell", limit=10)
    assert {h.story_id for h in hits} == {ids["ferry"], ids["budget"]}


async def test_phrases_negation_and_prefixes(store: Store) -> None:
    ids = await _stories(store)
    assert [h.story_id for h in await search_stories(store, '"ferry fares"')] == [ids["ferry"]]
    assert [h.story_id for h in await search_stories(store, '"fares ferry"')] == []
    assert [h.story_id for h in await search_stories(store, "ferry -bridge")] == [ids["ferry"]]
    hits = await search_stories(store, "corro*")
    assert [h.story_id for h in hits] == [ids["bridge"]]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "AND (",
        "-x*",
        "NEAR(a b)",
        "title:ferry OR",
        "*",
        "'; DROP TABLE stories; --",
        "^ferry",
        'ferry"',
        "a\\b",
        "\x00",
        "ferry AND",
        "(((",
        "-",
        "NOT",
        "x" * 5000,
        "   ",
    ],
)
async def test_hostile_queries_never_raise(store: Store, query: str) -> None:
    await _stories(store)
    hits = await search_stories(store, query, limit=5)
    assert isinstance(hits, list)


async def test_operator_words_are_searched_as_words(store: Store) -> None:
    ids = await _stories(store)
    # As operators these would find every ferry or budget story, the ferry story alone, and
    # the ferry story by its title column; as plain words they find what the words find.
    assert await search_stories(store, "ferry OR budget") == []
    hits = await search_stories(store, "ferry NOT bridge")
    assert [h.story_id for h in hits] == [ids["bridge"]]
    assert await search_stories(store, "title:ferry") == []


async def test_index_follows_updates_and_deletes(store: Store) -> None:
    ids = await _stories(store)
    await store.stories.update_summary(
        ids["budget"],
        summary=summary("Budget passes.", ["A new tram line is funded."], []),
        title="Council budget funds tram",
    )
    assert [h.story_id for h in await search_stories(store, "tram")] == [ids["budget"]]
    assert await search_stories(store, "libraries") == []
    async with store.session() as s:
        from sqlalchemy import delete

        from bot.store.models import Story

        await s.execute(delete(Story).where(Story.id == ids["budget"]))
    assert await search_stories(store, "tram") == []


def test_query_parser_quotes_everything() -> None:
    terms = parse_query('bridge "old town" -closed corro* AND ("')
    assert fts5_match(terms) == '("bridge" AND "old town" AND "corro"* AND "and") NOT "closed"'
    sql, values = pg_tsquery(terms) or ("", {})
    assert sql == (
        "phraseto_tsquery('english', :t0) && phraseto_tsquery('english', :t1)"
        " && to_tsquery('english', :t3) && phraseto_tsquery('english', :t4)"
        " && !!phraseto_tsquery('english', :t2)"
    )
    assert values == {
        "t0": "bridge",
        "t1": "old town",
        "t2": "closed",
        "t3": "'corro':*",
        "t4": "and",
    }
    assert [t.words for t in parse_query("6.4 Peru's t-minus")] == [
        ("6.4",),
        ("peru's",),
        ("t-minus",),
    ]
    assert fts5_match(parse_query("-only -negative")) is None


async def test_quotes_by_speaker_newest_first_and_by_surname(store: Store) -> None:
    ids = await _stories(store)
    await _follow_all(store, ids, platform="slack", workspace_id="T1")
    hits = await store.stories.quotes_by_speaker("quell", platform="slack", workspace_id="T1")
    assert [h.story_id for h in hits] == [ids["budget"], ids["ferry"]]
    assert hits[0].text == "This budget protects what people use every day"
    assert hits[0].speaker == "Mara Quell" and hits[0].story_title == "Council budget passes"
    zoe = await store.stories.quotes_by_speaker("zoe o'neill", platform="slack", workspace_id="T1")
    assert [h.story_id for h in zoe] == [ids["bridge"]]
    assert await store.stories.quotes_by_speaker("Quel", platform="slack", workspace_id="T1") == []
    assert await store.stories.quotes_by_speaker("%", platform="slack", workspace_id="T1") == []


SPEAKERS = [
    "Jacinda Ardern",
    "Ardern",
    "Jacinda Kate Ardern",
    "Ardernson Jacinda",
    "Anna Anna Lee",
    "Dr. Zoë O'Neill",
    "Lee-Anna Ardern",
]


@pytest.mark.parametrize(
    "person",
    [
        "ardern",
        "Jacinda Ardern",
        "jacinda  ARDERN",
        "arde",
        "ardern jacinda",
        "anna lee",
        "anna anna",
        "lee anna",
        "neill",
        "o'neill",
        "jacinda kate ardern",
        "kate",
        "zoe o",
    ],
)
async def test_quotes_by_speaker_matches_whole_words_in_order(store: Store, person: str) -> None:
    story = await store.stories.create(
        title="Speakers",
        summary=summary("Lead.", [], [(f"Quote {i}", name) for i, name in enumerate(SPEAKERS)]),
    )
    await _follow_all(store, {"speakers": story.id}, platform="slack", workspace_id="T1")
    hits = await store.stories.quotes_by_speaker(person, platform="slack", workspace_id="T1")
    wanted = f" {normalize_name(person)} "
    expected = {name for name in SPEAKERS if wanted in f" {normalize_name(name)} "}
    assert {h.speaker for h in hits} == expected
    assert len(hits) == len(expected)


async def test_quotes_added_by_update_summary_are_found_by_speaker(store: Store) -> None:
    story = await store.stories.create(title="Rates", summary=summary("Lead.", [], []))
    await _follow_all(store, {"rates": story.id}, platform="slack", workspace_id="T1")
    assert (
        await store.stories.quotes_by_speaker("okafor", platform="slack", workspace_id="T1") == []
    )
    await store.stories.update_summary(
        story.id, summary=summary("Lead.", [], [("Rates stay put", "Ana Okafor")])
    )
    hits = await store.stories.quotes_by_speaker("okafor", platform="slack", workspace_id="T1")
    assert [h.text for h in hits] == ["Rates stay put"]


def test_normalize_name() -> None:
    assert normalize_name("Dr. Zoë  O'Neill") == "dr zoe o neill"
    assert normalize_name("  MARA quell ") == "mara quell"


async def test_workspaces_only_see_stories_of_feeds_they_follow(store: Store) -> None:
    ids = await _stories(store)
    feed_a, _ = await store.feeds.add(url="https://a.example/rss", normalized_url="a.example/rss")
    feed_b, _ = await store.feeds.add(url="https://b.example/rss", normalized_url="b.example/rss")
    await store.stories.add_source(
        ids["ferry"], url="https://riverton.example/ferry", feed_id=feed_a.id
    )
    await store.stories.add_source(
        ids["bridge"], url="https://riverton.example/bridge", feed_id=feed_b.id
    )
    await store.channels.subscribe(
        platform="discord", workspace_id="G1", channel_id="c", feed_id=feed_a.id
    )
    await store.channels.subscribe(
        platform="discord", workspace_id="G2", channel_id="c", feed_id=feed_b.id
    )

    g1 = await search_stories(store, "ferry", platform="discord", workspace_id="G1")
    g2 = await search_stories(store, "ferry", platform="discord", workspace_id="G2")
    slack = await search_stories(store, "ferry", platform="slack", workspace_id="G1")
    assert [h.story_id for h in g1] == [ids["ferry"]]
    assert [h.story_id for h in g2] == [ids["bridge"]]
    assert slack == []
    latest = await store.stories.latest(platform="discord", workspace_id="G1")
    assert [s.id for s in latest] == [ids["ferry"]]
    assert (
        await store.stories.quotes_by_speaker("O'Neill", platform="discord", workspace_id="G1")
        == []
    )


async def test_search_inside_a_caller_session(store: Store) -> None:
    ids = await _stories(store)
    async with store.session(readonly=True) as s:
        hits = await search_stories(s, "budget", limit=1)
    assert [h.story_id for h in hits] == [ids["budget"]]


async def _follow_all(
    store: Store, ids: dict[str, int], *, platform: str, workspace_id: str
) -> None:
    feed, _ = await store.feeds.add(url="https://all.example/rss", normalized_url="all.example/rss")
    for name, story_id in ids.items():
        await store.stories.add_source(
            story_id, url=f"https://riverton.example/{name}", feed_id=feed.id
        )
    await store.channels.subscribe(
        platform=platform, workspace_id=workspace_id, channel_id="news", feed_id=feed.id
    )


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    query=st.text(
        alphabet=st.sampled_from(list("abc \"()*-:^+~'\\\x00ÿ€日_ANDORNOTNEAR{}[];,.")),
        max_size=40,
    )
)
async def test_any_query_text_is_safe(store: Store, query: str) -> None:
    if not await search_stories(store, "council"):
        await _stories(store)
    hits = await search_stories(store, query, limit=3)
    assert all(isinstance(h.snippet, str) for h in hits)
