"""Ranking sentences into key facts.

First version: sumy's LexRank score blended with a position prior. To be
replaced by the full ranker (issue 3).
"""

from __future__ import annotations

from sumy.models.dom import ObjectDocumentModel, Paragraph
from sumy.models.dom import Sentence as SumySentence
from sumy.nlp.stemmers import Stemmer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.utils import get_stop_words

from summarizer.model import KeyFact
from summarizer.sentences import Sentence, SumyTokenizer

_TOKENIZER = SumyTokenizer()


def sumy_document(sentences: list[Sentence]) -> ObjectDocumentModel:
    paragraphs: dict[int, list[SumySentence]] = {}
    for s in sentences:
        paragraphs.setdefault(s.paragraph, []).append(SumySentence(s.text, _TOKENIZER))
    return ObjectDocumentModel(tuple(Paragraph(p) for p in paragraphs.values()))


def select_facts(sentences: list[Sentence], *, title: str | None, max_facts: int) -> list[KeyFact]:
    if not sentences or max_facts <= 0:
        return []
    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    chosen = {str(s) for s in summarizer(sumy_document(sentences), max_facts)}
    return [KeyFact(text=s.text, position=s.index) for s in sentences if s.text in chosen][
        :max_facts
    ]
