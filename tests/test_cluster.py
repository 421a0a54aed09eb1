"""Story clustering: terms, fingerprints, matching, and precision on labelled examples."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.stories.cluster import (
    CLUSTER_WINDOW,
    DEFAULT_THRESHOLD,
    FROM_FEED,
    StoryFingerprint,
    best_match,
    better_summary,
    match_score,
    similarity,
    stem,
    strip_site_name,
    terms,
)
from summarizer import summarize
from summarizer.model import KeyFact, Quote, Summary

LABELLED = [
    Path(__file__).parent / "fixtures" / "cluster" / n for n in ("events.json", "holdout.json")
]
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def fp(title: str, lead: str, *facts: str, at: datetime | None = T0) -> StoryFingerprint:
    return StoryFingerprint.from_summary(title=title, lead=lead, facts=facts, published=at)


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("120,000 cars", "#120000"),
        ("120k cars", "#120000"),
        ("about 120 thousand cars", "#120000"),
        ("$2.1 billion", "#2100000000"),
        ("$2.1bn", "#2100000000"),
        ("2.1 bn dollars", "#2100000000"),
        ("one million barrels", "#1000000"),
        ("eleven people", "#11"),
        ("Fourteen people", "#14"),
        ("2.50 per cent", "#2.5%"),
        ("2.5%", "#2.5%"),
        ("12 percent", "#12%"),
        ("magnitude 6.4", "#6.4"),
        ("900K customers", "#900000"),
        ("£60m deal", "#60000000"),
        ("a 60m crane", "#60"),
    ],
)
def test_numbers_have_one_spelling(text: str, term: str) -> None:
    assert term in terms([text])


def test_years_clock_times_and_metres_are_not_scaled_numbers() -> None:
    found = terms(["In 2026 at 14:21 the pit was 40 m deep."])
    assert "#2026" not in found and "#14" not in found and "#21" not in found
    assert "#40" in found and "#40000000" not in found


def test_names_versus_capitalised_sentence_starts() -> None:
    found = terms(["Rescuers reached Chala on Tuesday.", "Chala lost power as rescuers left."])
    assert found["@chala"] == 2
    assert "rescuer" in found and "@rescuer" not in found


def test_title_case_headline_words_are_not_names() -> None:
    found = terms(["Deadly Quake Rattles Southern Region Overnight"])
    assert not [t for t in found if t.startswith("@")]
    assert {stem("Deadly"), stem("Quake"), stem("Southern")} <= set(found)


def test_titles_before_names_are_not_names() -> None:
    found = terms(["The visit of President Ana Robles was brief."])
    assert "@ana" in found and "@robl" in found and "president" in found


def test_stopwords_and_weekdays_are_dropped() -> None:
    assert not set(terms(["They said on Tuesday that it was the same."]))


@pytest.mark.parametrize(
    ("a", "b"),
    [("quakes", "quake"), ("killed", "killing"), ("cities", "city"), ("Peru's", "Peru")],
)
def test_stem_meets_inflections(a: str, b: str) -> None:
    assert stem(a) == stem(b)


def test_fingerprint_round_trips_through_json() -> None:
    original = fp("Quake hits Peru", "A 6.4 quake struck Peru's south.", "Chala lost power.")
    again = StoryFingerprint.from_json(original.to_json())
    assert again.headline == original.headline and again.body == original.body
    assert again.published == original.published
    assert similarity(again, original) == pytest.approx(1.0)


@pytest.mark.parametrize("bad", ["", "[]", '{"v": 99}', '{"v": 1, "headline": 3, "body": {}}'])
def test_from_json_refuses_what_is_not_a_fingerprint(bad: str) -> None:
    with pytest.raises(ValueError):
        StoryFingerprint.from_json(bad)


def test_published_accepts_iso_text_and_naive_times() -> None:
    a = fp("Quake", "Quake in Chala.", at=None)
    assert a.published is None
    b = StoryFingerprint.from_summary(title="x", lead="y", published="2026-03-10T09:00:00Z")
    c = StoryFingerprint.from_summary(title="x", lead="y", published=datetime(2026, 3, 10, 9))
    assert b.published == c.published == T0
    assert StoryFingerprint.from_summary(title="x", lead="y", published="soon").published is None


@pytest.mark.parametrize(
    ("title", "bare"),
    [
        ("Quake hits Peru | Andes Daily", "Quake hits Peru"),
        ("Quake hits Peru - Wire Pacific", "Quake hits Peru"),
        ("Quake hits Peru — The Evening Standard Online", "Quake hits Peru"),
        (
            "Peru quake - what we know so far about the damage",
            "Peru quake - what we know so far about the damage",
        ),
        ("Quake hits Peru", "Quake hits Peru"),
        ("Semi-final set for Saturday", "Semi-final set for Saturday"),
    ],
)
def test_strip_site_name(title: str, bare: str) -> None:
    assert strip_site_name(title) == bare


def test_site_names_do_not_reach_the_fingerprint() -> None:
    with_site = fp("Quake hits Peru | Andes Daily", "A quake hit Chala.")
    assert with_site.headline == fp("Quake hits Peru", "A quake hit Chala.").headline


def test_facts_repeating_the_lead_are_not_counted_twice() -> None:
    lead = "A strong quake struck Chala."
    assert fp("Quake", lead, lead).body == {}


QUAKE = ("Quake kills 11 in Peru", "A 6.4 quake struck near Chala, Peru, killing 11 people.")
QUAKE_AGAIN = (
    "Eleven dead in Peru tremor",
    "Eleven people died when a magnitude 6.4 tremor hit Chala.",
)


def test_match_score_decays_with_time_and_stops_at_the_window() -> None:
    a = fp(*QUAKE)
    scores = [match_score(a, fp(*QUAKE_AGAIN, at=T0 + timedelta(hours=h))) for h in (0, 12, 48)]
    assert scores[0] > scores[1] > scores[2] > 0
    assert match_score(a, fp(*QUAKE_AGAIN, at=T0 + CLUSTER_WINDOW + timedelta(minutes=1))) == 0
    assert match_score(a, fp(*QUAKE_AGAIN, at=None)) == pytest.approx(scores[0])


def test_disagreeing_numbers_lower_the_score() -> None:
    a = fp("Quake kills 11 in Chala", "A 6.4 quake struck Chala, killing 11.")
    same_numbers = fp("Quake kills 11 in Chala", "A 6.4 quake struck Chala, killing 11.")
    other_numbers = fp("Quake kills 38 in Chala", "A 5.1 quake struck Chala, killing 38.")
    assert similarity(a, same_numbers) > similarity(a, other_numbers)


def test_best_match_picks_the_best_candidate_over_the_threshold() -> None:
    new = fp(*QUAKE_AGAIN)
    candidates = [
        ("rates", fp("Bank cuts rates", "The central bank cut its rate to 2.5%.")),
        ("quake", fp(*QUAKE)),
        ("quake-old", fp(*QUAKE, at=T0 - timedelta(days=5))),
    ]
    hit = best_match(new, candidates)
    assert hit is not None and hit[0] == "quake" and hit[1] >= DEFAULT_THRESHOLD
    assert best_match(new, candidates[:1]) is None
    assert best_match(new, candidates[2:]) is None
    assert best_match(fp("", ""), candidates) is None


def test_candidate_keys_prefer_names_and_numbers() -> None:
    keys = fp(*QUAKE, "Rescuers searched the rubble in Chala.").candidate_keys()
    assert "@chala" in keys and "#6.4" in keys and "#11" in keys
    anchors = [k for k in keys if k.startswith(("@", "#"))]
    assert keys[: len(anchors)] == anchors
    fallback = fp(
        "storm warning", "heavy rainfall expected across coastal districts"
    ).candidate_keys()
    assert "rainfall" in fallback


def _labelled() -> list[dict]:
    return [
        a for path in LABELLED for a in json.loads(path.read_text(encoding="utf-8"))["articles"]
    ]


def _fingerprint(article: dict) -> StoryFingerprint:
    return StoryFingerprint.from_summary(
        title=article["title"],
        lead=article["lead"],
        facts=article["facts"],
        published=article["published"],
    )


def _pairwise(groups: dict[str, object], articles: list[dict]) -> tuple[float, float]:
    """Pairwise precision and recall of a grouping against the labelled events."""
    pairs = [
        (x["event"] == y["event"], groups[x["id"]] == groups[y["id"]])
        for x, y in itertools.combinations(articles, 2)
    ]
    together = [same for same, joined in pairs if joined]
    positives = sum(same for same, _ in pairs)
    return sum(together) / len(together), sum(together) / positives


def test_labelled_pairs_precision_and_recall_at_the_default_threshold() -> None:
    articles = _labelled()
    prints = {a["id"]: _fingerprint(a) for a in articles}
    scored = [
        (x["event"] == y["event"], match_score(prints[x["id"]], prints[y["id"]]))
        for x, y in itertools.combinations(articles, 2)
    ]
    merged = [same for same, score in scored if score >= DEFAULT_THRESHOLD]
    positives = sum(same for same, _ in scored)
    assert positives >= 40 and len(scored) - positives >= 40
    assert sum(merged) / len(merged) >= 0.95
    assert sum(merged) / positives >= 0.85


def test_clustering_labelled_articles_in_publication_order() -> None:
    """What the worker does: each article against earlier ones sharing a candidate key."""
    articles = sorted(_labelled(), key=lambda a: a["published"])
    story_of: dict[str, int] = {}
    by_key: dict[str, list[str]] = {}
    for article in articles:
        fp = _fingerprint(article)
        keys = fp.candidate_keys()
        earlier = {i for k in keys for i in by_key.get(k, ())}
        hit = best_match(
            fp, ((story_of[i], _fingerprint(a)) for a in articles if (i := a["id"]) in earlier)
        )
        story_of[article["id"]] = hit[0] if hit else len(set(story_of.values()))
        for k in keys:
            by_key.setdefault(k, []).append(article["id"])
    precision, recall = _pairwise(story_of, articles)
    assert precision >= 0.95
    assert recall >= 0.85


def test_labelled_same_event_pairs_share_a_candidate_key() -> None:
    articles = _labelled()
    keys = {a["id"]: set(_fingerprint(a).candidate_keys()) for a in articles}
    for x, y in itertools.combinations(articles, 2):
        if x["event"] == y["event"]:
            assert keys[x["id"]] & keys[y["id"]], (x["id"], y["id"])


REPORT_A = """Harbour crane collapses at Port Ellery, injuring three workers

A 60-metre container crane collapsed at Port Ellery on Friday morning, injuring three dock
workers and halting traffic at the harbour's northern terminal. The port authority said the
crane's boom folded while it was lifting an empty container. Two of the injured were taken to
Ellery General Hospital with broken bones. "We have stopped every crane of the same model until
engineers inspect them," port director Hanna Vos said. The terminal handles about 1,400
containers a day."""

REPORT_B = """Three hurt as giant crane buckles at Port Ellery

Three workers were hurt when a 60m crane gave way at the northern terminal of Port Ellery on
Friday. The boom of the crane folded during a routine lift, the port authority said. Two of the
workers suffered fractures and were treated at Ellery General Hospital. Hanna Vos, the port's
director, said all cranes of that type were grounded pending inspection. About 1,400 containers
pass through the terminal each day."""

REPORT_OTHER = """Port Ellery unveils plan for new cruise terminal

Port Ellery will build a cruise terminal on its southern quay at a cost of 85 million euros,
the port authority announced on Friday. Construction is due to start next spring. Port director
Hanna Vos said the terminal would bring 200,000 visitors a year. Local hotels welcomed the plan.
The city council must still approve the project."""


def _from_text(text: str) -> StoryFingerprint:
    s = summarize(text)
    return StoryFingerprint.from_summary(
        title=s.title, lead=s.lead, facts=[f.text for f in s.key_facts], published=T0
    )


def test_summaries_of_one_event_merge_and_another_event_at_the_same_place_does_not() -> None:
    a, b, other = _from_text(REPORT_A), _from_text(REPORT_B), _from_text(REPORT_OTHER)
    assert best_match(b, [("crane", a)]) is not None
    assert best_match(other, [("crane", a), ("crane", b)]) is None


def _summary(facts: int = 0, quotes: int = 0, words: int = 300, **extra: object) -> Summary:
    return Summary(
        title="t",
        lead="lead" if facts else "",
        key_facts=tuple(KeyFact(f"fact {i}", i) for i in range(facts)),
        quotes=tuple(Quote(f"quote {i}", "Hanna Vos", i) for i in range(quotes)),
        word_count=words,
        extra=dict(extra),
    )


def test_better_summary_prefers_the_page_over_the_feed() -> None:
    feed_only = _summary(facts=5, quotes=3, words=900, **{FROM_FEED: True})
    page = _summary(facts=2, words=200)
    assert better_summary(feed_only, page) == "b"
    assert better_summary(page, feed_only) == "a"


def test_better_summary_prefers_more_facts_and_attributed_quotes_then_length() -> None:
    assert better_summary(_summary(facts=2), _summary(facts=4)) == "b"
    assert better_summary(_summary(facts=3, quotes=2), _summary(facts=4)) == "a"
    assert better_summary(_summary(facts=3, words=200), _summary(facts=3, words=800)) == "b"


def test_better_summary_keeps_the_current_one_on_a_tie() -> None:
    assert better_summary(_summary(facts=3), _summary(facts=3)) == "a"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=200), max_size=5), st.text(max_size=120))
def test_any_text_gives_a_fingerprint_that_round_trips(facts: list[str], title: str) -> None:
    made = StoryFingerprint.from_summary(title=title, lead=" ".join(facts[:1]), facts=facts)
    again = StoryFingerprint.from_json(made.to_json())
    assert again.headline == made.headline and again.body == made.body
    assert 0.0 <= match_score(made, again) <= 1.0 + 1e-9
    assert len(made.candidate_keys()) <= 12


@settings(max_examples=200, deadline=None)
@given(st.from_regex(r"[$£]?[0-9]{1,400}(\.[0-9]{1,5})?\s?(k|m|bn|million|%)?", fullmatch=True))
def test_any_number_is_read_without_error(text: str) -> None:
    for term in terms([text]):
        assert term.startswith("#")
