"""Entries of feeds and the articles they point at; articles are the summarization queue."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.claims import claim, owned_by
from bot.store.models import (
    ARTICLE_FAILED,
    ARTICLE_PENDING,
    ARTICLE_SUMMARIZED,
    Article,
    Entry,
)
from bot.store.types import utcnow
from bot.store.upsert import insert_ignore

if TYPE_CHECKING:
    from bot.store.store import Store

LINKLESS_PREFIX = "urn:newsdigest:entry:"


@dataclass(frozen=True, slots=True)
class EntryData:
    """One parsed feed item, as the feeds code hands it to the store. `normalized_link` and
    `content_hash` are computed by the caller (bot/feeds); the store only compares them."""

    guid: str
    link: str | None = None
    normalized_link: str | None = None
    content_hash: str | None = None
    title: str | None = None
    summary: str | None = None
    content: str | None = None
    author: str | None = None
    published_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class EntryChange:
    entry_id: int
    article_id: int
    kind: Literal["new", "updated", "unchanged"]


_EDITABLE = ("link", "normalized_link", "content_hash", "title", "summary", "content", "author")


class ArticleRepo:
    """`store.articles`: entries (per feed) and articles (per normalised URL)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    async def upsert_entries(
        self,
        feed_id: int,
        items: Sequence[EntryData],
        *,
        backlog: bool,
        now: datetime | None = None,
    ) -> list[EntryChange]:
        """Store a poll's items. An item is the same entry as a stored one of this feed when
        its guid matches, else its normalised link, else its content hash; a match is updated
        in place (an edit never becomes a new entry). A new entry gets (or shares) the article
        for its normalised link, created pending. `backlog=True` (a feed's first poll) marks new
        entries as already seen for posting.

        An entry without a link gets an article keyed `urn:newsdigest:entry:<feed>:<hash>`,
        which the pipeline summarizes from the feed's own text.
        """
        now = now or utcnow()
        changes: list[EntryChange] = []
        async with self._store.session() as s:
            for item in items:
                entry = await _find_entry(s, feed_id, item)
                if entry is None:
                    article_id = await self._article_for(s, feed_id, item, now)
                    entry = Entry(
                        feed_id=feed_id,
                        guid=item.guid,
                        published_at=item.published_at,
                        seen_for_posting=backlog,
                        article_id=article_id,
                        first_seen_at=now,
                        updated_at=now,
                        **{f: getattr(item, f) for f in _EDITABLE},
                    )
                    s.add(entry)
                    await s.flush()
                    changes.append(EntryChange(entry.id, article_id, "new"))
                    continue
                edits = {f: getattr(item, f) for f in _EDITABLE if getattr(item, f) is not None}
                if item.guid != entry.guid:
                    edits["guid"] = item.guid
                edits = {k: v for k, v in edits.items() if getattr(entry, k) != v}
                if edits:
                    for key, value in edits.items():
                        setattr(entry, key, value)
                    entry.updated_at = now
                    await s.flush()
                kind: Literal["updated", "unchanged"] = "updated" if edits else "unchanged"
                changes.append(EntryChange(entry.id, entry.article_id or 0, kind))
        return changes

    async def _article_for(
        self, s: AsyncSession, feed_id: int, item: EntryData, now: datetime
    ) -> int:
        if item.normalized_link:
            key, url = item.normalized_link, item.link or item.normalized_link
        else:
            digest = hashlib.sha256(item.guid.encode()).hexdigest()[:32]
            key, url = f"{LINKLESS_PREFIX}{feed_id}:{digest}", item.guid
        await insert_ignore(
            s,
            Article,
            {"url": url, "normalized_url": key, "next_attempt_at": now, "created_at": now},
            conflict=["normalized_url"],
        )
        query = select(Article.id).where(Article.normalized_url == key)
        return (await s.scalars(query)).one()

    async def get(self, article_id: int) -> Article | None:
        async with self._store.session(readonly=True) as s:
            return await s.get(Article, article_id)

    async def entries_for(self, article_id: int) -> list[Entry]:
        """The entries (from any feed) pointing at an article, oldest first: their feed text
        is the fallback when the page cannot be read."""
        async with self._store.session(readonly=True) as s:
            query = select(Entry).where(Entry.article_id == article_id).order_by(Entry.id)
            return list((await s.scalars(query)).all())

    async def entries_of_feed(self, feed_id: int) -> list[Entry]:
        async with self._store.session(readonly=True) as s:
            query = select(Entry).where(Entry.feed_id == feed_id).order_by(Entry.id)
            return list((await s.scalars(query)).all())

    async def claim_pending(
        self,
        *,
        now: datetime,
        limit: int,
        worker_id: str,
        lease_s: float,
        max_attempts: int = 5,
    ) -> list[Article]:
        """Lease pending articles due for an attempt, oldest first. Each claim counts as an
        attempt, so an article that crashes its worker every time stops after `max_attempts`."""
        async with self._store.session() as s:
            return await claim(
                s,
                Article,
                where=[
                    Article.state == ARTICLE_PENDING,
                    Article.next_attempt_at <= now,
                    Article.attempts < max_attempts,
                ],
                order_by=[Article.next_attempt_at, Article.id],
                now=now,
                worker_id=worker_id,
                lease_s=lease_s,
                limit=limit,
                extra_values={"attempts": Article.attempts + 1},
            )

    async def complete(
        self,
        article_id: int,
        *,
        worker_id: str,
        summary: dict[str, Any],
        text: str | None = None,
        title: str | None = None,
        byline: str | None = None,
        final_url: str | None = None,
        published_at: datetime | None = None,
        from_feed_only: bool = False,
        story_id: int | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Store the summary (a `Summary.to_dict()`) and release the lease. False when the
        lease was lost (another worker took the article over): nothing is written."""
        now = now or utcnow()
        values: dict[str, Any] = {
            "state": ARTICLE_SUMMARIZED,
            "summary": summary,
            "text": text,
            "title": title,
            "byline": byline,
            "final_url": final_url,
            "published_at": published_at,
            "from_feed_only": from_feed_only,
            "summarized_at": now,
            "fetch_error": None,
            "lease_owner": None,
            "lease_expires_at": None,
        }
        if story_id is not None:
            values["story_id"] = story_id
        return await self._finish(article_id, worker_id, values)

    async def fail(
        self,
        article_id: int,
        *,
        worker_id: str,
        error: str,
        retry_in_s: float | None = None,
        now: datetime | None = None,
    ) -> bool:
        """Record a failed attempt: retried after `retry_in_s`, or failed for good when None."""
        now = now or utcnow()
        values: dict[str, Any] = {
            "fetch_error": error,
            "lease_owner": None,
            "lease_expires_at": None,
        }
        if retry_in_s is None:
            values["state"] = ARTICLE_FAILED
        else:
            values["next_attempt_at"] = now + timedelta(seconds=retry_in_s)
        return await self._finish(article_id, worker_id, values)

    async def set_story(self, article_id: int, story_id: int) -> None:
        async with self._store.session() as s:
            await s.execute(
                update(Article).where(Article.id == article_id).values(story_id=story_id)
            )

    async def _finish(self, article_id: int, worker_id: str, values: dict[str, Any]) -> bool:
        async with self._store.session() as s:
            result = await s.execute(
                update(Article)
                .where(owned_by(Article, article_id, worker_id))
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            return result.rowcount == 1  # type: ignore[attr-defined]


async def _find_entry(s: AsyncSession, feed_id: int, item: EntryData) -> Entry | None:
    base = select(Entry).where(Entry.feed_id == feed_id).order_by(Entry.id).limit(1)
    found = await s.scalar(base.where(Entry.guid == item.guid))
    if found is None and item.normalized_link:
        found = await s.scalar(base.where(Entry.normalized_link == item.normalized_link))
    if found is None and item.content_hash:
        found = await s.scalar(base.where(Entry.content_hash == item.content_hash))
    return found
