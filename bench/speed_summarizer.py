"""Speed of summarize() beside sumy's LexRank alone, on one core.

    .venv/bin/python bench/speed_summarizer.py [--data ../shared/eval/bbc_news_100.jsonl]

Per article (plain text, and the same text as a simple HTML page with nav and
footer) it prints the median milliseconds of:
- ours: the whole `summarize()` (extraction, sentences, quotes, key facts, lead),
  "cold" with the word-stem cache emptied before every run (the fair figure: it
  pays for every stem, as LexRank does) and "warm" as a long-running bot sees it;
- LexRank: sumy's `PlaintextParser` with our offline tokenizer, then
  `LexRankSummarizer(Stemmer("english"))` with English stop words, 5 sentences;
- for the HTML page, two baselines, both printed: LexRank on the text our extractor
  took out of the page (LexRank alone, the stricter bar: it is given the extraction for
  free), and sumy on the same HTML (`HtmlParser.from_string` with our offline tokenizer,
  then the same LexRank: the like-for-like bar, each side pays for its own extraction);
and the growth of both with article length (20/50/100/200 sentences, texts
built by concatenating BBC articles and cutting at exactly N sentences).
Every text is summarized once before timing; the figure is the median of
`--repeat` runs per text, then the median over texts.
"""

from __future__ import annotations

import os

# One core: thread pools must be limited before numpy (imported by sumy) starts them.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse
import html
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sumy.nlp.stemmers import Stemmer
from sumy.parsers.html import HtmlParser
from sumy.parsers.plaintext import PlaintextParser
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.utils import get_stop_words

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.eval_data import BBC
from summarizer import summarize
from summarizer.extract import extract
from summarizer.keyfacts import choose_lead, select_facts
from summarizer.quotes import find_quotes
from summarizer.ranking import stem
from summarizer.sentences import SumyTokenizer, split_sentences

DEFAULT_DATA = BBC
LENGTHS = (20, 50, 100, 200)


def pin_one_core() -> str:
    if hasattr(os, "sched_setaffinity"):
        core = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {core})
        return f"pinned to CPU {core}"
    return "not pinned (no sched_setaffinity)"


def as_html(title: str, paragraphs: list[str]) -> str:
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>{html.escape(title)}</title></head><body>"
        '<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>'
        f"<article><h1>{html.escape(title)}</h1>\n{body}\n</article>"
        "<footer><p>© Example News. All rights reserved.</p>"
        '<a href="/privacy">Privacy</a> <a href="/terms">Terms</a></footer></body></html>'
    )


def summarize_cold(text: str) -> object:
    """summarize() with the stem cache emptied first, as for an article of all-new words."""
    stem.cache_clear()
    return summarize(text)


def make_lexrank(*, html: bool = False) -> Callable[[str], object]:
    """sumy's LexRank on plain text, or (`html=True`) on a page through sumy's HtmlParser."""
    tokenizer = SumyTokenizer()
    summarizer = LexRankSummarizer(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")

    def run(text: str) -> object:
        if html:
            return summarizer(HtmlParser.from_string(text, None, tokenizer).document, 5)
        return summarizer(PlaintextParser.from_string(text, tokenizer).document, 5)

    return run


Job = tuple[Callable[[str], object], list[str]]


def paired_ms(jobs: list[Job], repeat: int) -> list[float]:
    """Median ms of each (function, texts) job. The jobs take turns on the k-th text of
    their lists, so all of them see the same machine load."""
    per_text: list[list[float]] = [[] for _ in jobs]
    for k in range(len(jobs[0][1])):
        runs: list[list[float]] = [[] for _ in jobs]
        for fn, texts in jobs:
            fn(texts[k])
        for _ in range(repeat):
            for j, (fn, texts) in enumerate(jobs):
                start = time.perf_counter()
                fn(texts[k])
                runs[j].append((time.perf_counter() - start) * 1000)
        for j in range(len(jobs)):
            per_text[j].append(statistics.median(runs[j]))
    return [statistics.median(v) for v in per_text]


def median_ms(fn: Callable[[str], object], texts: list[str], repeat: int) -> float:
    return paired_ms([(fn, texts)], repeat)[0]


def texts_of_length(rows: list[dict], n_sentences: int, count: int) -> list[str]:
    """`count` texts of exactly `n_sentences` sentences, each starting at a different article."""
    out: list[str] = []
    for start in range(count):
        paragraphs: list[str] = []
        k = start
        while len(split_sentences(paragraphs)) < n_sentences:
            paragraphs += [p for p in rows[k % len(rows)]["text"].splitlines() if p.strip()]
            k += 1
        grouped: dict[int, list[str]] = {}
        for s in split_sentences(paragraphs)[:n_sentences]:
            grouped.setdefault(s.paragraph, []).append(s.text)
        out.append("\n\n".join(" ".join(v) for v in grouped.values()))
    return out


def stage_times(texts: list[str], repeat: int) -> dict[str, float]:
    """Median ms of each pipeline stage over the texts (plain text)."""
    docs = [extract(t) for t in texts]
    sents = [split_sentences(d.paragraphs) for d in docs]
    stages: dict[str, Callable[[int], object]] = {
        "extract": lambda i: extract(texts[i]),
        "sentences": lambda i: split_sentences(docs[i].paragraphs),
        "quotes": lambda i: find_quotes(sents[i]),
        "facts+lead": lambda i: (
            select_facts(sents[i], title=docs[i].title, max_facts=5),
            choose_lead(sents[i], title=docs[i].title),
        ),
    }
    index = {t: i for i, t in enumerate(texts)}
    return {
        name: median_ms(lambda t, run=run: run(index[t]), texts, repeat)
        for name, run in stages.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--growth-texts", type=int, default=5, help="texts per length")
    args = parser.parse_args(argv)
    lines = args.data.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    print(f"{pin_one_core()}; {len(rows)} articles; median of {args.repeat} runs per text")

    lexrank = make_lexrank()
    plain = [r["text"] for r in rows]
    pages = [as_html(r["title"], [p for p in r["text"].splitlines() if p.strip()]) for r in rows]
    extracted = ["\n\n".join(extract(page).paragraphs) for page in pages]

    print("\nper article (ms)   ours cold  ours warm   LexRank   ratio (cold)")
    cold, warm, lex = paired_ms(
        [(summarize_cold, plain), (summarize, plain), (lexrank, plain)], args.repeat
    )
    print(f"{'plain text':<16} {cold:9.2f}  {warm:9.2f}   {lex:7.2f}   {cold / lex:5.2f}")
    cold, warm, lex, lex_html = paired_ms(
        [
            (summarize_cold, pages),
            (summarize, pages),
            (lexrank, extracted),
            (make_lexrank(html=True), pages),
        ],
        args.repeat,
    )
    print(f"{'HTML page (a)':<16} {cold:9.2f}  {warm:9.2f}   {lex:7.2f}   {cold / lex:5.2f}")
    print(
        f"{'HTML page (b)':<16} {cold:9.2f}  {warm:9.2f}   {lex_html:7.2f}   {cold / lex_html:5.2f}"
    )
    print("ours on HTML includes extracting the page (trafilatura, cleaning);")
    print("(a) LexRank alone on the text our extractor took out of the page;")
    print("(b) sumy on the same page: HtmlParser (breadability) + LexRank.")
    print("\nstages, plain text (ms): ", end="")
    print(", ".join(f"{k} {v:.2f}" for k, v in stage_times(plain, args.repeat).items()))

    print("\ngrowth, plain text (ms)")
    print("sentences  ours cold   LexRank   ratio   ours/N (µs)")
    for n in LENGTHS:
        texts = texts_of_length(rows, n, args.growth_texts)
        ours, lex = paired_ms([(summarize_cold, texts), (lexrank, texts)], args.repeat)
        print(f"{n:9d}  {ours:9.2f}   {lex:7.2f}   {ours / lex:5.2f}   {1000 * ours / n:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
