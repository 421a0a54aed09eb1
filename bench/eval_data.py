"""Where the shared evaluation sets are: ``../shared/eval`` beside the clone, or beside the
folder of worktrees that holds it. They are read from there, never copied into the project."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVAL = next(
    (p / "shared" / "eval" for p in ROOT.parents if (p / "shared" / "eval").is_dir()),
    ROOT.parent / "shared" / "eval",
)
BBC = EVAL / "bbc_news_100.jsonl"
LEADNEWS = EVAL / "leadnews_dev.jsonl"
POLNEAR = EVAL / "quotes_dev_polnear.jsonl"
