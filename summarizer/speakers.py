"""Who is who in an article: names, organisations and pronouns to speakers.

The article's text outside quotes is scanned once for capitalised runs
("Prime Minister Haider al-Abadi", "Ministry of Health"). Each run becomes a
mention of a person, an organisation or a thing (places, events, laws). People
are keyed by the fullest name the article gives them, so a later "al-Abadi" or
"Mr Smith" resolves to it. Gender comes from cues the article itself gives
(Mr/Mrs, spokeswoman, a pronoun right after the name, a common first name),
and pronouns resolve to the most recent compatible person, with a bonus for
the subject of a sentence and the last speaker. Names inside quotes are never
mentions: a person talked about in a quote is not who speaks next.

    >>> registry = Registry.build(text_outside_quotes)
    >>> registry.resolve_name("al-Abadi", offset)
    'Haider al-Abadi'
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from summarizer.speaker_words import (
    FEMALE_NAMES,
    FEMALE_WORDS,
    MALE_NAMES,
    MALE_WORDS,
    NAME_PARTICLES,
    NOT_NAMES,
    ORG_HEADS,
    PLACE_PREPOSITIONS,
    THING_WORDS,
    TITLES,
)

_TOKEN = re.compile(r"[^\W\d_][\w’'.&-]*|\d[\w.,]*")
_PRONOUN = re.compile(r"\b(he|she|his|her|him|himself|herself)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?][”\"’']?\s*$")
_HYPHEN_PARTICLE = re.compile(r"(?:al|el|bin|ibn|abu|ul|ben)-[A-Z]")
_CONNECTORS = {"of", "for", "and", "&", "the", "on"}


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    kind: str  # person | org | thing
    key: str
    subject: bool
    titles: tuple[str, ...] = ()


@dataclass(slots=True)
class Entity:
    key: str
    name: str
    kind: str
    male: int = 0
    female: int = 0
    roles: set[str] = field(default_factory=set)

    @property
    def gender(self) -> str | None:
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
        token, possessive = token[:-1], True
    if token.endswith("."):
        bare = token[:-1]
        if not (bare.lower() in TITLES or len(bare) == 1 or "." in bare):
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


def _is_particle(token: str) -> bool:
    return token.lower() in NAME_PARTICLES


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
        tok, possessive = _clean(raw)
        if (tokens or pending) and text[prev_end : m.start()] != " ":
            flush()
        prev_end = m.end()
        if _is_cap(tok):
            if not tokens:
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


def _trim(run: Run) -> Run:
    tokens = list(run.tokens)
    while tokens and tokens[-1].lower() in _CONNECTORS:
        tokens.pop()
    return Run(run.start, run.end, tuple(tokens), run.possessive)


def split_titles(tokens: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(titles, name) for a person's run: 'Prime Minister Haider al-Abadi'."""
    i = 0
    while i < len(tokens) - 1 and tokens[i].lower().rstrip(".") in TITLES:
        i += 1
    return tuple(t.lower().rstrip(".") for t in tokens[:i]), tokens[i:]


def classify(tokens: tuple[str, ...]) -> str:
    lows = [t.lower().rstrip(".") for t in tokens]
    if any(t in ORG_HEADS for t in lows):
        return "org"
    if len(tokens) == 1 and tokens[0].isupper() and len(tokens[0]) > 1:
        return "org"
    if any(t in THING_WORDS for t in lows):
        return "thing"
    if any(ch.isdigit() for t in tokens for ch in t):
        return "thing"
    return "person"


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

    @classmethod
    def build(cls, outside: str) -> Registry:
        """`outside` is the article with quoted text masked (same offsets)."""
        reg = cls()
        persons: list[tuple[Run, tuple[str, ...], tuple[str, ...]]] = []
        for run in find_runs(outside):
            kind = classify(run.tokens)
            if kind == "org":
                name = " ".join(run.tokens)
                name = name[4:] if name.lower().startswith("the ") else name
                reg._add_entity(name.lower(), name, "org")
                reg._mention(Mention(run.start, run.end, "org", name.lower(), False))
            elif kind == "person":
                prev = outside[max(0, run.start - 30) : run.start].split()
                if prev and prev[-1].lower() in PLACE_PREPOSITIONS:
                    continue
                titles, name = split_titles(run.tokens)
                persons.append((run, titles, name))
                if len(name) >= 2:
                    full = " ".join(name)
                    reg._add_entity(full.lower(), full, "person")
        for key, entity in reg.entities.items():
            if entity.kind == "person":
                reg._by_surname.setdefault(_surname(entity.name), []).append(key)
        for run, titles, name in persons:
            full = " ".join(name)
            key = reg._person_key(full, run.start)
            if key is None:
                if not titles:
                    continue
                key = full.lower()
                reg._add_entity(key, full, "person")
                reg._by_surname.setdefault(_surname(full), []).append(key)
            subject = _is_subject(outside, run)
            reg._mention(Mention(run.start, run.end, "person", key, subject, titles))
            reg._gender_cues(reg.entities[key], titles, name, outside, run)
        reg.mentions.sort(key=lambda m: m.start)
        reg._starts = [m.start for m in reg.mentions]
        reg._pronoun_cues(outside)
        return reg

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
        candidates = [
            key
            for key in candidates
            if not any(set(key.split()) < set(other.split()) for other in candidates)
        ]
        if not candidates and len(parts) == 1:
            candidates = [
                key
                for key, entity in self.entities.items()
                if entity.kind == "person" and key.split()[0] in parts
            ]
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
        before = outside[max(0, run.start - 40) : run.start].lower().split()[-3:]
        after = outside[run.end : run.end + 80]
        appos = ""
        if after.startswith(", "):
            appos = after[2:].split(",")[0].lower()
        words = set(titles) | set(before) | set(appos.split())
        entity.roles |= {w for w in words if w.isalpha()}
        entity.male += 2 * len(words & MALE_WORDS)
        entity.female += 2 * len(words & FEMALE_WORDS)
        first = name[0].lower() if len(name) >= 2 else ""
        if first in MALE_NAMES:
            entity.male += 1
        elif first in FEMALE_NAMES:
            entity.female += 1

    def _pronoun_cues(self, outside: str) -> None:
        for i, m in enumerate(self.mentions):
            if m.kind != "person":
                continue
            stop = self.mentions[i + 1].start if i + 1 < len(self.mentions) else len(outside)
            window = outside[m.end : min(stop, m.end + 160)]
            cut = re.search(r"[.!?]\s|\n", window)
            if cut:
                window = window[: cut.start()]
            pm = _PRONOUN.search(window)
            if pm:
                entity = self.entities[m.key]
                if pm.group().lower() in ("he", "his", "him", "himself"):
                    entity.male += 1
                else:
                    entity.female += 1

    def resolve_name(self, tokens: tuple[str, ...], offset: int) -> str:
        """The fullest name of the person or organisation a run names."""
        kind = classify(tokens)
        if kind == "org":
            name = " ".join(tokens)
            return name[4:] if name.lower().startswith("the ") else name
        _titles, name = split_titles(tokens)
        text = " ".join(name)
        key = self._person_key(text, offset)
        return self.entities[key].name if key else text

    def key_of(self, name: str) -> str | None:
        low = name.lower()
        return low if low in self.entities else None

    def resolve_pronoun(
        self, pronoun: str, offset: int, last_speaker: str | None = None
    ) -> str | None:
        """The person (he/she) or organisation (it/they) a pronoun points back to."""
        low = pronoun.lower()
        want = {"he": "m", "she": "f"}.get(low)
        person = low in ("he", "she", "i", "we")
        i = bisect.bisect_left(self._starts, offset)
        seen: list[str] = []
        best: tuple[float, str] | None = None
        for m in reversed(self.mentions[max(0, i - 60) : i]):
            if person and m.kind != "person":
                continue
            if not person and m.kind not in ("org", "person"):
                continue
            if m.key in seen:
                continue
            seen.append(m.key)
            entity = self.entities[m.key]
            rank = len(seen) - 1
            if not person:
                if m.kind == "org":
                    return entity.name
                continue
            gender = entity.gender
            if want and gender and gender != want:
                continue
            score = -float(rank)
            if want and gender == want:
                score += 2.5
            if m.subject:
                score += 1.0
            if last_speaker and entity.name == last_speaker:
                score += 1.5
            if best is None or score > best[0]:
                best = (score, entity.name)
            if len(seen) >= 6:
                break
        if best is None and not person and low == "they":
            return self.resolve_pronoun("he", offset, last_speaker)
        return best[1] if best else None

    def resolve_role(self, head: str, offset: int) -> str | None:
        """'the ministry' → 'Ministry of Health'; 'the coach' → the person so described."""
        head = head.lower()
        i = bisect.bisect_left(self._starts, offset)
        ordered = list(reversed(self.mentions[:i])) + self.mentions[i:]
        for m in ordered:
            entity = self.entities[m.key]
            if m.kind == "org" and head in entity.key.split():
                return entity.name
            if m.kind == "person" and head in entity.roles:
                return entity.name
        return None


def _is_subject(outside: str, run: Run) -> bool:
    before = outside[max(0, run.start - 12) : run.start]
    return not before.strip() or bool(_SENTENCE_END.search(before))
