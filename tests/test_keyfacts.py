"""Key-fact ranking: lead first, no repeats, no bare quotes, no furniture, article order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer import summarize
from summarizer.keyfacts import (
    FEATURES,
    Weights,
    choose_lead,
    fact_text,
    rank_sentences,
    select_facts,
    shorten,
    strip_dateline,
)
from summarizer.ranking import (
    form_factor,
    is_boilerplate,
    length_factor,
    luhn_ratings,
    quote_shapes,
    quoted_shares,
)
from summarizer.sentences import Sentence, split_sentences

LEAD_HEAVY = Path(__file__).parent / "fixtures" / "lead_heavy" / "articles.jsonl"


def build(*paragraphs: list[str]) -> list[Sentence]:
    """Sentences with their article index and paragraph, as the splitter would give them."""
    out: list[Sentence] = []
    for p, texts in enumerate(paragraphs):
        for text in texts:
            out.append(Sentence(text=text, index=len(out), paragraph=p))
    return out


PYRAMID = build(
    [
        "The city council of Brenholt voted on Monday to close the Old Mill bridge to cars "
        "for two years while engineers replace its corroded steel supports."
    ],
    [
        "The bridge carries about 18,000 vehicles a day and is the main route between the "
        "town centre and the eastern suburbs."
    ],
    [
        "Engineers found corrosion in 14 of the bridge's 22 supports during an inspection "
        "in January, council documents show."
    ],
    ["“We cannot take risks with a structure this old,” council leader Mira Santos said."],
    [
        "Buses, cyclists and pedestrians will still be able to use the bridge during the "
        "repairs, which are expected to cost 31 million euros."
    ],
    ["Local shop owners said they feared losing customers during the closure."],
    ["The bridge opened in 1911 and was last repaired in 1987."],
    ["Sign up for our daily newsletter to get local news first."],
)


def lead_heavy_articles() -> list[dict]:
    lines = LEAD_HEAVY.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_inverted_pyramid_lead_is_a_fact_and_the_lead() -> None:
    facts = select_facts(PYRAMID, title="Old Mill bridge to close to cars", max_facts=3)
    assert facts[0].position == 0
    assert choose_lead(PYRAMID, title=None) == PYRAMID[0].text


@pytest.mark.parametrize("article", lead_heavy_articles(), ids=lambda a: a["id"])
def test_lead_heavy_fixtures(article: dict) -> None:
    summary = summarize(article["text"], title=article["title"])
    first_sentence = article["text"].split("\n\n")[0]
    assert summary.lead
    assert strip_dateline(first_sentence).startswith(summary.lead.removesuffix("…"))
    assert any(strip_dateline(first_sentence).startswith(f.text) for f in summary.key_facts)
    for fact in summary.key_facts:
        for banned in article["never"]:
            assert banned not in fact.text


def test_facts_are_in_article_order_and_are_sentences_of_the_article() -> None:
    facts = select_facts(PYRAMID, title=None, max_facts=5)
    positions = [f.position for f in facts]
    assert positions == sorted(positions)
    assert len(set(positions)) == len(positions)
    for f in facts:
        assert PYRAMID[f.position].text == f.text


@pytest.mark.parametrize("max_facts", [0, 1, 2, 3, 5])
def test_max_facts_is_a_cap(max_facts: int) -> None:
    facts = select_facts(PYRAMID, title=None, max_facts=max_facts)
    assert len(facts) <= max_facts
    if max_facts:
        assert len(facts) == min(max_facts, 3) or len(facts) >= 3


def test_long_article_gives_up_to_max_facts() -> None:
    paragraphs = [
        [f"Officials in district {n} reported {n * 7} new cases of the fever on day {n}."]
        for n in range(1, 25)
    ]
    topics = ["schools", "harbour", "airport", "market", "stadium", "museum", "hospital"]
    for n, topic in enumerate(topics):
        paragraphs.append([f"The {topic} reopened after {n + 2} weeks of repairs to its roof."])
    facts = select_facts(build(*paragraphs), title=None, max_facts=5)
    assert len(facts) == 5


def test_no_two_facts_say_the_same_thing() -> None:
    sentences = build(
        ["The airline Skyvale cancelled 300 flights on Friday because of a pilots' strike."],
        ["Skyvale cancelled 300 flights on Friday because of a strike by its pilots."],
        ["On Friday, Skyvale cancelled 300 flights because pilots went on strike."],
        ["The pilots' union wants a 12% pay rise over three years."],
        ["Passengers were offered refunds or seats on later flights, the company said."],
        ["The strike is the first at the airline since it was founded in 2004."],
    )
    facts = select_facts(sentences, title=None, max_facts=5)
    repeats = [f for f in facts if f.position in (0, 1, 2)]
    assert len(repeats) == 1
    assert len(facts) >= 3


def test_bare_quotes_are_never_facts() -> None:
    sentences = build(
        ["The mayor of Coldwater resigned on Thursday after an audit found missing funds."],
        ["“I have made mistakes, and I accept responsibility for them,” the mayor said."],
        ["“I am sorry for the harm this has caused.", "It will not happen again,” he added."],
        ["The audit found that 2.4 million dollars could not be accounted for."],
        ['"The town deserves better than this," said council member Ada Ruiz.'],
        ["A deputy mayor will lead the town until an election is held in the spring."],
        ["Police said they had opened an inquiry into the missing money."],
    )
    facts = select_facts(sentences, title=None, max_facts=5)
    texts = [f.text for f in facts]
    assert texts
    for quoted in (1, 2, 3, 5):
        assert sentences[quoted].text not in texts


def test_quote_continuation_and_missing_opening_mark_are_quoted() -> None:
    sentences = build(
        ["“We will rebuild every school.", "Nobody will be left out,” the minister said."],
        ["We were not warned at all,” a farmer told the radio station."],
        ["The minister said schools would reopen in “a matter of weeks” after the storm."],
        ["The report was published on Monday."],
    )
    shapes = list(quote_shapes(sentences))
    assert [shape.is_bare_quote for shape in shapes] == [True, True, True, False, False]
    assert shapes[0].share > 0.9
    assert shapes[1].starts_quoted and shapes[1].share > 0.5
    assert shapes[2].starts_quoted
    assert 0 < shapes[3].share < 0.25
    assert shapes[4].share == 0


def test_a_paragraph_break_closes_an_unclosed_quote() -> None:
    sentences = build(["He shouted “stop and walked away."], ["The committee met again on Friday."])
    assert quoted_shares(sentences)[1] == 0


@pytest.mark.parametrize(
    "line",
    [
        "Sign up for our newsletter and never miss a story.",
        "Reporting by Ann Lee; Editing by Tom Park",
        "Associated Wire writer Jo Kim contributed to this report.",
        "Copyright 2026 Example News. All rights reserved.",
        "Click here to read the full report.",
        "Follow us on social media for updates.",
        "Read more at https://example.org/story",
    ],
)
def test_boilerplate_is_recognised(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        "The council voted to raise parking charges by 10% from April.",
        "Police said the man was arrested at his home on Sunday.",
    ],
)
def test_news_sentences_are_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)


def test_boilerplate_is_never_chosen() -> None:
    sentences = build(
        ["Floods forced 12,000 people from their homes in the Tarn valley on Sunday."],
        ["Sign up for our Tarn valley flood newsletter for updates on the floods."],
        ["Rescue crews in the Tarn valley saved 140 people from the floods overnight."],
        ["Reporting by Ann Lee in the Tarn valley; Editing by Tom Park"],
        ["Click here for a map of the floods in the Tarn valley."],
    )
    chosen = [r.sentence.index for r in rank_sentences(sentences, title="Tarn valley floods")]
    assert chosen and not {1, 3, 4} & set(chosen)


def test_title_repeated_as_a_sentence_is_not_a_fact() -> None:
    title = "Harbour tunnel opens after seven years of work"
    sentences = build(
        [title],
        ["The 3.2 km tunnel under Westby harbour opened to traffic on Saturday morning."],
        ["It cost 1.1 billion euros and took seven years to build."],
        ["About 40,000 vehicles are expected to use the tunnel each day."],
    )
    facts = select_facts(sentences, title=title, max_facts=3)
    assert 0 not in [f.position for f in facts]
    assert choose_lead(sentences, title=title) == sentences[1].text


@pytest.mark.parametrize(
    "texts",
    [
        [],
        ["Storm closes two schools in Dunmore."],
        ["Storm closes two schools in Dunmore.", "Both will reopen on Wednesday."],
        ["Yes."],
    ],
)
def test_tiny_texts(texts: list[str]) -> None:
    sentences = build(texts) if texts else []
    facts = select_facts(sentences, title=None, max_facts=5)
    assert len(facts) <= len(texts)
    assert all(f.text in texts for f in facts)
    lead = choose_lead(sentences, title=None)
    assert lead == (texts[0] if texts else "")


def test_one_real_sentence_is_the_fact() -> None:
    sentences = build(["Storm closes two schools in Dunmore after roofs are damaged."])
    assert [f.text for f in select_facts(sentences, title=None, max_facts=5)] == [sentences[0].text]


def test_enormous_lead_is_shortened_at_a_clause_break() -> None:
    text = (
        "The regional assembly approved a budget of 4.2 billion euros on Tuesday after a "
        "debate that lasted through the night, with spending on hospitals, schools and "
        "roads all rising, while the opposition, which had tabled more than 300 amendments, "
        "walked out before the final vote, saying that the majority had refused to discuss "
        "any of its proposals for the rural districts in the north of the region."
    )
    lead = shorten(text, max_words=30)
    assert lead.endswith("…")
    assert len(lead.split()) <= 30
    assert text.startswith(lead.rstrip("…"))
    assert lead.rstrip("…")[-1].isalnum()
    assert shorten("A short sentence stays whole.", max_words=30) == "A short sentence stays whole."


def test_lead_skips_a_bare_quote_opening() -> None:
    sentences = build(
        ["“It was like a wall of water,” said a fisherman who saw the wave."],
        ["A wave two metres high struck the fishing village of Kell on Sunday, damaging 40 boats."],
        ["No one was hurt, the coastguard said."],
    )
    assert choose_lead(sentences, title=None) == sentences[1].text


def test_luhn_rates_clusters_of_significant_words_higher() -> None:
    sentences = build(
        ["The river flood reached the river town as flood water rose along the river."],
        ["A spokesman declined to comment."],
        ["The flood closed the river road and the river bridge."],
    )
    ratings = luhn_ratings(sentences)
    assert ratings[0] > ratings[1]
    assert ratings[2] > ratings[1]


def test_ranking_is_best_first_and_distinct() -> None:
    ranked = rank_sentences(PYRAMID, title=None)
    indices = [r.sentence.index for r in ranked]
    assert len(set(indices)) == len(indices)
    assert 0 in indices[:2]
    assert [r.score for r in ranked][:1] == [max(r.score for r in ranked)]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("ORLEN (Wire) — Two people were killed.", "Two people were killed."),
        ("VELMORA, March 4 (Wire) - Dock workers walked out.", "Dock workers walked out."),
        ("Kell, Ruritania (AP) -- A wave hit the village.", "A wave hit the village."),
        ("LONDON — The bank raised rates.", "The bank raised rates."),
        ("BRENHOLT, Norland, May 2 – “We are ready,” she said.", "“We are ready,” she said."),
    ],
)
def test_dateline_is_stripped_from_the_lead(sentence: str, expected: str) -> None:
    assert strip_dateline(sentence) == expected
    assert choose_lead(build([sentence, "Another sentence follows here."]), title=None) in (
        expected,
        "Another sentence follows here.",
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "The council - which met on Monday - voted to close the bridge.",
        "Mira Santos (Labour) said the vote was close.",
        "US President Jo Park signed the bill - a first for the state.",
        "NATO said the exercise - its largest - would start in May.",
        "Prices rose 3% (up from 2%) — the fastest rise in a year.",
    ],
)
def test_sentences_without_a_dateline_are_untouched(sentence: str) -> None:
    assert strip_dateline(sentence) == sentence


def test_lead_of_a_wire_story_has_no_dateline() -> None:
    sentences = build(
        ["ORLEN (Wire) — Two people were killed when two trains collided near Orlen on Saturday."],
        ["Thirty-one people were injured, the operator said."],
    )
    assert choose_lead(sentences, title=None) == sentences[0].text.split("— ", 1)[1]
    facts = select_facts(sentences, title=None, max_facts=3)
    assert facts[0].position == 0
    assert facts[0].text == choose_lead(sentences, title=None)
    assert facts[1].text == sentences[1].text


def test_only_the_opening_sentence_loses_a_dateline() -> None:
    sentences = build(
        ["The board met in the morning and voted to sell the Harrow plant to a rival for cash."],
        ["NASA — the space agency — said on Friday that it would buy three new rockets."],
    )
    assert [fact_text(s) for s in sentences] == [s.text for s in sentences]


def test_shipped_weights_match_the_features() -> None:
    weights = Weights.load()
    assert len(weights.coef) == len(weights.mean) == len(weights.scale) == len(FEATURES)


def test_held_out_lead_heavy_lead_is_among_the_first_two_picks() -> None:
    """On the held-out half of the agency set (never used to fit the ranker), the lead
    sentence is one of the ranker's first two picks in every article."""
    held_out = [a for a in lead_heavy_articles() if a["split"] == "held-out"]
    assert len(held_out) >= 15
    for article in held_out:
        paragraphs = [p for p in article["text"].splitlines() if p.strip()]
        sentences = split_sentences(paragraphs)
        ranked = rank_sentences(sentences, title=article["title"], limit=2)
        assert article["lead_index"] in [r.sentence.index for r in ranked], article["id"]


@pytest.mark.parametrize(("shorter", "longer"), [(3, 12), (6, 9), (9, 12)])
def test_fragments_are_penalised(shorter: int, longer: int) -> None:
    assert length_factor(shorter) < length_factor(longer)


@pytest.mark.parametrize(("ok", "run_on"), [(30, 60), (45, 80), (60, 120)])
def test_run_ons_are_penalised_but_not_excluded(ok: int, run_on: int) -> None:
    assert 0 < length_factor(run_on) < length_factor(ok)


def test_a_fragment_is_not_preferred_to_a_sentence() -> None:
    sentences = build(
        ["The council closed the Old Mill bridge to cars on Monday after finding corrosion."],
        ["Police were called."],
        ["Engineers said repairs to the bridge supports would take about two years."],
        ["Shops near the bridge said trade had already fallen by a third."],
    )
    facts = select_facts(sentences, title=None, max_facts=3)
    assert 1 not in [f.position for f in facts]


@pytest.mark.parametrize(
    "text",
    [
        "What happens to the bridge now?",
        "Firefighters at the scene of the blaze in Sarne on Tuesday",
        "and the council said it would appeal the ruling.",
    ],
)
def test_questions_captions_and_split_pieces_are_penalised(text: str) -> None:
    assert form_factor(text) < form_factor("The council said it would appeal the ruling.")


def test_a_question_is_not_preferred_to_a_statement() -> None:
    sentences = build(
        ["The port of Velmora reopened on Thursday after a nine-day strike by dock workers."],
        ["Will the port strike again when the new pay deal expires in two years' time?"],
        ["The port handles about a fifth of the region's grain exports each year."],
        ["Workers will get a 7% pay rise over two years under the deal."],
    )
    assert 1 not in [f.position for f in select_facts(sentences, title=None, max_facts=3)]
