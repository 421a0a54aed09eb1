"""Direct quotes and their speakers.

First version: only `“…,” Name said`. To be replaced by the full attribution
engine (issue 3).
"""

from __future__ import annotations

import re

from summarizer.model import Quote
from summarizer.sentences import Sentence

_SIMPLE = re.compile(
    r"[“\"](?P<text>[^”\"]{3,}?)[,.]?[”\"],?\s+(?P<speaker>[A-Z][\w.-]*(?:\s+[A-Z][\w.-]*)*)\s+said"
)


def find_quotes(sentences: list[Sentence]) -> tuple[list[Quote], list[Quote]]:
    """Return (key quotes, fragments) in article order."""
    found: list[Quote] = []
    for s in sentences:
        for m in _SIMPLE.finditer(s.text):
            found.append(Quote(text=m["text"].strip(), speaker=m["speaker"], position=s.index))
    key = [q for q in found if len(q.text.split()) >= 5]
    fragments = [q for q in found if len(q.text.split()) < 5]
    return key, fragments
