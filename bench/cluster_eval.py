"""Story clustering quality on the labelled examples in tests/fixtures/cluster/.

tests/fixtures/cluster/holdout.json was written after the scorer and threshold were fixed and
was not used to choose them; `--set holdout` scores it alone.

Prints, for every pair of articles, whether `match_score` would merge them at a range of
thresholds: precision, recall and F1, the closest calls on either side of the default
threshold, how often two reports of one event share a candidate key (the store's pre-filter),
and a leave-one-family-out estimate (the threshold chosen on the other families, scored on the
held-out one), which is less flattering than scoring the threshold on the data it was chosen on.

    .venv/bin/python bench/cluster_eval.py [--set all|events|holdout] [--half-life-hours 36]
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bot.stories.cluster import (
    DEFAULT_THRESHOLD,
    HALF_LIFE,
    StoryFingerprint,
    best_match,
    match_score,
)

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "cluster"
SETS = {
    "events": ("events.json",),
    "holdout": ("holdout.json",),
    "all": ("events.json", "holdout.json"),
}
MIN_PRECISION = 0.95


@dataclass(frozen=True, slots=True)
class Pair:
    a: str
    b: str
    same: bool
    hard: bool
    families: frozenset[str]
    score: float
    share_key: bool


def load_articles(files: tuple[str, ...]) -> list[dict]:
    return [
        a
        for name in files
        for a in json.loads((FIXTURES / name).read_text(encoding="utf-8"))["articles"]
    ]


def fingerprints(articles: list[dict]) -> dict[str, StoryFingerprint]:
    return {
        a["id"]: StoryFingerprint.from_summary(
            title=a["title"], lead=a["lead"], facts=a["facts"], published=a["published"]
        )
        for a in articles
    }


def cluster_in_order(articles: list[dict], threshold: float) -> dict[str, int]:
    """What the worker does: articles in publication order, each compared with the earlier
    articles that share a candidate key, joining the best story or starting a new one."""
    prints = fingerprints(articles)
    story_of: dict[str, int] = {}
    by_key: dict[str, list[str]] = {}
    for article in sorted(articles, key=lambda a: a["published"]):
        fp = prints[article["id"]]
        keys = fp.candidate_keys()
        seen = {i for k in keys for i in by_key.get(k, ())}
        hit = best_match(fp, ((story_of[i], prints[i]) for i in seen), threshold=threshold)
        story_of[article["id"]] = hit[0] if hit else len(set(story_of.values()))
        for k in keys:
            by_key.setdefault(k, []).append(article["id"])
    return story_of


def load_pairs(half_life: timedelta, files: tuple[str, ...] = SETS["all"]) -> list[Pair]:
    articles = load_articles(files)
    prints = fingerprints(articles)
    keys = {i: set(fp.candidate_keys()) for i, fp in prints.items()}
    return [
        Pair(
            a=x["id"],
            b=y["id"],
            same=x["event"] == y["event"],
            hard=x["event"] != y["event"] and x["family"] == y["family"],
            families=frozenset({x["family"], y["family"]}),
            score=match_score(prints[x["id"]], prints[y["id"]], half_life=half_life),
            share_key=bool(keys[x["id"]] & keys[y["id"]]),
        )
        for x, y in itertools.combinations(articles, 2)
    ]


def counts(pairs: list[Pair], threshold: float) -> tuple[float, float, float, int, int]:
    tp = sum(p.same and p.score >= threshold for p in pairs)
    fp = sum(not p.same and p.score >= threshold for p in pairs)
    fn = sum(p.same and p.score < threshold for p in pairs)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, tp, fp


def choose_threshold(pairs: list[Pair], grid: list[float]) -> float:
    """The threshold with the best recall among those with precision >= MIN_PRECISION
    (the highest one when none reaches it)."""
    ok = [(counts(pairs, t)[1], -t, t) for t in grid if counts(pairs, t)[0] >= MIN_PRECISION]
    return max(ok)[2] if ok else grid[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half-life-hours", type=float, default=HALF_LIFE / timedelta(hours=1))
    parser.add_argument("--show", type=int, default=8, help="closest calls to list")
    parser.add_argument(
        "--set",
        choices=sorted(SETS),
        default="all",
        help="events.json (the examples the threshold was chosen on), holdout.json, or both",
    )
    args = parser.parse_args()
    pairs = load_pairs(timedelta(hours=args.half_life_hours), SETS[args.set])
    print(f"examples: {', '.join(SETS[args.set])}")
    positives = sum(p.same for p in pairs)
    hard = sum(p.hard for p in pairs)
    print(f"{len(pairs)} pairs: {positives} same-event, {hard} hard different-event (same family)")
    print(f"{len(pairs) - positives - hard} other different-event pairs\n")

    grid = [round(0.10 + 0.02 * i, 2) for i in range(26)]
    print("threshold  precision  recall    F1    merged  wrong")
    for t in grid:
        precision, recall, f1, tp, fp = counts(pairs, t)
        mark = "  <- default" if abs(t - DEFAULT_THRESHOLD) < 1e-9 else ""
        print(
            f"   {t:.2f}      {precision:.3f}    {recall:.3f}  {f1:.3f}   {tp:4d}   {fp:4d}{mark}"
        )

    precision, recall, f1, tp, fp = counts(pairs, DEFAULT_THRESHOLD)
    print(
        f"\nat the default threshold {DEFAULT_THRESHOLD:.2f}: precision {precision:.3f}, "
        f"recall {recall:.3f}, F1 {f1:.3f}"
    )
    hard_pairs = [p for p in pairs if p.hard]
    print(
        f"hard negatives merged: {sum(p.score >= DEFAULT_THRESHOLD for p in hard_pairs)}"
        f" of {len(hard_pairs)}"
    )

    negatives = sorted((p for p in pairs if not p.same), key=lambda p: -p.score)
    missed = sorted((p for p in pairs if p.same), key=lambda p: p.score)
    print(f"\nhighest different-event scores (top {args.show}):")
    for p in negatives[: args.show]:
        print(f"   {p.score:.3f}  {p.a}  ~  {p.b}")
    print(f"lowest same-event scores (bottom {args.show}):")
    for p in missed[: args.show]:
        print(f"   {p.score:.3f}  {p.a}  ~  {p.b}")

    key_recall = sum(p.share_key for p in pairs if p.same) / positives
    key_load = sum(p.share_key for p in pairs if not p.same) / (len(pairs) - positives)
    print(
        f"\ncandidate keys: {key_recall:.3f} of same-event pairs share a key; "
        f"{key_load:.3f} of different-event pairs do (compared needlessly)"
    )

    articles = load_articles(SETS[args.set])
    story_of = cluster_in_order(articles, DEFAULT_THRESHOLD)
    together = [
        (x["event"] == y["event"], story_of[x["id"]] == story_of[y["id"]])
        for x, y in itertools.combinations(articles, 2)
    ]
    tp = sum(same and joined for same, joined in together)
    merged = sum(joined for _, joined in together)
    positives_total = sum(same for same, _ in together)
    events = len({a["event"] for a in articles})
    print(
        f"clustering in publication order (keys, then best_match): {len(set(story_of.values()))}"
        f" stories for {events} events; pairwise precision "
        f"{tp / merged if merged else 1.0:.3f}, recall {tp / positives_total:.3f}"
    )

    start = time.perf_counter()
    rounds = 20
    for _ in range(rounds):
        prints = fingerprints(articles)
    built = time.perf_counter() - start
    some = list(prints.values())
    start = time.perf_counter()
    compared = 0
    for a, b in itertools.product(some, some):
        match_score(a, b)
        compared += 1
    scored = time.perf_counter() - start
    print(
        f"speed: {rounds * len(articles) / built:,.0f} fingerprints/s, "
        f"{compared / scored:,.0f} comparisons/s (one core); "
        f"fingerprint JSON about {sum(len(p.to_json()) for p in some) // len(some)} bytes"
    )

    families = sorted({f for p in pairs for f in p.families})
    tp_all = fp_all = fn_all = 0
    chosen = []
    for family in families:
        train = [p for p in pairs if family not in p.families]
        test = [p for p in pairs if family in p.families]
        t = choose_threshold(train, grid)
        chosen.append(t)
        tp_all += sum(p.same and p.score >= t for p in test)
        fp_all += sum(not p.same and p.score >= t for p in test)
        fn_all += sum(p.same and p.score < t for p in test)
    lofo_p = tp_all / (tp_all + fp_all) if tp_all + fp_all else 1.0
    lofo_r = tp_all / (tp_all + fn_all) if tp_all + fn_all else 1.0
    print(
        f"leave-one-family-out ({len(families)} families, thresholds "
        f"{min(chosen):.2f}..{max(chosen):.2f}): precision {lofo_p:.3f}, recall {lofo_r:.3f}"
    )


if __name__ == "__main__":
    main()
