"""Claiming queued rows with a lease: the store is the queue.

One transaction selects the due rows `FOR UPDATE SKIP LOCKED` (PostgreSQL: concurrent claimers
skip each other's rows instead of waiting) and stamps them with the worker's id and a lease
expiry. On SQLite `FOR UPDATE` renders as nothing and the session's `BEGIN IMMEDIATE` holds the
database's write lock for the whole claim, so claimers run one after another. A row whose lease
has expired (its worker crashed) is claimable again; a worker reports its result only while it
still holds the lease (`owned_by`), so a late, presumed-dead worker cannot overwrite the work of
the one that took over. A lease whose holder is known to be dead (`claimers.is_dead`: a process
of this host that is gone) is released at once by `release_dead` instead of being waited out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.claimers import is_dead

T = TypeVar("T")


def lease_free(model: Any, now: datetime) -> ColumnElement[bool]:
    return or_(model.lease_expires_at.is_(None), model.lease_expires_at <= now)


def owned_by(model: Any, row_id: int, worker_id: str) -> ColumnElement[bool]:
    return and_(model.id == row_id, model.lease_owner == worker_id)


async def claim(
    session: AsyncSession,
    model: type[T],
    *,
    where: Sequence[ColumnElement[bool]],
    order_by: Sequence[Any],
    now: datetime,
    worker_id: str,
    lease_s: float,
    limit: int | None,
    extra_values: dict[str, Any] | None = None,
) -> list[T]:
    """Lease up to `limit` rows of `model` matching `where` to `worker_id`, in `order_by` order."""
    m: Any = model
    query = select(m.id).where(*where, lease_free(m, now)).order_by(*order_by)
    if limit is not None:
        query = query.limit(limit)
    ids = list((await session.scalars(query.with_for_update(skip_locked=True))).all())
    if not ids:
        return []
    values = {"lease_owner": worker_id, "lease_expires_at": now + timedelta(seconds=lease_s)}
    values.update(extra_values or {})
    stmt = (
        update(m)
        .where(m.id.in_(ids))
        .values(**values)
        .returning(m)
        .execution_options(synchronize_session=False)
    )
    rows = list((await session.scalars(stmt)).all())
    position = {row_id: i for i, row_id in enumerate(ids)}
    rows.sort(key=lambda row: position[row.id])
    return rows


async def renew(
    session: AsyncSession,
    model: Any,
    ids: Sequence[int],
    *,
    worker_id: str,
    now: datetime,
    lease_s: float,
) -> set[int]:
    """Push the lease of rows `worker_id` still holds to `now + lease_s`; returns their ids."""
    if not ids:
        return set()
    stmt = (
        update(model)
        .where(model.id.in_(list(ids)), model.lease_owner == worker_id)
        .values(lease_expires_at=now + timedelta(seconds=lease_s))
        .returning(model.id)
        .execution_options(synchronize_session=False)
    )
    return set((await session.scalars(stmt)).all())


async def release_all(session: AsyncSession, model: Any, *, worker_id: str) -> int:
    """Drop every lease `worker_id` holds on `model`'s rows (a clean shutdown), so other
    workers need not wait for them to expire. Returns how many were released."""
    stmt = (
        update(model)
        .where(model.lease_owner == worker_id)
        .values(lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def release_dead(session: AsyncSession, model: Any, *, now: datetime) -> int:
    """Release the unexpired leases on `model`'s rows whose holders are dead (see
    `bot.store.claimers`), so they can be claimed now. Returns how many rows were released."""
    owners = await session.scalars(
        select(model.lease_owner)
        .where(model.lease_owner.is_not(None), model.lease_expires_at > now)
        .distinct()
    )
    dead = [owner for owner in owners.all() if is_dead(owner)]
    if not dead:
        return 0
    stmt = (
        update(model)
        .where(model.lease_owner.in_(dead))
        .values(lease_owner=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(stmt)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
