"""Engine set-up for SQLite and PostgreSQL.

SQLite: WAL journal (readers never block the writer), incremental auto-vacuum for new files,
foreign keys on, a busy timeout, and transactions that start with `BEGIN IMMEDIATE` so that two
writers queue on the database lock up front instead of failing when a read transaction tries to
become a write transaction.
Read-only sessions use a plain (deferred) `BEGIN` via the `sqlite_begin` execution option.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 30_000


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def make_engine(
    url: str | URL,
    *,
    schema: str | None = None,
    echo: bool = False,
    pool_size: int | None = None,
) -> AsyncEngine:
    """An async engine for `url`. `schema` (PostgreSQL only) becomes the connection's
    search_path, so every table, including Alembic's version table, lives in it. `pool_size`
    connections are kept open (default 5), with as many again allowed at peaks."""
    url = make_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if pool_size is not None:
        kwargs.update(pool_size=pool_size, max_overflow=pool_size)
    if url.get_backend_name() == "sqlite":
        if schema:
            raise ValueError("a schema is a PostgreSQL setting; SQLite has none")
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        engine = create_async_engine(url, **kwargs)
        _install_sqlite_hooks(engine)
        return engine
    if schema:
        kwargs["connect_args"] = {"server_settings": {"search_path": schema}}
    kwargs["pool_pre_ping"] = True
    return create_async_engine(url, **kwargs)


def _install_sqlite_hooks(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the driver so that "begin" below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # Only takes effect on a file with no tables yet (or at the next VACUUM), so it
            # must come before WAL mode writes the header: new files give back the pages
            # retention frees (`PRAGMA incremental_vacuum`, bot/store/retention.py).
            cursor.execute("PRAGMA auto_vacuum=INCREMENTAL")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")
