"""Feed management handlers: `feeds add | list | remove`, for the CLI and the slash commands.

Each takes the store (and the fetcher where it must fetch) and returns plain data; the caller
formats it. Bad input raises `FeedLayerError` (or `LookupError` for an unknown feed), whose
message is one line for the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.feeds.errors import BadURL
from bot.feeds.fetch import Fetcher
from bot.feeds.parse import ParsedFeed, parse_feed
from bot.plural import counted
from bot.store.models import Feed
from bot.store.store import Store
from bot.stories.urls import InvalidURLError, link_key, normalize_url

__all__ = [
    "FeedAdded",
    "FeedInfo",
    "add_feed",
    "describe",
    "feed_address",
    "list_feeds",
    "remove_feed",
]


@dataclass(frozen=True, slots=True)
class FeedAdded:
    feed_id: int
    url: str
    title: str
    items: int
    created: bool
    warnings: tuple[str, ...]
    state: str
    """The feed's state as stored before this add (a feed followed already may be disabled)."""
    parsed: ParsedFeed = field(repr=False, compare=False)
    """The feed as it was read to validate it (its items, for a preview)."""

    def line(self) -> str:
        what = "added" if self.created else "already followed"
        warn = f"; warning: {self.warnings[0]}" if self.warnings else ""
        items = counted(self.items, "item")
        return f"{what}: feed {self.feed_id} {self.title!r} ({items}) {self.url}{warn}"


@dataclass(frozen=True, slots=True)
class FeedInfo:
    feed_id: int
    url: str
    title: str | None
    state: str
    last_success_at: datetime | None
    last_error: str | None
    error_count: int
    next_check_at: datetime | None
    last_error_at: datetime | None = None


def feed_address(url: str) -> tuple[str, str]:
    """`url` normalised, and its link key (how a feed is found again); `BadURL` otherwise."""
    try:
        return normalize_url(url), link_key(url)
    except InvalidURLError as exc:
        raise BadURL(str(exc), url=url) from exc


async def add_feed(
    store: Store, fetcher: Fetcher, url: str, *, now: datetime | None = None
) -> FeedAdded:
    """Validate `url` by fetching and parsing it, then follow it. Its items are stored by the
    worker's first poll, as backlog (never posted). Raises `FeedLayerError` (one line)."""
    normalized, key = feed_address(url)
    fetched = await fetcher.fetch(normalized)
    parsed = parse_feed(fetched.body, headers=fetched.headers, url=fetched.url)
    feed, created = await store.feeds.add(
        url=normalized, normalized_url=key, title=parsed.title or None, now=now
    )
    return FeedAdded(
        feed_id=feed.id,
        url=feed.url,
        title=feed.title or parsed.title or normalized,
        items=len(parsed.entries),
        created=created,
        warnings=parsed.warnings,
        state=feed.state,
        parsed=parsed,
    )


async def list_feeds(store: Store) -> list[FeedInfo]:
    return [_info(feed) for feed in await store.feeds.list()]


async def find_feed(store: Store, ref: str) -> Feed | None:
    """A feed by id or by URL (any spelling that normalises to the same link)."""
    ref = ref.strip()
    if ref.isdigit():
        return await store.feeds.get(int(ref))
    try:
        return await store.feeds.get_by_normalized_url(link_key(ref))
    except InvalidURLError:
        return None


async def remove_feed(store: Store, ref: str) -> FeedInfo:
    """Stop following a feed (its entries go; stories and articles stay)."""
    feed = await find_feed(store, ref)
    if feed is None or not await store.feeds.remove(feed.id):
        raise LookupError(f"no feed {ref!r} (give an id from `feeds list` or the feed's URL)")
    return _info(feed)


def describe(info: FeedInfo) -> str:
    """One line for `feeds list`."""
    ok = _when(info.last_success_at)
    line = (
        f"{info.feed_id:>5}  {info.state:<8}  last success: {ok}  {info.title or '-'}  {info.url}"
    )
    if info.last_error and info.error_count:
        line += f"\n       last error ({info.error_count} in a row): {info.last_error}"
    elif info.last_error:
        line += f"\n       last error ({_when(info.last_error_at)}, fine since): {info.last_error}"
    return line


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "never"


def _info(feed: Feed) -> FeedInfo:
    return FeedInfo(
        feed_id=feed.id,
        url=feed.url,
        title=feed.title,
        state=feed.state,
        last_success_at=feed.last_success_at,
        last_error=feed.last_error,
        error_count=feed.error_count,
        next_check_at=feed.next_check_at,
        last_error_at=feed.last_error_at,
    )
