"""Polling one feed: fetch (conditionally), parse, turn items into entries, decide when next.

Usage::

    result = await poll_feed(feed, fetcher=fetcher, policy=PollPolicy(), now=now)
    changes = await store.articles.upsert_entries(feed.id, result.entries, backlog=result.backlog)
    await store.feeds.record_polls([result.outcome_for(changes)], worker_id=worker_id)

`poll_feed` never raises for anything the feed or its server does: every failure (limits, the
SSRF guard, HTTP errors, unreadable bytes, even a bug of ours) becomes a one-line `error` on the
result, which `record_polls` keeps on the feed. Entries are written *before* the outcome, so a
crash in between re-polls the feed (entries upsert idempotently) instead of losing items behind
a stored ETag.

Scheduling (`PollPolicy`): a feed with new items halves its interval, an unchanged one grows it
x1.5, within [min, max]; the next poll is never sooner than the server's Cache-Control max-age
or a 429/503 Retry-After. Failures back off exponentially from the feed's interval; after
`max_failures` in a row (or at once on 410 Gone) the feed is disabled with its last error kept.
A server that asks us to come back later (Retry-After) is obeyed, never a reason to disable.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.feeds.errors import FeedLayerError, HTTPStatusError
from bot.feeds.fetch import Fetcher
from bot.feeds.parse import ParsedEntry, ParsedFeed, parse_feed
from bot.store.articles import EntryChange, EntryData
from bot.store.feeds import PollOutcome
from bot.store.models import Feed
from bot.stories.dedupe import EntryKeys, entry_keys

__all__ = ["PollPolicy", "PollResult", "entries_from", "poll_feed"]


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """How often feeds are polled and when they give up (from settings, see bot/app.py)."""

    min_interval_s: int = 60
    max_interval_s: int = 6 * 3600
    max_failures: int = 10
    max_backoff_s: int = 24 * 3600

    def clamp(self, interval: float) -> int:
        return int(min(self.max_interval_s, max(self.min_interval_s, interval)))


@dataclass(frozen=True, slots=True)
class PollResult:
    """One poll of one feed. `entries` is empty on 304 and on errors; `backlog` is true for the
    feed's first successful poll (its items are stored but never posted); `moved_to` is the new
    address when the feed answered through permanent (301/308) redirects only."""

    feed_id: int
    now: datetime
    entries: tuple[EntryData, ...]
    backlog: bool
    etag: str | None
    last_modified: str | None
    title: str | None
    site_url: str | None
    not_modified: bool
    max_age: int | None
    warnings: tuple[str, ...]
    error: str | None
    retry_after: float | None
    gone: bool
    interval_s: int
    moved_to: str | None
    error_count: int

    def outcome_for(self, changes: Sequence[EntryChange], policy: PollPolicy) -> PollOutcome:
        """The feed's new schedule and state, given what storing the entries changed."""
        if self.error is not None:
            failures = self.error_count + 1
            backoff = min(policy.max_backoff_s, self.interval_s * 2 ** (failures - 1))
            delay = max(float(backoff), self.retry_after or 0.0)
            throttled = self.retry_after is not None
            disable = self.gone or (failures >= policy.max_failures and not throttled)
            return PollOutcome(
                feed_id=self.feed_id,
                now=self.now,
                next_check_at=self.now + timedelta(seconds=delay),
                error=self.error,
                disable=disable,
            )
        changed = any(c.kind != "unchanged" for c in changes)
        has_new = any(c.kind == "new" for c in changes)
        interval = policy.clamp(self.interval_s / 2 if has_new else self.interval_s * 1.5)
        delay = max(interval, self.max_age or 0)
        return PollOutcome(
            feed_id=self.feed_id,
            now=self.now,
            next_check_at=self.now + timedelta(seconds=delay),
            interval_s=interval,
            etag=self.etag,
            last_modified=self.last_modified,
            title=self.title,
            site_url=self.site_url,
            changed=changed,
        )


async def poll_feed(feed: Feed, *, fetcher: Fetcher, now: datetime) -> PollResult:
    """Fetch and parse `feed` (conditional on its stored validators). Never raises."""
    base = PollResult(
        feed_id=feed.id,
        now=now,
        entries=(),
        backlog=feed.last_success_at is None,
        etag=feed.etag,
        last_modified=feed.last_modified,
        title=None,
        site_url=None,
        not_modified=False,
        max_age=None,
        warnings=(),
        error=None,
        retry_after=None,
        gone=False,
        interval_s=feed.interval_s,
        moved_to=None,
        error_count=feed.error_count,
    )
    try:
        fetched = await fetcher.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        if fetched.not_modified:
            return replace(
                base,
                not_modified=True,
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                max_age=fetched.max_age,
                moved_to=fetched.permanent_url,
            )
        parsed = parse_feed(fetched.body, headers=fetched.headers, url=fetched.url)
    except HTTPStatusError as exc:
        return replace(base, error=exc.message, retry_after=exc.retry_after, gone=exc.status == 410)
    except FeedLayerError as exc:
        return replace(base, error=exc.message)
    except Exception as exc:  # a bug of ours must not stop the other feeds of the cycle
        return replace(base, error=f"internal error while polling ({type(exc).__name__})")
    return replace(
        base,
        entries=entries_from(parsed),
        etag=fetched.etag,
        last_modified=fetched.last_modified,
        title=parsed.title or None,
        site_url=parsed.link,
        max_age=fetched.max_age,
        warnings=parsed.warnings,
        moved_to=fetched.permanent_url,
    )


def entries_from(parsed: ParsedFeed) -> tuple[EntryData, ...]:
    """The feed's items as store entries, oldest first, with feed misuse of keys undone.

    A guid (or link) that several items of this feed share while carrying different text is
    not an identity (feeds that put the channel URL in every guid, or the homepage in every
    link): such a guid is replaced by one made from the item's content, such a link is not used
    as the article's key. Items that repeat an earlier item of the batch are dropped.
    """
    items = list(reversed(parsed.entries))
    keys = [
        entry_keys(guid=e.guid, link=e.link, title=e.title, content=e.content_html or e.summary)
        for e in items
    ]
    bad_guids = _shared_with_different_text([(k.guid, k.content_hash) for k in keys])
    bad_links = _shared_with_different_text([(k.link_key, k.content_hash) for k in keys])
    seen: set[tuple[str, str]] = set()
    out: list[EntryData] = []
    for item, key in zip(items, keys, strict=True):
        guid = key.guid if key.guid and key.guid not in bad_guids else _content_guid(item, key)
        link_key = key.link_key if key.link_key not in bad_links else None
        identity = {("guid", guid)}
        if link_key:
            identity.add(("link", link_key))
        if key.distinctive and key.content_hash:
            identity.add(("content", key.content_hash))
        if identity & seen:
            continue
        seen |= identity
        out.append(
            EntryData(
                guid=guid,
                link=key.link if link_key else None,
                normalized_link=link_key,
                content_hash=key.content_hash if key.distinctive else None,
                title=item.title or None,
                summary=item.summary or None,
                content=item.content_html,
                author=item.author,
                image_url=item.image,
                published_at=item.published or item.updated,
            )
        )
    return tuple(out)


def _shared_with_different_text(values: Sequence[tuple[str | None, str | None]]) -> set[str]:
    texts: dict[str, set[str | None]] = {}
    for key, digest in values:
        if key:
            texts.setdefault(key, set()).add(digest)
    counts = Counter(key for key, _ in values if key)
    return {key for key, n in counts.items() if n > 1 and len(texts[key]) > 1}


def _content_guid(item: ParsedEntry, key: EntryKeys) -> str:
    digest = key.content_hash or hashlib.sha256(item.guid.encode()).hexdigest()
    return f"urn:newsdigest:content:{digest[:32]}"
