"""Direct quotes and their speakers.

    >>> key, fragments = find_quotes(split_sentences(paragraphs), title="…")

The sentences are put back into paragraphs, since a quote may span sentences
and run on into the next paragraph. Then:

1. quote_spans finds every double-quoted span (curly or straight marks, a
   dropped opening mark, a quote left open at a paragraph's end);
2. speakers.Registry reads who is mentioned outside the quotes;
3. attribution reads the clause beside each span (`“…,” she added`,
   `Smith said: “…”`) and the registry resolves it to the fullest name, the
   organisation, or the person a pronoun points to;
4. a span without attribution takes, in this order: the speaker of the quote
   it continues (a run-on paragraph), of the quote right after it with only a
   space between, the person the sentence after it points back to ('“…” Those
   were the words of Ayesha Siddiqui'), the subject of the sentence just
   before it ('Omar Saleh was blunt. “…”'; 'Does she worry? “…”'), the speaker
   of an indirect-speech clause ending the previous paragraph, or the speaker
   of the quote just before it;
5. quoted titles ("his novel “The Long Road”") are dropped, spans under five
   words are fragments (scare quotes), and the rest are key quotes, ranked by
   what they add: length within bounds, numbers and names, an attributed
   speaker, words shared with the title, and novelty against quotes ranked
   above them (MMR-style, with a push for a new voice); a partial quote
   (starting mid-sentence) counts a little less than a whole one.

Every step reads each character a bounded number of times and looks back a
bounded number of mentions, so the cost is linear in the article's length.
Measured: about 0.1 ms per sentence (bench/eval_quotes.py prints ms/article).
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

from summarizer.attribution import (
    SpeakerRef,
    after_quote,
    before_quote,
    first_person_named,
    headline_subject,
    named_after,
    on_behalf,
    sentence_subject,
    speech_clause_subject,
)
from summarizer.model import Quote
from summarizer.quote_spans import QuoteSpan, link_continuations, paragraph_spans
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
    title headline headlined caption
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
_NAME_END = re.compile(r"\b[A-Z][a-z’'-]+ $")
_SMALL_WORDS = _set("a an the of and or in on at to for from by with de la le")


@dataclass(slots=True)
class _Paragraph:
    text: str
    base: int
    starts: list[int]
    sentence_ids: list[int]


@dataclass(slots=True)
class _Found:
    span: QuoteSpan
    text: str
    ref: SpeakerRef | None
    speaker: str | None = None
    via_verb: bool = False
    nearby: str | None = None
    weak: bool = False


def _paragraphs(sentences: list[Sentence]) -> list[_Paragraph]:
    paragraphs: list[_Paragraph] = []
    current: int | None = None
    base = 0
    for s in sentences:
        if current is None or s.paragraph != current:
            if paragraphs:
                base += len(paragraphs[-1].text) + 1
            paragraphs.append(_Paragraph("", base, [], []))
            current = s.paragraph
        para = paragraphs[-1]
        if para.text:
            para.text += " "
        para.starts.append(len(para.text))
        para.sentence_ids.append(s.index)
        para.text += s.text
    return paragraphs


_PARTY_LABEL = re.compile(
    r"\((?:R|D|I|Ind|DFL)-[A-Z][\w. ]{0,14}\)"
    r"|(?<=, )(?:R|D|I|Ind|DFL)-[A-Z][\w.]*(?: [A-Z][\w.]*)?(?=,)"
)
"""A US party-and-state label after a name: 'Rep. Gwen Moore (D-Wis.)', 'Mitch
McConnell, R-Ky., said'."""


def _blank_labels(text: str, spans: list[QuoteSpan]) -> str:
    """`text` with party labels outside quotes turned to spaces (offsets kept), so a
    label is never read as a name and the name before it stays the speaker."""

    def blank(m: re.Match[str]) -> str:
        inside = any(s.open_at <= m.start() < s.close_after for s in spans)
        return m.group() if inside else " " * len(m.group())

    return _PARTY_LABEL.sub(blank, text)


def _mask(paragraphs: list[_Paragraph], spans: list[list[QuoteSpan]]) -> str:
    parts = []
    for para, found in zip(paragraphs, spans, strict=True):
        chars = list(para.text)
        for span in found:
            for i in range(span.open_at, min(span.close_after, len(chars))):
                chars[i] = MASK
        parts.append("".join(chars))
    return "\n".join(parts)


def _speaker(ref: SpeakerRef, offset: int, registry: Registry, last: str | None) -> str | None:
    if ref.kind == "name":
        return registry.resolve_name(ref.tokens, offset)
    if ref.kind == "pronoun":
        return registry.resolve_pronoun(ref.text, offset, last)
    if ref.head:
        definite = ref.text.lower().startswith("the ")
        found = registry.resolve_role(ref.head, offset, definite, ref.text)
        if found:
            return found
    text = ref.text.strip(" ,")
    first = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if first.lower() in ("the", "a", "an", "one") else text


def _attribute(
    para: _Paragraph, p_spans: list[QuoteSpan], i: int, prev_tail: str, introduces: bool
) -> tuple[SpeakerRef | None, SpeakerRef | None]:
    """(the attribution of span i, the subject of the sentence just before it).

    The second is a strong local cue for a pronoun ('Marta Ruiz hit back.
    “…,” she said.') and stands in for a missing attribution ('Asked about it,
    Omar Saleh was blunt. “…”') unless the next quote, right after, is
    attributed. A quote opening a paragraph after one with no quote (`introduces`)
    takes the subject of that paragraph's last sentence the same way ('Captain Sean
    Pike saw it differently.' then '“Luck had nothing to do with it.”').
    """
    span = p_spans[i]
    text = para.text
    limit = p_spans[i + 1].open_at if i + 1 < len(p_spans) else len(text)
    quote_end = text[span.end - 1] if span.end > span.start else ""
    ref = local = None
    if span.has_close:
        ref = after_quote(text, span.close_after, limit, quote_end)
        if ref is None and i + 1 == len(p_spans):
            ref = headline_subject(text, span.close_after)
    if ref is None and span.open_at > 0:
        lower = p_spans[i - 1].close_after if i else 0
        ref = before_quote(text, lower, span.open_at)
    if span.open_at > 1:
        lower = p_spans[i - 1].close_after if i else 0
        lead = text[lower : span.open_at].rstrip()
        if lead and lead[-1] in ".!?":
            end = lower + len(lead) - 1
            local = (
                on_behalf(text[:end], lower)
                or before_quote(text, lower, end)
                or sentence_subject(text[:end], lower)
                or first_person_named(text[:end], lower)
            )
        elif not lead.strip() and i and text[p_spans[i - 1].end - 1 : p_spans[i - 1].end] in ".!?":
            before = p_spans[i - 1]
            lower = p_spans[i - 2].close_after if i > 1 else 0
            if text[lower : before.open_at].strip():
                local = before_quote(text, lower, before.open_at)
    if ref is None and i == 0 and span.open_at <= 1 and introduces:
        found = sentence_subject(prev_tail.rstrip().rstrip(".!?"))
        if found is not None and found.kind == "name":
            shift = -len(prev_tail) - 1
            local = SpeakerRef(found.kind, found.text, found.offset + shift, found.tokens)
    if ref is None and i == 0 and span.open_at <= 1 and prev_tail.strip():
        tail = prev_tail.rstrip()
        found = (
            before_quote(prev_tail, 0, len(tail) - 1)
            if tail.endswith(":")
            else speech_clause_subject(prev_tail)
        )
        if found is not None:
            shift = -len(prev_tail) - 1
            ref = SpeakerRef(found.kind, found.text, found.offset + shift, found.tokens, found.head)
    return ref, local


def _is_title(text: str, before: str, attributed: bool) -> bool:
    """A quoted title ('her novel “The Quiet Shore”'): Title Case words, after
    a cue such as 'novel' or 'album', or with no one said to have said them.
    Words on a sign or a banner ('a sign read “…”') are not speech either."""
    if not attributed and _INSCRIPTION.search(before):
        return True
    words = _WORD.findall(text)
    if not words or text.rstrip()[-1:] in ".!?,;:":
        return False
    big = [w for w in words if w.lower() not in _SMALL_WORDS]
    if not big or not words[0][0].isupper() or not all(w[0].isupper() for w in big):
        return False
    cue = [w.lower() for w in _WORD.findall(before)[-3:]]
    if any(w in _TITLE_CUES for w in cue):
        return True
    return len(words) >= 2 and not attributed


def _content(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if w.lower() not in NOT_NAMES and len(w) > 2}


def _substance(q: _Found, title_words: set[str], index: int, total: int) -> float:
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


def _rank(found: list[_Found], title: str | None) -> list[tuple[float, _Found]]:
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
    chosen: list[tuple[float, _Found]] = []
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
    paragraphs = _paragraphs(sentences)
    spans = [paragraph_spans(p.text, i, p.starts) for i, p in enumerate(paragraphs)]
    link_continuations(spans)
    for para, p_spans in zip(paragraphs, spans, strict=True):
        para.text = _blank_labels(para.text, p_spans)
    starts = [p.base + start for p in paragraphs for start in p.starts]
    registry = Registry.build(
        _mask(paragraphs, spans), "\n".join(p.text for p in paragraphs), starts
    )
    found, by_span = _attribute_all(paragraphs, spans, registry)
    _fill_gaps(found, by_span, paragraphs)
    key, fragments = _sort_out(_merge_interrupted(found, paragraphs), paragraphs)

    def position(q: _Found) -> int:
        para = paragraphs[q.span.paragraph]
        i = bisect.bisect_right(para.starts, q.span.start) - 1
        return para.sentence_ids[max(i, 0)]

    ranked = [
        Quote(text=q.text, speaker=q.speaker, position=position(q), score=round(score, 3))
        for score, q in _rank(key, title)
    ]
    frags = [Quote(text=q.text, speaker=q.speaker, position=position(q)) for q in fragments]
    return ranked, frags


def _share_group_speakers(found: list[_Found], by_span: dict[int, _Found]) -> None:
    """A quote run on over paragraphs has one speaker, wherever it is named."""
    for q in reversed(found):
        prev = q.span.prev
        if prev is not None and q.speaker is not None:
            earlier = by_span.get(id(prev))
            if earlier is not None and earlier.speaker is None:
                earlier.speaker = q.speaker
    for q in found:
        prev = q.span.prev
        if prev is not None and q.speaker is None:
            earlier = by_span.get(id(prev))
            if earlier is not None:
                q.speaker = earlier.speaker


def _attribute_all(
    paragraphs: list[_Paragraph], spans: list[list[QuoteSpan]], registry: Registry
) -> tuple[list[_Found], dict[int, _Found]]:
    """Every span with the speaker its own attribution (or a shared one) gives."""
    found: list[_Found] = []
    by_span: dict[int, _Found] = {}
    last_speaker: str | None = None
    for p_index, (para, p_spans) in enumerate(zip(paragraphs, spans, strict=True)):
        prev_tail = paragraphs[p_index - 1].text if p_index else ""
        if p_index and spans[p_index - 1]:
            prev_tail = prev_tail[spans[p_index - 1][-1].close_after :]
        introduces = p_index > 0 and not spans[p_index - 1]
        for i, span in enumerate(p_spans):
            ref, local = _attribute(para, p_spans, i, prev_tail, introduces)
            q = _Found(span, para.text[span.start : span.end].strip().rstrip(",;:—– "), ref)
            if ref is not None:
                q.speaker = _speaker(ref, para.base + ref.offset, registry, last_speaker)
                q.via_verb = True
            earlier = found[-1] if found else None
            kept = None
            if earlier is not None and earlier.span.paragraph == p_index:
                kept = _continuity(earlier, ref, local, registry)
            if kept is not None:
                q.speaker = kept
            elif ref is not None and ref.kind == "pronoun" and local is not None:
                nearby = _speaker(local, para.base + local.offset, registry, last_speaker)
                if nearby and (local.spokes or registry.compatible(nearby, ref.text)):
                    q.speaker = nearby
            elif ref is None and (after := _pointed_back(paragraphs, spans, p_index, i)):
                q.nearby = _speaker(after[0], after[1] + after[0].offset, registry, last_speaker)
            elif ref is None and local is not None and local.kind != "role":
                q.nearby = _speaker(local, para.base + local.offset, registry, last_speaker)
            elif ref is None and (subject := _clause_subject(para, p_spans, i)) is not None:
                q.nearby = _speaker(subject, para.base + subject.offset, registry, last_speaker)
                q.weak = True
            if q.speaker is None and span.prev is not None and id(span.prev) in by_span:
                q.speaker = by_span[id(span.prev)].speaker
            if q.speaker is not None:
                last_speaker = q.speaker
            found.append(q)
            by_span[id(span)] = q
    return found, by_span


def _clause_subject(para: _Paragraph, p_spans: list[QuoteSpan], i: int) -> SpeakerRef | None:
    """The named subject of the clause a quote sits in with no verb of saying
    ('In a May speech, Brill attacked “the closed shop …”'): weak evidence, used
    only when nothing else points at a speaker, and not enough to keep a quoted
    title as speech."""
    span = p_spans[i]
    lower = p_spans[i - 1].close_after if i else 0
    lead = para.text[lower : span.open_at].rstrip()
    if not lead or not lead[-1].isalpha():
        return None
    subject = sentence_subject(para.text[: span.open_at], lower)
    return subject if subject is not None and subject.kind == "name" else None


def _pointed_back(
    paragraphs: list[_Paragraph], spans: list[list[QuoteSpan]], p_index: int, i: int
) -> tuple[SpeakerRef, int] | None:
    """(ref, base offset) when the sentence after an unattributed quote names its
    speaker ('“…” Those were the words of Ayesha Siddiqui.'), in the same
    paragraph or, for a quote that ends its paragraph, at the next one's start."""
    para, span = paragraphs[p_index], spans[p_index][i]
    if not span.has_close:
        return None
    end = spans[p_index][i + 1].open_at if i + 1 < len(spans[p_index]) else len(para.text)
    rest = para.text[span.close_after : end]
    if rest.strip():
        ref = named_after(rest)
        return (ref, para.base + span.close_after) if ref is not None else None
    if end < len(para.text) or p_index + 1 >= len(paragraphs):
        return None
    nxt = paragraphs[p_index + 1]
    stop = spans[p_index + 1][0].open_at if spans[p_index + 1] else len(nxt.text)
    ref = named_after(nxt.text[:stop])
    return (ref, nxt.base) if ref is not None else None


def _fill_gaps(
    found: list[_Found], by_span: dict[int, _Found], paragraphs: list[_Paragraph]
) -> None:
    """Speakers for unattributed quotes, strongest evidence first."""
    _share_group_speakers(found, by_span)
    _adjacent(found, paragraphs)
    for q in found:
        if q.speaker is None and q.nearby is not None:
            q.speaker, q.via_verb = q.nearby, not q.weak
    _share_group_speakers(found, by_span)
    _inherit(found)


def _sort_out(
    merged: list[_Found], paragraphs: list[_Paragraph]
) -> tuple[list[_Found], list[_Found]]:
    """(key quotes, fragments) in article order; titles and repeats dropped."""
    key: list[_Found] = []
    fragments: list[_Found] = []
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


def _continuity(
    earlier: _Found, ref: SpeakerRef | None, local: SpeakerRef | None, registry: Registry
) -> str | None:
    """The previous quote's speaker, when this quote shares its attribution
    ('“A?” he asks. “B.”') or says 'it'/'they' after an organisation spoke."""
    if earlier.speaker is None or earlier.ref is None:
        return None
    cue = ref or local
    if cue is not None and earlier.ref.offset == cue.offset:
        return earlier.speaker
    if (
        ref is not None
        and ref.kind == "pronoun"
        and ref.text in ("it", "they")
        and registry.compatible(earlier.speaker, ref.text)
    ):
        return earlier.speaker
    return None


def _adjacent(found: list[_Found], paragraphs: list[_Paragraph]) -> None:
    """Quotes with nothing but a space between them (“A.” “B,” she said) are one
    speaker's: paragraph breaks between them were lost on the way."""
    for q, nxt in zip(reversed(found[:-1]), reversed(found[1:]), strict=True):
        if q.speaker is not None or nxt.speaker is None:
            continue
        if q.span.paragraph != nxt.span.paragraph or not q.span.has_close:
            continue
        if not paragraphs[q.span.paragraph].text[q.span.close_after : nxt.span.open_at].strip():
            q.speaker = nxt.speaker


def _inherit(found: list[_Found]) -> None:
    """An unattributed quote opening a paragraph, or following a quote in its
    paragraph, is the previous speaker's (newsroom convention)."""
    for prev, q in itertools.pairwise(found):
        if q.speaker is not None or prev.speaker is None:
            continue
        same = q.span.paragraph == prev.span.paragraph
        opens_next = q.span.paragraph == prev.span.paragraph + 1 and q.span.open_at <= 1
        if same or opens_next:
            q.speaker = prev.speaker


def _merge_interrupted(found: list[_Found], paragraphs: list[_Paragraph]) -> list[_Found]:
    """`“We will win,” she said, “and soon.”` is one quote, not two."""
    out: list[_Found] = []
    for q in found:
        prev = out[-1] if out else None
        if prev is not None and prev.span.paragraph == q.span.paragraph and q.span.has_open:
            text = paragraphs[q.span.paragraph].text
            between = text[prev.span.close_after : q.span.open_at].strip()
            raw = text[prev.span.start : prev.span.end].rstrip()
            if (
                raw.endswith(",")
                and between.endswith(",")
                and len(between.split()) <= 12
                and prev.via_verb
            ):
                prev.text = f"{prev.text}, {q.text}"
                prev.span = QuoteSpan(
                    prev.span.paragraph, prev.span.start, q.span.end, True, q.span.has_close
                )
                prev.span.prev = None
                continue
        out.append(q)
    return out
