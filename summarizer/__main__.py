"""`python -m summarizer PATH|URL|- [--format text|json] [--facts N] [--quotes N]`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from summarizer.fetch import FetchError, fetch_url
from summarizer.model import Summary
from summarizer.pipeline import summarize

ALLOW_PRIVATE_ENV = "NEWSDIGEST_ALLOW_PRIVATE_ADDRESSES"


def _fetch_alone(url: str) -> str:
    allow = os.environ.get(ALLOW_PRIVATE_ENV, "").strip().lower() in ("1", "true", "yes", "on")
    return fetch_url(url, allow_private=allow)


def _read_source(arg: str, fetch: Callable[[str], str]) -> str:
    if arg == "-":
        return sys.stdin.read()
    if arg.startswith(("http://", "https://")):
        return fetch(arg)
    path = Path(arg)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FetchError(f"cannot read {arg}: {exc.strerror or exc}") from None
    return data.decode("utf-8", errors="replace")


def render_text(summary: Summary) -> str:
    lines: list[str] = []
    if summary.title:
        lines += [summary.title, "=" * min(len(summary.title), 80)]
    meta = [m for m in (summary.byline, summary.published) if m]
    meta.append(f"{summary.word_count} words, {summary.reading_time_minutes} min read")
    lines += [" · ".join(meta), ""]
    if summary.key_facts:
        lines.append("Key facts")
        lines += [f"  • {f.text}" for f in summary.key_facts]
    if summary.quotes:
        lines += ["", "Key quotes"]
        lines += [f"  “{q.text}” — {q.speaker or 'unattributed'}" for q in summary.quotes]
    return "\n".join(lines)


def build_parser(prog: str = "python -m summarizer") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Summarize a news article (HTML or plain text) into key facts and quotes.",
    )
    parser.add_argument("source", help="a file path, an http(s) URL, or - for standard input")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="text (default) or json"
    )
    parser.add_argument("--facts", type=int, default=5, metavar="N", help="key facts (default 5)")
    parser.add_argument("--quotes", type=int, default=3, metavar="N", help="key quotes (default 3)")
    return parser


def main(
    argv: list[str] | None = None,
    *,
    prog: str = "python -m summarizer",
    fetch: Callable[[str], str] = _fetch_alone,
) -> int:
    """`fetch` reads a URL, raising FetchError; `newsdigest summarize` passes the bot's."""
    args = build_parser(prog).parse_args(argv)
    if args.facts < 0 or args.quotes < 0:
        print("error: --facts and --quotes must be 0 or more", file=sys.stderr)
        return 2
    try:
        source = _read_source(args.source, fetch)
    except FetchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not source.strip():
        print(f"error: {args.source} is empty", file=sys.stderr)
        return 1
    summary = summarize(source, max_facts=args.facts, max_quotes=args.quotes)
    if not summary.sentence_count:
        print(f"error: no article text found in {args.source}", file=sys.stderr)
        return 1
    try:
        print(summary.to_json(indent=2) if args.format == "json" else render_text(summary))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader left early (`… | head`): not an error, and no traceback at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return 0


if __name__ == "__main__":
    sys.exit(main())
