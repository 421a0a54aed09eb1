"""Fit the key-fact scorer (summarizer/data/keyfact_weights.json) on real news.

    .venv/bin/python bench/train_keyfacts.py [--l2 1.0] [--oracle 3] [--dry-run]

Data: the two development sets in ../shared/eval/ (the BBC yardstick and leadnews_dev, 300
real articles), read from there, never copied. Labels: for each article, the greedy ROUGE-2
oracle: up to `--oracle` eligible sentences, each the one that most raises the ROUGE-2 F1 of
the picks so far against the reference (rouge-score's tokenizer with Porter stemming),
stopping when no sentence raises it. Model: a softmax over each article's eligible
sentences (conditional logit) on `keyfacts.FEATURES` (each standardised) plus the fixed log
shape penalty as an offset, the oracle picks as the target distribution, L2-regularised,
fitted by Newton's method in numpy. Only the order inside an article matters, so every
article counts once.

The figure that says whether it works is the cross-validated one that bench/eval_summarizer.py
prints (5 folds by article over both sets); the fit on all 300 articles is what ships.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rouge_score import rouge_scorer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.eval_summarizer import BBC, LEADNEWS, article_sentences, load, reference
from summarizer.keyfacts import FEATURES, WEIGHTS_FILE, Weights, candidates, fact_text

FOLDS = 5
SEED = 7


@dataclass
class Article:
    id: str
    x: np.ndarray  # one row per eligible sentence
    offset: np.ndarray  # log of each sentence's fixed shape penalty
    y: np.ndarray


_TOKENIZER = rouge_scorer.RougeScorer(["rouge2"], use_stemmer=True)._tokenizer


def bigrams(text: str) -> Counter[tuple[str, str]]:
    tokens = _TOKENIZER.tokenize(text)
    return Counter(itertools.pairwise(tokens))


def f1(picked: Counter, ref: Counter, ref_total: int) -> float:
    total = sum(picked.values())
    if not total or not ref_total:
        return 0.0
    hits = sum((picked & ref).values())
    return 2 * hits / (total + ref_total)


def oracle(texts: Sequence[str], ref_text: str, k: int) -> set[int]:
    """Greedy ROUGE-2 oracle: indices of up to `k` of `texts`."""
    ref = bigrams(ref_text)
    ref_total = sum(ref.values())
    grams = [bigrams(t) for t in texts]
    picked: Counter = Counter()
    chosen: set[int] = set()
    best = 0.0
    while len(chosen) < k:
        gains = [
            (f1(picked + g, ref, ref_total), i) for i, g in enumerate(grams) if i not in chosen
        ]
        if not gains:
            break
        score, i = max(gains)
        if score <= best:
            break
        best, picked = score, picked + grams[i]
        chosen.add(i)
    return chosen


def article(row: dict[str, Any], k: int) -> Article:
    sentences = article_sentences(row)
    pool = candidates(sentences, title=row.get("title") or None)
    ref = reference(row)
    labels = oracle([fact_text(c.sentence) for c in pool], ref, k)
    x = np.array([c.features for c in pool], dtype=float).reshape(-1, len(FEATURES))
    y = np.array([float(i in labels) for i in range(len(pool))])
    offset = np.log(np.array([c.shape for c in pool], dtype=float))
    return Article(row["id"], x, offset, y)


def fit(articles: Sequence[Article], l2: float) -> Weights:
    """Softmax over each article's sentences (a conditional logit), the oracle picks as target:
    only the order inside an article matters to the ranker, not how articles compare."""
    x = np.vstack([a.x for a in articles])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    mean[0], scale[0] = 0.0, 1.0
    scale[scale == 0] = 1.0
    groups = [((a.x - mean) / scale, a.offset, a.y / a.y.sum()) for a in articles if a.y.sum()]
    beta = np.zeros(x.shape[1])
    for _ in range(50):
        grad = l2 * beta
        hess = l2 * np.eye(len(beta))
        for z, offset, q in groups:
            s = z @ beta + offset
            p = np.exp(s - s.max())
            p /= p.sum()
            grad += z.T @ (p - q)
            zp = z.T @ p
            hess += (z * p[:, None]).T @ z - np.outer(zp, zp)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return Weights(coef=tuple(beta), mean=tuple(mean), scale=tuple(scale))


def rows() -> list[dict[str, Any]]:
    return load(BBC) + load(LEADNEWS)


def folds(ids: Sequence[str], k: int = FOLDS, seed: int = SEED) -> dict[str, int]:
    """Article id → fold, shuffled over both sets together."""
    order = sorted(ids)
    random.Random(seed).shuffle(order)
    return {a: i % k for i, a in enumerate(order)}


def cross_validated(
    data: Sequence[dict[str, Any]], *, l2: float, k: int, n_folds: int = FOLDS
) -> dict[str, Weights]:
    """For every article, weights fitted on the folds that do not hold it."""
    articles = [article(r, k) for r in data]
    fold = folds([a.id for a in articles], n_folds)
    per_fold = [fit([a for a in articles if fold[a.id] != f], l2) for f in range(n_folds)]
    return {a.id: per_fold[fold[a.id]] for a in articles}


def save(weights: Weights, path: Path, meta: dict[str, Any]) -> None:
    data = {
        "features": list(FEATURES),
        "coef": [round(v, 6) for v in weights.coef],
        "mean": [round(v, 6) for v in weights.mean],
        "scale": [round(v, 6) for v in weights.scale],
        "redundancy": weights.redundancy,
        "duplicate_threshold": weights.duplicate_threshold,
        "trained": meta,
    }
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


L2 = 1.0
ORACLE = 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--l2", type=float, default=L2)
    parser.add_argument("--oracle", type=int, default=ORACLE, help="oracle sentences per article")
    parser.add_argument("--dry-run", action="store_true", help="print, do not write")
    args = parser.parse_args(argv)
    data = rows()
    weights = fit([article(r, args.oracle) for r in data], args.l2)
    for name, c in zip(FEATURES, weights.coef, strict=True):
        print(f"{name:<26} {c:+.3f}")
    if not args.dry_run:
        meta = {"articles": len(data), "l2": args.l2, "oracle": args.oracle}
        save(weights, WEIGHTS_FILE, meta)
        print(f"wrote {WEIGHTS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
