"""Offline sentence splitting.

sumy's default Tokenizer needs NLTK's punkt data, which is downloaded from the
internet at run time. We split with nupunkt (MIT, its model ships inside the
wheel) and hand sumy a tokenizer object with the same two methods, so nothing
is ever fetched. Paragraph breaks always end a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import nupunkt

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence with its place in the article: `index` over the whole text,
    `paragraph` the index of the paragraph it belongs to."""

    text: str
    index: int
    paragraph: int


@lru_cache(maxsize=1)
def _tokenizer() -> nupunkt.PunktSentenceTokenizer:
    return nupunkt.load_default_model()


def split_paragraph(paragraph: str) -> list[str]:
    """Sentences of one paragraph (no paragraph break inside)."""
    text = " ".join(paragraph.split())
    if not text:
        return []
    return [s.strip() for s in _tokenizer().tokenize(text) if s.strip()]


def split_sentences(paragraphs: list[str]) -> list[Sentence]:
    out: list[Sentence] = []
    for p_index, paragraph in enumerate(paragraphs):
        for text in split_paragraph(paragraph):
            out.append(Sentence(text=text, index=len(out), paragraph=p_index))
    return out


def words(text: str) -> list[str]:
    return _WORD.findall(text)


class SumyTokenizer:
    """Drop-in for sumy's `Tokenizer` that needs no downloaded data."""

    language = "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(split_paragraph(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(words(sentence))
