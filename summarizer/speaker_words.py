"""The word lists the attribution rules read, loaded from summarizer/data/.

Knowledge lives in data files, not in code: each `summarizer/data/NAME.txt` opens with
`#` lines saying what the list is and where it comes from, then one lowercase entry a
line (or `head: word word` for the synonym tables). The files ship as package data.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


def _lines(name: str) -> list[str]:
    file = name if "." in name else f"{name}.txt"
    text = resources.files("summarizer").joinpath("data", file).read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


@cache
def words(name: str) -> frozenset[str]:
    """The entries of `summarizer/data/<name>.txt`."""
    return frozenset(w for line in _lines(name) for w in line.split())


def table(name: str) -> dict[str, tuple[str, ...]]:
    """`head: word word` lines of `summarizer/data/<name>.txt` as a dict."""
    out: dict[str, tuple[str, ...]] = {}
    for line in _lines(name):
        head, _, rest = line.partition(":")
        out[head.strip()] = tuple(rest.split())
    return out


def _births_table() -> dict[str, float]:
    """Given name → share of boys among US births so named (first_names.tsv)."""
    out: dict[str, float] = {}
    for line in _lines("first_names.tsv"):
        name, _, share = line.partition("\t")
        out[name] = float(share)
    return out


DEMONYMS = words("demonyms")
TITLES = words("titles") | DEMONYMS
MALE_WORDS = words("male_words")
FEMALE_WORDS = words("female_words")
UNISEX_NAMES = words("unisex_names")
NAME_PARTICLES = words("name_particles")
LEADING_PARTICLES = words("leading_particles")
NOT_NAMES = words("not_names")
ORG_HEADS = words("org_heads")
THING_WORDS = words("thing_words")
PLACE_PREPOSITIONS = words("place_prepositions")
PRONOUNS = words("pronouns")
SENTENCE_OPENERS = words("sentence_openers")
LY_NOUNS = words("ly_nouns")
SPEECH_VERBS = words("speech_verbs")
ING_VERBS = frozenset(v for v in SPEECH_VERBS if v.endswith("ing"))
AUXILIARIES = words("auxiliaries")
ROLE_NOUNS = words("role_nouns")
GENERIC_ORGS = words("generic_orgs")
ROLE_SYNONYMS = table("role_synonyms")
PERSON_ROLE_SYNONYMS = table("person_role_synonyms")
ABBREVIATIONS = words("abbreviations")
RELATIVES = words("relatives")
DOCUMENTS = words("documents")
GROUP_NOUNS = words("group_nouns")
ACRONYM_HEADS = words("acronym_heads")
OUTLETS = frozenset(_lines("outlets"))
"""News outlets and agencies, lowercase, whole ("associated press", "ctv news")."""
PLACES = frozenset(_lines("places"))
"""Place names, lowercase, multi-word ones whole ("new york", "b.c.")."""

_BIRTHS = _births_table()
_NOT_GIVEN = (
    TITLES
    | ORG_HEADS
    | THING_WORDS
    | NOT_NAMES
    | ROLE_NOUNS
    | SPEECH_VERBS
    | frozenset(p for p in PLACES if " " not in p)
)
"""Words the birth records hold as names that news copy capitalises as something else."""
_MEN, _WOMEN = words("male_names"), words("female_names")
MALE_NAMES = (
    (frozenset(n for n, boys in _BIRTHS.items() if boys >= 0.9) - _NOT_GIVEN - _WOMEN) | _MEN
) - UNISEX_NAMES
FEMALE_NAMES = (
    (frozenset(n for n, boys in _BIRTHS.items() if boys <= 0.1) - _NOT_GIVEN - _MEN) | _WOMEN
) - UNISEX_NAMES
"""Given names that say a person's sex: the US birth records (a name given to one sex
nine times in ten or more) and, for names those records lack, male_names.txt and
female_names.txt."""
