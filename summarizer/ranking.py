"""Per-sentence signals for the key-fact ranker.

Every signal here costs time linear in the article's length: centrality is the
similarity of a sentence to the document's TF-IDF centroid rather than a
sentence-by-sentence matrix (sumy's LexRank and TextRank build an n×n matrix,
which is what makes them slow on long articles), and sumy's Luhn rating (one
pass over the words with a set of significant stems) is the sumy signal.

Quote marks are read here too, because a sentence that is mostly quoted speech
belongs to the quotes section, not to the key facts; whether a sentence is
inside a quote depends on the sentences before it (a quote that spans two
sentences has its opening mark in the first and its closing mark in the second).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

from sumy.models.dom import Sentence as SumySentence
from sumy.nlp.stemmers import Stemmer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.utils import get_stop_words

from summarizer.extract import is_furniture as is_page_furniture
from summarizer.sentences import Sentence, SumyTokenizer, words

STOP_WORDS: frozenset[str] = frozenset(get_stop_words("english"))

_OPENERS = "“„«"
_CLOSERS = "”»"
_QUOTE_MARK = re.compile('[“„«”»"]')

_BOILERPLATE = re.compile(
    r"""(?:
        \bclick\s+here\b|\bsign\s+up\b|\bsubscribe\b|\bnewsletter\b|\bfollow\s+us\b
        |\ball\s+rights\s+reserved\b|\bcopyright\b|©|\bcookies?\b.*\b(?:policy|consent|accept)
        |\bprivacy\s+policy\b|\bterms\s+of\s+(?:use|service)\b|^advertisement\b
        |\bshare\s+this\s+(?:story|article|page)\b|^(?:read\s+more|related|see\s+also)\b
        |\bcontributed\s+(?:to\s+)?this\s+report\b|^\(?(?:reporting|writing|editing)\s+by\b
        |\bjoin\s+the\s+conversation\b|\bdownload\s+(?:our|the)\s+app\b
        |\bthis\s+(?:story|article)\s+(?:has\s+been|was)\s+(?:updated|corrected)\b
        |\bfor\s+more\s+(?:news|stories|information),?\s+(?:visit|go\s+to|see)\b
        |https?://|www\.\w|[\w.+-]+@[\w-]+\.\w
    )""",
    re.I | re.X,
)


@lru_cache(maxsize=1)
def _snowball() -> Stemmer:
    return Stemmer("english")


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """Snowball stem of a lower-cased word, cached: news repeats its words."""
    return _snowball()(word.lower())


def content_terms(text: str, tokens: Sequence[str] | None = None) -> list[str]:
    """Stems of the words of `text` (its `words`, if given) that are not stop words."""
    out: list[str] = []
    for w in words(text) if tokens is None else tokens:
        lw = w.lower()
        if lw not in STOP_WORDS and (len(lw) > 1 or lw.isdigit()):
            out.append(stem(lw))
    return out


_BOILERPLATE_HINTS = (
    "click", "sign up", "subscri", "newsletter", "follow us", "rights reserved", "copyright",
    "©", "cookie", "privacy", "terms of", "advertisement", "share this", "read more", "related",
    "see also", "contributed", "reporting by", "writing by", "editing by", "join the conversation",
    "download", "this story", "this article", "for more", "http", "www.", "@",
)  # fmt: skip


def is_boilerplate(text: str) -> bool:
    """Site furniture that survived extraction: prompts, credits, links, legal lines."""
    lowered = text.lower()
    if not any(hint in lowered for hint in _BOILERPLATE_HINTS):
        return False
    return bool(_BOILERPLATE.search(text))


_READING_PROMPT = re.compile(
    r"""^(?:video\s+|watch\s+)?(?:
        scroll\s+(?:down|up)\b|(?:read|watch|see|listen)\s+(?:more|also|next|now|again|live)\b
        |(?:continue|keep)\s+reading\b|you\s+(?:may|might)\s+(?:also\s+)?like\b
        |(?:more|also)\s+(?:on|from)\s+(?:this|our|the)\b|file\s+(?:photo|picture|image)\b
    )""",
    re.I | re.X,
)
_CAPTION = re.compile(
    r"""^[A-Z][\w'’-]*(?:[\s,]+[\w'’-]+){0,4}:\s.*\bpictured\b    # Joy: Ann Lee, pictured with …
    |\b(?:is|are),?\s+pictured\b|,\s*pictured\b          # … is pictured with …
    """,
    re.X,
)


def is_furniture(text: str) -> bool:
    """Page furniture inside the article's text, recognised by its shape: site prompts and
    credits (`is_boilerplate`), source label lines ("Harbor Times:"), section names, photo
    credits and captions, bylines and timestamps (the extractor's line rules), reading prompts
    ("Scroll down for video", "Read more: …")."""
    return (
        is_boilerplate(text)
        or bool(_READING_PROMPT.match(text) or _CAPTION.search(text))
        or (text.count(" ") < 16 and is_page_furniture(text))
    )


def _quote_events(text: str) -> list[tuple[int, bool]]:
    """(offset, opens) for each double quote mark; straight marks are read from context."""
    events: list[tuple[int, bool]] = []
    for match in _QUOTE_MARK.finditer(text):
        i, ch = match.start(), match.group()
        if ch in _OPENERS:
            events.append((i, True))
        elif ch in _CLOSERS:
            events.append((i, False))
        else:
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            opens = (before.isspace() or before in "([{—–-") and not after.isspace()
            events.append((i, opens))
    return events


@dataclass(frozen=True, slots=True)
class QuoteShape:
    """How much of a sentence is quoted speech, and whether it starts inside a quote."""

    share: float
    starts_quoted: bool

    @property
    def is_bare_quote(self) -> bool:
        """Mostly quoted speech, or a quote that leads and only an attribution follows."""
        return self.share >= 0.5 or (self.starts_quoted and self.share >= 0.25)


def quote_shapes(sentences: Iterable[Sentence]) -> Iterator[QuoteShape]:
    """For each sentence, the share of its word characters that sit inside quote marks.

    A quote left open at the end of a sentence carries into the next sentence of
    the same paragraph. A closing mark with no opener before it (a quote whose
    opening mark is missing, or one opened in an earlier sentence) makes the
    text before it quoted.
    """
    inside = False
    paragraph = None
    for s in sentences:
        if s.paragraph != paragraph:
            inside, paragraph = False, s.paragraph
        text = s.text
        events = _quote_events(text)
        lead_chars = _word_chars(text[: events[0][0]]) if events else 1
        starts_quoted = inside or (bool(events) and (lead_chars == 0 or not events[0][1]))
        quoted = 0
        start = 0 if inside else None
        for offset, opens in events:
            if opens and start is None:
                start = offset
            elif not opens:
                begin = 0 if start is None else start
                quoted += _word_chars(text[begin:offset])
                start = None
        inside = start is not None
        if start is not None:
            quoted += _word_chars(text[start:])
        total = _word_chars(text)
        yield QuoteShape(quoted / total if total else 0.0, starts_quoted)


def quoted_shares(sentences: Iterable[Sentence]) -> list[float]:
    return [shape.share for shape in quote_shapes(sentences)]


def _word_chars(text: str) -> int:
    return sum(map(str.isalnum, text))


_DANGLING = re.compile(
    r"""^[\"'“‘(]*(?:
        (?:he|she|they|his|her|their|him|them|its|this|these|those)\b(?!['’]s\b)
        |it\b(?!['’]s\b|\s+(?:is|was|has\s+been|will\s+be|would\s+be)\b)
        |(?:but|however|also|meanwhile|moreover|furthermore|instead|nevertheless|nonetheless
           |besides|therefore|likewise|similarly|indeed)\b
        |(?:in\s+(?:addition|response)|as\s+a\s+result|by\s+contrast|on\s+the\s+other\s+hand)\b
        |the\s+(?:idea|move|decision|plan|proposal|announcement|comments?|remarks?|incident
           |statement|latter|former)\b
    )""",
    re.I | re.X,
)


def opens_with_reference(text: str) -> bool:
    """Whether a sentence opens with a pronoun, a connective or an anaphoric phrase ("He added
    …", "But …", "The idea …"): it leans on an earlier sentence to be understood."""
    return bool(_DANGLING.match(text))


_TERMINAL = (".", "!", '"', "”", "’", "'", ")", "…")


def form_factor(text: str) -> float:
    """Penalty for sentences that do not read as statements of fact: questions, and
    pieces with no closing punctuation or a lower-case start (captions, split errors)."""
    stripped = text.rstrip()
    factor = 1.0
    if stripped.endswith("?"):
        factor *= 0.5
    elif not stripped.endswith(_TERMINAL):
        factor *= 0.6
    if stripped[:1].islower():
        factor *= 0.7
    return factor


def length_factor(n_words: int, *, full_at: int = 10) -> float:
    """Penalty for fragments (too short to be a fact) and run-ons (too long to read).

    Short sentences ramp up to no penalty at `full_at` words.
    """
    if n_words < 5:
        return 0.2
    if n_words < full_at:
        return 0.4 + 0.6 * (n_words - 5) / (full_at - 5)
    if n_words <= 45:
        return 1.0
    return max(0.5, 1.0 - (n_words - 45) / 60)


def names_and_numbers(text: str, tokens: Sequence[str] | None = None) -> float:
    """Density of numbers and capitalised names after the first word, capped at 1."""
    tokens = words(text) if tokens is None else tokens
    if len(tokens) < 2:
        return 0.0
    hits = sum(
        1 for t in tokens[1:] if t[0].isdigit() or (t[0].isupper() and t.lower() not in STOP_WORDS)
    )
    return min(1.0, 3.0 * hits / len(tokens))


@dataclass(frozen=True, slots=True)
class TermVector:
    """A sparse TF-IDF vector and its norm."""

    weights: dict[str, float]
    norm: float

    def cosine(self, other: TermVector) -> float:
        if not self.norm or not other.norm:
            return 0.0
        small, big = sorted((self.weights, other.weights), key=len)
        dot = sum(w * big.get(t, 0.0) for t, w in small.items())
        return dot / (self.norm * other.norm)


def tfidf_vectors(terms: Sequence[Sequence[str]]) -> list[TermVector]:
    """TF-IDF over the article's own sentences (each sentence a document)."""
    n = len(terms)
    df: Counter[str] = Counter()
    for ts in terms:
        df.update(set(ts))
    idf = {t: math.log((1 + n) / (1 + d)) + 1.0 for t, d in df.items()}
    out: list[TermVector] = []
    for ts in terms:
        weights = {t: c * idf[t] for t, c in Counter(ts).items()}
        out.append(TermVector(weights, math.sqrt(sum(w * w for w in weights.values()))))
    return out


def centroid_similarity(vectors: Sequence[TermVector]) -> list[float]:
    """Cosine of each sentence with the sum of all sentence vectors: linear centrality."""
    total: Counter[str] = Counter()
    for v in vectors:
        if v.norm:
            for t, w in v.weights.items():
                total[t] += w / v.norm
    centroid = TermVector(dict(total), math.sqrt(sum(w * w for w in total.values())))
    return [v.cosine(centroid) for v in vectors]


def directed_similarity(vectors: Sequence[TermVector]) -> tuple[list[float], list[float]]:
    """Each sentence's cosine with the sum of the sentences after it, and of those before it.

    PacSum's observation (Zheng and Lapata 2019): in news a sentence that the rest of the
    article goes on to talk about is more central than one that echoes what came before.
    Running sums keep it linear: |S + v|² = |S|² + 2 S·v + |v|².
    """

    def sweep(order: Sequence[int]) -> list[float]:
        out = [0.0] * len(vectors)
        total: dict[str, float] = {}
        norm2 = 0.0
        for i in order:
            v = vectors[i]
            if not v.norm:
                continue
            dot = sum(w * total.get(t, 0.0) for t, w in v.weights.items())
            if norm2 > 0:
                out[i] = dot / (v.norm * math.sqrt(norm2))
            norm2 += 2 * dot / v.norm + 1.0
            for t, w in v.weights.items():
                total[t] = total.get(t, 0.0) + w / v.norm
        return out

    n = len(vectors)
    return sweep(range(n - 1, -1, -1)), sweep(range(n))


def shared_word_mass(terms: Sequence[Sequence[str]]) -> list[float]:
    """How many word occurrences elsewhere in the article a sentence's words account for,
    per log length.

    This is close to a sentence's degree in TextRank's graph (edges weighted by shared
    words over the sum of log lengths), computed from document counts in one pass
    instead of from all sentence pairs. Each distinct word counts once per sentence,
    so a sentence that repeats one common word is not inflated.
    """
    counts: Counter[str] = Counter()
    for ts in terms:
        counts.update(ts)
    out: list[float] = []
    for ts in terms:
        mass = sum(counts[t] - 1 for t in set(ts))
        out.append(mass / (1.0 + math.log(1 + len(ts))))
    return out


class _Luhn(LuhnSummarizer):
    """sumy's Luhn with our stop words, set once (sumy's setter re-normalises them per call).

    Words reach it as `str` already, so its per-word normalisation (a unicode check, then
    `lower`) is the plain `lower` that `stem` applies itself: the same stems, a fifth of the
    ranker's time saved.
    """

    _stop_words = STOP_WORDS

    @staticmethod
    def normalize_word(word: str) -> str:
        return word.lower()

    def stem_word(self, word: str) -> str:
        return self._stemmer(word)


def luhn_ratings(
    sentences: Sequence[Sentence], *, stemmer: Callable[[str], str] = stem
) -> list[float]:
    """sumy's Luhn rating of each sentence (significant-word clusters).

    Uses sumy's own significant-word selection and chunk rating; the significant
    stems are handed over as a frozenset so the rating stays linear in length.
    """
    tokenizer = SumyTokenizer()
    luhn = _Luhn(stemmer)
    sumy_sentences = [SumySentence(s.text, tokenizer) for s in sentences]
    all_words = [w for s in sumy_sentences for w in s.words]
    significant = frozenset(luhn._get_significant_words(all_words))
    return [float(luhn.rate_sentence(s, significant)) for s in sumy_sentences]


def title_overlap(terms: Sequence[str], title_terms: frozenset[str]) -> float:
    if not title_terms:
        return 0.0
    return len(title_terms.intersection(terms)) / len(title_terms)
