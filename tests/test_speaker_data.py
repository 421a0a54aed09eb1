"""The attribution word lists (summarizer/data/) and the given-name sex lookup.

Every file must load, say what it is and where it comes from, and hold each entry
once, lowercase, with no blank lines; the given-name sex comes from the US birth
records (first_names.tsv) with the hand lists only for what those records cannot say.
"""

from __future__ import annotations

from importlib import resources

import pytest

from summarizer import speaker_words
from summarizer.quotes import find_quotes
from summarizer.sentences import split_sentences

DATA = resources.files("summarizer").joinpath("data")
FILES = sorted(p.name for p in DATA.iterdir() if p.name.endswith((".txt", ".tsv")))


def _entries(name: str) -> list[str]:
    """Each entry's key: the whole line, the name before a tab, or the head before ':'."""
    lines = DATA.joinpath(name).read_text("utf-8").splitlines()
    body = [line for line in lines if not line.startswith("#")]
    return [line.split("\t")[0].split(":")[0].strip() for line in body]


def test_every_data_file_is_read_by_the_rules() -> None:
    assert len(FILES) >= 20
    source = resources.files("summarizer").joinpath("speaker_words.py").read_text("utf-8")
    for name in FILES:
        stem = name.removesuffix(".txt")
        assert f'"{stem}"' in source or f'"{name}"' in source, f"{name} is never loaded"


@pytest.mark.parametrize("name", FILES)
def test_data_file_states_what_it_is_and_its_source(name: str) -> None:
    header = []
    for line in DATA.joinpath(name).read_text("utf-8").splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    assert len(header) >= 2, f"{name}: a '#' line saying what it is, then one with its source"
    assert any(line.startswith("# Source: ") and len(line) > 30 for line in header), name


@pytest.mark.parametrize("name", FILES)
def test_data_file_has_no_blank_lines_duplicates_or_capitals(name: str) -> None:
    entries = _entries(name)
    assert entries, name
    assert all(entries), f"{name}: blank line at entry {entries.index('')}"
    seen: set[str] = set()
    repeated = [e for e in entries if e in seen or seen.add(e)]  # type: ignore[func-returns-value]
    assert not repeated, f"{name}: repeated {repeated[:5]}"
    assert all(e == e.lower() for e in entries), name
    assert all(e == e.strip() for e in entries), name


def test_birth_records_table_is_shares_between_zero_and_one() -> None:
    lines = [
        line
        for line in DATA.joinpath("first_names.tsv").read_text("utf-8").splitlines()
        if not line.startswith("#")
    ]
    assert len(lines) > 10_000
    for line in lines:
        name, share = line.split("\t")
        assert name.isalpha() or "-" in name or "'" in name, line
        assert 0.0 <= float(share) <= 1.0, line


def test_the_word_lists_load_as_sets() -> None:
    assert "said" in speaker_words.SPEECH_VERBS
    assert "ministry" in speaker_words.ORG_HEADS
    assert "associated press" in speaker_words.OUTLETS
    assert "new york" in speaker_words.PLACES
    assert speaker_words.ROLE_SYNONYMS["club"][:1] == ("fc",)


@pytest.mark.parametrize(
    ("name", "male", "female"),
    [
        ("brantley", True, False),  # in the birth records only (97% boys)
        ("imogen", False, True),  # in the birth records only (all girls)
        ("hunter", True, False),
        ("madison", False, True),  # 2% boys: the record decides
        ("casey", False, False),  # 59% boys: says nothing
        ("dakota", False, False),
        ("georgia", False, False),  # a girl's name in the records, but a place in news copy
        ("kentucky", False, False),
        ("yuki", False, False),  # unisex in the culture it comes from (hand list)
        ("terry", True, False),  # the hand list fills what the records leave open
    ],
)
def test_given_name_sex_from_the_birth_records(name: str, male: bool, female: bool) -> None:
    assert (name in speaker_words.MALE_NAMES, name in speaker_words.FEMALE_NAMES) == (
        male,
        female,
    )


def test_a_given_name_from_the_birth_records_resolves_a_pronoun() -> None:
    """Only the first names say who 'she' is: Imogen is in the birth records alone."""
    paragraphs = [
        "Brantley Osei and Imogen Vasquez met the planning board on Monday.",
        "“We were promised a park and we got a car park,” she said.",
    ]
    key, _ = find_quotes(split_sentences(paragraphs))
    assert [q.speaker for q in key] == ["Imogen Vasquez"]
    swapped = [paragraphs[0], paragraphs[1].replace("she said", "he said")]
    key, _ = find_quotes(split_sentences(swapped))
    assert [q.speaker for q in key] == ["Brantley Osei"]
