"""Who is who in an article: names, organisations and pronouns to speakers.

The article's text outside quotes is scanned once for capitalised runs
("Prime Minister Haider al-Abadi", "Ministry of Health"). Each run becomes a
mention of a person, an organisation or a thing (places, events, laws). People
are keyed by the fullest name the article gives them, so a later "al-Abadi" or
"Mr Smith" resolves to it. Gender comes from cues the article itself gives
(Mr/Mrs, spokeswoman, a pronoun right after the name, a common first name),
and pronouns resolve to the most recent compatible person, with a bonus for
the subject of a sentence and the last speaker. Role nouns resolve by what
the article said of people ('Israel's ambassador to Ireland, Dana Erlich' →
'the ambassador'), agreeing in nationality ('the Vietnamese leader'), then to
the subject or nearest person of the quote's sentence or the one before
('the 17-year-old', 'the fly-half'); an indefinite description ('a senior
official') stays itself unless the article described that source before.
Names inside quotes are never mentions: a person talked about in a quote is
not who speaks next.

    >>> registry = Registry.build(text_outside_quotes)
    >>> registry.resolve_name("al-Abadi", offset)
    'Haider al-Abadi'
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from summarizer.speaker_words import (
    ABBREVIATIONS,
    ACRONYM_HEADS,
    DEMONYMS,
    DOCUMENTS,
    FEMALE_NAMES,
    FEMALE_WORDS,
    GENERIC_ORGS,
    GROUP_NOUNS,
    LEADING_PARTICLES,
    LY_NOUNS,
    MALE_NAMES,
    MALE_WORDS,
    NAME_PARTICLES,
    NOT_NAMES,
    ORG_HEADS,
    PERSON_ROLE_SYNONYMS,
    PLACE_PREPOSITIONS,
    PLACES,
    RELATIVES,
    ROLE_NOUNS,
    ROLE_SYNONYMS,
    SPEECH_VERBS,
    THING_WORDS,
    TITLES,
)

_TOKEN = re.compile(r"[^\W\d_][\w’'.&-]*|\d[\w.,]*")
_PRONOUN = re.compile(
    r"\b(?:he|she|his|himself|herself|its|it(?=\s+(?:was|is|would|will|had|has|could|should|"
    r"may|might|did|does|must|can|\w+ed)\b))\b",
    re.IGNORECASE,
)
_SPEAKS = re.compile(
    r"(?:,[^,.]{0,100},|\s+[-–—]\s[^.–—-]{1,100}?\s[-–—])?\s+(?:[a-z]+ly\s+|also\s+|later\s+|then\s+|has\s+|had\s+){0,2}"
    r"(?:" + "|".join(sorted(SPEECH_VERBS, key=len, reverse=True)) + r")\b"
)
_SPOKESPERSON = re.compile(
    r"\b(?:[Aa]n?|[Tt]he)\s+(?:\w+\s+)?(?P<role>spokes(?:wo)?man|spokesperson|representative)"
    r"\s+(?:for|of|at)\s+(?:the\s+)?(?P<org>[A-Z][\w&'’-]*(?:\s+(?:of\s+)?[A-Z][\w&'’-]*){0,5})"
)
_UNNAMED = re.compile(
    r"(?:^|[.!?]\s+|\n)(?P<np>(?:An?|One|Another)\s+(?:[a-z-]+\s+){0,2}(?P<noun>[a-z]+))"
    r"(?=(?:,[^,.\n]{0,80},)?\s+(?:[a-z]+ly\s+)?(?:"
    + "|".join(sorted(SPEECH_VERBS, key=len, reverse=True))
    + r")\b)"
)
_NICKNAME = re.compile(r"(?<=[a-z]) [“\"][A-Z][\w ’'-]{0,30}[”\"](?= [A-Z])")
_RELATIVE = re.compile(
    r"\b(?:(?:[Hh]is|[Hh]er|[Tt]heir|[Tt]he(?:\s+[a-z-]+['’]s)?)\s+(?:[a-z-]+\s+)?"
    r"(?P<noun>wife|husband|mother|"
    r"father|daughter|son|sister|brother|widow|widower|(?:great-)?grand(?:mother|father|son|"
    r"daughter)|partner|"
    r"girlfriend|boyfriend)(?:\s+of\s+(?:the|a|an|one|two|three)\s+[a-z]+)?"
    r"|(?:[Hh]is|[Hh]er|[Tt]heir)\s+(?P<role>solicitor|lawyer|barrister|"
    r"attorney|agent|manager|spokesman|spokeswoman|spokesperson|doctor|publicist|coach))"
    r"\b(?!,?\s+[A-Z])"
)
ORG_NOUNS = GENERIC_ORGS | {"union", "party", "agency", "regulator", "watchdog", "operator"}
MASK = "\u2016"
_LOWER_WORD = re.compile(r"(?<![\w’'-])[a-z]+(?![\w’'-])")
_CONTRACTION = re.compile(r"['’](?:ll|re|ve|d|m)$|n['’]t$")
_ROLE_SUFFIX = re.compile(r"..(?:man|woman|person|ist)$")
_AGENT_SUFFIX = re.compile(r"...(?:er|or|ian|ant|ent)$")
_LOWER_COMPOUND = re.compile(r"^[A-Z][a-z]*-[a-z]")
_SENTENCE_END = re.compile(r"[.!?][”\"’']?\s*$")
_HYPHEN_PARTICLE = re.compile(r"(?:al|el|bin|ibn|abu|ul|ben)-[A-Z]")
_PREPOSITIONS = frozenset(
    ["from", "of", "in", "at", "to", "for", "with", "by", "on", "near", "about", "against"]
)
_MODIFIER = re.compile(r"((?:\s[a-z]+){1,3})\s[A-Z]")
_NOT_PERSON_HEADS = GENERIC_ORGS | ORG_HEADS | DOCUMENTS | THING_WORDS | RELATIVES | GROUP_NOUNS
_RANK_WORDS = frozenset(["prime", "deputy", "vice", "shadow", "foreign", "acting", "assistant"])
_NOUN_AFTER = re.compile(r" ([a-z]+)\b")
_TRAILING = frozenset(["has", "have", "had", "will", "would", "can", "could", "also"])
_SPOKES_HEADS = frozenset(["spokesman", "spokeswoman", "spokesperson", "representative"])
_MOD_STOPS = SPEECH_VERBS | {"the", "a", "an", "and", "or", "of", "to", "who", "that", "was", "is"}
_APPOSED = re.compile(
    r"(?:\s+(?:to|for|of|at|in|from)\s+(?:the\s+)?[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){0,3})?,\s+"
)
_ROLE_ENDINGS = (
    "teacher",
    "keeper",
    "worker",
    "owner",
    "leader",
    "manager",
    "master",
    "maker",
    "weight",
)
_ROLE_VOCAB = TITLES | ROLE_NOUNS | RELATIVES | MALE_WORDS | FEMALE_WORDS
_CONNECTORS = {"of", "for", "and", "&", "the", "on"}
_FRONTED = re.compile(
    r" ?(?:In|At|On|During|After|Before|Later|Earlier|Speaking|Asked|Writing|Since|From|"
    r"Throughout|Meanwhile|Instead|However|Still|Yet|Also|Separately|Elsewhere)\b[^,]*, $"
)
"""An opening adverbial before the subject: 'In a White House statement, President
Obama condemned …'."""
_EAST_ASIAN_GIVEN = re.compile(r"[A-Z][a-z]{1,5}-[a-z]{1,5}")
"""'Park Ji-min', 'Rhee Chang-yong': a family name first (which may also be a
place word such as 'Park'), then a hyphenated given name."""
_VERB_AFTER = re.compile(
    r" (?:(?!(?:"
    + "|".join(sorted(LY_NOUNS))
    + r") )[a-z]+ly )?(?:"
    + "|".join(sorted((v for v in SPEECH_VERBS if v.endswith("ed")), key=len, reverse=True))
    + r"|said|says|told|tells|wrote|adds|has|had|is|was|will|would|could|did|does)\b"
)


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    kind: str  # person | org | thing
    key: str
    subject: bool
    titles: tuple[str, ...] = ()
    speaks: bool = False


@dataclass(slots=True)
class Entity:
    key: str
    name: str
    kind: str
    male: int = 0
    female: int = 0
    neuter: int = 0
    roles: set[str] = field(default_factory=set)

    @property
    def gender(self) -> str | None:
        if self.neuter > self.male + self.female:
            return "n"
        if self.male > self.female:
            return "m"
        if self.female > self.male:
            return "f"
        return None


@dataclass(frozen=True, slots=True)
class Run:
    """A run of capitalised words: its offsets and cleaned tokens."""

    start: int
    end: int
    tokens: tuple[str, ...]
    possessive: bool


def _clean(token: str) -> tuple[str, bool]:
    possessive = False
    if token.endswith(("'s", "’s")):
        token, possessive = token[:-2], True
    elif token.endswith(("s'", "s’")):
        token = token[:-1]
    if token.endswith("."):
        bare = token[:-1]
        if not (bare.lower() in ABBREVIATIONS or len(bare) == 1 or "." in bare):
            token = bare
    return token.strip("-&'’"), possessive


def _is_cap(token: str) -> bool:
    if _HYPHEN_PARTICLE.match(token):
        return True
    if not token or not token[0].isupper():
        return False
    if len(token) > 1 and token.isupper():
        return True
    return token.lower().rstrip(".") not in NOT_NAMES


def _surname_pronoun(text: str, m: re.Match[str]) -> bool:
    """'spokeswoman He Yadong': a capitalised 'He' inside a sentence, right after
    a lowercase word and before a capitalised one, is a Chinese family name."""
    if m.group() != "He" or not text[m.end() : m.end() + 2].strip()[:1].isupper():
        return False
    before = text[max(0, m.start() - 2) : m.start()]
    return len(before) == 2 and before[1] == " " and before[0].islower()


def _is_particle(token: str) -> bool:
    return token.lower() in NAME_PARTICLES


_NEXT_WORD = re.compile(r" ([A-Z][\w.]*)")


def _opens_place(token: str, text: str, end: int) -> bool:
    """'New' of 'New York Times': a word that starts no name starts a place's."""
    if not token[:1].isupper():
        return False
    m = _NEXT_WORD.match(text, end)
    return m is not None and f"{token.lower()} {m.group(1).lower().rstrip('.')}" in PLACES


def find_runs(text: str, base: int = 0) -> list[Run]:
    """Capitalised runs of `text`; offsets are shifted by `base`.

    A run stops at anything but a single space (commas, masked quotes, line
    breaks), after a possessive, and at a full stop that is not part of an
    abbreviation. Lowercase connectors ("of", "al-", "van") may sit inside.
    """
    runs: list[Run] = []
    tokens: list[str] = []
    pending: list[str] = []
    start = end = prev_end = 0

    def flush(possessive: bool = False) -> None:
        nonlocal tokens, pending
        if tokens:
            run = _trim(Run(base + start, base + end, tuple(tokens), possessive))
            if run.tokens:
                runs.append(run)
        tokens, pending = [], []

    for m in _TOKEN.finditer(text):
        raw = m.group()
        if not tokens and raw[0].islower() and "-" not in raw:
            if raw in LEADING_PARTICLES and text[m.end() : m.end() + 2][:1] == " ":
                nxt = text[m.end() + 1 : m.end() + 2]
                if nxt.isupper():
                    pending, start, prev_end = [raw], m.start(), m.end()
                    continue
            pending = []
            continue
        gap = text[prev_end : m.start()]
        if tokens and not pending and gap == " & ":
            pending.append("&")
        elif (tokens or pending) and (not gap or gap.strip(" ") or len(gap) > 40):
            flush()
        if len(tokens) == 1 and not pending and raw.isdigit() and len(raw) <= 3:
            after = text[m.end() : m.end() + 2]
            if after[:1] in ("", " ", ",", ".", ";", ")"):
                tokens.append(raw)
                end = prev_end = m.end()
                continue
        tok, possessive = _clean(raw)
        if possessive and (
            text[m.end() : m.end() + 1] in (",", ";", ")")
            or m.end() == len(text.rstrip())
            or _VERB_AFTER.match(text, m.end())
        ):
            tok, possessive = tok + raw[-2:], False
        prev_end = m.end()
        if _is_cap(tok) or _surname_pronoun(text, m) or _opens_place(tok, text, m.end()):
            if tokens and pending and not _joins(tokens, pending):
                flush()
            if not tokens and not pending:
                start = m.start()
            tokens.extend(pending)
            pending = []
            tokens.append(tok)
            end = m.end()
            if possessive or (raw.endswith(".") and not tok.endswith(".")):
                flush(possessive)
            continue
        if tokens and (tok.lower() in _CONNECTORS or _is_particle(tok)) and len(pending) < 2:
            pending.append(tok)
            continue
        flush()
    flush()
    return runs


_HEADING_WORD = re.compile(r"[^\W\d_][\w’'-]*")


def _is_heading(line: str) -> bool:
    """A headline or section heading: every word of four letters or more capitalised
    ('Black Lawmakers Rip Donald Trump …', 'OBAMA SEEKS MORE …'), so its capitals
    say nothing about which words are names."""
    long = [w for w in _HEADING_WORD.findall(line) if len(w) >= 4]
    return len(long) >= 3 and all(w[0].isupper() for w in long)


def _outside_headings(source: str, runs: list[Run]) -> list[Run]:
    """Runs of heading lines cut down to the names the body gives: a heading's run
    keeps the stretches that are a whole run of the body (or a body person's
    surname), spelt as the body spells them, with a given name just before one
    ('Hillary Clinton Goes After …' when the body says only 'Clinton'); the rest of
    it is dropped."""
    spans: list[tuple[int, int]] = []
    at = 0
    for line in source.split("\n"):
        if _is_heading(line):
            spans.append((at, at + len(line)))
        at += len(line) + 1
    if not spans:
        return runs

    def in_heading(run: Run) -> bool:
        return any(a <= run.start < b for a, b in spans)

    body: dict[tuple[str, ...], tuple[str, ...]] = {}
    for run in runs:
        if not in_heading(run):
            body.setdefault(tuple(t.lower() for t in run.tokens), run.tokens)
            if len(run.tokens) >= 2 and classify(run.tokens) == "person":
                body.setdefault((run.tokens[-1].lower(),), run.tokens[-1:])
    out: list[Run] = []
    for run in runs:
        if not in_heading(run):
            out.append(run)
            continue
        lows = [t.lower() for t in run.tokens]
        offsets: list[tuple[int, int]] = []
        pos = run.start
        for tok in run.tokens:
            found = source.find(tok, pos, run.end)
            found = pos if found < 0 else found
            offsets.append((found, found + len(tok)))
            pos = found + len(tok)
        i = 0
        while i < len(lows):
            for j in range(len(lows), i, -1):
                tokens = body.get(tuple(lows[i:j]))
                if tokens is not None:
                    out.append(Run(offsets[i][0], offsets[j - 1][1], tokens, False))
                    i = j
                    break
            else:
                surname = body.get(tuple(lows[i + 1 : i + 2]))
                if surname is not None and (lows[i] in MALE_NAMES or lows[i] in FEMALE_NAMES):
                    given = (run.tokens[i], *surname)
                    out.append(Run(offsets[i][0], offsets[i + 1][1], given, False))
                    i += 2
                    continue
                i += 1
    return out


def _joins(tokens: list[str], pending: list[str]) -> bool:
    """Whether 'of'/'and' joins two capitalised parts into one name:
    'Bank of England', 'U.S. Secretary of State', but not 'Jun Takahashi of Meridian'."""
    if any(_is_particle(p) for p in pending) and not any(
        p.lower() in ("of", "for") for p in pending
    ):
        return True
    first = tokens[0].lower()
    if pending == ["on"]:
        return tokens[-1].lower().rstrip(".") in ORG_HEADS
    if len(tokens) == 1 and first in ROLE_NOUNS and first not in ORG_HEADS | GENERIC_ORGS:
        return False
    last = tokens[-1].lower()
    if pending == ["and"] and len(tokens) >= 2 and last in TITLES | THING_WORDS | ORG_HEADS:
        return True
    if len(tokens) == 1 or tokens[-1].lower().rstrip(".") in ORG_HEADS:
        return True
    if pending == ["of"] and last in TITLES:
        return True
    _titles, name = split_titles(tuple(tokens))
    return not (len(name) >= 2 and classify(name) == "person")


def _trim(run: Run) -> Run:
    """Connectors off the end; an inverted verb of saying off the front ('Added Dawn
    Turner Trice, a columnist:'; not 'Said', also a given name)."""
    tokens = list(run.tokens)
    while tokens and tokens[-1].lower() in _CONNECTORS:
        tokens.pop()
    start = run.start
    while len(tokens) > 2 and tokens[0].lower() in SPEECH_VERBS and tokens[0] != "Said":
        start += len(tokens.pop(0)) + 1
    return Run(start, run.end, tuple(tokens), run.possessive)


def _looks_like_role(token: str, following: str) -> bool:
    """'Fisherman', 'Singer-songwriter', or 'Beekeeper' before a known first name."""
    low = token.lower()
    if low in MALE_NAMES or low in FEMALE_NAMES:
        return False
    if _ROLE_SUFFIX.search(low) or _LOWER_COMPOUND.match(token):
        return True
    if any(low.endswith(w) and len(low) > len(w) for w in _ROLE_ENDINGS):
        return True
    return bool(_AGENT_SUFFIX.search(low)) and following[:1].isupper()


def split_titles(tokens: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(titles, name) for a person's run: 'Energy Minister Tomasz Wierzbicki'.

    Everything up to the last title word that still leaves a name is title,
    so department words before a title ('Energy', 'Conservative') go too.
    """
    cut = 0
    for i, token in enumerate(tokens[: min(len(tokens) - 1, 5)]):
        low = token.lower().rstrip(".")
        first_name = low in MALE_NAMES or low in FEMALE_NAMES
        title = low in TITLES and not (low in DEMONYMS and first_name)
        if tokens[i + 1].lower() in _CONNECTORS:
            continue
        if title or (len(tokens) - i >= 3 and _looks_like_role(token, tokens[i + 1])):
            cut = i + 1
    return tuple(t.lower().rstrip(".") for t in tokens[:cut]), tokens[cut:]


def classify(tokens: tuple[str, ...]) -> str:
    lows = [t.lower().rstrip(".") for t in tokens]
    if any(
        low in ORG_HEADS and (low not in ACRONYM_HEADS or t.isupper())
        for t, low in zip(tokens, lows, strict=True)
    ):
        return "org"
    if len(tokens) == 1 and tokens[0].isupper() and len(tokens[0]) > 1:
        return "org"
    if "&" in lows:
        return "org"
    if "and" in lows:
        return "thing"
    east_asian = (
        len(tokens) in (2, 3)
        and _EAST_ASIAN_GIVEN.fullmatch(tokens[-1]) is not None
        and not any(t in THING_WORDS for t in lows[1:])
    )
    if (
        any(t in THING_WORDS for t in lows)
        and not (len(lows) >= 2 and (lows[0] in MALE_NAMES or lows[0] in FEMALE_NAMES))
        and not east_asian
    ):
        return "thing"
    if any(ch.isdigit() for t in tokens for ch in t):
        return "thing"
    return "person"


def describes(tokens: tuple[str, ...]) -> bool:
    """'the Kentucky Republican', 'the Market Strategist': a capitalised run after
    'the' that ends in a title, party or nationality noun, or a job word ('-ist',
    '-ian', '-man'), or a title after a place ('the Texas Senator'; not 'the Evening
    Star'), holds no given name and names no organisation, describes
    someone named elsewhere; it is not a name."""
    if len(tokens) < 2 or classify(tokens) == "org":
        return False
    lows = [t.lower().rstrip(".") for t in tokens]
    if any(low in MALE_NAMES or low in FEMALE_NAMES for low in lows):
        return False
    if lows[-1] in DEMONYMS or re.search(r"...(?:ist|ian|man|woman)$", lows[-1]):
        return True
    return lows[-1] in TITLES and " ".join(lows[:-1]) in PLACES


def _surnames(name: str) -> list[str]:
    """Every part a later mention may use alone: 'Ramírez' and 'Fuente' of
    'Iker Ramírez de la Fuente', 'Martínez' of 'José Luis Martínez Ortega'."""
    parts = name.split()
    out = [_surname(name)]
    for part in parts[1:-1]:
        low = part.lower()
        if low not in NAME_PARTICLES and low not in out and part[:1].isupper():
            out.append(low)
    return out


def _surname(name: str) -> str:
    last = name.split()[-1].lower()
    for prefix in ("al-", "el-", "bin-"):
        if last.startswith(prefix):
            return last[len(prefix) :]
    return last


class Registry:
    """People and organisations of one article, with their mentions in order."""

    def __init__(self) -> None:
        self.entities: dict[str, Entity] = {}
        self.mentions: list[Mention] = []
        self._starts: list[int] = []
        self._by_surname: dict[str, list[str]] = {}
        self._positions: dict[str, list[int]] = {}
        self._by_first: dict[str, list[str]] = {}
        self._outside = ""
        self._acronyms: dict[str, str] | None = None
        self._org_first: dict[str, str] = {}
        self._sentence_starts: list[int] = []
        self._lower_words: frozenset[str] | None = None

    @classmethod
    def build(
        cls, outside: str, full: str = "", sentence_starts: list[int] | None = None
    ) -> Registry:
        """`outside` is the article with quoted text masked (same offsets).

        Names in `full` (the unmasked text) count towards a person's fullest
        name but are not mentions: "I told Carla Brennan…" inside a quote lets a
        later "Brennan said" become "Carla Brennan".
        """
        reg = cls()
        reg._outside = outside
        reg._sentence_starts = [
            s
            for s in sentence_starts or []
            if s < 2 or outside[s - 1] == "\n" or outside[s - 2] != MASK or outside[s] != MASK
        ] or [m.end() for m in re.finditer(r"[.!?][”\"’']?\s+|\n", outside)]
        all_runs = find_runs(_NICKNAME.sub(lambda m: " " * len(m.group()), full or outside))
        source = full or outside
        all_runs = [
            r
            for r in all_runs
            if not (source[max(0, r.start - 4) : r.start].lower() == "the " and describes(r.tokens))
        ]
        all_runs = _outside_headings(source, all_runs)
        for run in all_runs:
            titles, name = split_titles(run.tokens)
            if len(name) >= 2 and classify(name) == "person":
                reg._add_entity(" ".join(name).lower(), " ".join(name), "person")
        persons: list[tuple[Run, tuple[str, ...], tuple[str, ...]]] = []
        org_first = reg._org_first
        known_surnames = {_surname(e.name) for e in reg.entities.values()}
        for run in all_runs:
            if outside[run.start] == MASK or outside[run.end - 1] == MASK:
                continue
            titles, name = split_titles(run.tokens)
            kind = classify(name if titles and len(name) >= 2 else run.tokens)
            if all(t.lower().rstrip(".") in TITLES for t in run.tokens):
                continue
            before = outside[max(0, run.start - 4) : run.start].lower()
            if len(run.tokens) == 1 and before == "the " and run.tokens[0].endswith("man"):
                continue
            prev = outside[max(0, run.start - 30) : run.start].split()
            org_noun = bool(prev) and _is_org_noun(prev[-1].lower())
            if len(prev) >= 2 and prev[-1].endswith(",") and prev[-2].lower() == "the":
                org_noun = org_noun or _is_org_noun(prev[-1].rstrip(",").lower())
            follow = None if run.possessive else _NOUN_AFTER.match(outside, run.end)
            noun_after = follow.group(1) if follow and _is_org_noun(follow.group(1)) else ""
            suffix = ""
            if prev and prev[-1] == "the" and noun_after and kind == "person":
                kind, suffix = "org", f" {noun_after}"
            elif prev and (org_noun or (prev[-1] == "the" and not (titles and len(name) >= 2))):
                modifier = len(run.tokens) == 1 and run.tokens[0].lower() in known_surnames
                if not (modifier and prev[-1] == "the" and follow is not None):
                    kind = "org" if kind == "person" or prev[-1] != "the" else kind
            if noun_after and kind != "org" and len(run.tokens) == 1:
                kind, suffix = "org", f" {noun_after}"
            if kind == "thing":
                reg._coordinated(run)
            if kind == "thing" and _SPEAKS.match(outside, run.end, run.end + 140):
                lows = {t.lower() for t in run.tokens}
                if lows & {"and", "&"} and run.tokens[-1].lower() not in THING_WORDS:
                    kind = "org"
            known = reg.entities.get(" ".join(run.tokens).lower())
            if known is None and len(run.tokens) == 1:
                known = reg.entities.get(org_first.get(run.tokens[0].lower(), ""))
            if known is not None and known.kind == "org":
                kind = "org"
            if kind == "org" and known is not None and known.kind == "org":
                reg._mention(Mention(run.start, run.end, "org", known.key, False))
                continue
            if kind == "org":
                name = " ".join(run.tokens) + suffix
                name = name[4:] if name.lower().startswith("the ") else name
                reg._add_entity(name.lower(), name, "org")
                if not suffix:
                    org_first.setdefault(name.split()[0].lower(), name.lower())
                if org_noun:
                    reg.entities[name.lower()].roles.add(prev[-1].lower())
                if noun_after:
                    reg.entities[name.lower()].roles.add(noun_after)
                reg._mention(Mention(run.start, run.end, "org", name.lower(), False))
            elif kind == "person":
                if len(run.tokens) == 1 and run.tokens[0].lower().rstrip(".") in TITLES:
                    continue
                modifier = _MODIFIER.match(outside, run.end)
                if modifier and all(w in _ROLE_VOCAB for w in modifier.group(1).split()):
                    continue
                if prev and prev[-1].lower() in PLACE_PREPOSITIONS:
                    continue
                persons.append((run, titles, name))
                if len(name) >= 2:
                    full = " ".join(name)
                    reg._add_entity(full.lower(), full, "person")
        for key, entity in reg.entities.items():
            if entity.kind == "person":
                for part in _surnames(entity.name):
                    reg._by_surname.setdefault(part, []).append(key)
                reg._by_first.setdefault(key.split()[0], []).append(key)
        for run, titles, name in persons:
            full = " ".join(name)
            key = reg._person_key(full, run.start)
            if key is None:
                if not titles and not _introduced(outside, run):
                    if _speaking_body(outside, run, name):
                        reg._add_entity(full.lower(), full, "org")
                        reg._mention(Mention(run.start, run.end, "org", full.lower(), True))
                        continue
                    if not _lone_subject(outside, run, name):
                        continue
                key = full.lower()
                reg._add_entity(key, full, "person")
                reg._by_surname.setdefault(_surname(full), []).append(key)
            subject = _is_subject(outside, run)
            reg._mention(Mention(run.start, run.end, "person", key, subject, titles))
            reg._gender_cues(reg.entities[key], titles, name, outside, run)
            if " ".join(name).lower() in PLACES and key == full.lower():
                reg.entities[key].neuter += 4
        for m in _UNNAMED.finditer(outside):
            phrase = " ".join(m.group("np").lower().split())
            key = f"{phrase}@{m.start('np')}"
            reg._add_entity(key, phrase, "person")
            noun = m.group("noun").lower()
            reg.entities[key].female += 2 * (noun in FEMALE_WORDS)
            reg.entities[key].male += 2 * (noun in MALE_WORDS)
            reg._mention(Mention(m.start("np"), m.end("np"), "person", key, True, speaks=True))
        for m in _RELATIVE.finditer(outside):
            phrase = " ".join(m.group().lower().split())
            reg._add_entity(phrase, phrase, "person")
            noun = (m.group("noun") or m.group("role")).lower()
            reg.entities[phrase].roles.add(noun)
            reg.entities[phrase].female += 2 * (noun in FEMALE_WORDS)
            reg.entities[phrase].male += 2 * (noun in MALE_WORDS)
            reg._mention(Mention(m.start(), m.end(), "person", phrase, _is_subject(outside, m)))
        for m in _SPOKESPERSON.finditer(outside):
            org = " ".join(m.group("org").split())
            key = f"{m.group('role').lower()} for {org.lower()}"
            reg._add_entity(key, org, "person")
            entity = reg.entities[key]
            entity.roles.add(m.group("role").lower())
            entity.female += 2 * (m.group("role").lower() in FEMALE_WORDS)
            entity.male += 2 * (m.group("role").lower() in MALE_WORDS)
            reg._mention(Mention(m.start(), m.end(), "person", key, _is_subject(outside, m)))
        reg.mentions.sort(key=lambda m: m.start)
        reg._merge_unnamed()
        reg._starts = [m.start for m in reg.mentions]
        reg._pronoun_cues(outside)
        return reg

    def _coordinated(self, run: Run) -> None:
        """'Nadim and Tanya Ednan-Laperouse': two people who share a surname."""
        tokens = run.tokens
        if len(tokens) != 4 or tokens[1].lower() != "and":
            return
        name = tokens[2:]
        if classify(name) != "person" or classify(tokens[:1]) != "person":
            return
        for full in (" ".join(name), f"{tokens[0]} {tokens[3]}"):
            self._add_entity(full.lower(), full, "person")
            self._mention(Mention(run.start, run.end, "person", full.lower(), False))

    def _merge_unnamed(self) -> None:
        """'A witness told the court…' and later 'The witness, Carol Brennan,' are one
        person: an unnamed mention takes the named person the article later
        introduces with the same noun and a definite article."""
        for i, m in enumerate(self.mentions):
            if "@" not in m.key:
                continue
            noun = re.escape(self.entities[m.key].name.split()[-1])
            intro = re.compile(rf"\b[Tt]he\s+(?:[\w-]+\s+)?{noun},?\s*$")
            for later in self.mentions[i + 1 : i + 30]:
                if (
                    later.kind == "person"
                    and "@" not in later.key
                    and intro.search(self._outside, max(0, later.start - 40), later.start)
                ):
                    m.key = later.key
                    break

    def _mention(self, mention: Mention) -> None:
        self.mentions.append(mention)
        self._positions.setdefault(mention.key, []).append(mention.start)

    def _add_entity(self, key: str, name: str, kind: str) -> None:
        if key not in self.entities:
            self.entities[key] = Entity(key, name, kind)

    def _person_key(self, name: str, offset: int) -> str | None:
        """The entity a (possibly partial) name refers to: the fullest match.

        Among people sharing the surname, names that are part of a longer one
        ('John Smith' of 'John A. Smith') give way to it; then the one
        mentioned most recently before `offset` wins.
        """
        parts = {p.lower() for p in name.split()}
        if not parts:
            return None
        candidates = [
            key
            for key in self._by_surname.get(_surname(name), [])
            if len(parts) == 1 or parts <= set(key.split())
        ]
        if len(candidates) <= 30:
            candidates = [
                key
                for key in candidates
                if not any(set(key.split()) < set(other.split()) for other in candidates)
            ]
        if len(parts) == 1 and all(self._last_before(k, offset) < 0 for k in candidates):
            # no one of that surname named yet: a given name alone, or a family name
            # written first ('Kim' of 'Kim Jong Un'), for someone named before
            candidates = [*candidates, *self._by_first.get(next(iter(parts)), [])]
        best: str | None = None
        best_score: tuple[int, int] = (-2, -1)
        for key in candidates:
            score = (self._last_before(key, offset), len(key))
            if score > best_score:
                best, best_score = key, score
        return best

    def _last_before(self, key: str, offset: int) -> int:
        starts = self._positions.get(key, [])
        i = bisect.bisect_left(starts, offset)
        return starts[i - 1] if i else -1

    def _gender_cues(
        self,
        entity: Entity,
        titles: tuple[str, ...],
        name: tuple[str, ...],
        outside: str,
        run: Run,
    ) -> None:
        before = re.split(r"[.;:!?\n\u2016]", outside[max(0, run.start - 60) : run.start])[-1]
        after = outside[run.end : run.end + 80]
        appos = ""
        if re.match(r", (?:the |a |an |who |\d)", after):
            appos = re.split(r"[,.;\n\u2016]", after[2:])[0].lower()
        before_words = [w.strip(",") for w in before.lower().split()]
        if before_words and before_words[-1] in ORG_NOUNS and not before.endswith(", "):
            entity.neuter += 2
        if after.startswith((", which", " which")):
            entity.neuter += 2
        if before_words and before_words[-1] in _PREPOSITIONS:
            before_words = []
        role_words: set[str] = set()
        for w in reversed(before_words[-3:]):
            if w not in _ROLE_VOCAB:
                break
            role_words.add(w)
        lead_in = re.sub(r"(?<=, )the $", "", before)
        if lead_in.endswith(", ") and not role_words:
            described = lead_in[:-2].rsplit(",", 1)[-1].lower().split()
            if 0 < len(described) <= 7:
                role_words = {w.strip("’'") for w in described if w.strip("’'") in _ROLE_VOCAB}
        words = set(titles) | role_words | {w for w in appos.split() if w in _ROLE_VOCAB}
        if appos.strip().isdigit():
            entity.roles.add(f"{appos.strip()}-year-old")
        entity.roles |= {w for w in words if w.isalpha()}
        entity.male += 2 * len(words & MALE_WORDS)
        entity.female += 2 * len(words & FEMALE_WORDS)
        first = name[0].lower().split("-")[0] if len(name) >= 2 else ""
        if first in MALE_NAMES and first not in FEMALE_NAMES:
            entity.male += 2
        elif first in FEMALE_NAMES and first not in MALE_NAMES:
            entity.female += 2

    def _pronoun_cues(self, outside: str) -> None:
        """The first pronoun after a name, before the sentence ends or another
        mention, is a vote for that name's gender ('it' for an organisation)."""
        for i, m in enumerate(self.mentions):
            later = (n for n in self.mentions[i + 1 :] if n.kind == "person")
            stop = next((n.start for n in later), len(outside))
            window = outside[m.end : min(stop, m.end + 160)]
            cut = re.search(r"[.!?]\s|\n", window)
            m.speaks = bool(_SPEAKS.match(outside, m.end, m.end + 140))
            if cut:
                window = window[: cut.start()]
            pm = _PRONOUN.search(window)
            if not pm:
                continue
            entity = self.entities[m.key]
            word = pm.group().lower()
            lead = re.split(r"[.!?]\s|\n", outside[max(0, m.start - 60) : m.start])[-1].lower()
            if re.search(r"\bher\b" if word in ("she", "herself") else r"\bhis\b", lead):
                continue
            if word in ("he", "his", "him", "himself"):
                entity.male += 1
            elif word in ("it", "its"):
                if len(window[: pm.start()].split()) > 3 or m.titles:
                    continue
                entity.neuter += 1
            else:
                entity.female += 1

    def resolve_name(self, tokens: tuple[str, ...], offset: int) -> str:
        """The fullest name of the person or organisation a run names."""
        if len(tokens) == 1 and tokens[0].isupper() and len(tokens[0]) > 1:
            if self._acronyms is None:
                self._acronyms = {
                    _initials(e.name): e.name for e in self.entities.values() if e.kind == "org"
                }
            if tokens[0] in self._acronyms:
                return self._acronyms[tokens[0]]
            loose = [name for full, name in self._acronyms.items() if _abbreviates(tokens[0], full)]
            if len(loose) == 1:
                return loose[0]
        titles, name = split_titles(tokens)
        headed = len(tokens) > 2 and tokens[0].lower() in ORG_HEADS and tokens[1] in ("for", "of")
        headed = headed or (bool(titles) and " ".join(name).lower() in PLACES)
        if headed or classify(name if titles and len(name) >= 2 else tokens) == "org":
            text = " ".join(tokens)
            return text[4:] if text.lower().startswith("the ") else text
        text = " ".join(name)
        org = self.entities.get(text.lower())
        if org is not None and org.kind == "org":
            return org.name
        key = self._person_key(text, offset)
        if key is None and len(name) == 1:
            return self._org_named(text) or text
        return self.entities[key].name if key else text

    def stray_word(self, tokens: tuple[str, ...], resolved: str, offset: int) -> bool:
        """'Nowadays', 'Thousands of protesters', 'Hospital officials said', "They're":
        one capitalised word opening a sentence that names no one the article knows,
        and that the article also writes in lowercase (or a contraction), is a word."""
        if len(tokens) != 1 or resolved != tokens[0]:
            return False
        word = tokens[0]
        if _CONTRACTION.search(word):
            return True
        before = self._outside[max(0, offset - 3) : offset].rstrip(" ")
        if before and before[-1] not in '\n.!?”"' + MASK:
            return False
        if self._lower_words is None:
            self._lower_words = frozenset(_LOWER_WORD.findall(self._outside))
        return word.lower() in self._lower_words

    def resolve_pronoun(
        self, pronoun: str, offset: int, last_speaker: str | None = None
    ) -> str | None:
        """The person (he/she) or organisation (it/they) a pronoun points back to.

        Among the last few people mentioned outside quotes, a matching gender
        counts most, then recency, then being a sentence's subject or the
        subject of a speech verb, then having spoken last.
        """
        low = pronoun.lower()
        if low == "you":
            return self._interviewee()
        i = bisect.bisect_left(self._starts, offset)
        recent = reversed(self.mentions[max(0, i - 60) : i])
        if low not in ("he", "she"):
            for m in recent:
                entity = self.entities[m.key]
                if m.kind == "org" or entity.gender == "n":
                    return entity.name
            return None
        want = "m" if low == "he" else "f"
        seen: list[str] = []
        best: tuple[float, str] | None = None
        latest_speaker = True
        here = self._sentence_of(offset)
        for m in recent:
            entity = self.entities[m.key]
            if m.kind != "person" or entity.gender == "n" or m.key in seen:
                continue
            seen.append(m.key)
            gender = entity.gender
            if gender and gender != want:
                continue
            score = -0.5 * (len(seen) - 1)
            score += 4.0 if gender == want else 0.0
            score += 1.5 if m.subject else 0.0
            score += 1.0 if m.speaks else 0.0
            if m.speaks and latest_speaker and here - self._sentence_of(m.start) <= 1:
                score += 2.0
            latest_speaker = latest_speaker and not m.speaks
            score += 0.5 if entity.name == last_speaker else 0.0
            if best is None or score > best[0]:
                best = (score, entity.name)
            if len(seen) >= 6:
                break
        return best[1] if best else None

    def _interviewee(self) -> str | None:
        """Whom an interviewer's 'you' addresses: the person the article names most
        (at least three mentions), else no one."""
        counts: dict[str, int] = {}
        for m in self.mentions:
            if m.kind == "person" and "@" not in m.key:
                counts[m.key] = counts.get(m.key, 0) + 1
        best = max(counts, key=counts.__getitem__, default=None)
        return self.entities[best].name if best is not None and counts[best] >= 3 else None

    def compatible(self, name: str, pronoun: str, strict: bool = False) -> bool:
        """Whether `pronoun` can stand for the person or organisation `name`
        (with `strict`, a he or she only for a person known to be one)."""
        entity = self.entities.get(name.lower())
        low = pronoun.lower()
        if entity is None:
            described = name.split(" ", 1)[0] in ("a", "an", "the", "one")
            return (described and not strict) or low not in ("he", "she")
        if low in ("he", "she"):
            want = "m" if low == "he" else "f"
            allowed = (want,) if strict else (None, want)
            return entity.kind == "person" and entity.gender in allowed
        return entity.kind == "org" or entity.gender == "n" or _maybe_org(entity)

    def resolve_role(
        self, head: str, offset: int, definite: bool = False, phrase: str = ""
    ) -> str | None:
        """'the ministry' → 'Ministry of Health'; 'the coach' → the person so described;
        'the company' → the organisation mentioned last. With `definite` ('the
        fly-half'), a person noun no one was described by means someone named
        just before. A nationality in `phrase` ('the Vietnamese leader') rules
        out people described by another one; 'a spokeswoman' with no
        organisation named speaks for the one named in the last sentences."""
        head = head.lower()
        if phrase.lower().startswith("one "):
            return self._described(head, offset)
        nations = DEMONYMS.intersection(phrase.lower().split())
        heads = {head, *ROLE_SYNONYMS.get(head, ())}
        i = bisect.bisect_left(self._starts, offset)
        ordered = [*reversed(self.mentions[max(0, i - 200) : i]), *self.mentions[i : i + 50]]
        for m in ordered:
            entity = self.entities[m.key]
            if m.kind == "org" and heads & {entity.key.split()[-1], *entity.roles}:
                return entity.name
        for m in ordered:
            entity = self.entities[m.key]
            if m.kind == "org" and heads & set(entity.key.split()):
                return entity.name
        person_heads = {head, *PERSON_ROLE_SYNONYMS.get(head, ())}
        here = self._sentence_of(offset)
        for m in ordered:
            entity = self.entities[m.key]
            if m.kind != "person" or not person_heads & entity.roles:
                continue
            if m.start > offset and self._sentence_of(m.start) - here > 1:
                continue
            if nations and DEMONYMS & entity.roles and not nations & entity.roles:
                continue
            if not _RANK_WORDS.intersection(phrase.lower().split()) <= entity.roles:
                continue
            return entity.name
        if head in GENERIC_ORGS:
            recent = self.mentions[max(0, i - 200) : i]
            here = self._sentence_of(offset)
            for m in reversed(recent):
                entity = self.entities[m.key]
                if m.kind == "org" or entity.gender == "n":
                    return entity.name
                if m.subject and here - self._sentence_of(m.start) <= 1 and _maybe_org(entity):
                    return entity.name
            for m in reversed(recent):
                if _maybe_org(self.entities[m.key]):
                    return self.entities[m.key].name
        if head not in GENERIC_ORGS and _is_org_noun(head) and definite:
            here = self._sentence_of(offset)
            for m in reversed(self.mentions[max(0, i - 20) : i]):
                if here - self._sentence_of(m.start) > 1:
                    break
                entity = self.entities[m.key]
                if m.subject and (m.kind == "org" or _maybe_org(entity, roles=True)):
                    return entity.name
        described = self._described(head, offset)
        if described is None and head in _SPOKES_HEADS:
            here = self._sentence_of(offset)
            for m in reversed(self.mentions[max(0, i - 8) : i]):
                if here - self._sentence_of(m.start) > 2:
                    break
                entity = self.entities[m.key]
                if m.kind == "org" or entity.gender == "n" or _maybe_org(entity, roles=True):
                    return entity.name
        person_role = head in TITLES or (
            head in ROLE_NOUNS
            and head not in GENERIC_ORGS
            and head not in ORG_HEADS
            and head not in DOCUMENTS
        )
        unknown_person = (
            definite
            and head not in _NOT_PERSON_HEADS
            and not _is_org_noun(head)
            and (not head.endswith("s") or head.endswith("ss"))
        )
        ranks = _RANK_WORDS.intersection(phrase.lower().split())
        if described is not None and not ranks <= set(described.lower().split()):
            described = None
        indefinite = phrase.split(" ", 1)[0].lower() in ("a", "an", "one")
        if indefinite or ranks or described is not None:
            return described
        if person_role or head.endswith("-year-old") or unknown_person:
            local = self._local_person(i, offset)
            if local is not None:
                return local
            for m in reversed(self.mentions[max(0, i - 4) : i]):
                if m.kind == "person" and (m.subject or m.speaks):
                    return self.entities[m.key].name
            for m in reversed(self.mentions[max(0, i - 2) : i]):
                if m.kind == "person" and "@" not in m.key:
                    return self.entities[m.key].name
        return described

    def _local_person(self, i: int, offset: int) -> str | None:
        """The person a role noun most likely means when no one was described so:
        among those named in the sentence of the quote or the one before it,
        a subject or speaker first, then the nearest ('The strike came from
        midfielder Ola Adeyemi. “…,” the 17-year-old said.')."""
        here = self._sentence_of(offset)
        best: tuple[float, str] | None = None
        for rank, m in enumerate(reversed(self.mentions[max(0, i - 8) : i])):
            if here - self._sentence_of(m.start) > 1:
                break
            if m.kind != "person" or "@" in m.key:
                continue
            score = (1.5 if m.subject else 0.0) + (1.0 if m.speaks else 0.0) - 0.3 * rank
            if best is None or score > best[0]:
                best = (score, self.entities[m.key].name)
        return best[1] if best else None

    def _sentence_of(self, offset: int) -> int:
        return bisect.bisect_right(self._sentence_starts, offset)

    def _org_named(self, name: str) -> str | None:
        """The organisation called `name` or known by its first word."""
        key = name.lower()
        keys = [key, self._org_first.get(key, ""), *self._by_first.get(key, [])]
        for candidate in keys:
            entity = self.entities.get(candidate)
            if entity is not None and (entity.kind == "org" or _maybe_org(entity)):
                return entity.name
        return None

    def _apposed(self, end: int) -> str | None:
        """The person a description introduces: 'Israel's ambassador to Ireland,
        Dana Erlich-Rosen,' → Dana Erlich-Rosen."""
        m = _APPOSED.match(self._outside, end)
        if m is None:
            return None
        i = bisect.bisect_left(self._starts, m.end())
        if i < len(self.mentions) and self.mentions[i].start == m.end():
            mention = self.mentions[i]
            if mention.kind == "person" and "@" not in mention.key:
                return self.entities[mention.key].name
        return None

    def _described(self, head: str, offset: int) -> str | None:
        """The fullest description of an unnamed source used earlier: 'the
        authority' after 'the harbour authority said…'; 'the source' after 'a
        source close to the chancellor'; 'the spokesman' after 'Mr Salo's
        spokesman'."""
        if not head.isalpha():
            return None
        window = self._outside[max(0, offset - 3000) : offset]
        pattern = re.compile(
            rf"\b(?:(?P<det>[Tt]he|[Aa]n?|[Oo]ne)|(?P<owner>[A-Z][\w’'.-]*"
            rf"(?: [A-Z][\w’'-]*){{0,2}}['’]s)) (?P<mods>(?:[a-z-]+ |[A-Z][\w.-]* ){{0,3}}){head}\b"
            r"(?P<qual> (?:close to|familiar with|for|at|from|of|to|[a-z]+ed (?:on|in|with|by|to))"
            r" (?:the |a )?(?!(?:the|a|an) )[a-z][\w-]*"
            r"(?: (?:of|in) (?:the |a )?[A-Za-z][\w-]*| [a-z][\w-]*)?)?"
        )
        found = None
        for m in pattern.finditer(window):
            mods = re.sub(r"\bof (?=[A-Z])", "", m.group("mods"))
            if _MOD_STOPS.intersection(mods.lower().split()):
                continue
            if _epithet(m, head):
                continue
            if m.group("owner") or m.group("mods") or m.group("qual"):
                found = m
        if found is None:
            return None
        named = None if found.group("qual") else self._apposed(max(0, offset - 3000) + found.end())
        if named is not None:
            return named
        owner = found.group("owner")
        if owner:
            org = self._org_named(re.sub(r"['’]s$", "", owner))
            if org is not None:
                return org
        words = found.group().split()
        while words and (words[-1] in _MOD_STOPS or words[-1] in _TRAILING):
            words.pop()
        phrase = " ".join(words)
        return phrase[0].lower() + phrase[1:] if found.group("det") else phrase


def _epithet(m: re.Match[str], head: str) -> bool:
    """'The Ballymena-born actor said', 'the Oscar-nominated actor': a definite
    description of a person with a compound modifier points back to someone
    already named; it introduces no unnamed source for later mentions."""
    return (
        (m.group("det") or "").lower() == "the"
        and not m.group("owner")
        and not m.group("qual")
        and "-" in m.group("mods")
        and not m.group("mods").strip().endswith("-year-old")
        and not _is_org_noun(head)
    )


def _maybe_org(entity: Entity, roles: bool = False) -> bool:
    """A capitalised name with no sign of being a person ('Lakeside Water'):
    no gender, no title or role (unless `roles`: 'Pendleton Homes, the
    landlord,'), not a known first name."""
    first = entity.name.split()[0].lower()
    return (
        entity.kind == "person"
        and entity.gender is None
        and (roles or not entity.roles)
        and "@" not in entity.key
        and entity.name[:1].isupper()
        and first not in MALE_NAMES
        and first not in FEMALE_NAMES
    )


def _is_org_noun(word: str) -> bool:
    """'union Aslef', 'the carmaker Velora', 'the social network Chatterly'."""
    return word in ORG_NOUNS or word in ORG_HEADS or word.endswith(("maker", "firm", "group"))


def _speaking_body(outside: str, run: Run, name: tuple[str, ...]) -> bool:
    """'Ofsted said inspectors had …': a lone capitalised word that no one was
    named by, opening a sentence as the subject of a verb of saying, is a body."""
    if len(name) != 1 or (given := name[0].lower()) in MALE_NAMES or given in FEMALE_NAMES:
        return False
    return _opens_sentence(outside, run) and bool(_SPEAKS.match(outside, run.end, run.end + 140))


_PAST_VERBS = frozenset(
    re.findall(
        r"\w+",
        "spoke took made said told went came gave saw ran won lost left wrote met sat stood "
        "held kept got put set began became felt knew thought had was is has will would",
    )
)


def _opens_sentence(outside: str, run: Run) -> bool:
    before = outside[max(0, run.start - 3) : run.start].rstrip(" ")
    return not before or before.endswith("\n") or before[-1:] in '.!?”"'


def _lone_subject(outside: str, run: Run, name: tuple[str, ...]) -> bool:
    """'Holt spoke for an hour.': a surname alone, never given in full, opening its
    sentence before a lowercase verb, is a person a later 'he' or 'she' may mean."""
    if len(name) != 1 or name[0].lower() in PLACES or not name[0][1:].islower():
        return False
    if not _opens_sentence(outside, run) or name[0].lower().endswith("ing"):
        return False
    verb = re.match(r" ([a-z]+)\b", outside[run.end : run.end + 30])
    word = verb.group(1) if verb else ""
    if _plural_noun(word):
        return False
    return word in _PAST_VERBS or (word.endswith(("ed", "s")) and not word.endswith("ss"))


def _plural_noun(word: str) -> bool:
    """'World leaders expressed …', 'Union officials said': a plural person noun after
    a capitalised word makes that word a modifier, not a name before its verb."""
    if not word.endswith("s") or word.endswith("ss"):
        return False
    stem = word[:-1]
    return word in _ROLE_VOCAB or stem in _ROLE_VOCAB or stem.endswith(_ROLE_ENDINGS)


def _introduced(outside: str, run: Run) -> bool:
    """A lone name introduced by a role: 'her grandson, Callum,' or 'striker Ade'."""
    before = outside[max(0, run.start - 30) : run.start]
    words = re.findall(r"[a-z-]+", before.lower())
    if not words or not before.rstrip(" ,").endswith(words[-1]):
        return False
    return words[-1] in RELATIVES or words[-1] in TITLES


def _abbreviates(acronym: str, initials: str) -> bool:
    """'ECB' for 'England and Wales Cricket Board' (initials EWCB): an acronym of
    three letters or more may skip inner words but keeps the first and last."""
    if len(acronym) < 3 or len(initials) <= len(acronym):
        return False
    if acronym[0] != initials[0] or acronym[-1] != initials[-1]:
        return False
    rest = iter(initials[1:-1])
    return all(ch in rest for ch in acronym[1:-1])


def _initials(name: str) -> str:
    """'World Health Organization' → 'WHO' (small words skipped)."""
    return "".join(w[0] for w in name.split() if w[0].isupper())


def _is_subject(outside: str, run: Run | re.Match[str]) -> bool:
    """At the start of its sentence, or after a short opening appositive
    ('Her daughter, Kerry Vale, runs…')."""
    start = run.start if isinstance(run, Run) else run.start()
    before = outside[max(0, start - 60) : start]
    clause = re.split(r"[.!?\u2016]\s|\n", " " + before)[-1]
    if not clause.strip():
        return not before.rstrip(" ").endswith(MASK)
    words = clause.split()
    if len(words) <= 3 and "," not in clause:
        return all(w[0].isupper() or w.lower() in TITLES for w in words)
    if _FRONTED.match(clause) and clause.count(",") == 1 and len(words) <= 10:
        return True
    return (
        clause.endswith(", ")
        and 2 <= len(words) <= 4
        and clause.count(",") == 1
        and clause.split(",")[0].strip()[:1].isalpha()
    )
