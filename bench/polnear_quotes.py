"""Quote attribution on real news: the PolNeAR dev split, with the fair scoring.

Read by bench/eval_quotes.py, which prints both halves beside our own set. The data is
`/work/shared/eval/quotes_dev_polnear.jsonl` (72 US election articles, 2016, seven
publishers; format, provenance and fair scoring in that directory's README). It is read
from there and never copied into the project.

The split is fixed: articles sorted by `id`; even positions (0, 2, 4, …) are the
development half, odd positions the held-out half. Rules are developed only against the
development half's errors; the held-out half is run once after each round of changes and
its first-sight figure recorded in bench/eval_quotes.py. Its texts and errors are never
printed.

Scoring, as the README describes it:

* Gold quotes are the `full` ones of five words or more. A `partial` gold (a paraphrase
  holding a quoted fragment) and a `full` one under five words count neither way: a key
  quote we find inside one is neither a hit nor a false positive.
* A gold span is what the annotator marked for one attribution, and it may join several
  quoted pieces (`“A,” Flynn said. “B.”` is one gold quote "A B"). So each of our key
  quotes goes to the gold span holding most of it (80% of its word tokens inside the
  span, or token F1 >= 0.8 with it); one that goes nowhere is a false positive, one
  that goes to a neither-way gold is not counted. A gold quote is found when the key
  quotes given to it together cover 80% of its tokens.
* Annotators did not label every quote of an article, so a real but unlabelled quote
  costs precision here; the figure is a floor.
* Speaker: the gold span is cut at its first comma (or parenthesis: "Rep. Gwen Moore
  (D-Wis.)"); its name, titles skipped, is the last run of capitalised words that no
  lowercase word follows, so "Trump lawyer Marc Kasowitz" and "White House press
  secretary Josh Earnest" give the person, and the name's last word is the surname
  (see `gold_surname`).
  A found quote's speaker is right when it holds that surname as a word. Gold spans with
  no capitalised word, and pronoun spans (`pronoun: true`), are left out.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from summarizer.model import Quote
from summarizer.quotes import find_quotes
from summarizer.sentences import split_sentences

POLNEAR = Path("/work/shared/eval/quotes_dev_polnear.jsonl")
MATCH_F1 = 0.8
INSIDE = 0.8
MIN_WORDS = 5
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_SKIP = frozenset(
    re.findall(
        r"\w+",
        """the a an mr mrs ms dr sen rep gov gen president vice senator representative governor
        secretary former mayor judge chief candidate nominee democratic republican gop
        presidential""",
    )
)
"""Leading articles and titles skipped before the gold span's name."""


def tokens(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def overlap_f1(a: list[str], b: list[str]) -> float:
    if not a or not b:
        return 0.0
    pool = list(b)
    common = 0
    for t in a:
        if t in pool:
            pool.remove(t)
            common += 1
    if not common:
        return 0.0
    p, r = common / len(a), common / len(b)
    return 2 * p * r / (p + r)


def share_inside(a: list[str], b: list[str]) -> float:
    """Share of `a`'s tokens found in `b`."""
    if not a:
        return 0.0
    pool = list(b)
    common = 0
    for t in a:
        if t in pool:
            pool.remove(t)
            common += 1
    return common / len(a)


def gold_surname(span: str) -> str | None:
    """The surname the fair score looks for, or None when the span names no one.

    The span is cut at its first comma or parenthesis. Words describing the person
    before the name are titles ("White House press secretary Josh Earnest", "Trump
    lawyer Marc Kasowitz"), so the name is the last run of capitalised words that no
    lowercase word follows; a span ending in a description ("The New York
    businessman") names no one.

    >>> gold_surname("Chris Weston, chief market strategist in Melbourne at IG Ltd.,")
    'weston'
    >>> gold_surname("Sen. Ted Cruz (R-Texas)")
    'cruz'
    >>> gold_surname("Hillary Clinton's campaign manager Robby Mook")
    'mook'
    """
    head = re.split(r"[,(\[]", span, maxsplit=1)[0]
    run: list[str] = []
    for word in re.findall(r"[\w’'.-]+", head):
        bare = re.sub(r"['’]s$", "", word).strip(".'’-")
        if bare:
            run = [*run, bare] if bare[0].isupper() or bare[0].isdigit() else []
    name = [w for w in run if w.lower() not in _SKIP]
    while name and name[-1].lower() in ("jr", "sr", "ii", "iii"):
        name.pop()
    return name[-1].lower() if name else None


def split_halves(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """(development half, held-out half): sorted by id, even positions then odd."""
    ordered = sorted(rows, key=lambda r: r["id"])
    return ordered[0::2], ordered[1::2]


def load(path: Path = POLNEAR) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


@dataclass
class Scores:
    articles: int = 0
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    matched_predictions: int = 0
    speaker_total: int = 0
    speaker_right: int = 0
    timings: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched_predictions / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def speaker(self) -> float:
        return self.speaker_right / self.speaker_total if self.speaker_total else 1.0

    @property
    def ms_per_article(self) -> float:
        return statistics.median(self.timings) if self.timings else 0.0


def paragraphs_of(text: str) -> list[str]:
    """Every line a paragraph, as `summarizer.extract` reads plain text: most articles
    separate paragraphs with blank lines, but 15 of the 72 with single line breaks."""
    return [p.strip() for p in text.splitlines() if p.strip()]


def evaluate(rows: Iterable[dict]) -> Scores:
    s = Scores()
    for article in rows:
        paragraphs = paragraphs_of(article["text"])
        started = time.perf_counter()
        key, _fragments = find_quotes(split_sentences(paragraphs), title=paragraphs[0])
        s.timings.append((time.perf_counter() - started) * 1000)
        score_article(article, key, s)
    return s


def polnear_surnames(gold: dict) -> list[str] | None:
    """The words a found speaker must hold for a PolNeAR gold quote, or None when its
    speaker is not scored (a pronoun, or a span that names no one)."""
    surname = None if gold.get("pronoun") else gold_surname(gold["speaker"] or "")
    return None if surname is None else [surname]


def score_article(
    article: dict,
    key: list[Quote],
    s: Scores,
    surnames: Callable[[dict], list[str] | None] = polnear_surnames,
) -> None:
    """One article's quotes against its gold (see the module docstring). `surnames` says,
    for a gold quote, which words a right speaker holds (any one of them), or None when
    the quote's speaker is not scored."""
    gold = [(g, tokens(g["text"])) for g in article["gold"]]
    counted = [g["kind"] == "full" and len(t) >= MIN_WORDS for g, t in gold]
    s.articles += 1
    s.gold += sum(counted)
    found: dict[int, list[tuple[int, Quote, list[str]]]] = {}
    for q in key:
        qt = tokens(q.text)
        best, best_share = None, 0.0
        for gi, (_, gt) in enumerate(gold):
            share = max(share_inside(qt, gt), overlap_f1(qt, gt))
            if share > best_share:
                best, best_share = gi, share
        if best is None or best_share < INSIDE:
            s.predicted += 1
            s.errors.append(f"{article['id']}: spurious {q.text[:60]!r} ({q.speaker})")
            continue
        if counted[best]:
            s.predicted += 1
            s.matched_predictions += 1
            found.setdefault(best, []).append((len(qt), q, qt))
    for gi, (g, gt) in enumerate(gold):
        if not counted[gi]:
            continue
        pieces = found.get(gi, [])
        joined = [t for _, _, qt in pieces for t in qt]
        if not pieces or share_inside(gt, joined) < INSIDE:
            s.errors.append(f"{article['id']}: missed {g['text'][:60]!r}")
            continue
        s.matched += 1
        names = surnames(g)
        if names is None:
            continue
        s.speaker_total += 1
        q = max(pieces, key=lambda p: p[0])[1]  # the longest piece speaks for the span
        said = tokens(q.speaker or "")
        if any(name in said for name in names):
            s.speaker_right += 1
        else:
            s.errors.append(
                f"{article['id']}: speaker {q.speaker!r} for gold {g['speaker']!r}"
                f" ({'|'.join(names)}): {g['text'][:60]!r}"
            )
