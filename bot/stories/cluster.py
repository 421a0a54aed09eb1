"""Story clustering: the same news from several feeds becomes one story.

What is compared is what the summarizer made of each page (title, lead, key facts), reduced to
a `StoryFingerprint`: counts of three kinds of term, told apart by their first character so a
fingerprint can be stored as plain JSON and weighed later:

- `@peru`  a name: a capitalised word that is not a function word and not merely capitalised
  because it starts a sentence or a Title-Case headline;
- `#6.4`   a number in one spelling whatever the article wrote ("120,000", "120k", "$2.1bn",
  "2.1 billion", "eleven", "2.50 per cent" → `#120000`, `#2100000000`, `#11`, `#2.5%`);
- `quake`  any other content word, lower-cased and lightly stemmed.

Years (four bare digits, 1900–2100) and clock times are left out: they tie a report to a date,
not to an event.

The score of two fingerprints (`match_score`) is a weighted cosine of their terms (names and
distinctive numbers weigh double, small counts little), multiplied by

- a time decay with a half-life of 36 hours: reports of one event by different outlets come
  within hours of each other, and a report two days later that shares most words is usually a
  follow-up (the death toll rises, the launch succeeds after a scrub), which is a new story;
- a discount when both reports carry distinctive numbers and share none of them (two
  earthquakes of different magnitudes, two rate cuts to different levels).

Reports further apart than the window (3 days) never merge. `best_match` returns the best
candidate over the threshold, which `bench/cluster_eval.py` chose on labelled examples for
precision first: a wrong merge hides a story, a missed merge only shows it twice.

How the store uses it:

    fp = StoryFingerprint.from_summary(title=s.title, lead=s.lead,
                                       facts=[f.text for f in s.key_facts], published=when)
    keys = fp.candidate_keys()                       # index these with the article's story id
    rows = await store.fingerprints_sharing(keys, since=when - CLUSTER_WINDOW)
    hit = best_match(fp, ((r.story_id, StoryFingerprint.from_json(r.fingerprint)) for r in rows))
    story_id = hit[0] if hit else await store.new_story(...)

Pass one candidate per *article* already in a story (a story with three sources is three
candidates with one story id): the best of them decides.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar

from summarizer.model import Summary

__all__ = [
    "CLUSTER_WINDOW",
    "DEFAULT_THRESHOLD",
    "FROM_FEED",
    "StoryFingerprint",
    "best_match",
    "better_summary",
    "match_score",
    "similarity",
    "stem",
    "strip_site_name",
    "terms",
]

NAME = "@"
NUMBER = "#"


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _names(
    """
    a about above after again against all almost also although am among an and another any are
    around as at be because been before being below between both but by can could did do does
    doing down during each either else even ever every few for from further had has have having
    he her here hers herself him himself his how however i if in into is it its itself just
    least less like made make many may me might more most much must my myself near neither no
    nor not now of off on once one only onto or other our ours ourselves out over own per
    perhaps rather same she should since so some such than that the their theirs them themselves
    then there these they this those though through thus to too toward towards under until up
    upon us very via was we were what when where whether which while who whom whose why will
    with within without would yet you your yours yourself said says say told tell according
    added adding also new news report reported reports reporting official officials statement
    week weeks day days year years month months time today yesterday tomorrow morning afternoon
    evening night monday tuesday wednesday thursday friday saturday sunday january february
    march april may june july august september october november december mr mrs ms dr percent
    cent people including least
    """
)
"""Function words and words every news report uses; neither tells two events apart."""

TITLES = _names(
    """
    president vice prime minister chancellor governor mayor senator chief executive ceo
    secretary general king queen prince judge chairman chair director spokesman spokeswoman
    spokesperson leader manager coach captain professor officer commissioner
    """
)
"""Capitalised before a name ("President Ana Robles") but not names themselves."""

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100,
}  # fmt: skip
_SCALES = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "million": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9, "tn": 1e12, "trillion": 1e12,
}  # fmt: skip

_TOKEN = re.compile(
    r"""
    (?P<time>\b\d{1,2}:\d{2}\b)
  | (?P<cur>[$£€¥])?(?P<num>\d+(?:[,\u202f\u00a0]\d{3})*(?:\.\d+)?|\.\d+)
        (?:(?P<tight>k|m|mn|b|bn|tn)\b|\s?(?P<scale>thousand|million|mln|billion|bn|trillion)\b)?
        (?P<pct>\s?(?:%|per\s?cent\b|percent\b|pc\b))?
  | (?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*)
    """,
    re.VERBOSE | re.IGNORECASE,
)
_SPELLED_SCALE = re.compile(
    r"\b(" + "|".join(_NUMBER_WORDS) + r")\s+(thousand|million|billion|trillion)\b", re.IGNORECASE
)
_SENTENCE_END = re.compile(r"[.!?:;]['’\"”)]*\s+|^\s*['‘\"“(]*")


def stem(word: str) -> str:
    """A light English stemmer: enough to meet 'quake'/'quakes', 'killed'/'killing'."""
    w = word.lower()
    if w.endswith(("'s", "’s")):
        w = w[:-2]
    w = w.replace("’", "'")
    if len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("sses", "shes", "ches", "xes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            w = w[: -len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]
            break
    return w.rstrip("e") if len(w) > 4 else w


def _number(text: str, scale: str | None, *, percent: bool = False) -> str | None:
    digits = re.sub(r"[,\u202f\u00a0]", "", text)
    if ("," not in text and "." not in text and len(digits) == 4 and not scale) and (
        1900 <= int(digits) <= 2100
    ):
        return None
    value = float(f"{float(digits) * _SCALES.get((scale or '').lower(), 1.0):.4g}")
    return (
        NUMBER + (str(int(value)) if value.is_integer() else str(value)) + ("%" if percent else "")
    )


def is_strong_number(term: str) -> bool:
    """A number that tells events apart: not a small count such as 'two' or 'five'."""
    if not term.startswith(NUMBER):
        return False
    if term.endswith("%"):
        return True
    try:
        value = float(term[1:])
    except ValueError:
        return False
    return math.isfinite(value) and (value > 10 or not value.is_integer())


def _headline_case(text: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_]+", text) if w.lower() not in STOPWORDS]
    if len(words) < 3:
        return False
    return sum(w[0].isupper() for w in words) / len(words) > 0.7


def _sentence_starts(text: str) -> set[int]:
    return {m.end() for m in _SENTENCE_END.finditer(text)}


def terms(sentences: Iterable[str]) -> Counter[str]:
    """Count the name, number and content-word terms of some sentences.

    A capitalised word that starts a sentence counts as a name only if the same word is
    capitalised somewhere else in the text.
    """
    counts: Counter[str] = Counter()
    words: list[tuple[str, str]] = []
    for sentence in sentences:
        sentence = _SPELLED_SCALE.sub(
            lambda m: f"{_NUMBER_WORDS[m.group(1).lower()]} {m.group(2)}", sentence
        )
        names_allowed = not _headline_case(sentence)
        starts = _sentence_starts(sentence)
        for match in _TOKEN.finditer(sentence):
            if match.group("time"):
                continue
            if match.group("num") is not None:
                tight = match.group("tight")
                if tight and tight.lower() == "m" and not match.group("cur"):
                    tight = None  # "60m" without a currency is metres, "$60m" is millions
                number = _number(
                    match.group("num"),
                    tight or match.group("scale"),
                    percent=bool(match.group("pct")),
                )
                if number:
                    counts[number] += 1
                continue
            word = match.group("word")
            lower = word.lower()
            if lower in _NUMBER_WORDS:
                counts[f"{NUMBER}{_NUMBER_WORDS[lower]}"] += 1
                continue
            base = stem(word)
            if lower in STOPWORDS or base in STOPWORDS or len(base) < 2:
                continue
            if not (names_allowed and word[0].isupper()) or base in TITLES:
                words.append((base, "word"))
            else:
                words.append((base, "start" if match.start() in starts else "name"))
    names = {base for base, kind in words if kind == "name"}
    for base, kind in words:
        is_name = kind == "name" or (kind == "start" and base in names)
        counts[NAME + base if is_name else base] += 1
    return counts


CLUSTER_WINDOW = timedelta(days=3)
HALF_LIFE = timedelta(hours=36)
DEFAULT_THRESHOLD = 0.30
NUMBERS_DISAGREE = 0.7
"""Factor applied when both reports carry distinctive numbers and share none."""

_NAME_WEIGHT = 2.0
_STRONG_NUMBER_WEIGHT = 2.0
_WEAK_NUMBER_WEIGHT = 0.5
_FORMAT_VERSION = 1

K = TypeVar("K")


def _weight(term: str) -> float:
    if term.startswith(NAME):
        return _NAME_WEIGHT
    if term.startswith(NUMBER):
        return _STRONG_NUMBER_WEIGHT if is_strong_number(term) else _WEAK_NUMBER_WEIGHT
    return 1.0


_SITE_SUFFIX = re.compile(r"\s+[|–—-]\s+(?P<site>[^|–—-]{2,40})$")


def strip_site_name(title: str) -> str:
    """A headline without the publication name some feeds append to every title: a last
    segment of at most four words after " | ", " - ", " – " or " — "."""
    match = _SITE_SUFFIX.search(title.strip())
    if match and len(match.group("site").split()) <= 4 and match.start() > 0:
        return title.strip()[: match.start()]
    return title.strip()


def _parse_time(value: datetime | str | None) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True, eq=False)
class StoryFingerprint:
    """The terms of one summarized article, and when it was published.

    `headline` counts the terms of the title and lead, `body` those of the key facts (empty
    when only the feed's title and description were available).
    """

    headline: Mapping[str, int]
    body: Mapping[str, int]
    published: datetime | None = None

    @classmethod
    def from_summary(
        cls,
        *,
        title: str | None,
        lead: str | None,
        facts: Sequence[str] = (),
        published: datetime | str | None = None,
    ) -> StoryFingerprint:
        """Build from the summary's strings. Facts that repeat the lead are counted once, and
        a site name after the headline ("… | Andes Daily", "… - Wire Pacific") is dropped."""
        lead_text = (lead or "").strip()
        body_facts = [f for f in facts if f.strip() and f.strip() != lead_text]
        return cls(
            headline=dict(terms([strip_site_name(title or ""), lead_text])),
            body=dict(terms(body_facts)),
            published=_parse_time(published),
        )

    @property
    def all_terms(self) -> Counter[str]:
        return Counter(self.headline) + Counter(self.body)

    def is_empty(self) -> bool:
        return not self.headline and not self.body

    def candidate_keys(self, *, limit: int = 12) -> list[str]:
        """Terms for the store to index, so it compares a new article only with stories that
        share at least one: the article's names and distinctive numbers, most frequent first
        (the headline's counted double), then its most frequent long words if it has few."""
        counts = Counter(self.body) + Counter({t: 2 * n for t, n in self.headline.items()})
        anchors = [t for t in counts if t.startswith(NAME) or is_strong_number(t)]
        words = [t for t in counts if t[0] not in (NAME, NUMBER) and len(t) >= 5]
        ranked = sorted(anchors, key=lambda t: (-counts[t], t))
        if len(ranked) < limit // 2:
            ranked += sorted(words, key=lambda t: (-counts[t], -len(t), t))
        return ranked[:limit]

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "v": _FORMAT_VERSION,
            "headline": dict(sorted(self.headline.items())),
            "body": dict(sorted(self.body.items())),
            "published": self.published.isoformat() if self.published else None,
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> StoryFingerprint:
        """Read a stored fingerprint; raises ValueError for text that is not one."""
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("v") != _FORMAT_VERSION:
                raise ValueError("not a story fingerprint of a known version")
            headline = {str(k): int(v) for k, v in data["headline"].items()}
            body = {str(k): int(v) for k, v in data["body"].items()}
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not a story fingerprint: {exc}") from exc
        return cls(headline=headline, body=body, published=_parse_time(data.get("published")))


def _vector(counts: Mapping[str, int]) -> dict[str, float]:
    return {t: _weight(t) * (1.0 + math.log(n)) for t, n in counts.items() if n > 0}


def _cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(t, 0.0) for t, v in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def similarity(a: StoryFingerprint, b: StoryFingerprint) -> float:
    """How alike two reports read, 0..1, ignoring when they were published."""
    first, second = a.all_terms, b.all_terms
    score = _cosine(_vector(first), _vector(second))
    numbers_a = {t for t in first if is_strong_number(t)}
    numbers_b = {t for t in second if is_strong_number(t)}
    if numbers_a and numbers_b and not numbers_a & numbers_b:
        score *= NUMBERS_DISAGREE
    return score


def match_score(
    a: StoryFingerprint,
    b: StoryFingerprint,
    *,
    window: timedelta = CLUSTER_WINDOW,
    half_life: timedelta = HALF_LIFE,
) -> float:
    """`similarity` discounted by the time between the two reports; 0 outside the window.
    A report without a publication time is taken as contemporary."""
    gap = timedelta(0)
    if a.published and b.published:
        gap = abs(a.published - b.published)
    if gap > window:
        return 0.0
    return similarity(a, b) * 0.5 ** (gap / half_life)


def best_match(
    fingerprint: StoryFingerprint,
    candidates: Iterable[tuple[K, StoryFingerprint]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    window: timedelta = CLUSTER_WINDOW,
    half_life: timedelta = HALF_LIFE,
) -> tuple[K, float] | None:
    """The story whose article is most like this one, with its score, if it reaches
    `threshold`; None when no candidate does (the article starts a new story)."""
    if fingerprint.is_empty():
        return None
    best: tuple[K, float] | None = None
    for story_id, other in candidates:
        score = match_score(fingerprint, other, window=window, half_life=half_life)
        if score >= threshold and (best is None or score > best[1]):
            best = (story_id, score)
    return best


FROM_FEED = "from_feed"
"""`Summary.extra` key: true when the summary was made from the feed's own text because the
page could not be fetched or extracted."""


def _richness(summary: Summary) -> tuple[int, float, int]:
    from_page = 0 if summary.extra.get(FROM_FEED) else 1
    attributed = sum(1 for q in summary.quotes if q.speaker)
    content = (
        min(len(summary.key_facts), 5)
        + min(attributed, 3)
        + 0.5 * min(len(summary.quotes) - attributed, 3)
        + (1 if summary.lead.strip() else 0)
    )
    return from_page, content, summary.word_count


def better_summary(a: Summary, b: Summary) -> Literal["a", "b"]:
    """Which of two summaries of one story the story should keep: one made from the page
    beats one made from the feed's text; then more key facts and attributed quotes; then the
    longer article. A tie keeps `a` (the story's current summary), so stories do not churn."""
    return "b" if _richness(b) > _richness(a) else "a"
