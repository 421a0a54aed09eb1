"""ROUGE of our key-fact ranker beside Lead-3 and sumy's algorithms.

    .venv/bin/python bench/eval_summarizer.py [--data FILE ...] [--half tune|held-out|all]

With no --data it scores both sets: ../shared/eval/bbc_news_100.jsonl (BBC, where the
lead is weak) and tests/fixtures/lead_heavy/articles.jsonl (agency-style inverted
pyramids, where Lead-3 is hard to beat). Each set is split in two: the tuning half
(the lead-heavy rows marked "split": "tune"; in a file without that field, the
even lines counting from 0) is what the ranker's weights were set on, the held-out
half is what says whether they generalise. Each half gets its own table.

Every system sees the same sentences (our offline splitter, paragraphs from the
text's line breaks, the title passed where a system can use it) and is scored
against the reference with rouge-score (ROUGE-1/2/L F-measure, Porter stemming).

Two budgets:
- "3 sent": the system's three preferred sentences, put back in article order.
- "75 words": the system's sentences in its order of preference (best first),
  taken whole while the total stays within 75 words; the sentence that would
  cross the limit is cut after the word that reaches 75 and ends the list.
  The taken sentences are then put back in article order. Lead-3 here means
  the article's sentences from the start, cut the same way.

Ours is scored on its key facts as `select_facts` shows them (`fact_text`: a wire
dateline such as "KELL, May 2 (Wire) -" is not part of the first fact); every other
system on the sentences as split.

sumy's preference order is its own rating order (what its summarizers sort on
before returning the top k); SumBasic and KL rate by the order of their greedy
picks, so this is their pick order.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from rouge_score import rouge_scorer
from sumy.models.dom import ObjectDocumentModel, Paragraph
from sumy.models.dom import Sentence as SumySentence
from sumy.summarizers.kl import KLSummarizer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.sum_basic import SumBasicSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from summarizer.keyfacts import fact_text, rank_sentences
from summarizer.ranking import STOP_WORDS, stem
from summarizer.sentences import Sentence, SumyTokenizer, split_sentences

ROOT = Path(__file__).resolve().parents[1]
BBC = ROOT.parent / "shared" / "eval" / "bbc_news_100.jsonl"
LEAD_HEAVY = ROOT / "tests" / "fixtures" / "lead_heavy" / "articles.jsonl"
HALVES = ("tune", "held-out")
WORD_BUDGET = 75
SENTENCE_BUDGET = 3

Ranker = Callable[[list[Sentence], str | None], list[int]]

SUMY = {
    "LexRank": LexRankSummarizer,
    "TextRank": TextRankSummarizer,
    "LSA": LsaSummarizer,
    "Luhn": LuhnSummarizer,
    "SumBasic": SumBasicSummarizer,
    "KL": KLSummarizer,
}


def sumy_order(cls: type, sentences: list[Sentence]) -> list[int]:
    """Indices of `sentences` in the order sumy's `cls` rates them, best first."""
    tokenizer = SumyTokenizer()
    paragraphs: dict[int, list[SumySentence]] = {}
    for s in sentences:
        paragraphs.setdefault(s.paragraph, []).append(SumySentence(s.text, tokenizer))
    document = ObjectDocumentModel(tuple(Paragraph(p) for p in paragraphs.values()))
    summarizer = cls(stem)
    summarizer.stop_words = STOP_WORDS
    captured: list[Any] = []

    def capture(doc_sentences: Sequence[Any], count: Any, rating: Any, *args: Any) -> tuple:
        rate = rating.__getitem__ if isinstance(rating, dict) else rating
        scored = [(rate(s, *args), o) for o, s in enumerate(doc_sentences)]
        captured.extend(o for _, o in sorted(scored, key=lambda x: (-x[0], x[1])))
        return ()

    summarizer._get_best_sentences = capture
    summarizer(document, len(sentences))
    return captured


def ours(*, use_sumy: bool = True) -> Ranker:
    def rank(sentences: list[Sentence], title: str | None) -> list[int]:
        ranked = rank_sentences(sentences, title=title, use_sumy=use_sumy)
        return [r.sentence.index for r in ranked]

    return rank


def lead(sentences: list[Sentence], title: str | None) -> list[int]:
    return [s.index for s in sentences]


def by_sentences(sentences: list[Sentence], order: list[int], k: int) -> str:
    return "\n".join(sentences[i].text for i in sorted(order[:k]))


def by_words(sentences: list[Sentence], order: list[int], budget: int) -> str:
    taken: list[tuple[int, str]] = []
    used = 0
    for i in order:
        tokens = sentences[i].text.split()
        if used + len(tokens) > budget:
            taken.append((i, " ".join(tokens[: budget - used])))
            break
        taken.append((i, sentences[i].text))
        used += len(tokens)
        if used == budget:
            break
    return "\n".join(text for _, text in sorted(taken) if text)


def systems() -> dict[str, Ranker]:
    table: dict[str, Ranker] = {"ours": ours(), "ours w/o sumy": ours(use_sumy=False)}
    table["Lead-3"] = lead
    for name, cls in SUMY.items():
        table[name] = lambda s, t, cls=cls: sumy_order(cls, s)
    return table


def half_of(row: dict[str, Any], line: int) -> str:
    """The row's half: its own "split" field, else the parity of its line."""
    return str(row.get("split") or HALVES[line % 2])


def load(path: Path) -> list[dict[str, Any]]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [json.loads(line) for line in lines]
    for i, row in enumerate(rows):
        row["split"] = half_of(row, i)
    return rows


def evaluate(
    rows: list[dict[str, Any]], table: dict[str, Ranker] | None = None
) -> dict[str, dict[str, float]]:
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    results: dict[str, dict[str, list[float]]] = {}
    table = systems() if table is None else table
    for row in rows:
        paragraphs = [line for line in row["text"].splitlines() if line.strip()]
        sentences = split_sentences(paragraphs)
        reference = row["summary"]
        for name, ranker in table.items():
            order = ranker(sentences, row.get("title"))
            seen = sentences
            if name.startswith("ours"):
                seen = [replace(s, text=fact_text(s)) for s in sentences]
            for budget, text in (
                ("3 sent", by_sentences(seen, order, SENTENCE_BUDGET)),
                ("75 words", by_words(seen, order, WORD_BUDGET)),
            ):
                scores = scorer.score(reference, text)
                bucket = results.setdefault(f"{name}|{budget}", {})
                for metric, score in scores.items():
                    bucket.setdefault(metric, []).append(score.fmeasure * 100)
    return {k: {m: statistics.fmean(v) for m, v in d.items()} for k, d in results.items()}


def print_table(label: str, rows: list[dict[str, Any]]) -> None:
    table = evaluate(rows)
    print(f"\n{label}: {len(rows)} articles, ROUGE F1 x100 (rouge-score, stemming)")
    print(
        f"{'system':<14} | {'3 sent R1':>9} {'R2':>6} {'RL':>6} |"
        f" {'75 w R1':>8} {'R2':>6} {'RL':>6}"
    )
    for name in systems():
        a, b = table[f"{name}|3 sent"], table[f"{name}|75 words"]
        print(
            f"{name:<14} | {a['rouge1']:9.1f} {a['rouge2']:6.1f} {a['rougeL']:6.1f} |"
            f" {b['rouge1']:8.1f} {b['rouge2']:6.1f} {b['rougeL']:6.1f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="+", default=[BBC, LEAD_HEAVY])
    parser.add_argument("--half", choices=(*HALVES, "all", "both"), default="both")
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles")
    args = parser.parse_args(argv)
    for path in args.data:
        rows = load(path)
        if args.limit:
            rows = rows[: args.limit]
        halves = {"both": HALVES, "all": ("all",)}.get(args.half, (args.half,))
        for half in halves:
            chosen = [r for r in rows if half in ("all", r["split"])]
            print_table(f"{path.name} [{half}]", chosen)
    return 0


if __name__ == "__main__":
    sys.exit(main())
