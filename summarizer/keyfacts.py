"""Choosing key facts and the one-line lead.

A sentence's score is a learned log-linear blend of the signals in `ranking.py` (position
in the article, centrality to the TF-IDF centroid, PacSum-style forward and backward
centrality, shared-word mass, sumy's Luhn rating, title overlap, names and numbers,
length), with document-level interactions (article length, how central the lead is,
whether it opens with a dateline) so that it can learn *when* position dominates:
agency copy is an inverted pyramid, feature copy spreads its facts. The weights are fitted
by bench/train_keyfacts.py on greedy ROUGE-2 oracle labels of real articles and read from
summarizer/data/keyfact_weights.json. A fixed shape penalty (fragments, run-ons,
questions, captions) multiplies the learned score.

Facts are then picked greedily, MMR-style: each pick trades its score against
its similarity to the facts already chosen, and a sentence that repeats a
chosen one is never picked. Bare quotes (mostly quoted speech) and boilerplate
are not eligible: quotes have their own section.

    >>> facts = select_facts(split_sentences(paragraphs), title="…", max_facts=5)
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from summarizer.model import KeyFact
from summarizer.ranking import (
    TermVector,
    centroid_similarity,
    content_terms,
    directed_similarity,
    form_factor,
    is_furniture,
    length_factor,
    luhn_ratings,
    names_and_numbers,
    opens_with_reference,
    quote_shapes,
    shared_word_mass,
    tfidf_vectors,
    title_overlap,
)
from summarizer.sentences import Sentence, words

FEATURES: tuple[str, ...] = (
    "bias",
    "first",
    "position",
    "log_rank",
    "relative_rank",
    "centrality",
    "forward",
    "backward",
    "mass",
    "luhn",
    "title",
    "names",
    "log_words",
    "first*log_n",
    "position*log_n",
    "log_rank*log_n",
    "first*lead_centrality",
    "position*lead_centrality",
    "log_rank*lead_centrality",
    "centrality*log_n",
    "forward*log_n",
    "first*dateline",
    "position*dateline",
    "log_rank*dateline",
    "centrality*dateline",
    "second*dateline",
    "third*dateline",
    "fourth*dateline",
    "mass*log_n",
    "luhn*log_n",
    "backward*log_n",
)
WEIGHTS_FILE = Path(__file__).parent / "data" / "keyfact_weights.json"


@dataclass(frozen=True, slots=True)
class Weights:
    """A logistic scorer over `FEATURES` (standardised by `mean` and `scale`), and the MMR knobs.

    The coefficients are fitted by bench/train_keyfacts.py on greedy-oracle labels of the
    real development sets and stored in summarizer/data/keyfact_weights.json.
    """

    coef: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    redundancy: float = 0.1
    duplicate_threshold: float = 0.5

    @classmethod
    def load(cls, path: Path = WEIGHTS_FILE) -> Weights:
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"{path.name}: features differ from keyfacts.FEATURES; retrain")
        return cls(
            coef=tuple(data["coef"]),
            mean=tuple(data["mean"]),
            scale=tuple(data["scale"]),
            redundancy=data.get("redundancy", 0.1),
            duplicate_threshold=data.get("duplicate_threshold", 0.5),
        )

    def logit(self, x: Sequence[float]) -> float:
        return sum(map(operator.mul, self.slope(), x))

    def slope(self) -> tuple[float, ...]:
        """The standardisation folded into the coefficients (the bias absorbs the means)."""
        return _slope(self.coef, self.mean, self.scale)


@cache
def _slope(
    coef: tuple[float, ...], mean: tuple[float, ...], scale: tuple[float, ...]
) -> tuple[float, ...]:
    slope = [c / s for c, s in zip(coef, scale, strict=True)]
    slope[0] = coef[0] - sum(a * m for a, m in zip(slope[1:], mean[1:], strict=True))
    return tuple(slope)


@cache
def default_weights() -> Weights:
    """The shipped weights, read once (not at import, so that training can change FEATURES)."""
    return Weights.load()


MIN_FACT_WORDS = 4
LEAD_MAX_WORDS = 45


@dataclass(frozen=True, slots=True)
class Ranked:
    sentence: Sentence
    score: float


@dataclass(frozen=True, slots=True)
class Candidate:
    """An eligible sentence. `shape` is the fixed penalty for fragments, run-ons, questions and
    captions (`length_factor` × `form_factor`): it multiplies the learned score, because the
    training articles hold too few such sentences to learn it from."""

    sentence: Sentence
    features: list[float]
    shape: float
    vector: TermVector
    terms: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Scored:
    sentence: Sentence
    score: float
    vector: TermVector
    terms: frozenset[str]
    leans_back: bool


def _eligible(
    sentences: Sequence[Sentence], title: str | None, tokens: Sequence[list[str]] | None = None
) -> Iterator[bool]:
    """Lazily, whether each sentence may be a fact (callers may stop early)."""
    title_norm = " ".join((title or "").split()).casefold()
    for i, (s, shape) in enumerate(zip(sentences, quote_shapes(sentences), strict=True)):
        yield (
            len(tokens[i] if tokens is not None else words(s.text)) >= MIN_FACT_WORDS
            and not shape.is_bare_quote
            and not is_furniture(s.text)
            and " ".join(s.text.split()).casefold() != title_norm
        )


def _scaled(values: Sequence[float]) -> list[float]:
    top = max(values, default=0.0)
    return [v / top if top > 0 else 0.0 for v in values]


def candidates(
    sentences: Sequence[Sentence], *, title: str | None, use_sumy: bool = True
) -> list[Candidate]:
    """The eligible sentences with their feature vectors (in `FEATURES` order)."""
    tokens = [words(s.text) for s in sentences]
    eligible = list(_eligible(sentences, title, tokens))
    terms = [content_terms(s.text, t) for s, t in zip(sentences, tokens, strict=True)]
    vectors = tfidf_vectors(terms)
    centrality = _scaled(centroid_similarity(vectors))
    forward, backward = directed_similarity(vectors)
    mass = _scaled(shared_word_mass(terms))
    luhn = _scaled(luhn_ratings(sentences)) if use_sumy else [0.0] * len(sentences)
    title_terms = frozenset(content_terms(title or ""))
    chosen = [i for i, ok in enumerate(eligible) if ok]
    n = len(chosen)
    log_n = math.log(1 + n)
    lead_centrality = centrality[chosen[0]] if chosen else 0.0
    dateline = float(bool(sentences) and strip_dateline(sentences[0].text) != sentences[0].text)
    out: list[Candidate] = []
    for rank, i in enumerate(chosen):
        s = sentences[i]
        n_words = len(tokens[i])
        first = float(rank == 0)
        position = 1.0 / math.sqrt(1.0 + rank)
        log_rank = math.log(1.0 + rank)
        x = [
            1.0,
            first,
            position,
            log_rank,
            rank / n,
            centrality[i],
            forward[i],
            backward[i],
            mass[i],
            luhn[i],
            title_overlap(terms[i], title_terms),
            names_and_numbers(s.text, tokens[i]),
            math.log(n_words),
            first * log_n,
            position * log_n,
            log_rank * log_n,
            first * lead_centrality,
            position * lead_centrality,
            log_rank * lead_centrality,
            centrality[i] * log_n,
            forward[i] * log_n,
            first * dateline,
            position * dateline,
            log_rank * dateline,
            centrality[i] * dateline,
            float(rank == 1) * dateline,
            float(rank == 2) * dateline,
            float(rank == 3) * dateline,
            mass[i] * log_n,
            luhn[i] * log_n,
            backward[i] * log_n,
        ]
        shape = length_factor(n_words) * form_factor(s.text)
        out.append(Candidate(s, x, shape, vectors[i], frozenset(terms[i])))
    return out


def _repeats(candidate: _Scored, chosen: _Scored, similarity: float, threshold: float) -> bool:
    """Says the same thing: similar TF-IDF vectors, or one's words mostly inside the other's."""
    if similarity >= threshold:
        return True
    small = min(len(candidate.terms), len(chosen.terms))
    return small > 0 and len(candidate.terms & chosen.terms) / small >= 0.8


DANGLING_FACTOR = 0.5


def _standalone(candidate: _Scored, picked: set[int]) -> float:
    """1, or `DANGLING_FACTOR` for a sentence that leans on the one before it when that one
    is not already a fact: it can still be picked, but only when nothing better is left."""
    if not candidate.leans_back or candidate.sentence.index - 1 in picked:
        return 1.0
    return DANGLING_FACTOR


def rank_sentences(
    sentences: Sequence[Sentence],
    *,
    title: str | None,
    limit: int | None = None,
    weights: Weights | None = None,
    use_sumy: bool = True,
) -> list[Ranked]:
    """Eligible, mutually distinct sentences in order of preference (best first).

    `limit` stops the greedy selection early. Each candidate keeps its highest
    similarity to the picks so far, so each pick costs one pass over the
    candidates and the whole ranking is O(n · limit).
    """
    weights = weights or default_weights()
    found = candidates(sentences, title=title, use_sumy=use_sumy)
    slope = weights.slope()
    logits = [sum(map(operator.mul, slope, c.features)) for c in found]
    return select_greedy(found, logits, weights=weights, limit=limit)


def select_greedy(
    found: Sequence[Candidate],
    logits: Sequence[float],
    *,
    weights: Weights,
    limit: int | None = None,
) -> list[Ranked]:
    """MMR over candidates scored by `logits` (the shape penalty is applied here)."""
    logits = [z + math.log(c.shape) for c, z in zip(found, logits, strict=True)]
    top = max(logits, default=0.0)
    pool = [
        _Scored(
            c.sentence,
            math.exp(z - top),
            c.vector,
            c.terms,
            opens_with_reference(fact_text(c.sentence)),
        )
        for c, z in zip(found, logits, strict=True)
    ]
    overlap = [0.0] * len(pool)
    ranked: list[Ranked] = []
    picked: set[int] = set()
    while pool and (limit is None or len(ranked) < limit):
        values = [
            c.score * _standalone(c, picked) - weights.redundancy * o
            for c, o in zip(pool, overlap, strict=True)
        ]
        best = max(range(len(pool)), key=values.__getitem__)
        pick = pool[best]
        ranked.append(Ranked(pick.sentence, pick.score))
        picked.add(pick.sentence.index)
        kept: list[_Scored] = []
        kept_overlap: list[float] = []
        for i, c in enumerate(pool):
            if i == best:
                continue
            similarity = c.vector.cosine(pick.vector)
            if not _repeats(c, pick, similarity, weights.duplicate_threshold):
                kept.append(c)
                kept_overlap.append(max(overlap[i], similarity))
        pool, overlap = kept, kept_overlap
    return ranked


def select_facts(
    sentences: Sequence[Sentence],
    *,
    title: str | None,
    max_facts: int,
    min_facts: int = 3,
    weights: Weights | None = None,
) -> list[KeyFact]:
    """Up to `max_facts` key facts, in article order.

    Long articles give `max_facts`; a short one gives fewer so that the facts
    do not become most of the article (at least `min_facts` when that many
    distinct eligible sentences exist).
    """
    if max_facts <= 0 or not sentences:
        return []
    wanted = max(min(max_facts, min_facts), min(max_facts, len(sentences) // 3))
    ranked = rank_sentences(sentences, title=title, limit=wanted, weights=weights)
    facts = [
        KeyFact(text=fact_text(r.sentence), position=r.sentence.index, score=round(r.score, 4))
        for r in ranked
    ]
    return sorted(facts, key=lambda f: f.position)


_CLAUSE_BREAK = re.compile(r"[,;:—–]\s|\s-\s")
_DATELINE = re.compile(
    r"""^(?:
        \([A-Z][\w.&\s-]{0,20}\)\s*(?:[-—–]{1,2}\s+)?                       # (CNN) --
        |(?:[A-Z][\w.'’-]*(?:[\s,]+[\w.'’-]+){0,5}?\s*\([A-Z][\w\s.&-]{0,30}\)  # Kell (AP)
           |[A-Z][A-Z.'’-]{2,}(?:[\s,]+[\w.'’-]+){0,4}?                     # ORLEN, March 4
        )\s*[-—–]{1,2}\s+
    )(?=[A-Z“"‘])""",
    re.X,
)


def strip_dateline(text: str) -> str:
    """`ORLEN, May 2 (Wire) — Two people…` → `Two people…`: the wire's place and agency
    label are not part of the news."""
    match = _DATELINE.match(text)
    return text[match.end() :] if match else text


def fact_text(sentence: Sentence) -> str:
    """A key fact as shown: the sentence, without the wire dateline if it opens the article."""
    return strip_dateline(sentence.text) if sentence.index == 0 else sentence.text


def shorten(text: str, *, max_words: int = LEAD_MAX_WORDS) -> str:
    """`text` cut at the last clause break within `max_words` words, with an ellipsis."""
    tokens = text.split()
    if len(tokens) <= max_words:
        return text
    head = " ".join(tokens[:max_words])
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(head) if m.start() > len(head) // 3]
    cut = head[: breaks[-1]] if breaks else head
    return cut.rstrip(" ,;:—–-") + "…"


def choose_lead(
    sentences: Sequence[Sentence], *, title: str | None, max_words: int = LEAD_MAX_WORDS
) -> str:
    """The article's one-line lead: its first real news sentence, shortened if enormous.

    Agency news states the story in its first sentence, so the lead is the first
    sentence that is neither boilerplate, a bare quote, a fragment nor the title
    again (failing that, the first sentence at all), without its dateline.
    """
    if not sentences:
        return ""
    eligible = _eligible(sentences, title)
    first = next(
        (s for s, ok in zip(sentences, eligible, strict=True) if ok and len(words(s.text)) >= 6),
        sentences[0],
    )
    return shorten(strip_dateline(first.text), max_words=max_words)
