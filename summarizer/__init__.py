"""newsdigest's summarizer: any news article → key facts and attributed quotes.

    >>> from summarizer import summarize
    >>> s = summarize(html_or_text, url="https://example.org/a")
    >>> [f.text for f in s.key_facts], [(q.text, q.speaker) for q in s.quotes]

`summarize` is the only door into the library. It works offline (no data or
model is downloaded) and imports nothing from `bot/`.
"""

from __future__ import annotations

from summarizer.model import KeyFact, Quote, Summary
from summarizer.pipeline import summarize

__all__ = ["KeyFact", "Quote", "Summary", "summarize"]
