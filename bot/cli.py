"""The `newsdigest` command."""

from __future__ import annotations

import argparse
import os
import sys

from bot.commands.cli import COMMANDS as CHAT_COMMANDS
from bot.commands.cli import add_command_parsers, run_chat_command
from bot.run_cli import COMMANDS as PLATFORM_COMMANDS
from bot.run_cli import add_run_parsers, run_platform_command
from bot.store.cli import add_db_parser, run_db


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsdigest", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    add_run_parsers(sub)
    summ = sub.add_parser("summarize", help="summarize an article: PATH, URL or - (stdin)")
    summ.add_argument("args", nargs=argparse.REMAINDER)
    add_db_parser(sub)
    feeds = sub.add_parser("feeds", help="follow, list and drop feeds")
    feeds_sub = feeds.add_subparsers(dest="feeds_command", required=True)
    add = feeds_sub.add_parser("add", help="check a feed by fetching it, then follow it")
    add.add_argument("url")
    feeds_sub.add_parser("list", help="every feed with its state, last success and last error")
    remove = feeds_sub.add_parser("remove", help="stop following a feed")
    remove.add_argument("feed", metavar="ID|URL")
    imp = feeds_sub.add_parser(
        "import",
        help="follow every feed of an OPML file (each is checked on its first poll)",
        description="Follow every feed of an OPML file: one line per outline (added, already "
        "followed, refused and why). Addresses and hosts are checked now; whether each is "
        "really a feed is found by its first poll. Exits 0 when anything was added.",
    )
    imp.add_argument("file", metavar="FILE.opml", help="the OPML file (- for standard input)")
    imp.add_argument(
        "--channel",
        metavar="ID",
        help="also make this console channel follow each feed (as `command feeds add` does)",
    )
    exp = feeds_sub.add_parser("export", help="write every feed as an OPML 2.0 file")
    exp.add_argument(
        "file", metavar="FILE", nargs="?", default="-", help="where to write (default -: stdout)"
    )
    worker = sub.add_parser("worker", help="poll feeds and summarize their articles into stories")
    worker.add_argument(
        "--once", action="store_true", help="one cycle over every enabled feed, then exit"
    )
    search = sub.add_parser("search", help="full-text search over stories")
    search.add_argument("words", nargs="+")
    search.add_argument("--json", action="store_true", help="print a JSON list of stories")
    search.add_argument(
        "--limit", type=_at_least_one, default=10, metavar="N", help="at most N stories (10)"
    )
    add_command_parsers(sub)
    return parser


def _at_least_one(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv[:1] == ["summarize"]:  # its own parser, so `summarize --help` shows its options
            from bot.summarize_cli import run_summarize

            return run_summarize(argv[1:])
        return _dispatch(build_parser().parse_args(argv))
    except BrokenPipeError:
        # The reader left early (`newsdigest search x --json | head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 0


def _dispatch(args: argparse.Namespace) -> int:
    if args.command in PLATFORM_COMMANDS:
        return run_platform_command(args)
    if args.command == "db":
        return run_db(args)
    if args.command in CHAT_COMMANDS:
        return run_chat_command(args)
    if args.command in ("feeds", "worker", "search"):
        from bot.engine_cli import run_engine_command

        return run_engine_command(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
