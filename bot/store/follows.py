"""`store.follows`: the topics members follow, per channel (opt-in pings).

Every method takes `platform` and `workspace_id` and sees only that workspace's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from bot.store.models import Follow
from bot.store.types import utcnow
from bot.store.upsert import insert_ignore

if TYPE_CHECKING:
    from bot.store.store import Store


@dataclass(frozen=True, slots=True)
class FollowResult:
    """`added` and `already` followed topics; `refused` would have gone over the limit."""

    added: tuple[str, ...]
    already: tuple[str, ...]
    refused: tuple[str, ...]
    total: int


class FollowRepo:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def follow(
        self,
        *,
        platform: str,
        workspace_id: str,
        channel_id: str,
        user_id: str,
        topics: Sequence[str],
        limit: int,
        now: datetime | None = None,
    ) -> FollowResult:
        """Follow `topics` (already split and folded) in a channel, as many as fit under the
        member's `limit` across the workspace; all in one transaction."""
        now = now or utcnow()
        member = _member(platform, workspace_id, user_id)
        added: list[str] = []
        already: list[str] = []
        refused: list[str] = []
        async with self._store.session() as s:
            rows = (await s.execute(select(Follow.channel_id, Follow.words).where(*member))).all()
            here = {words for channel, words in rows if channel == channel_id}
            total = len(rows)
            for topic in topics:
                if topic in here:
                    already.append(topic)
                elif total >= limit:
                    refused.append(topic)
                else:
                    await insert_ignore(
                        s,
                        Follow,
                        {
                            "platform": platform,
                            "workspace_id": workspace_id,
                            "channel_id": channel_id,
                            "user_id": user_id,
                            "words": topic,
                            "created_at": now,
                        },
                        conflict=["platform", "workspace_id", "channel_id", "user_id", "words"],
                    )
                    here.add(topic)
                    added.append(topic)
                    total += 1
        return FollowResult(tuple(added), tuple(already), tuple(refused), total)

    async def unfollow(
        self,
        *,
        platform: str,
        workspace_id: str,
        channel_id: str,
        user_id: str,
        topics: Sequence[str],
    ) -> tuple[str, ...]:
        """Stop following `topics` in a channel; returns those that were followed."""
        member = _member(platform, workspace_id, user_id)
        async with self._store.session() as s:
            result = await s.execute(
                delete(Follow)
                .where(*member, Follow.channel_id == channel_id, Follow.words.in_(list(topics)))
                .returning(Follow.words)
            )
            return tuple(sorted(set(result.scalars().all())))

    async def following(
        self, *, platform: str, workspace_id: str, user_id: str
    ) -> list[tuple[str, str]]:
        """(channel id, topic) of everything the member follows, by channel, oldest first."""
        async with self._store.session(readonly=True) as s:
            rows = await s.execute(
                select(Follow.channel_id, Follow.words)
                .where(*_member(platform, workspace_id, user_id))
                .order_by(Follow.channel_id, Follow.id)
            )
            return [(c, w) for c, w in rows.all()]

    async def forget_members(
        self, *, platform: str, workspace_id: str, user_ids: Sequence[str]
    ) -> int:
        """Drop every follow of members who left the workspace; returns how many."""
        if not user_ids:
            return 0
        async with self._store.session() as s:
            result = await s.execute(
                delete(Follow).where(
                    Follow.platform == platform,
                    Follow.workspace_id == workspace_id,
                    Follow.user_id.in_(list(user_ids)),
                )
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def count(self, *, platform: str, workspace_id: str, user_id: str) -> int:
        async with self._store.session(readonly=True) as s:
            return int(
                await s.scalar(
                    select(func.count())
                    .select_from(Follow)
                    .where(*_member(platform, workspace_id, user_id))
                )
                or 0
            )


def _member(platform: str, workspace_id: str, user_id: str) -> list[object]:
    return [
        Follow.platform == platform,
        Follow.workspace_id == workspace_id,
        Follow.user_id == user_id,
    ]
