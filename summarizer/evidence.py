"""Pass 3 of quote attribution: what the text around each quote says about its speaker.

    >>> found = gather(paragraphs)   # one Evidence per quoted span, in article order

Nothing is resolved here: each clue is a SpeakerRef (a name run, a pronoun or a role
phrase, read by attribution.py) with the article offset where the registry should
resolve it. The clues, strongest first:

* `cue`: the attribution clause beside the quote, a verb of saying and its subject
  (`“…,” Smith said`, `Smith said: “…”`, `According to X, “…”`), or, for a quote
  opening a paragraph, the lead-in that ends the paragraph before
  (`… the minister said:` / `Speaking outside court, Sandra Vale said the money…`);
* `before`: the subject of the sentence just before the quote ('Omar Saleh was
  blunt. “…”'), or of a paragraph with no quote just before this one;
* `after`: a sentence right after the quote that points back at it ('“…” Those
  were the words of Ayesha Siddiqui');
* `clause`: the named subject of the clause the quote sits in with no verb of
  saying ('In a May speech, Brill attacked “the closed shop …”'): weak.

Paragraph structure and position are in the Evidence too (the span, its paragraph,
whether it continues a quote left open), for the decision pass to weigh.
"""

from __future__ import annotations

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
from summarizer.quote_spans import Paragraph, QuoteSpan


@dataclass(frozen=True, slots=True)
class Clue:
    """A reference to a speaker and the article offset it is resolved at."""

    ref: SpeakerRef
    at: int


@dataclass(slots=True)
class Evidence:
    span: QuoteSpan
    text: str
    cue: Clue | None
    before: Clue | None
    after: Clue | None
    clause: Clue | None


def gather(paragraphs: list[Paragraph]) -> list[Evidence]:
    out: list[Evidence] = []
    for p_index, para in enumerate(paragraphs):
        prev_tail = paragraphs[p_index - 1].text if p_index else ""
        if p_index and paragraphs[p_index - 1].spans:
            prev_tail = prev_tail[paragraphs[p_index - 1].spans[-1].close_after :]
        introduces = p_index > 0 and not paragraphs[p_index - 1].spans
        for i, span in enumerate(para.spans):
            ref, local = _beside(para, i, prev_tail, introduces)
            if (
                local is None
                and introduces
                and i == 0
                and span.open_at <= 1
                and (ref is None or ref.kind == "pronoun")
            ):
                local = _newcomer(paragraphs, p_index - 1)
            after = _pointed_back(paragraphs, p_index, i)
            clause = _clause_subject(para, i)
            out.append(
                Evidence(
                    span=span,
                    text=para.text[span.start : span.end].strip().rstrip(",;:—– "),
                    cue=Clue(ref, para.base + ref.offset) if ref else None,
                    before=Clue(local, para.base + local.offset) if local else None,
                    after=Clue(after[0], after[1] + after[0].offset) if after else None,
                    clause=Clue(clause, para.base + clause.offset) if clause else None,
                )
            )
    return out


def _beside(
    para: Paragraph, i: int, prev_tail: str, introduces: bool
) -> tuple[SpeakerRef | None, SpeakerRef | None]:
    """(the attribution of span i, the subject of the sentence just before it).

    The second is a strong local cue for a pronoun ('Marta Ruiz hit back.
    “…,” she said.') and stands in for a missing attribution ('Asked about it,
    Omar Saleh was blunt. “…”') unless the next quote, right after, is
    attributed. A quote opening a paragraph after one with no quote (`introduces`)
    takes the subject of that paragraph's last sentence the same way ('Captain Sean
    Pike saw it differently.' then '“Luck had nothing to do with it.”').
    """
    p_spans = para.spans
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
            if i and _inside_sentence(text, p_spans[i - 1], lower, end):
                lower = p_spans[i - 2].close_after if i > 1 else 0
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
    if i == 0 and span.open_at <= 1 and introduces and (ref is None or ref.kind == "pronoun"):
        said = speech_clause_subject(prev_tail)
        found = sentence_subject(prev_tail.rstrip().rstrip(".!?"))
        if found is None or found.kind == "role":
            found = said or found
        if found is not None and (
            found.kind in ("name", "role")
            or (found.kind == "pronoun" and found.text in ("he", "she"))
        ):
            shift = -len(prev_tail) - 1
            says = said is not None and said.text == found.text
            local = SpeakerRef(
                found.kind, found.text, found.offset + shift, found.tokens, found.head, says=says
            )
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


def _inside_sentence(text: str, fragment: QuoteSpan, lower: int, end: int) -> bool:
    """'De Klerk said the decision made a “mockery” of the conference.': a short quote
    inside the sentence before a quote, so that sentence starts before it."""
    inner = text[fragment.start : fragment.end]
    return (
        len(inner.split()) < 5
        and not re.search(r"[.!?]", inner)
        and not re.search(r"[.!?]\s", text[lower:end])
        and fragment.open_at > 1
        and not text[: fragment.open_at].rstrip().endswith((".", "!", "?", ":"))
    )


def _newcomer(paragraphs: list[Paragraph], p_index: int) -> SpeakerRef | None:
    """The person a narrative paragraph brings into the story other than as its
    subject ('For Tom Hale, the loss was personal.', 'That is when Hale stepped in.',
    'Among those watching was Maria Lopez.'), for the quote paragraph after it: the
    first person its last sentence names, when no earlier paragraph named them."""
    text = paragraphs[p_index].text
    named = first_person_named(text.rstrip().rstrip(".!?"))
    if named is None or named.kind != "name":
        return None
    surname = named.tokens[-1]
    if any(surname in p.text for p in paragraphs[:p_index]):
        return None
    shift = -len(text) - 1
    return SpeakerRef(named.kind, named.text, named.offset + shift, named.tokens)


def _clause_subject(para: Paragraph, i: int) -> SpeakerRef | None:
    """The named subject of the clause a quote sits in with no verb of saying
    ('In a May speech, Brill attacked “the closed shop …”'): weak evidence, used
    only when nothing else points at a speaker, and not enough to keep a quoted
    title as speech."""
    span, p_spans = para.spans[i], para.spans
    lower = p_spans[i - 1].close_after if i else 0
    lead = para.text[lower : span.open_at].rstrip()
    if not lead or not lead[-1].isalpha():
        return None
    subject = sentence_subject(para.text[: span.open_at], lower)
    return subject if subject is not None and subject.kind == "name" else None


def _pointed_back(
    paragraphs: list[Paragraph], p_index: int, i: int
) -> tuple[SpeakerRef, int] | None:
    """(ref, base offset) when the sentence after an unattributed quote names its
    speaker ('“…” Those were the words of Ayesha Siddiqui.'), in the same
    paragraph or, for a quote that ends its paragraph, at the next one's start."""
    para, span = paragraphs[p_index], paragraphs[p_index].spans[i]
    if not span.has_close:
        return None
    end = (
        paragraphs[p_index].spans[i + 1].open_at
        if i + 1 < len(paragraphs[p_index].spans)
        else len(para.text)
    )
    rest = para.text[span.close_after : end]
    if rest.strip():
        ref = named_after(rest)
        return (ref, para.base + span.close_after) if ref is not None else None
    if end < len(para.text) or p_index + 1 >= len(paragraphs):
        return None
    nxt = paragraphs[p_index + 1]
    stop = (
        paragraphs[p_index + 1].spans[0].open_at if paragraphs[p_index + 1].spans else len(nxt.text)
    )
    ref = named_after(nxt.text[:stop])
    return (ref, nxt.base) if ref is not None else None
