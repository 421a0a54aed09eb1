"""Entries of feeds and the articles they point at; articles are the summarization queue."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.claims import claim, owned_by
from bot.store.models import (
    ARTICLE_FAILED,
    ARTICLE_PENDING,
    ARTICLE_SUMMARIZED,
    ENTRY_PENDING,
    Article,
    Entry,
)
from bot.store.types import strip_nul, utcnow
from bot.store.upsert import insert_ignore_many

if TYPE_CHECKING:
    from bot.store.store import Store

LINKLESS_PREFIX = "urn:newsdigest:entry:"
_CHUNK = 300


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
    image_url: str | None = None
    published_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class EntryChange:
    entry_id: int
    article_id: int
    kind: Literal["new", "updated", "unchanged"]


_EDITABLE = (
    "link",
    "normalized_link",
    "content_hash",
    "title",
    "summary",
    "content",
    "author",
    "image_url",
)


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

        The items are the feed's whole document: its entries not among them are marked no
        longer `listed` (and those among them listed again), which is what lets retention
        prune an old entry without the feed bringing it back as new.
        """
        now = now or utcnow()
        items = [_clean(item) for item in items]
        if not items:
            return []
        async with self._store.session() as s:
            index = _EntryIndex(await _candidates(s, feed_id, items))
            matched: list[tuple[Entry, Literal["new", "updated", "unchanged"]]] = []
            fresh: list[tuple[Entry, str, str]] = []
            for item in items:
                entry = index.find(item)
                if entry is None:
                    entry = Entry(
                        feed_id=feed_id,
                        guid=item.guid,
                        published_at=item.published_at,
                        seen_for_posting=backlog,
                        state=ENTRY_PENDING,
                        listed=True,
                        first_seen_at=now,
                        updated_at=now,
                        **{f: getattr(item, f) for f in _EDITABLE},
                    )
                    index.add(entry)
                    fresh.append((entry, *_article_key(feed_id, item)))
                    matched.append((entry, "new"))
                    continue
                edits = {f: getattr(item, f) for f in _EDITABLE if getattr(item, f) is not None}
                edits["guid"] = item.guid
                edits = {k: v for k, v in edits.items() if getattr(entry, k) != v}
                for key, value in edits.items():
                    setattr(entry, key, value)
                if edits:
                    entry.updated_at = now
                    index.add(entry)
                matched.append((entry, "updated" if edits else "unchanged"))
            await s.flush()
            raced: set[int] = set()
            if fresh:
                article_ids = await _articles_for(s, [(k, u) for _, k, u in fresh], now)
                for entry, key, _url in fresh:
                    entry.article_id = article_ids[key]
                lost = await _insert_entries(s, feed_id, [entry for entry, _, _ in fresh])
                raced = {id(e) for e in lost}
            await _mark_listed(s, feed_id, [entry for entry, _ in matched])
            return [
                EntryChange(e.id, e.article_id or 0, "unchanged" if id(e) in raced else kind)
                for e, kind in matched
            ]

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


def _clean(item: EntryData) -> EntryData:
    """The item as the database will store it (NULs dropped), so in-memory matching agrees
    with what a later query would find."""
    fields = {f: strip_nul(getattr(item, f)) for f in ("guid", *_EDITABLE)}
    return replace(item, **fields)


def _article_key(feed_id: int, item: EntryData) -> tuple[str, str]:
    if item.normalized_link:
        return item.normalized_link, item.link or item.normalized_link
    digest = hashlib.sha256(item.guid.encode()).hexdigest()[:32]
    return f"{LINKLESS_PREFIX}{feed_id}:{digest}", item.guid


async def _articles_for(
    s: AsyncSession, keyed_urls: Sequence[tuple[str, str]], now: datetime
) -> dict[str, int]:
    """Ids of the articles for these normalised URLs, creating the missing ones (pending):
    one `INSERT … ON CONFLICT DO NOTHING RETURNING` for the batch, then one look-up for the
    keys that already had an article (or that a racing worker created first)."""
    rows = {key: {"url": url, "normalized_url": key} for key, url in keyed_urls}
    for row in rows.values():
        row.update(next_attempt_at=now, created_at=now)
    # In key order, so two workers inserting overlapping sets lock them in the same order
    # and cannot deadlock each other on PostgreSQL.
    ordered = [rows[key] for key in sorted(rows)]
    found = dict(
        await insert_ignore_many(
            s,
            Article,
            ordered,
            conflict=["normalized_url"],
            returning=("normalized_url", "id"),
        )
    )
    missing = [key for key in rows if key not in found]
    for i in range(0, len(missing), _CHUNK):
        query = select(Article.normalized_url, Article.id).where(
            Article.normalized_url.in_(missing[i : i + _CHUNK])
        )
        found.update((key, article_id) for key, article_id in (await s.execute(query)).all())
    return found


async def _insert_entries(s: AsyncSession, feed_id: int, entries: Sequence[Entry]) -> list[Entry]:
    """Insert new entries in one statement batch, setting their ids. An entry whose guid a
    racing worker stored first is not inserted: it takes the stored row's id and article, and
    is returned (the caller reports it unchanged, as the other worker reported it new)."""
    columns = [c.key for c in Entry.__table__.columns if c.key != "id"]
    rows = [{c: getattr(e, c) for c in columns} for e in entries]
    for row in rows:
        row["listed"] = row["listed"] is not False  # unset: the server default, listed
    ids = dict(
        await insert_ignore_many(
            s, Entry, rows, conflict=["feed_id", "guid"], returning=("guid", "id")
        )
    )
    raced = [e for e in entries if e.guid not in ids]
    if raced:
        query = select(Entry.guid, Entry.id, Entry.article_id).where(
            Entry.feed_id == feed_id, Entry.guid.in_([e.guid for e in raced])
        )
        stored = {
            guid: (entry_id, article_id) for guid, entry_id, article_id in await s.execute(query)
        }
        for e in raced:
            ids[e.guid], e.article_id = stored[e.guid]
    for e in entries:
        e.id = ids[e.guid]
    return raced


async def _mark_listed(s: AsyncSession, feed_id: int, entries: Sequence[Entry]) -> None:
    """Make `entries` the feed's listed ones. `updated_at` is kept: being listed is not an
    edit of the item."""
    ids = {e.id for e in entries}
    stored = await s.scalars(
        select(Entry.id).where(Entry.feed_id == feed_id, Entry.listed == true())
    )
    dropped = [entry_id for entry_id in stored.all() if entry_id not in ids]
    relisted = [e.id for e in entries if e.listed is False]
    for changed, listed in ((dropped, False), (relisted, True)):
        for i in range(0, len(changed), _CHUNK):
            await s.execute(
                update(Entry)
                .where(Entry.id.in_(changed[i : i + _CHUNK]))
                .values(listed=listed, updated_at=Entry.updated_at)
                .execution_options(synchronize_session=False)
            )


async def _candidates(s: AsyncSession, feed_id: int, items: Sequence[EntryData]) -> list[Entry]:
    """The feed's stored entries that share a guid, link or content hash with any item."""
    found: dict[int, Entry] = {}
    for i in range(0, len(items), _CHUNK):
        chunk = items[i : i + _CHUNK]
        guids = {item.guid for item in chunk}
        links = {item.normalized_link for item in chunk if item.normalized_link}
        hashes = {item.content_hash for item in chunk if item.content_hash}
        conditions = [Entry.guid.in_(guids)]
        if links:
            conditions.append(Entry.normalized_link.in_(links))
        if hashes:
            conditions.append(Entry.content_hash.in_(hashes))
        query = select(Entry).where(Entry.feed_id == feed_id, or_(*conditions))
        found.update((e.id, e) for e in (await s.scalars(query)).all())
    return sorted(found.values(), key=lambda e: e.id)


class _EntryIndex:
    """Entries of one feed by guid, link and content hash, oldest first, matching an item the
    way the stored rows would: by guid, else link, else hash, always the entry's current
    values (an entry edited earlier in the batch no longer answers to its old guid)."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self._by: dict[str, dict[str, list[Entry]]] = {"guid": {}, "link": {}, "hash": {}}
        for entry in entries:
            self.add(entry)

    def add(self, entry: Entry) -> None:
        keys = {"guid": entry.guid, "link": entry.normalized_link, "hash": entry.content_hash}
        for kind, key in keys.items():
            if not key:
                continue
            bucket = self._by[kind].setdefault(key, [])
            if not any(e is entry for e in bucket):
                bucket.append(entry)
                bucket.sort(key=lambda e: (e.id is None, e.id or 0))

    def find(self, item: EntryData) -> Entry | None:
        probes = (
            ("guid", item.guid, "guid"),
            ("link", item.normalized_link, "normalized_link"),
            ("hash", item.content_hash, "content_hash"),
        )
        for kind, key, attr in probes:
            if not key:
                continue
            for entry in self._by[kind].get(key, ()):
                if getattr(entry, attr) == key:
                    return entry
        return None
