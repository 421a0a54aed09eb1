"""Direct quotes and their speakers, in four passes read top to bottom.

    >>> key, fragments = find_quotes(split_sentences(paragraphs), title="…")

1. spans (quote_spans.layout): the paragraphs and every double-quoted span in
   them (curly or straight marks, a dropped opening mark, a quote run on into the
   next paragraph, linked to it);
2. mentions (speakers.Registry): who and what the text outside the quotes names:
   people by their fullest name, organisations, pronoun and role cues, with where
   each mention sits (a sentence's subject, a verb of saying's subject);
3. evidence (evidence.gather): for each span, the clues to its speaker: the
   attribution clause beside it (read by attribution.py), the subject of the
   sentence before, a sentence after pointing back, its own clause's subject;
4. decision (decide.decide): each clue resolved through the registry and one
   speaker chosen per quote, strongest evidence first, then the neighbours'
   (a run-on quote, the quote right after, the previous speaker).

Then this module sorts the quotes: quoted titles ("his novel “The Long Road”")
are dropped, spans under five words are fragments (scare quotes), and the rest
are key quotes, ranked by what they add: length within bounds, numbers and names,
an attributed speaker, words shared with the title, and novelty against quotes
ranked above them (MMR-style, with a push for a new voice); a partial quote
(starting mid-sentence) counts a little less than a whole one.

Every pass reads each character a bounded number of times and looks back a
bounded number of mentions, so the cost is linear in the article's length.
Measured: about 0.1 ms per sentence (bench/eval_quotes.py prints ms/article).
"""

from __future__ import annotations

import bisect
import re

from summarizer.decide import Attributed, decide
from summarizer.evidence import gather
from summarizer.model import Quote
from summarizer.quote_spans import Paragraph, QuoteSpan, layout, masked
from summarizer.sentences import Sentence
from summarizer.speaker_words import NOT_NAMES
from summarizer.speakers import MASK, Registry

MIN_KEY_WORDS = 5
_MMR_POOL = 24


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|"
    r"billion|half|percent|per cent)\b",
    re.IGNORECASE,
)
_TITLE_CUES = _set(
    """
    book novel film movie album song single play series show documentary podcast poem titled debut
    title headline headlined caption report study survey
    entitled called named exhibition headline opera musical painting track episode memoir
    anthem slogan hashtag
    """
)
_INSCRIPTION = re.compile(
    r"\b(?:sign|signs|banner|banners|placard|placards|poster|posters|inscription|plaque|"
    r"graffiti|message|note|t-shirt|shirt|slogan)\b[^.!?]{0,30}\b(?:read|reads|reading|said|"
    r"saying|says|bearing|bore)[:,]?\s*$",
    re.IGNORECASE,
)
_WORK_NAMED = re.compile(
    r"\b(?:commentary|column|op-ed|essay|editorial|article|piece|blog post|book|novel|memoir"
    r"|film|documentary|report|study|paper|headline)s?,\s*$",
    re.IGNORECASE,
)
"""'Ouisa Davis' commentary, “Melania, tell your story,” is …': a quote set after a
written work and a comma is the work's title, whatever its case."""
_NAME_END = re.compile(r"\b[A-Z][a-z’'-]+ $")
_SMALL_WORDS = _set("a an the of and or in on at to for from by with de la le")


def _is_title(text: str, before: str, attributed: bool) -> bool:
    """A quoted title ('her novel “The Quiet Shore”'): Title Case words, after
    a cue such as 'novel' or 'album', or with no one said to have said them.
    Words on a sign or a banner ('a sign read “…”') are not speech either."""
    if _INSCRIPTION.search(before) or (not attributed and _WORK_NAMED.search(before)):
        return True
    words = _WORD.findall(text)
    end = text.rstrip()[-1:]
    if not words or end in "!?,;:":
        return False
    big = [w for w in words if w.lower() not in _SMALL_WORDS]
    if not big or not words[0][0].isupper() or not all(w[0].isupper() for w in big):
        return False
    cue = [w.lower() for w in _WORD.findall(before)[-3:]]
    if any(w in _TITLE_CUES for w in cue):
        return len(big) >= 2 or end != "."
    return len(words) >= 2 and not attributed and end != "."


def _content(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if w.lower() not in NOT_NAMES and len(w) > 2}


def _substance(q: Attributed, title_words: set[str], index: int, total: int) -> float:
    words = _WORD.findall(q.text)
    n = len(words)
    if n < 8:
        length = 0.5
    elif n <= 45:
        length = 1.0
    else:
        length = max(0.3, 45 / n)
    content = _content(q.text)
    density = len(content) / n if n else 0.0
    names = sum(1 for w in words[1:] if w[0].isupper() and w.lower() not in NOT_NAMES)
    score = length * (0.6 + density)
    score += 0.3 if _NUMBER.search(q.text) else 0.0
    score += min(names, 3) * 0.1
    score += 0.5 if q.speaker else 0.0
    score -= 0.2 if q.text[:1].islower() else 0.0
    if title_words:
        score += 0.8 * len(content & title_words) / len(title_words)
    score += 0.15 * (1 - index / max(total, 1))
    return score


def _rank(found: list[Attributed], title: str | None) -> list[tuple[float, Attributed]]:
    """Greedy MMR over the best candidates; the long tail keeps its base order.

    Only the first `_MMR_POOL` candidates by base score are re-ranked against
    each other, which keeps ranking linear in the number of quotes.
    """
    title_words = _content(title or "")
    base = sorted(
        ((_substance(q, title_words, i, len(found)), i, q) for i, q in enumerate(found)),
        key=lambda item: (-item[0], item[1]),
    )
    pool = [(score, q, _content(q.text)) for score, _, q in base[:_MMR_POOL]]
    chosen: list[tuple[float, Attributed]] = []
    chosen_words: list[set[str]] = []
    voices: set[str | None] = set()
    while pool:
        best_i, best_score = 0, float("-inf")
        for i, (score, q, words) in enumerate(pool):
            overlap = max(
                (len(words & w) / max(1, len(words | w)) for w in chosen_words), default=0.0
            )
            adjusted = score - 0.8 * overlap - (0.5 if q.speaker in voices else 0.0)
            if adjusted > best_score:
                best_i, best_score = i, adjusted
        _, q, words = pool.pop(best_i)
        chosen.append((best_score, q))
        chosen_words.append(words)
        voices.add(q.speaker)
    floor = min((score for score, _ in chosen), default=0.0)
    chosen += [(min(score, floor), q) for score, _, q in base[_MMR_POOL:]]
    return chosen


def find_quotes(
    sentences: list[Sentence], *, title: str | None = None
) -> tuple[list[Quote], list[Quote]]:
    """Return (key quotes best first, fragments and scare quotes in article order)."""
    paragraphs = layout(sentences)
    starts = [p.base + start for p in paragraphs for start in p.starts]
    full = "\n".join(p.text for p in paragraphs)
    registry = Registry.build(masked(paragraphs, MASK), full, starts)
    attributed = decide(gather(paragraphs), registry, paragraphs)
    key, fragments = _sort_out(_merge_interrupted(attributed, paragraphs), paragraphs)

    def position(q: Attributed) -> int:
        para = paragraphs[q.span.paragraph]
        i = bisect.bisect_right(para.starts, q.span.start) - 1
        return para.sentence_ids[max(i, 0)]

    ranked = [
        Quote(text=q.text, speaker=q.speaker, position=position(q), score=round(score, 3))
        for score, q in _rank(key, title)
    ]
    frags = [Quote(text=q.text, speaker=q.speaker, position=position(q)) for q in fragments]
    return ranked, frags


def _sort_out(
    merged: list[Attributed], paragraphs: list[Paragraph]
) -> tuple[list[Attributed], list[Attributed]]:
    """(key quotes, fragments) in article order; titles and repeats dropped."""
    key: list[Attributed] = []
    fragments: list[Attributed] = []
    seen: set[str] = set()
    for q in merged:
        norm = " ".join(_WORD.findall(q.text.lower()))
        if not norm or norm in seen:
            continue
        para = paragraphs[q.span.paragraph]
        before = para.text[max(0, q.span.open_at - 40) : q.span.open_at]
        after = para.text[q.span.close_after : q.span.close_after + 2]
        nickname = bool(_NAME_END.search(before)) and after[:1] == " " and after[1:].isupper()
        if not nickname and _is_title(q.text, before, q.via_verb):
            continue
        seen.add(norm)
        (key if len(_WORD.findall(q.text)) >= MIN_KEY_WORDS else fragments).append(q)
    return key, fragments


def _short_pair(prev: Attributed, q: Attributed, between: str) -> bool:
    """`“Here it comes,” she said, clapping. “At last.”`: a short quote whose
    attribution ends a sentence, then another with no attribution of its own and the
    same speaker, are one remark when each alone is too short to be a key quote."""
    short = max(len(_WORD.findall(prev.text)), len(_WORD.findall(q.text))) < MIN_KEY_WORDS
    return (
        short
        and q.cue is None
        and q.speaker == prev.speaker
        and between.endswith(".")
        and len(between.split()) <= 40
        and MASK not in between
    )


def _merge_interrupted(found: list[Attributed], paragraphs: list[Paragraph]) -> list[Attributed]:
    """`“We will win,” she said, “and soon.”` is one quote, not two."""
    out: list[Attributed] = []
    for q in found:
        prev = out[-1] if out else None
        if prev is not None and prev.span.paragraph == q.span.paragraph and q.span.has_open:
            text = paragraphs[q.span.paragraph].text
            between = text[prev.span.close_after : q.span.open_at].strip()
            raw = text[prev.span.start : prev.span.end].rstrip()
            if (
                prev.via_verb
                and raw.endswith(",")
                and (
                    (between.endswith(",") and len(between.split()) <= 12)
                    or _short_pair(prev, q, between)
                )
            ):
                prev.text = f"{prev.text}, {q.text}"
                prev.span = QuoteSpan(
                    prev.span.paragraph, prev.span.start, q.span.end, True, q.span.has_close
                )
                prev.span.prev = None
                continue
        out.append(q)
    return out
