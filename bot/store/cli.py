"""`newsdigest db …`: database maintenance commands.

Imports happen inside `run_db` so that other commands do not pay for SQLAlchemy and Alembic.
"""

from __future__ import annotations

import argparse
import asyncio
import sys


def add_db_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="apply pending migrations")
    up.add_argument("--url", help="database URL (default: NEWSDIGEST_DATABASE_URL)")
    cur = db_sub.add_parser("current", help="print the database's migration revision")
    cur.add_argument("--url", help="database URL (default: NEWSDIGEST_DATABASE_URL)")
    prune = db_sub.add_parser(
        "prune",
        help="delete what is older than the retention now, and give SQLite's space back",
        description="Delete entries, articles, stories (with their quotes and search rows), "
        "delivered posts and digests older than the retention, in small batches, except what "
        "a pending delivery, a story still changing or a feed still listing its item needs; "
        "then give SQLite's free pages back (an older SQLite file is converted once, by a full "
        "VACUUM). Prints one line.",
    )
    prune.add_argument("--url", help="database URL (default: NEWSDIGEST_DATABASE_URL)")
    prune.add_argument(
        "--days", type=int, help="retention in days (default: NEWSDIGEST_RETENTION_DAYS, 30)"
    )


def run_db(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from bot.config import MIN_RETENTION_DAYS, SettingsError, load_settings
    from bot.store.migrate import current_revision, head_revision, upgrade

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    url = args.url or settings.database_url.get_secret_value()
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        print("error: the database URL is not a valid SQLAlchemy URL", file=sys.stderr)
        return 2
    if args.db_command == "prune":
        days = settings.retention_days if args.days is None else args.days
        if days < MIN_RETENTION_DAYS:
            print(f"error: --days must be at least {MIN_RETENTION_DAYS}", file=sys.stderr)
            return 2
    try:
        if args.db_command == "upgrade":
            asyncio.run(upgrade(url))
            print(f"database {shown} is at revision {head_revision()}")
        elif args.db_command == "prune":
            print(asyncio.run(_prune(url, days)))
        else:
            print(asyncio.run(current_revision(url)) or "empty (no migrations applied)")
    except _NotMigratedError as exc:
        print(f"error: {shown} {exc}", file=sys.stderr)
        return 1
    except (SQLAlchemyError, OSError, ImportError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        doing = "prune" if args.db_command == "prune" else "migrate"
        print(f"error: cannot {doing} {shown}: {reason}", file=sys.stderr)
        return 1
    return 0


class _NotMigratedError(Exception):
    pass


async def _prune(url: str, days: int) -> str:
    """Prune and compact as the bot would open the database: SQLite is migrated first (as at
    the bot's start); PostgreSQL must already be at the head revision."""
    from datetime import timedelta

    from bot.store.migrate import current_revision, head_revision
    from bot.store.retention import compact, prune
    from bot.store.store import Store

    store = Store(url)
    try:
        if store.dialect == "sqlite":
            await store.upgrade()
        elif await current_revision(store.engine) != head_revision():
            raise _NotMigratedError("is not at the latest revision: run `newsdigest db upgrade`")
        report = await prune(store, older_than=timedelta(days=days))
        report.freed_bytes = await compact(store)
        return report.line()
    finally:
        await store.close()
