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


def run_db(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from bot.config import Settings
    from bot.store.migrate import current_revision, head_revision, upgrade

    url = args.url or Settings().database_url.get_secret_value()
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        print("error: the database URL is not a valid SQLAlchemy URL", file=sys.stderr)
        return 2
    try:
        if args.db_command == "upgrade":
            asyncio.run(upgrade(url))
            print(f"database {shown} is at revision {head_revision()}")
        else:
            print(asyncio.run(current_revision(url)) or "empty (no migrations applied)")
    except (SQLAlchemyError, OSError, ImportError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"error: cannot migrate {shown}: {reason}", file=sys.stderr)
        return 1
    return 0
