"""A key fact reads on its own: sentences that lean on an earlier one are picked last."""

from __future__ import annotations

import pytest

from summarizer.keyfacts import select_facts
from summarizer.ranking import opens_with_reference
from summarizer.sentences import Sentence


def build(*texts: str) -> list[Sentence]:
    return [Sentence(text=t, index=i, paragraph=i) for i, t in enumerate(texts)]


@pytest.mark.parametrize(
    "text",
    [
        "He added that the Westby ferry fleet would be replaced by 2030.",
        "“They never told us,” one passenger said of the cuts.",
        "But the operator said the cuts were only temporary.",
        "However, the council has not approved the new timetable.",
        "The idea went over like a lead balloon with commuters.",
        "This was the third cut to the Westby timetable in a year.",
        "In addition, two crossings on Sundays will be dropped.",
    ],
)
def test_openers_that_lean_back(text: str) -> None:
    assert opens_with_reference(text)


@pytest.mark.parametrize(
    "text",
    [
        "Westby's ferry operator cut 14 of its 40 daily crossings on Monday.",
        "It is the first cut to the timetable since the service began in 1994.",
        "There were long queues at the pier on Tuesday morning.",
        "Theatre groups in Westby said the late boats mattered to their audiences.",
        "Hesketh Marine, which runs the ferries, blamed a fuel contract.",
    ],
)
def test_openers_that_stand_alone(text: str) -> None:
    assert not opens_with_reference(text)


FERRY = (
    "Westby's ferry operator cut 14 of its 40 daily crossings on Monday after its fuel contract "
    "ran out.",
    "About 2,000 commuters a day use the Westby ferries to reach jobs in the harbour district.",
    "The mayor of Westby called the cuts a disaster for the harbour district and its workers.",
    "He said the Westby ferry cuts would cost harbour district businesses 2 million euros a week.",
    "A new fuel contract for the Westby ferries is expected to be signed within three weeks.",
    "Commuters queued for an hour at the Westby pier for the first ferries on Monday morning.",
)


def test_a_sentence_that_leans_back_waits_for_its_antecedent() -> None:
    positions = [f.position for f in select_facts(build(*FERRY), title=None, max_facts=3)]
    assert 3 not in positions or 2 in positions


def test_when_nothing_better_exists_such_sentences_are_still_facts() -> None:
    texts = (
        "He said the Westby ferry cuts would cost harbour businesses 2 million euros a week.",
        "But the operator said the Westby ferry cuts would end within three weeks.",
        "They added that a new Westby ferry fuel contract would be signed soon.",
    )
    assert len(select_facts(build(*texts), title=None, max_facts=3)) == 3
