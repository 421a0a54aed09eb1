"""Properties of summarize() on generated input: it never raises, and it invents no text.

"Appears in the input" is checked as strongly as each kind of input allows:
- news-like plain text (generated from clean characters): every fact and the lead (before any
  shortening) is a verbatim substring of the input with runs of whitespace collapsed;
- news-like HTML (the same text escaped into <p> elements of a page with nav and footer): every
  fact is a verbatim substring of the visible paragraph text we generated;
- arbitrary text or HTML: every fact is a substring of the extractor's output, and for plain text
  of the input after the extractor's documented normalisation (`normalize_text`: NFC, entities
  decoded, invisible and control characters dropped), whitespace collapsed.
A quote is the quoted words without their marks; an interrupted quote (`“A,” she said, “B.”`) is
joined with ", ", so a quote must be one or more pieces, split at ", ", that occur in the input in
that order.
"""

from __future__ import annotations

import html

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer import Summary, summarize
from summarizer.extract import extract, normalize_text

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NAMES = ["Maria Lopez", "Dr. Tom Reyes", "Lt. Col. Ana Berg", "the ministry", "Sen. Joe Park"]
# fmt: off
WORDS = [
    "council", "voted", "budget", "river", "bridge", "police", "school", "vote", "minister",
    "port", "grain", "rain", "flood", "strike", "union", "talks", "price", "rose", "fell", "U.S.",
    "Inc.", "percent", "million", "year", "week", "on", "Monday", "in", "the", "of", "and", "to",
    "a", "was", "were", "has", "said", "would", "after",
]
# fmt: on


def _flat(text: str) -> str:
    return " ".join(text.split())


@st.composite
def clause(draw: st.DrawFn) -> str:
    tokens = draw(st.lists(st.sampled_from(WORDS), min_size=3, max_size=14))
    number = draw(st.one_of(st.none(), st.integers(0, 10_000)))
    if number is not None:
        tokens.insert(draw(st.integers(0, len(tokens))), f"{number:,}")
    return " ".join(tokens)


@st.composite
def sentence(draw: st.DrawFn) -> str:
    body = draw(clause())
    name = draw(st.sampled_from(NAMES))
    form = draw(st.integers(0, 6))
    if form == 0:
        return f"“{body.capitalize()},” {name} said."
    if form == 1:
        return f'{name.capitalize()} said: "{body.capitalize()}."'
    if form == 2:
        return f"“{body.capitalize()},” {name} said, “{draw(clause())}.”"
    if form == 3:
        return f"{body.capitalize()}, according to {name}."
    if form == 4:
        return f"{body.capitalize()} (Photo via {name})"
    return f"{body.capitalize()}."


paragraphs = st.lists(
    st.lists(sentence(), min_size=1, max_size=4).map(" ".join), min_size=0, max_size=8
)


def _pieces_in_order(quote: str, haystack: str) -> bool:
    """`quote` is one or more ", "-separated runs that occur in `haystack` in order."""
    parts = quote.split(", ")
    pos, i = 0, 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            piece = ", ".join(parts[i:j])
            found = haystack.find(piece, pos)
            if found >= 0:
                pos, i = found + len(piece), j
                break
        else:
            return False
    return True


def _assert_from(summary: Summary, haystack: str) -> None:
    for fact in summary.key_facts:
        assert fact.text in haystack, fact.text
    for quote in (*summary.quotes, *summary.fragments):
        assert quote.text.strip(), quote
        assert _pieces_in_order(quote.text, haystack), quote.text
    if summary.lead:
        assert summary.lead.removesuffix("…") in haystack


def _page(title: str, body: list[str]) -> str:
    ps = "\n".join(f"<p>{html.escape(p)}</p>" for p in body)
    return (
        f"<html><head><title>{html.escape(title)}</title></head><body>"
        '<nav><a href="/">Home</a> <a href="/world">World</a></nav>'
        f"<article><h1>{html.escape(title)}</h1>{ps}</article>"
        "<footer>© Example Times. All rights reserved.</footer></body></html>"
    )


@SETTINGS
@given(body=paragraphs, max_facts=st.integers(0, 6), max_quotes=st.integers(0, 4))
def test_news_like_text_facts_and_quotes_are_from_the_input(
    body: list[str], max_facts: int, max_quotes: int
) -> None:
    source = "\n\n".join(body)
    summary = summarize(source, max_facts=max_facts, max_quotes=max_quotes)
    assert len(summary.key_facts) <= max_facts
    assert len(summary.quotes) <= max_quotes
    positions = [f.position for f in summary.key_facts]
    assert positions == sorted(set(positions))
    _assert_from(summary, _flat(source))


@SETTINGS
@given(title=clause(), body=paragraphs)
def test_news_like_html_facts_are_from_the_visible_text(title: str, body: list[str]) -> None:
    summary = summarize(_page(title, body))
    _assert_from(summary, _flat(" ".join(body)))


NEWSY_CHARS = st.sampled_from(list("aeiou rstnlZQM.,;:!?\"“”‘’'()\n-—<>&#019%$"))
arbitrary_text = st.one_of(
    st.text(max_size=3000),
    st.text(alphabet=st.one_of(NEWSY_CHARS, st.characters()), max_size=3000),
)


@settings(SETTINGS, max_examples=100)
@given(source=arbitrary_text)
def test_arbitrary_text_never_raises_and_invents_nothing(source: str) -> None:
    summary = summarize(source)
    assert isinstance(summary, Summary)
    haystack = _flat(normalize_text(source))
    _assert_from(summary, haystack)
    assert Summary.from_json(summary.to_json()) == summary


tags = st.sampled_from(
    ["<p>", "</p>", "<div>", "</div>", "<br>", "<b>", "</b>", "<script>", "<!--"]
)


@settings(SETTINGS, max_examples=60)
@given(chunks=st.lists(st.one_of(st.text(max_size=200), tags), max_size=30))
def test_arbitrary_html_never_raises_and_invents_nothing(chunks: list[str]) -> None:
    source = "<html><body>" + "".join(chunks)
    summary = summarize(source)
    assert isinstance(summary, Summary)
    _assert_from(summary, _flat(" ".join(extract(source).paragraphs)))
