"""The digest engine's API, for `newsdigest run`, `newsdigest bot` and `/digest now`.

One cycle of the run loop::

    await plan_due_digests(store, now=now)          # channels whose slot came (and live ones)
    await enqueue_story_updates(store, now=now)     # posted stories that gained a source
    await notify_feed_health(store, now=now)        # feeds that started failing / recovered
    report = await deliver_pending(store, {"discord": d, "slack": s}, worker_id="bot-1")

`/digest now` calls `plan_digest_now(...)` and then `deliver_pending`. Planning and queueing
are idempotent and safe with several processes (see `plan`, `updates`, `health`); delivery
claims posts with a lease and keeps each channel's order (see `outbox`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.digests.health import notify_feed_health
from bot.digests.outbox import DeliveryReport, deliver_pending, pending_count
from bot.digests.plan import plan_digest_now, plan_due_digests
from bot.digests.updates import enqueue_story_updates
from bot.platforms.base import Platform
from bot.store.store import Store
from bot.store.types import utcnow


@dataclass
class CycleReport:
    digests: list[int] = field(default_factory=list)
    updates: int = 0
    notices: int = 0
    delivery: DeliveryReport = field(default_factory=DeliveryReport)


async def run_digest_cycle(
    store: Store,
    platforms: Mapping[str, Platform],
    *,
    worker_id: str,
    now: datetime | None = None,
    deliver_limit: int = 200,
) -> CycleReport:
    """Plan, queue updates and notices, then deliver: one pass of the digest side."""
    now = now or utcnow()
    report = CycleReport()
    report.digests = await plan_due_digests(store, now=now)
    report.updates = await enqueue_story_updates(store, now=now)
    report.notices = await notify_feed_health(store, now=now)
    report.delivery = await deliver_pending(
        store, platforms, worker_id=worker_id, now=now, limit=deliver_limit
    )
    return report


__all__ = [
    "CycleReport",
    "DeliveryReport",
    "deliver_pending",
    "enqueue_story_updates",
    "notify_feed_health",
    "pending_count",
    "plan_digest_now",
    "plan_due_digests",
    "run_digest_cycle",
]
