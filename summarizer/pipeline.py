"""The summarize() pipeline: extract → split → quotes → key facts → Summary."""

from __future__ import annotations

from summarizer.extract import extract
from summarizer.keyfacts import choose_lead, select_facts
from summarizer.model import Summary
from summarizer.quotes import find_quotes
from summarizer.sentences import split_sentences, words


def summarize(
    source: str,
    *,
    title: str | None = None,
    url: str | None = None,
    max_facts: int = 5,
    max_quotes: int = 3,
) -> Summary:
    """Summarize article HTML or plain text into key facts and key quotes.

        >>> s = summarize(page_html, url="https://example.org/a", max_facts=3)
        >>> s.lead, [f.text for f in s.key_facts], [(q.text, q.speaker) for q in s.quotes]

    `title` overrides the title found in the page. Key facts are whole sentences of
    the article in article order (3 to `max_facts` of them, fewer for very short
    texts); quotes are best first. Never raises on odd input: empty or unreadable
    text gives an empty Summary (no facts, no lead); callers decide whether that is
    an error.
    """
    doc = extract(source, title=title, url=url)
    sentences = split_sentences(doc.paragraphs)
    quotes, fragments = find_quotes(sentences, title=doc.title)
    facts = select_facts(sentences, title=doc.title, max_facts=max_facts)
    word_count = sum(len(words(p)) for p in doc.paragraphs)
    lead = choose_lead(sentences, title=doc.title)
    return Summary(
        title=doc.title,
        lead=lead,
        key_facts=tuple(facts),
        quotes=tuple(quotes[: max(0, max_quotes)]),
        fragments=tuple(fragments),
        byline=doc.byline,
        published=doc.date,
        url=url,
        word_count=word_count,
        reading_time_minutes=Summary.reading_time(word_count),
        sentence_count=len(sentences),
        image=doc.image,
    )
