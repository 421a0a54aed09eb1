"""The `newsdigest` command."""

from __future__ import annotations

import argparse
import sys
from importlib.resources import files

from bot.store.cli import add_db_parser, run_db
from summarizer.__main__ import main as summarizer_main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsdigest", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="summarize the bundled sample article and print it")
    summ = sub.add_parser("summarize", help="summarize an article: PATH, URL or - (stdin)")
    summ.add_argument("args", nargs=argparse.REMAINDER)
    add_db_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        sample = files("summarizer") / "samples" / "harbour_bridge.txt"
        return summarizer_main([str(sample)])
    if args.command == "summarize":
        return summarizer_main(args.args)
    if args.command == "db":
        return run_db(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
