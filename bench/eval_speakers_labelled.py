"""Quote speakers on real BBC and CNN/Daily Mail news, against labels judged by hand.

    .venv/bin/python bench/eval_speakers_labelled.py [--dev] [--verbose]

It prints each batch's two halves, then both kinds of half pooled (as of round 7:
development 251/256 = .980, held-out 200/235 = .851, precision .980, recall .996).

The labels are `bench/data/speaker_labels.jsonl` (how they were made: bench/data/README.md):
one line per double-quoted span of five words or more in 83 real articles of
../shared/eval (54 BBC, 29 CNN/Daily Mail, in five batches), with its character offsets in
the article,
its kind and its speaker. Only labels are stored; the texts are read from ../shared/eval.

Each batch of articles is split by article: sorted by (set, id), even positions are the
development half, odd positions the held-out half. `--verbose` lists the development
half's errors, grouped by class; the held-out half's are never printed.

Scoring is PolNeAR's fair scoring (bench/polnear_quotes.py): a `partial` label (a
paraphrase holding a quoted fragment, a quoted title or coined term) counts neither way;
a found key quote that lands on no labelled span is a false positive; a labelled speaker
that is a description ("a royal spokesperson", lowercase in the file) is left out of the
speaker score; otherwise the found speaker must hold the label's surname as a word (its
last name word, so "Maryam al-Khawaja" asks for "khawaja"; either of two alternatives
written "Centers for Disease Control and Prevention|CDC").

First sight of the held-out half after each round (rules changed only against the
development half's errors):

    round  date        what changed                           speaker        precision  recall
    0      2026-12-08  baseline (main at c16e947); dev half   .816 (71/87)   .960       1.000
                       .854 (82/96), P .980, R 1.000
    1      2026-12-08  link arrow '»' no mark; definite        .816 (71/87)   .970       1.000
                       epithet points back; 'Rt Rev Dr X' a
                       person holding the title before the
                       comma; same attribution next paragraph;
                       'His message was:'; last saying subject
                       for a pronoun (dev .979, 94/96, P 1.000;
                       PolNeAR held-out unchanged .806)
    2      2026-12-08  '“….” Officials said Tuesday that …'   .816 (71/87)   .970       1.000
                       is no attribution (dev .990, 95/96)
    3      2026-12-08  'X - who … - said' a saying subject;   .816 (71/87)   .970       1.000
                       a pronoun leans to who spoke in the
                       sentence just before (from batch 2 dev)
    4      2026-12-08  'according to X at the … in …'; a      .816 (71/87)   .970       1.000
                       role noun looks ahead one sentence
                       only; a quote paragraph before an
                       attributed one over a silent subject
    5      2026-12-08  a doubled closing mark after an        .816 (71/87)   .970       1.000
                       attribution; 'underlined' a saying
                       verb (from batch 4 dev)
    6      2026-12-08  an interviewer's 'You said, “…”' is    .816 (71/87)   .970       1.000
                       the interviewee (dev 1.000, 96/96)
    7      2026-12-08  a place closing the description after  .816 (71/87)   .970       1.000
                       the verb is no speaker; 'before
                       declaring,'; a lone word no one named
                       yet has as surname opens a name
                       (from batch 6 dev)

Batch 2 (19 more articles, labelled after round 1; bench/data/README.md), held-out half:

    round  date        what changed                           speaker        precision  recall
    2      2026-12-08  first sight, rules as of round 2       .757 (28/37)   .952       1.000
                       (dev half .879, 51/58, P .984)
    3      2026-12-08  'X - who … - said'; a pronoun leans    .757 (28/37)   .952       1.000
                       to who spoke in the sentence just
                       before (dev .949, 56/59, P 1.000;
                       PolNeAR held-out unchanged .806)
    4      2026-12-08  as batch 1's round 4 (dev .966,        .757 (28/37)   .952       1.000
                       57/59; PolNeAR held-out unchanged)
    5      2026-12-08  as batch 1's round 5                   .757 (28/37)   .952       1.000
    6      2026-12-08  as batch 1's round 6                   .757 (28/37)   .952       1.000
    7      2026-12-08  as batch 1's round 7                   .757 (28/37)   .952       1.000

Batch 3 (10 more BBC articles, all sport, labelled after round 3), held-out half:

    round  date        what changed                           speaker        precision  recall
    3      2026-12-08  first sight at 6a6c5bd (dev half       1.000 (27/27)  1.000      1.000
                       .906, 29/32)
    4      2026-12-08  as batch 1's round 4 (dev 1.000)       1.000 (27/27)  1.000      1.000
    5      2026-12-08  as batch 1's round 5: two quotes lost  .926 (25/27)   1.000      1.000
                       at first sight (not looked into: the
                       rule was kept, so no change is made
                       from a held-out error)
    6      2026-12-08  as batch 1's round 6                   .926 (25/27)   1.000      1.000
    7      2026-12-08  as batch 1's round 7                   .926 (25/27)   1.000      1.000

Batch 4 (10 more BBC articles, sport and tech, labelled after round 4), held-out half:

    round  date        what changed                           speaker        precision  recall
    4      2026-12-08  first sight at 4bbe713 (dev half       .750 (21/28)   1.000      1.000
                       .960, 24/25)
    5      2026-12-08  doubled closing mark; 'underlined'     .750 (21/28)   1.000      1.000
                       (dev 1.000, 25/25)
    6      2026-12-08  as batch 1's round 6                   .750 (21/28)   1.000      1.000
    7      2026-12-08  as batch 1's round 7                   .750 (21/28)   1.000      1.000

Batch 5 (the last 4 BBC articles by the rule, tech, labelled after round 6), held-out half:

    round  date        what changed                           speaker        precision  recall
    6      2026-12-08  first sight at 77d3b9b (dev half: two  1.000 (20/20)  1.000      1.000
                       'A,” said X, “b' quotes were labelled
                       as two; joined as the other sets count
                       them, dev 1.000, 11/11)
    7      2026-12-08  as batch 1's round 7                   1.000 (20/20)  1.000      1.000

Batch 6 (8 CNN/Daily Mail articles: the first 8 with 9-12 quotes of five words or more,
labelled after round 6), held-out half:

    round  date        what changed                           speaker        precision  recall
    6      2026-12-08  first sight at f1d4176 (dev half       .972 (35/36)   1.000      .974
                       .818, 27/33)
    7      2026-12-08  place after the description; 'before   .972 (35/36)   1.000      .974
                       declaring,'; lone surname-or-first-
                       name (dev .909, 30/33)

Pooled over the six held-out halves, each at its own first sight: 202/235 = .860 speaker
(batch 1 at round 0, .816; batch 2 at round 2, .757; batch 3 at round 3, 1.000; batch 4 at
round 4, .750; batch 5 at round 6, 1.000; batch 6 at round 6, .972). No round of rule changes
moved a held-out half it had not first seen, except batch 3 down two quotes at round 5: the
rules were fitted to the development halves' error classes (which they fixed: 1.000, .966,
1.000, 1.000, 1.000, .909) and those classes did not recur in the held-out halves.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import polnear_quotes  # noqa: E402 (needs the repo root on sys.path)
from bench.eval_data import EVAL  # noqa: E402
from summarizer.quotes import find_quotes  # noqa: E402
from summarizer.sentences import split_sentences  # noqa: E402

LABELS = ROOT / "bench" / "data" / "speaker_labels.jsonl"


def load_articles(labels_path: Path = LABELS) -> list[dict]:
    """The labelled articles as PolNeAR-style rows: id, set, text, title, gold."""
    labels: dict[tuple[str, str], list[dict]] = defaultdict(list)
    with labels_path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                labels[(row["set"], row["id"])].append(row)
    texts: dict[tuple[str, str], dict] = {}
    for name in {s for s, _ in labels}:
        with (EVAL / f"{name}.jsonl").open(encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                if (name, row["id"]) in labels:
                    texts[(name, row["id"])] = row
    articles = []
    for key in sorted(labels):
        row = texts[key]
        text = row["text"]
        digest = hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:12]
        if digest != labels[key][0]["text_sha1"]:
            raise SystemExit(f"{key[1]}: the article's text is not the one labelled")
        gold: list[dict] = []
        for g in labels[key]:
            words = text[g["start"] + 1 : g["end"]].rstrip('"”')
            if g.get("joins") and gold:
                gold[-1]["text"] += " " + words
                continue
            gold.append(
                {
                    "text": words,
                    "speaker": g["speaker"] or "",
                    "description": g["description"],
                    "kind": g["kind"],
                }
            )
        articles.append(
            {
                "batch": labels[key][0]["batch"],
                "set": key[0],
                "id": key[1],
                "text": text,
                "title": row.get("title"),
                "gold": gold,
            }
        )
    return articles


def split_halves(articles: list[dict], batch: int) -> tuple[list[dict], list[dict]]:
    """One batch's (development half, held-out half): sorted by (set, id), even
    positions then odd."""
    rows = [a for a in articles if a["batch"] == batch]
    return rows[0::2], rows[1::2]


def surnames(speaker: str) -> list[str]:
    """The words a found speaker must hold: each alternative's last name word
    ('Centers for Disease Control and Prevention|CDC' gives both; 'Maryam
    al-Khawaja' gives 'khawaja', 'David H. Patterson Jr.' gives 'patterson')."""
    out = []
    for name in speaker.split("|"):
        words = [w for w in re.split(r"[\s-]+", name.strip()) if w]
        while words and words[-1].lower().strip(".") in ("jr", "sr", "ii", "iii"):
            words.pop()
        if words:
            out.append(polnear_quotes.tokens(words[-1])[-1])
    return out


def evaluate(articles: list[dict]) -> polnear_quotes.Scores:
    s = polnear_quotes.Scores()
    for article in articles:
        paragraphs = polnear_quotes.paragraphs_of(article["text"])
        started = time.perf_counter()
        key, _ = find_quotes(split_sentences(paragraphs), title=article["title"] or None)
        s.timings.append((time.perf_counter() - started) * 1000)
        polnear_quotes.score_article(article, key, s, labelled_surnames)
    return s


def labelled_surnames(gold: dict) -> list[str] | None:
    """The labels' own names (any alternative's surname); a description is not scored."""
    return None if gold["description"] else surnames(gold["speaker"])


def error_class(line: str) -> str:
    if ": spurious " in line:
        return "spurious quote"
    if ": missed " in line:
        return "missed quote"
    match = re.search(r": speaker (None|'[^']*'|\"[^\"]*\") for gold", line)
    if match and match.group(1) == "None":
        return "speaker: none found"
    return "speaker: wrong one"


def report(name: str, s: polnear_quotes.Scores, show: bool) -> None:
    print(f"== labelled real news, {name} half (BBC + CNN/Daily Mail, fair scoring)")
    print(f"articles            {s.articles}")
    print(f"gold quotes         {s.gold}   (full, five words or more)")
    print(f"precision           {s.precision:.3f}   (target >= 0.95)")
    print(f"recall              {s.recall:.3f}")
    print(
        f"speaker accuracy    {s.speaker:.3f}   (target >= 0.90,"
        f" {s.speaker_right}/{s.speaker_total} named gold speakers)"
    )
    print(f"median ms/article   {s.ms_per_article:.2f}   (find_quotes only)")
    if show:
        groups: dict[str, list[str]] = defaultdict(list)
        for line in s.errors:
            groups[error_class(line)].append(line)
        for cls, n in Counter({k: len(v) for k, v in groups.items()}).most_common():
            print(f"  -- {cls} ({n})")
            for line in groups[cls]:
                print("    " + line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="the development half's errors")
    parser.add_argument("--dev", action="store_true", help="skip the held-out half")
    args = parser.parse_args(argv)
    if not EVAL.is_dir():
        print(f"(evaluation sets not found at {EVAL}: skipped)")
        return 0
    articles = load_articles()
    pooled = {"development": polnear_quotes.Scores(), "held-out": polnear_quotes.Scores()}
    for batch in sorted({a["batch"] for a in articles}):
        dev, held_out = split_halves(articles, batch)
        halves = [("development", dev, args.verbose), ("held-out", held_out, False)]
        for name, rows, show in halves[:1] if args.dev else halves:
            s = evaluate(rows)
            report(f"batch {batch}, {name}", s, show)
            _add(pooled[name], s)
    for name, s in pooled.items():
        if s.articles:
            print(
                f"== all {name} halves pooled: speaker {s.speaker:.3f}"
                f" ({s.speaker_right}/{s.speaker_total}), precision {s.precision:.3f},"
                f" recall {s.recall:.3f}, {s.articles} articles"
            )
    return 0


def _add(total: polnear_quotes.Scores, s: polnear_quotes.Scores) -> None:
    for name in (
        "articles",
        "gold",
        "predicted",
        "matched",
        "matched_predictions",
        "speaker_total",
        "speaker_right",
    ):
        setattr(total, name, getattr(total, name) + getattr(s, name))
    total.timings += s.timings


if __name__ == "__main__":
    raise SystemExit(main())
