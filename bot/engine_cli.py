"""`newsdigest feeds … | worker | search`: thin argparse glue over the handlers in
bot/feeds/manage.py, bot/worker.py and bot/stories/lookup.py (which the slash commands call too).

Imports happen inside the functions so `newsdigest demo` does not pay for SQLAlchemy.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from typing import TYPE_CHECKING

from bot.plural import counted

if TYPE_CHECKING:
    from bot.app import App
    from bot.config import Settings


def run_engine_command(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.config import SettingsError, load_settings
    from bot.feeds.errors import FeedLayerError

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    problem = _sqlite_folder_problem(settings.database_url.get_secret_value())
    if problem:
        print(f"error: the database is not usable: {problem}", file=sys.stderr)
        return 1
    try:
        return asyncio.run(_dispatch(args, settings))
    except (FeedLayerError, LookupError) as exc:
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        raise  # the reader left early; `bot.cli.main` ends quietly
    except (SQLAlchemyError, OSError) as exc:
        print(f"error: the database is not usable: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import open_app

    needs_executor = args.command == "worker"
    async with open_app(settings, with_executor=needs_executor) as app:
        if args.command == "feeds":
            return await _feeds(args, app)
        if args.command == "worker":
            return await _worker(args, app)
        return await _search(args, app)


async def _feeds(args: argparse.Namespace, app: App) -> int:
    from bot.feeds.manage import add_feed, describe, list_feeds, remove_feed

    if args.feeds_command == "import":
        return await _import(args, app)
    if args.feeds_command == "export":
        return await _export(args, app)
    if args.feeds_command == "add":
        print((await add_feed(app.store, app.fetcher, args.url)).line())
    elif args.feeds_command == "list":
        feeds = await list_feeds(app.store)
        for info in feeds:
            print(describe(info))
        if not feeds:
            print("no feeds yet: add one with `newsdigest feeds add URL`")
    else:
        info = await remove_feed(app.store, args.feed)
        print(f"removed: feed {info.feed_id} {info.url}")
    return 0


async def _import(args: argparse.Namespace, app: App) -> int:
    from bot.commands.cli import CONSOLE_WORKSPACE
    from bot.feeds.opml import MAX_OPML_BYTES
    from bot.feeds.opml_import import import_opml
    from bot.store.feeds import SubscribeTo
    from bot.store.types import utcnow

    data = _read_limited(args.file, MAX_OPML_BYTES)
    if data is None:
        return 1
    target = None
    if args.channel:
        channel = args.channel.strip().lstrip("#")
        if not channel or len(channel) > 64 or not channel.replace("-", "").isalnum():
            print(f"error: {args.channel!r} is not a channel id", file=sys.stderr)
            return 2
        target = SubscribeTo(
            platform="console",
            workspace_id=CONSOLE_WORKSPACE,
            channel_id=channel,
            created_by="operator",
        )
    report = await import_opml(app.store, app.fetcher, data, subscribe=target, now=utcnow())
    for line in report.lines:
        print(line.line())
    print(f"{report.summary()}; new feeds are checked on their first poll (see `feeds list`)")
    return 0 if report.added else 1


def _read_limited(path: str, limit: int) -> bytes | None:
    """The file's bytes, or None after a one-line error (missing, unreadable, too large)."""
    from pathlib import Path

    too_large = f"error: {path} is larger than {limit // (1024 * 1024)} MB; not an OPML list"
    try:
        if path == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            file = Path(path)
            if file.is_file() and file.stat().st_size > limit:
                print(too_large, file=sys.stderr)
                return None
            with file.open("rb") as handle:
                data = handle.read(limit + 1)
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror or _one_line(exc)}", file=sys.stderr)
        return None
    if len(data) > limit:
        print(too_large, file=sys.stderr)
        return None
    return data


async def _export(args: argparse.Namespace, app: App) -> int:
    from bot.feeds.opml_import import export_opml
    from bot.store.types import utcnow

    data = await export_opml(app.store, now=utcnow())
    if args.file == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    problem = _write_whole(args.file, data)
    if problem:
        print(f"error: cannot write {args.file}: {problem}", file=sys.stderr)
        return 1
    print(f"wrote {counted(len(await app.store.feeds.list()), 'feed')} to {args.file}")
    return 0


def _write_whole(path: str, data: bytes) -> str | None:
    """Write `data` to `path` through a temporary file beside it, so a reader never sees half
    a file. Returns why not, or None."""
    import os
    import tempfile
    from pathlib import Path

    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        return exc.strerror or _one_line(exc)
    return None


async def _worker(args: argparse.Namespace, app: App) -> int:

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    worker = app.worker()
    if args.once:
        stats = await worker.run_once()
        p, a = stats.polls, stats.articles
        print(
            f"polled {counted(p.polled, 'feed')} ({p.not_modified} not modified, "
            f"{p.failed} failed, {p.disabled} disabled), {counted(p.new_entries, 'new entry')}; "
            f"summarized {counted(a.summarized, 'article')} ({a.from_feed} from feed text), "
            f"{counted(a.new_stories, 'new story')}, {a.joined_stories} joined existing ones"
        )
        return 0
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await worker.run_forever(stop=stop)
    return 0


async def _search(args: argparse.Namespace, app: App) -> int:
    from bot.stories.lookup import find_stories

    hits = await find_stories(app.store, " ".join(args.words), limit=args.limit)
    if args.json:
        print(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2))
        return 0
    if not hits:
        print("no stories match")
    for hit in hits:
        flag = " [from feed text]" if hit.from_feed_only else ""
        print(f"{hit.title}{flag}\n  {hit.url or ''}\n  {hit.snippet}")
        print(f"  sources: {len(hit.sources)}")
    return 0


def _sqlite_folder_problem(url: str) -> str | None:
    """Caught before opening: a missing folder otherwise fails inside the driver's thread."""
    from pathlib import Path

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return "NEWSDIGEST_DATABASE_URL is not a valid database URL"
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    folder = Path(parsed.database).parent
    return None if folder.is_dir() else f"the folder {folder} does not exist"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]
