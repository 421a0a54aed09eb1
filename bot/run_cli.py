"""`newsdigest run | bot discord|slack | demo`: the processes that talk to chat platforms.

- `run`: everything in one process (poll, summarize, plan, deliver, slash commands) on the
  platform the configured tokens name (Discord, else Slack, else the console, which reads
  commands from stdin). SQLite by default, migrated at start.
- `bot discord|slack`: the platform connection, slash commands and the digest side (plan,
  updates, notices, delivery) without polling, for scale-out beside `newsdigest worker`.
- `demo`: one full cycle over the bundled sample feeds (or `--feed URL`), printed
  (or `--payloads discord|slack`: the request bodies as JSON lines).

Imports happen inside the functions, so other commands do not pay for them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings

COMMANDS = ("run", "bot", "demo")

log = logging.getLogger(__name__)


def add_run_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sub.add_parser(
        "run", help="the whole bot in one process (Discord, Slack or console by the tokens set)"
    )
    bot = sub.add_parser("bot", help="platform connection and delivery only (beside `worker`)")
    bot.add_argument("platform", choices=("discord", "slack"))
    demo = sub.add_parser(
        "demo", help="one full cycle over bundled sample feeds (or --feed URL), printed"
    )
    demo.add_argument(
        "--feed", action="append", metavar="URL", help="digest these feeds instead (repeatable)"
    )
    demo.add_argument(
        "--payloads",
        choices=("discord", "slack"),
        help="print the request bodies for this platform, one JSON object per line",
    )
    demo.add_argument(
        "--html",
        metavar="PATH",
        help="write an HTML preview of the digest as Discord and Slack show it",
    )


def run_platform_command(args: argparse.Namespace) -> int:
    from bot.config import SettingsError

    try:
        return _run_platform_command(args)
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run_platform_command(args: argparse.Namespace) -> int:
    if args.command == "demo":
        from bot.demo.cycle import preview_html, run_demo

        try:
            if args.html:
                page = asyncio.run(preview_html(feeds=args.feed))
                with open(args.html, "w", encoding="utf-8") as out:
                    out.write(page)
                print(f"wrote {args.html}")
                return 0
            return asyncio.run(run_demo(feeds=args.feed, payloads=args.payloads))
        except KeyboardInterrupt:
            return 130
        except (OSError, RuntimeError) as exc:
            print(f"error: {' '.join(str(exc).split())[:300]}", file=sys.stderr)
            return 1
    from bot.config import load_settings
    from bot.platforms.connect import PlatformConfigError

    settings = load_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        if args.command == "run":
            return asyncio.run(serve(settings, platform=None, with_worker=True))
        return asyncio.run(serve(settings, platform=args.platform, with_worker=False))
    except PlatformConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # start-up failures: an unusable database, a refused connection
        message = " ".join(str(exc).split())[:300] or type(exc).__name__
        print(f"error: {message}", file=sys.stderr)
        return 1


async def serve(
    settings: Settings,
    *,
    platform: str | None,
    with_worker: bool,
    stop: asyncio.Event | None = None,
) -> int:
    """Connect, run the loops until `stop` is set (by default: SIGINT or SIGTERM), then close
    everything."""
    from bot.app import open_app
    from bot.commands.router import Commands
    from bot.platforms.connect import Stopped, choose, connect
    from bot.platforms.console import serve_commands, stdin_lines
    from bot.runner import Runner, install_signal_handlers
    from bot.worker import make_worker_id

    name = platform or choose(settings)
    if stop is None:
        stop = asyncio.Event()
        install_signal_handlers(stop)
    async with open_app(settings, with_executor=with_worker) as app:
        runner: Runner | None = None

        async def planned(ctx: object, digest_id: int) -> None:
            if runner is not None:
                runner.wake()

        commands = Commands(
            store=app.store,
            fetcher=app.fetcher,
            executor=app.executor,
            on_digest_planned=planned,
            local_files=name == "console",
        )
        try:
            async with connect(name, settings, commands, stop=stop) as connected:
                worker_id = make_worker_id()
                runner = Runner(
                    store=app.store,
                    platforms={connected.name: connected},
                    worker_id=worker_id,
                    worker=app.worker(worker_id=worker_id) if with_worker else None,
                    digest_cycle_s=settings.digest_cycle_s,
                    deliver_interval_s=settings.deliver_interval_s,
                )
                reader = None
                if name == "console":
                    print("newsdigest: console mode; type a command such as `/news help`, "
                          "Ctrl-C to stop", flush=True)  # fmt: skip
                    reader = asyncio.create_task(serve_commands(commands, stdin_lines()))
                try:
                    await runner.run(stop)
                finally:
                    if reader is not None:
                        reader.cancel()
                        with contextlib.suppress(asyncio.CancelledError, Exception):
                            await reader
        except Stopped:
            log.info("stopped before %s was connected", name)
    return 0
