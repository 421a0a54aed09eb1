"""Applying the Alembic migrations programmatically (there is no alembic.ini).

Revisions live in `bot/store/migrations/versions/`, numbered `0001_…`, `0002_…` and
append-only: never edit one that has been released; add the next number instead.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.store.engine import make_engine

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


async def upgrade(
    target: str | URL | AsyncEngine, *, revision: str = "head", schema: str | None = None
) -> None:
    """Bring the database at `target` (a URL or an engine) up to `revision`."""
    await _run(target, schema, lambda conn, cfg: command.upgrade(cfg, revision))


async def downgrade(
    target: str | URL | AsyncEngine, *, revision: str, schema: str | None = None
) -> None:
    await _run(target, schema, lambda conn, cfg: command.downgrade(cfg, revision))


async def current_revision(
    target: str | URL | AsyncEngine, *, schema: str | None = None
) -> str | None:
    found: list[str | None] = []

    def read(conn: Connection, _cfg: Config) -> None:
        found.append(MigrationContext.configure(conn).get_current_revision())

    await _run(target, schema, read)
    return found[0]


async def _run(
    target: str | URL | AsyncEngine,
    schema: str | None,
    fn: Callable[[Connection, Config], object],
) -> None:
    engine = target if isinstance(target, AsyncEngine) else make_engine(target, schema=schema)
    config = alembic_config()

    def run(conn: Connection) -> None:
        config.attributes["connection"] = conn
        fn(conn, config)

    try:
        async with engine.begin() as conn:
            await conn.run_sync(run)
    finally:
        if engine is not target:
            await engine.dispose()
