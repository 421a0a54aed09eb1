"""Pass 1 of quote attribution: the article's paragraphs and the quoted spans in them.

    >>> paragraphs = layout(sentences)   # each with .text, .base, .spans

The sentences are put back into paragraphs, since a quote may span sentences and
run on into the next paragraph. US party-and-state labels ('Rep. Gwen Moore
(D-Wis.)') outside quotes are blanked (offsets kept), so no later pass reads one as
a name.

Finding the spans, whatever the marks:

Curly marks say which side they are on; straight ones (and curly ones typed the
wrong way round) are judged by the characters beside them. Single quotes are
left alone: inside a double-quoted span they are nested quotes, elsewhere they
are mostly apostrophes.

Two newsroom conventions are honoured:

* a quote that runs on into the next paragraph has an opening mark but no
  closing mark at the end of the paragraph, and the next paragraph opens with
  a fresh mark (the spans are linked, so they share one speaker);
* a closing mark with no opening mark before it in the paragraph (a dropped
  mark) starts the quote at the beginning of the paragraph or sentence;
* a fresh opening mark after a finished sentence inside an open quote is the
  same convention with the paragraph break lost: the quote goes on, linked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from summarizer.sentences import Sentence
from summarizer.speaker_words import SPEECH_VERBS

_OPENERS = "“„‟«"
_CLOSERS = "”»"
_STRAIGHT = '"'
_MARK = re.compile(f"[{_OPENERS}{_CLOSERS}{_STRAIGHT}]")
_BEFORE_OPEN = "([{—–-/:"
_AFTER_CLOSE = ",.;:!?)]}—–-…"


@dataclass(slots=True)
class QuoteSpan:
    """Quoted words in one paragraph: `start`/`end` bound the inner text.

    `has_open`/`has_close` say whether the marks were really there; `prev`
    links a span that continues a quote left open at the end of the previous
    paragraph.
    """

    paragraph: int
    start: int
    end: int
    has_open: bool
    has_close: bool
    prev: QuoteSpan | None = None

    @property
    def open_at(self) -> int:
        """Offset of the opening mark (or where it would be)."""
        return self.start - 1 if self.has_open else self.start

    @property
    def close_after(self) -> int:
        """Offset just past the closing mark (or the end of the text)."""
        return self.end + 1 if self.has_close else self.end


def _side(text: str, i: int, open_now: bool) -> str | None:
    """'open', 'close' or None (not a quote mark here) for the mark at `i`."""
    ch = text[i]
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    space_before = prev.isspace() or prev in _BEFORE_OPEN
    space_after = nxt.isspace() or nxt in _AFTER_CLOSE
    if ch in _OPENERS:
        return "close" if (not space_before and space_after and open_now) else "open"
    if ch in _CLOSERS:
        if ch == "»" and prev.isspace() and not open_now and not nxt.isalnum():
            return None  # a link arrow: 'Watch the report on the talks ».'
        return "open" if (space_before and nxt.isalnum() and not open_now) else "close"
    if prev.isdigit() and not open_now:
        return None  # inches: a 12" screen
    if space_before and not nxt.isspace():
        return "open"
    if not prev.isspace() and space_after:
        return "close"
    return "close" if open_now else "open"


def _mid_sentence(text: str, i: int) -> bool:
    """A closing mark with no opening one, between a word and a lowercase word that
    carries the sentence on ('a review of his systems" including his heart'): the lost
    mark opened a phrase somewhere inside the sentence, so where the quote began is
    unknown and no span is guessed."""
    return i > 0 and text[i - 1].isalnum() and re.match(r" [a-z]", text[i + 1 : i + 3]) is not None


def _stray_after_attribution(between: str) -> bool:
    """'“…,” underlined Mr Ruiz."': a doubled closing mark after the attribution of
    the quote just closed; the attribution is no quote."""
    words = between.split()
    return (
        0 < len(words) <= 5
        and between.rstrip().endswith(".")
        and any(w.lower().strip(",.") in SPEECH_VERBS for w in words)
    )


def _nested(text: str, open_at: int, i: int, last_curly_close: int) -> bool:
    """A straight mark inside a curly quote that is closed later is a nested
    quote (“he said "no" twice”), not the end of the outer one."""
    return text[open_at] in _OPENERS and text[i] == _STRAIGHT and i < last_curly_close


def paragraph_spans(text: str, paragraph: int, sentence_starts: list[int]) -> list[QuoteSpan]:
    """Quoted spans of one paragraph, in order.

    `sentence_starts` are the offsets where the paragraph's sentences begin; a
    dropped opening mark after an earlier quote starts at its sentence.
    """
    spans: list[QuoteSpan] = []
    restarted: set[int] = set()
    last_curly_close = text.rfind("”")
    open_at: int | None = None
    last_close = -1
    for mark in _MARK.finditer(text):
        i = mark.start()
        if open_at is not None and _nested(text, open_at, i, last_curly_close):
            continue
        side = _side(text, i, open_at is not None)
        if side == "open":
            if open_at is not None and text[:i].rstrip()[-1:] in ".!?…":
                spans.append(QuoteSpan(paragraph, open_at + 1, i, True, False))
                restarted.add(len(spans))
                last_close = i - 1
                open_at = None
            if open_at is None:
                open_at = i
            continue
        if side != "close":
            continue
        if open_at is not None:
            spans.append(QuoteSpan(paragraph, open_at + 1, i, True, True))
            open_at = None
        elif _mid_sentence(text, i) or (
            spans and _stray_after_attribution(text[last_close + 1 : i])
        ):
            pass
        elif not spans:
            spans.append(QuoteSpan(paragraph, 0, i, False, True))
        else:
            start = max([last_close + 1, *(s for s in sentence_starts if s <= i)])
            spans.append(QuoteSpan(paragraph, start, i, False, True))
        last_close = i
    if open_at is not None:
        spans.append(QuoteSpan(paragraph, open_at + 1, len(text), True, False))
    for index in restarted:
        if index < len(spans):
            spans[index].prev = spans[index - 1]
    for span in spans:
        while span.start < span.end and text[span.start].isspace():
            span.start += 1
        while span.end > span.start and text[span.end - 1].isspace():
            span.end -= 1
    return [s for s in spans if s.end > s.start]


def link_continuations(spans_by_paragraph: list[list[QuoteSpan]]) -> None:
    """Link a span left open at a paragraph's end to the span opening the next one."""
    for p in range(len(spans_by_paragraph) - 1):
        here, nxt = spans_by_paragraph[p], spans_by_paragraph[p + 1]
        if not here or not nxt or here[-1].has_close:
            continue
        first = nxt[0]
        if first.open_at <= 1:
            first.prev = here[-1]


@dataclass(slots=True)
class Paragraph:
    """One paragraph's text (sentences joined by a space), where it starts in the
    article (`base`, paragraphs joined by a newline), its sentences' offsets and
    indexes, and its quoted spans."""

    text: str
    base: int
    starts: list[int]
    sentence_ids: list[int]
    spans: list[QuoteSpan] = field(default_factory=list)


_PARTY_LABEL = re.compile(
    r"\((?:R|D|I|Ind|DFL)-[A-Z][\w. ]{0,14}\)"
    r"|(?<=[a-z] )\((?:R|D|I|Ind|DFL)\)"
    r"|(?<=, )(?:R|D|I|Ind|DFL)-[A-Z][\w.]*(?: [A-Z][\w.]*)?(?=,)"
    r"|(?<=, )(?:Democrat|Republican|Independent) (?:of|from) [A-Z][\w.]*(?: [A-Z][\w.]*)?(?=,)"
)
"""A US party label after a name: 'Rep. Gwen Moore (D-Wis.)', 'Gov. Pat McCrory (R)',
'Mitch McConnell, R-Ky., said', 'Patrick J. Leahy, Democrat of Vermont, said'."""


def layout(sentences: list[Sentence]) -> list[Paragraph]:
    """The paragraphs of `sentences` with their quoted spans (continuations linked)."""
    paragraphs: list[Paragraph] = []
    current: int | None = None
    base = 0
    for s in sentences:
        if current is None or s.paragraph != current:
            if paragraphs:
                base += len(paragraphs[-1].text) + 1
            paragraphs.append(Paragraph("", base, [], []))
            current = s.paragraph
        para = paragraphs[-1]
        if para.text:
            para.text += " "
        para.starts.append(len(para.text))
        para.sentence_ids.append(s.index)
        para.text += s.text
    in_excerpt = False
    for i, para in enumerate(paragraphs):
        para.text, in_excerpt = _excerpt_marks_blanked(para.text, in_excerpt)
        para.spans = paragraph_spans(para.text, i, para.starts)
    link_continuations([p.spans for p in paragraphs])
    for para in paragraphs:
        para.text = _blank_labels(para.text, para.spans)
    return paragraphs


def _excerpt_marks_blanked(text: str, in_excerpt: bool) -> tuple[str, bool]:
    """(text for finding spans, whether an excerpt runs on past this paragraph).

    A passage copied from another text is set off by a straight mark opening each of
    its paragraphs and one closing the last, while the quotes inside it keep their
    curly marks (`"The first time she saw him … a “rant,” …`). Those outer marks
    are the excerpt's, not a speaker's: blanked, so the quotes inside it are found.
    A paragraph is read so when its only straight marks open or close it and it holds
    curly marks, or it follows such a paragraph.
    """
    stripped = text.rstrip()
    marks = [i for i, ch in enumerate(text) if ch == _STRAIGHT]
    if not marks or any(0 < i < len(stripped) - 1 for i in marks):
        return text, False
    curly = any(ch in _OPENERS or ch in _CLOSERS for ch in text)
    opens = marks[0] == 0
    closes = marks[-1] == len(stripped) - 1 and (len(marks) == 2 or not opens)
    if not (curly or in_excerpt) or not (opens or (closes and in_excerpt)):
        return text, False
    chars = list(text)
    for i in marks:
        chars[i] = " "
    return "".join(chars), not closes


def _blank_labels(text: str, spans: list[QuoteSpan]) -> str:
    def blank(m: re.Match[str]) -> str:
        inside = any(s.open_at <= m.start() < s.close_after for s in spans)
        return m.group() if inside else " " * len(m.group())

    return _PARTY_LABEL.sub(blank, text)


def masked(paragraphs: list[Paragraph], mask: str) -> str:
    """The article with every quoted span (marks included) turned to `mask`."""
    parts = []
    for para in paragraphs:
        chars = list(para.text)
        for span in para.spans:
            for i in range(span.open_at, min(span.close_after, len(chars))):
                chars[i] = mask
        parts.append("".join(chars))
    return "\n".join(parts)
