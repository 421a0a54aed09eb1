"""Attribution classes met on real news (the PolNeAR development half), each as a
pattern written for this test: the mechanism, never the article's names.

Every example sentence here was written for these tests.
"""

from __future__ import annotations

from summarizer.model import Quote
from summarizer.quote_spans import layout, masked
from summarizer.quotes import find_quotes
from summarizer.sentences import split_sentences
from summarizer.speakers import MASK, Registry


def quotes(*paragraphs: str) -> list[Quote]:
    key, fragments = find_quotes(split_sentences(list(paragraphs)), title=paragraphs[0])
    return [*key, *fragments]


def registry_of(*paragraphs: str) -> Registry:
    """Pass 2 alone: the people and bodies of the article, as find_quotes builds them."""
    laid = layout(split_sentences(list(paragraphs)))
    starts = [p.base + start for p in laid for start in p.starts]
    return Registry.build(masked(laid, MASK), "\n".join(p.text for p in laid), starts)


def speaker_of(start: str, *paragraphs: str) -> str | None:
    found = [q for q in quotes(*paragraphs) if q.text.startswith(start)]
    assert found, quotes(*paragraphs)
    return found[0].speaker


def test_a_capitalised_word_before_a_plural_role_noun_is_not_a_person() -> None:
    """'Harbour leaders and traders expressed …': 'Harbour' modifies 'leaders'; as a
    person it would be the subject a later 'he' leans to."""
    registry = registry_of("Harbour leaders and traders almost universally expressed anger.")
    assert "harbour" not in registry.entities


def test_the_subject_after_a_long_opening_adverbial_is_a_subject() -> None:
    registry = registry_of(
        "Tarrant spoke first.",
        "In a written statement issued on Monday evening, Mayor Brisk condemned the levy.",
    )
    assert [(m.key, m.subject) for m in registry.mentions] == [
        ("tarrant", True),
        ("brisk", True),
    ]


def test_a_title_case_headline_is_not_read_as_names() -> None:
    """A headline's capitals say nothing about names: its runs keep only the names
    the body gives."""
    registry = registry_of(
        "Farah Quist Slams Harbour Levy As A Tax On Fishing", "Farah Quist attacked the levy."
    )
    assert sorted(registry.entities) == ["farah quist"]


def test_an_all_caps_heading_is_not_read_as_names() -> None:
    registry = registry_of(
        "HARBOUR LEVY: FARAH QUIST SPEAKS OUT ON BOATS", "Farah Quist attacked the levy."
    )
    assert sorted(registry.entities) == ["farah quist"]
    assert registry.entities["farah quist"].name == "Farah Quist"


def test_on_does_not_join_a_person_and_a_place() -> None:
    """'reached out to Quill on Moldova' names Quill and a country, not 'Quill on
    Moldova'."""
    registry = registry_of("An aide said the embassy reached out to Quill on Moldova in spring.")
    assert not any("moldova" in key and "quill" in key for key in registry.entities)


def test_a_place_is_never_he_or_she() -> None:
    registry = registry_of(
        "Lupan toured the port as Moldova's leader on Monday, a year after she was freed.",
        "Moldova wants the port reopened.",
    )
    assert registry.resolve_pronoun("she", 10_000) == "Lupan"


def test_a_name_before_campaign_names_a_campaign_and_leaves_the_person() -> None:
    """'the Halloran campaign' is a body; 'Halloran' alone stays the person."""
    registry = registry_of(
        "At least that is what the Halloran campaign now hopes.",
        "Ines Halloran said so.",
        "Later, Halloran left.",
    )
    assert registry.entities["halloran campaign"].kind == "org"
    assert registry.entities["ines halloran"].kind == "person"
    assert registry.resolve_name(("Halloran",), 10_000) == "Ines Halloran"


def test_a_pronoun_after_a_name_votes_for_it_past_an_organisation() -> None:
    """'Lupan visited the Port Authority … after she was elected': the 'she' is a cue
    for Lupan's gender even with a body named between."""
    registry = registry_of(
        "Lupan visited the Port Authority on Monday, a year after she was elected."
    )
    assert registry.entities["lupan"].gender == "f"


def test_an_excerpt_set_off_by_straight_marks_gives_the_quotes_inside_it() -> None:
    """A passage copied from another paper opens each paragraph with a straight mark;
    the quotes inside it keep curly ones. The excerpt is not a quote; those are."""
    found = quotes(
        "Paper profiles a harbour pilot",
        "The Courier's reporter Ada Vell writes:",
        '"The first time Rosa saw the ship she was on the quay, watching the cranes turn.'
        " She had waited all winter for the “big red one,” as she called it.",
        '"Rosa waved at the bridge. “There she comes at last, my girl,” she said, laughing."',
    )
    assert [(q.text, q.speaker) for q in found if len(q.text.split()) >= 5] == [
        ("There she comes at last, my girl", "Rosa")
    ]


def test_two_short_pieces_around_one_attribution_are_one_remark() -> None:
    found = quotes(
        "Pilot wins award",
        "“Here comes the ship,” Rosa Adley said, clapping. “My big red one.”",
    )
    assert [(q.text, q.speaker) for q in found] == [
        ("Here comes the ship, My big red one.", "Rosa Adley")
    ]


def test_a_quote_after_a_written_work_and_a_comma_is_its_title() -> None:
    found = quotes(
        "Letters",
        "Ada Vell's commentary, “Harbour pilots, tell your story,” is thoughtful and kind.",
    )
    assert found == []


def test_a_closing_mark_alone_inside_a_sentence_starts_no_guessed_quote() -> None:
    """'… a cursory review of his charts" including the tides': the opening mark was
    lost somewhere inside the sentence, so no span is guessed from its start."""
    found = quotes(
        "Pilot checks",
        'The pilot took the master through a cursory review of the charts" including the'
        " tides and the buoys.",
    )
    assert found == []
