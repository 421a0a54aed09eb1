"""Pass 4 of quote attribution: one speaker per quote, from its evidence.

    >>> attributed = decide(evidence, registry, paragraphs)

Each clue of pass 3 is resolved through the registry of pass 2 (a name to the
fullest name, a pronoun to the person it points back to, a role to the body or
person it stands for), then every quote takes the strongest evidence it has, in
this order:

1. its own attribution (`cue`); a quote that shares the previous quote's
   attribution ('“A?” he asks. “B.”') or says 'it'/'they' after a body spoke keeps
   that quote's speaker (also from the paragraph before, for 'it'/'they' opening
   the next); a pronoun cue gives way to the subject of the sentence just
   before when the pronoun fits it ('Marta Ruiz hit back. “…,” she said.'), or of
   the paragraph before with no quote when the subject said something there or is
   known to be he or she;
2. the speaker of the quote it continues (run on over paragraphs), wherever in the
   run the speaker is named;
3. the speaker of the quote right after it, with only a space between
   ('“A.” “B,” she said': a lost paragraph break);
4. a sentence after it pointing back ('Those were the words of …'), else the
   subject of the sentence before it, else (weak) the subject of its own clause;
5. the previous quote's speaker, when it follows that quote in its paragraph or
   opens the next paragraph, or the one after a narrative paragraph (the newsroom
   convention for follow-on quotes); failing that, for a paragraph that is only a
   quote, the speaker of the attributed quote opening the next paragraph.

Steps 1 and 4 walk the quotes in order, since a pronoun leans towards whoever spoke
last; the others read the neighbours' decisions.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from summarizer.attribution import SpeakerRef
from summarizer.evidence import Clue, Evidence
from summarizer.quote_spans import Paragraph, QuoteSpan
from summarizer.speakers import Registry


@dataclass(slots=True)
class Attributed:
    """A quote and its speaker; `via_verb` when a verb of saying (or strong
    evidence standing for one) gave it, which keeps a quoted title as speech."""

    span: QuoteSpan
    text: str
    cue: Clue | None
    speaker: str | None = None
    via_verb: bool = False
    nearby: str | None = None
    weak: bool = False
    plain_before: bool = False


def decide(
    evidence: list[Evidence], registry: Registry, paragraphs: list[Paragraph]
) -> list[Attributed]:
    found: list[Attributed] = []
    by_span: dict[int, Attributed] = {}
    last_speaker: str | None = None

    def resolve(clue: Clue) -> str | None:
        return _resolve(clue.ref, clue.at, registry, last_speaker)

    for e in evidence:
        q = Attributed(e.span, e.text, e.cue)
        if e.cue is not None:
            q.speaker, q.via_verb = resolve(e.cue), True
        earlier = found[-1] if found else None
        kept = None
        if earlier is not None and (
            earlier.span.paragraph == e.span.paragraph
            or (_opens_next(earlier, e.span) and (_body_pronoun(e) or _shared_cue(earlier, e)))
        ):
            kept = _continuity(earlier, e, registry)
        if kept is not None:
            q.speaker = kept
        elif e.cue is not None and e.cue.ref.kind == "pronoun" and e.before is not None:
            nearby = resolve(e.before)
            earlier_paragraph = e.before.at < paragraphs[e.span.paragraph].base
            earlier_paragraph = earlier_paragraph and not e.before.ref.says
            if nearby and (
                e.before.ref.spokes
                or registry.compatible(nearby, e.cue.ref.text, strict=earlier_paragraph)
            ):
                q.speaker = nearby
        elif e.cue is None and e.after is not None:
            q.nearby = resolve(e.after)
        elif e.cue is None and e.before is not None and e.before.ref.kind != "role":
            q.nearby = resolve(e.before)
            q.plain_before = not e.before.ref.says
        elif e.cue is None and e.clause is not None:
            q.nearby, q.weak = resolve(e.clause), True
        if q.speaker is None and e.span.prev is not None and id(e.span.prev) in by_span:
            q.speaker = by_span[id(e.span.prev)].speaker
        if q.speaker is not None:
            last_speaker = q.speaker
        found.append(q)
        by_span[id(e.span)] = q
    _share_runs(found, by_span)
    _adjacent(found, paragraphs)
    for q in found:
        if q.speaker is None and q.nearby is not None:
            q.speaker, q.via_verb = q.nearby, not q.weak
        else:
            q.plain_before = False
    _share_runs(found, by_span)
    _follow_on(found)
    _named_next(found, paragraphs)
    return found


def _resolve(ref: SpeakerRef, offset: int, registry: Registry, last: str | None) -> str | None:
    if ref.kind == "name":
        name = registry.resolve_name(ref.tokens, offset)
        return None if registry.stray_word(ref.tokens, name, offset) else name
    if ref.kind == "pronoun":
        return registry.resolve_pronoun(ref.text, offset, last)
    if ref.head and not ref.text.lower().startswith(("my ", "our ")):
        definite = ref.text.lower().startswith("the ")
        found = registry.resolve_role(ref.head, offset, definite, ref.text)
        if found:
            return found
    text = ref.text.strip(" ,")
    first = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if first.lower() in ("the", "a", "an", "one") else text


def _continuity(earlier: Attributed, e: Evidence, registry: Registry) -> str | None:
    """The previous quote's speaker, when this quote shares its attribution
    ('“A?” he asks. “B.”') or says 'it'/'they' after an organisation spoke."""
    if earlier.speaker is None or earlier.cue is None:
        return None
    clue = e.cue or e.before
    if clue is not None and earlier.cue.at == clue.at:
        return earlier.speaker
    if (
        e.cue is not None
        and e.cue.ref.kind == "pronoun"
        and e.cue.ref.text in ("it", "they")
        and registry.compatible(earlier.speaker, e.cue.ref.text)
    ):
        return earlier.speaker
    return None


def _opens_next(earlier: Attributed, span: QuoteSpan) -> bool:
    return span.paragraph == earlier.span.paragraph + 1 and span.open_at <= 1


def _shared_cue(earlier: Attributed, e: Evidence) -> bool:
    """'“A,” he said. / “B.”': the next paragraph's quote read the same attribution."""
    return e.cue is not None and earlier.cue is not None and earlier.cue.at == e.cue.at


def _body_pronoun(e: Evidence) -> bool:
    return e.cue is not None and e.cue.ref.kind == "pronoun" and e.cue.ref.text in ("it", "they")


def _share_runs(found: list[Attributed], by_span: dict[int, Attributed]) -> None:
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


def _adjacent(found: list[Attributed], paragraphs: list[Paragraph]) -> None:
    """Quotes with nothing but a space between them (“A.” “B,” she said) are one
    speaker's: paragraph breaks between them were lost on the way."""
    for q, nxt in zip(reversed(found[:-1]), reversed(found[1:]), strict=True):
        if q.speaker is not None or nxt.speaker is None:
            continue
        if q.span.paragraph != nxt.span.paragraph or not q.span.has_close:
            continue
        if not paragraphs[q.span.paragraph].text[q.span.close_after : nxt.span.open_at].strip():
            q.speaker = nxt.speaker


def _follow_on(found: list[Attributed]) -> None:
    """An unattributed quote opening a paragraph, or following a quote in its
    paragraph, is the previous speaker's (newsroom convention); so is one opening a
    paragraph after a single narrative paragraph that brought no one in."""
    for prev, q in itertools.pairwise(found):
        if q.speaker is not None or prev.speaker is None:
            continue
        after_one = q.span.paragraph == prev.span.paragraph + 2 and q.span.open_at <= 1
        if (
            q.span.paragraph == prev.span.paragraph
            or _opens_next(prev, q.span)
            or (after_one and q.cue is None)
        ):
            q.speaker = prev.speaker


def _named_next(found: list[Attributed], paragraphs: list[Paragraph]) -> None:
    """A paragraph that is nothing but an unattributed quote, right before a
    paragraph opening with an attributed quote, is that speaker's: the attribution
    comes at the end of the run ('“A.”' / '“B,” he once said.'), over the subject of
    a sentence before it that said nothing ('The board had banned her.' / '“A.”' /
    '“B,” said its chief, Ana Ruiz.')."""
    for q, nxt in zip(reversed(found[:-1]), reversed(found[1:]), strict=True):
        unsure = q.speaker is None or q.plain_before
        if not unsure or nxt.speaker is None or nxt.cue is None:
            continue
        if nxt.span.paragraph != q.span.paragraph + 1 or nxt.span.open_at > 1:
            continue
        para = paragraphs[q.span.paragraph]
        if q.span.open_at <= 1 and q.span.has_close and not para.text[q.span.close_after :].strip():
            q.speaker = nxt.speaker
