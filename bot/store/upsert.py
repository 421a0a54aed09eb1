"""`INSERT … ON CONFLICT DO NOTHING` on either backend, for rows that racing workers may both
try to create (an article reached through two feeds, an outbox key, a channel's story)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert as sa_insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignore(
    session: AsyncSession, model: Any, values: dict[str, Any], *, conflict: Sequence[str]
) -> int | None:
    """Insert a row unless one with the same `conflict` columns exists. Returns the new id,
    or None when the row already existed."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(conflict))
        .returning(model.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def insert_ignore_many(
    session: AsyncSession,
    model: Any,
    rows: Sequence[dict[str, Any]],
    *,
    conflict: Sequence[str],
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """`insert_ignore` for many rows in one statement batch. With `returning` column names,
    the rows actually inserted come back (SQLAlchemy's "insertmanyvalues": one multi-row
    INSERT per batch on both backends); rows that hit the conflict are absent.

    On SQLite this is `INSERT OR IGNORE` (a plain Core insert with a prefix): the dialect's
    `on_conflict_do_nothing` statement has no cache key, so it was compiled again on every
    call (about a sixth of upsert_entries in a profile). OR IGNORE also skips rows breaking NOT NULL
    or CHECK constraints, which callers never send; `conflict` is PostgreSQL's target."""
    if not rows:
        return []
    table = model.__table__
    if session.get_bind().dialect.name == "postgresql":
        stmt = postgresql.insert(table).on_conflict_do_nothing(index_elements=list(conflict))
    else:
        stmt = sa_insert(table).prefix_with("OR IGNORE")
    if not returning:
        await session.execute(stmt, list(rows))
        return []
    result = await session.execute(stmt.returning(*(table.c[c] for c in returning)), list(rows))
    return [tuple(row) for row in result.all()]
