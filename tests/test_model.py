from __future__ import annotations

from summarizer.model import KeyFact, Quote, Summary


def test_summary_round_trips_through_json() -> None:
    summary = Summary(
        title="Bridge approved",
        lead="The council approved a bridge.",
        key_facts=(KeyFact(text="The council approved a bridge.", position=0, score=0.5),),
        quotes=(Quote(text="It is a good day for the city", speaker="Ann Lee", position=3),),
        fragments=(Quote(text="blank cheque", speaker=None, position=5),),
        byline="Jo Bloggs",
        url="https://example.org/a",
        word_count=460,
        reading_time_minutes=2,
        sentence_count=12,
    )
    assert Summary.from_json(summary.to_json()) == summary


def test_reading_time() -> None:
    assert Summary.reading_time(0) == 0
    assert Summary.reading_time(10) == 1
    assert Summary.reading_time(2300) == 10
