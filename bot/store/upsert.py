"""`INSERT … ON CONFLICT DO NOTHING` on either backend, for rows that racing workers may both
try to create (an article reached through two feeds, an outbox key, a channel's story)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
    session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]], *, conflict: Sequence[str]
) -> None:
    """`insert_ignore` for many rows in one statement batch (no ids returned)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model).on_conflict_do_nothing(index_elements=list(conflict))
    await session.execute(stmt, list(rows))
