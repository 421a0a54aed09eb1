"""Offline sentence splitting: the challenge set, each pattern on its own, hostile input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.lex_rank import LexRankSummarizer

from summarizer.sentences import (
    Sentence,
    SumyTokenizer,
    split_paragraph,
    split_sentences,
    words,
)

CHALLENGE = Path(__file__).parent / "fixtures" / "extract" / "sentence_challenge.txt"


def _cases() -> list[list[str]]:
    cases: list[list[str]] = []
    block: list[str] = []
    for raw in [*CHALLENGE.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if line.startswith("#"):
            continue
        if line:
            block.append(line)
        elif block:
            cases.append(block)
            block = []
    return cases


CASES = _cases()


def test_challenge_set_is_big_enough_to_mean_something() -> None:
    assert len(CASES) >= 100
    assert sum(len(c) - 1 for c in CASES) >= 100


@pytest.mark.parametrize("expected", CASES, ids=lambda c: c[0][:40])
def test_challenge_case(expected: list[str]) -> None:
    assert split_paragraph(" ".join(expected)) == expected


def test_paragraph_break_always_ends_a_sentence() -> None:
    got = split_sentences(["Ministers met in Lt. Col", "Ann Smith said nothing."])
    assert [s.text for s in got] == ["Ministers met in Lt. Col", "Ann Smith said nothing."]
    assert [s.paragraph for s in got] == [0, 1]


def test_sentences_carry_index_over_the_text_and_their_paragraph() -> None:
    got = split_sentences(["One fell. Two rose.", "", "Three held."])
    assert got == [
        Sentence("One fell.", 0, 0),
        Sentence("Two rose.", 1, 0),
        Sentence("Three held.", 2, 2),
    ]


def test_line_breaks_inside_a_paragraph_are_spaces() -> None:
    assert split_paragraph("The council voted\non Tuesday.  It\tadjourned.") == [
        "The council voted on Tuesday.",
        "It adjourned.",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "It was hard. Fans agreed.",
        "He said so. Mrs. Li disagreed.",
        "The data came from the lab. Writing in a journal, she said more.",
        "She spent a day. Nothing happened.",
        "He fell ill. Doctors were called.",
        "They flew to Idaho. The trip took a week.",
    ],
)
def test_ordinary_words_the_legal_model_took_for_abbreviations_end_sentences(text: str) -> None:
    first, second = text.split(". ", 1)
    assert split_paragraph(text) == [first + ".", second]


@pytest.mark.parametrize(
    "text",
    [
        "Lt. Col. Ann Smith led the unit.",
        "Maj. Gen. Omar Haddad and Brig. Gen. Rita Ko met Adm. Lee.",
        "Det. Insp. Ray Cole and Supt. Joan Fry spoke to Sen. Barrow.",
        "Capt. Jo Rees, Sgt. Al Moss and Cpl. Di Hart were honoured.",
        "The Rev. Ann Doe met Gov. Lisa Kent and Rep. Dan Ortiz.",
    ],
)
def test_titles_before_names_never_end_a_sentence(text: str) -> None:
    assert split_paragraph(text) == [text]


def test_no_before_a_number_is_an_abbreviation_but_no_as_an_answer_is_not() -> None:
    assert split_paragraph("He lives at No. 10 Harbour Road.") == [
        "He lives at No. 10 Harbour Road."
    ]
    assert split_paragraph("He said no. 52 senators voted yes.") == [
        "He said no.",
        "52 senators voted yes.",
    ]


def test_clock_time_ends_a_sentence_only_before_a_new_sentence() -> None:
    assert split_paragraph("The blast came shortly after 6 a.m. Windows shattered nearby.") == [
        "The blast came shortly after 6 a.m.",
        "Windows shattered nearby.",
    ]
    kept = "Police were called at 3:45 p.m. Thursday to a house."
    assert split_paragraph(kept) == [kept]
    kept = "The shelling began at 4 a.m. local time and lasted an hour."
    assert split_paragraph(kept) == [kept]


@pytest.mark.parametrize(
    "text",
    [
        "“We won,” she said.",
        '"We won," she said, "and we will win again."',
        "‘We won,’ said the coach.",
        "“We won.” she said.",
        "“Did we win?” she asked.",
        "“Yes!” he shouted.",
        "“They shouted ‘Go home!’ at us,” he said.",
        "“He told me, ‘Stay inside,’ and I did,” she said.",
    ],
)
def test_quote_followed_by_attribution_is_one_sentence(text: str) -> None:
    assert split_paragraph(text) == [text]


@pytest.mark.parametrize(
    "text",
    [
        "“Who pays?” Smith asked.",
        "“We won!” Coach Amy Burke shouted after the match.",
        "“We won.” Burke told reporters outside the court.",
        '"Who pays?" Sen. Ruiz asked the panel.',
    ],
)
def test_quote_followed_by_a_named_speaker_and_verb_is_one_sentence(text: str) -> None:
    assert split_paragraph(text) == [text]


def test_a_new_sentence_after_a_quote_is_not_taken_for_attribution() -> None:
    assert split_paragraph("“We won.” Police said the suspects fled.") == [
        "“We won.”",
        "Police said the suspects fled.",
    ]


def test_quote_followed_by_a_new_sentence_is_two() -> None:
    assert split_paragraph("“We won.” The crowd cheered.") == ["“We won.”", "The crowd cheered."]
    assert split_paragraph('"We won." The crowd cheered.') == ['"We won."', "The crowd cheered."]
    assert split_paragraph("He called it “a farce.” Others agreed.") == [
        "He called it “a farce.”",
        "Others agreed.",
    ]


def test_money_decimals_and_percentages_do_not_break() -> None:
    text = "The deal is worth $2.5bn, or 3.5% of sales, up from £1.2m in 2019."
    assert split_paragraph(text) == [text]


def test_parentheses_are_not_broken_inside() -> None:
    text = "The strike (the third this year. It was long.) ended on Friday."
    assert split_paragraph(text + " Talks resume.") == [text, "Talks resume."]
    assert split_paragraph("It fell.(See the chart.) Then it rose.") == [
        "It fell.",
        "(See the chart.)",
        "Then it rose.",
    ]


def test_an_unclosed_parenthesis_does_not_swallow_the_paragraph() -> None:
    text = "The summit (held in Oslo was a failure. Leaders left early. Nothing was signed."
    assert len(split_paragraph(text)) == 3


def test_ellipsis_before_lower_case_continues_and_before_capital_ends() -> None:
    assert split_paragraph("He paused... then walked out.") == ["He paused... then walked out."]
    assert split_paragraph("The list goes on… Officials admit it.") == [
        "The list goes on…",
        "Officials admit it.",
    ]


def test_exclamation_inside_a_name_does_not_end_a_sentence() -> None:
    assert split_paragraph("Yahoo! said it would cut 200 jobs.") == [
        "Yahoo! said it would cut 200 jobs."
    ]


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "\u200b", ".", "...", "!!!", "“”", "(((("])
def test_degenerate_input_gives_no_sentences_or_the_text_itself(text: str) -> None:
    got = split_paragraph(text)
    assert "".join("".join(got).split()) == "".join(text.split())


def test_huge_and_garbage_input_is_split_without_error() -> None:
    huge = "The council met on Tuesday. " * 20_000
    assert len(split_paragraph(huge)) == 20_000
    garbage = bytes(range(256)).decode("latin-1") * 50
    assert "".join(split_paragraph(garbage)).replace(" ", "") == "".join(garbage.split())
    assert split_paragraph("(" * 50_000 + "a. B. " * 2_000)


@pytest.mark.parametrize(
    "text",
    [
        "No. 4 " * 20_000,
        "at 6 a.m. Windows " * 20_000,
        "Lt. Col. " * 20_000,
        "Hi (there. " * 20_000,
    ],
)
def test_repeated_repair_patterns_keep_every_character(text: str) -> None:
    got = split_paragraph(text)
    assert "".join("".join(got).split()) == "".join(text.split())
    assert max(len(s) for s in got) <= len(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_splitting_keeps_every_character_in_order(text: str) -> None:
    got = split_paragraph(text)
    assert "".join("".join(got).split()) == "".join(text.split())
    assert all(s == s.strip() and s for s in got)


_PUNCTUATED = st.lists(
    st.sampled_from(
        [*"aB .,!?“”\"'‘’()…:;-\n0123", "Dr.", "No. ", "said", "Smith", " a.m. ", "Lt."]
    ),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_PUNCTUATED)
def test_every_sentence_is_a_piece_of_the_paragraph_as_written(text: str) -> None:
    flat = " ".join(text.split())
    for sentence in split_paragraph(text):
        assert sentence in flat


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "Dr.",
                "Lt.",
                "Col.",
                "U.S.",
                "a.m.",
                "No.",
                "3.5%",
                "“We",
                "won,”",
                "she",
                "said.",
                "(it",
                "fell.)",
                "He",
                "left.",
                "Why?",
                "…",
                "Inc.",
                "Jan.",
                "4",
                "The",
                "end.",
            ]
        ),
        max_size=40,
    )
)
def test_splitting_news_like_tokens_keeps_every_character(tokens: list[str]) -> None:
    text = " ".join(tokens)
    assert " ".join(split_paragraph(text)) == text


def test_words_keep_apostrophes_and_drop_punctuation() -> None:
    assert words("The mayor’s plan — won’t it fail? Yes: 3.5% (U.S.)") == [
        "The",
        "mayor’s",
        "plan",
        "won’t",
        "it",
        "fail",
        "Yes",
        "3",
        "5",
        "U",
        "S",
    ]


def test_sumy_runs_offline_with_our_tokenizer() -> None:
    text = (
        "The council approved the harbour bridge on Tuesday.\n"
        "Gen. Ann Lee said the vote was overdue. Work starts in May.\n"
        "The bridge will cost $480m. Critics say the cost will rise."
    )
    tokenizer = SumyTokenizer()
    assert tokenizer.to_sentences(text) == (
        "The council approved the harbour bridge on Tuesday.",
        "Gen. Ann Lee said the vote was overdue.",
        "Work starts in May.",
        "The bridge will cost $480m.",
        "Critics say the cost will rise.",
    )
    parser = PlaintextParser.from_string(text, tokenizer)
    picked = [str(s) for s in LexRankSummarizer()(parser.document, 2)]
    assert len(picked) == 2
    assert all(p in text for p in picked)
