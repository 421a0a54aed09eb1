"""Page furniture is never a key fact: recognised by its shape, on fictional text."""

from __future__ import annotations

import pytest

from summarizer import summarize
from summarizer.keyfacts import fact_text, rank_sentences, strip_dateline
from summarizer.ranking import is_furniture
from summarizer.sentences import Sentence


@pytest.mark.parametrize(
    "line",
    [
        "Harbor Times:",
        "The Valley Gazette:",
        "Photograph by Ann Lee",
        "Photo: Tomas Berg",
        "Join the conversation",
        "Scroll down for video.",
        "SCROLL DOWN FOR VIDEO...",
        "Read more: Why the Tarn valley keeps flooding",
        "Continue reading below",
        "Watch more: the rescue in pictures",
        "Relief: Mara Ilves, pictured with her medal, said she had trained for six years.",
        "Councillor Ben Oduya is pictured with the new ferry at Westby pier.",
        "World News",
    ],
)
def test_furniture_is_recognised(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "The photographer was 150 metres from the bears when she took the picture.",
        "A video posted on Sunday showed crowds outside the Westby town hall.",
        "Police said the driver was pictured by a speed camera near the bridge.",
        "Officials read the statement aloud to about 300 residents at the hall.",
        "The Harbor Times reported that 40 ships were waiting outside the port.",
    ],
)
def test_news_sentences_are_not_furniture(line: str) -> None:
    assert not is_furniture(line)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("(Wire) -- Two ferries collided off Westby.", "Two ferries collided off Westby."),
        ("(Wire) Two ferries collided off Westby.", "Two ferries collided off Westby."),
        ("WESTBY, Norland (Wire) -- Two ferries collided.", "Two ferries collided."),
    ],
)
def test_agency_datelines_are_stripped(sentence: str, expected: str) -> None:
    assert strip_dateline(sentence) == expected
    assert fact_text(Sentence(text=sentence, index=0, paragraph=0)) == expected


def test_the_opening_sentence_keeps_a_parenthesis_that_is_not_a_dateline() -> None:
    assert strip_dateline("(Updated) the ferry sailed.") == "(Updated) the ferry sailed."


ROUNDUP = """Westby's ferry operator cut 14 of its 40 daily crossings on Monday after a fuel
contract with its supplier ran out, stranding about 2,000 commuters.

The operator said full service would return within three weeks, once a new contract is signed.

Here is how two local papers covered the cuts.

Harbor Times:

Commuters queued for more than an hour at the pier, the paper wrote, describing scenes of
frustration as the morning boats filled up.

One regular passenger told the paper he had taken the ferry every day for twenty years.

Photograph by Ann Lee

Valley Gazette:

The Gazette's columnist said the town had been warned about the contract last spring.

Join the conversation

Scroll down for video.
"""


def test_roundup_label_lines_and_furniture_are_never_facts() -> None:
    summary = summarize(ROUNDUP, title="Westby ferry cuts 14 crossings")
    texts = [f.text for f in summary.key_facts]
    assert texts and texts[0].startswith("Westby's ferry operator cut 14")
    for fact in texts:
        assert not fact.endswith(":")
        assert not any(
            bit in fact for bit in ("Photograph by", "Join the", "Scroll down", "Harbor Times:")
        )


def test_furniture_sentences_inside_a_paragraph_are_not_ranked() -> None:
    sentences = [
        Sentence("Two ferries collided off Westby on Monday, injuring nine people.", 0, 0),
        Sentence("Scroll down for video.", 1, 0),
        Sentence("Read more: Why the Westby ferries keep colliding with each other.", 2, 0),
        Sentence("The coastguard said both ferries were back in port by the evening.", 3, 0),
    ]
    ranked = [r.sentence.index for r in rank_sentences(sentences, title=None)]
    assert ranked and not {1, 2} & set(ranked)
