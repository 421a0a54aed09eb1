"""OPML import and export, for `newsdigest feeds import|export` and `/feeds import|export`.

Usage::

    report = await import_opml(store, fetcher, data, subscribe=SubscribeTo(...), now=now)
    for line in report.lines:
        print(line.line())
    data = await export_opml(store, subscriptions_of=("discord", guild_id), now=now)

An import is quick however long the list: each outline is judged without fetching it (its
URL by the address guard's checks, its host's addresses by the guarded resolver, one lookup
per host and at most `RESOLVE_AT_ONCE` at a time), and the good ones are written in one
transaction. Whether each is really a feed is found by its first poll, which also marks what
the feed holds then as backlog (stored, never posted): a 500-feed import does not flood a
channel, and a feed that turns out not to be one shows up in `/feeds list` and the feed-health
notices like any failing feed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from yarl import URL

from bot.feeds.errors import BadURL, BlockedAddress, ConnectionFailed, FetchError
from bot.feeds.fetch import Fetcher
from bot.feeds.manage import feed_address
from bot.feeds.opml import OpmlFeed, OpmlOutline, parse_opml, write_opml
from bot.plural import counted
from bot.store.feeds import NewFeed, SubscribeTo
from bot.store.store import Store

__all__ = [
    "ADDED",
    "ALREADY",
    "REFUSED",
    "ImportLine",
    "ImportReport",
    "export_opml",
    "import_opml",
]

ADDED = "added"
ALREADY = "already followed"
REFUSED = "refused"
RESOLVE_AT_ONCE = 16


@dataclass(frozen=True, slots=True)
class ImportLine:
    """What became of one outline."""

    outcome: str
    title: str
    url: str | None
    feed_id: int | None = None
    reason: str | None = None

    def line(self) -> str:
        name = f"“{self.title}” " if self.title else ""
        where = self.url or "(no address)"
        if self.outcome == REFUSED:
            return f"{REFUSED}: {name}{where}: {self.reason}"
        note = f" ({self.reason})" if self.reason else ""
        return f"{self.outcome}: feed {self.feed_id} {name}{where}{note}"


@dataclass(frozen=True, slots=True)
class ImportReport:
    lines: tuple[ImportLine, ...]

    def count(self, outcome: str) -> int:
        return sum(1 for line in self.lines if line.outcome == outcome)

    @property
    def added(self) -> int:
        return self.count(ADDED)

    def summary(self) -> str:
        return (
            f"{counted(len(self.lines), 'outline')}: {self.added} added, "
            f"{self.count(ALREADY)} already followed, {self.count(REFUSED)} refused"
        )


@dataclass(frozen=True, slots=True)
class _Candidate:
    index: int
    outline: OpmlOutline
    url: str
    key: str


async def import_opml(
    store: Store,
    fetcher: Fetcher,
    data: bytes,
    *,
    subscribe: SubscribeTo | None = None,
    now: datetime,
) -> ImportReport:
    """Follow every feed of the OPML document `data` (and make `subscribe`'s channel follow
    it). Raises `OPMLError` (one line) when the file itself is refused; then nothing is
    written. Without `subscribe`, "already followed" means the feed was in the database."""
    document = parse_opml(data)
    results: list[ImportLine | None] = [None] * len(document.outlines)
    candidates: list[_Candidate] = []
    first_of: dict[str, int] = {}
    for index, outline in enumerate(document.outlines):
        if outline.xml_url is None:
            results[index] = _refused(outline, "not a feed (the outline has no xmlUrl)")
            continue
        try:
            url, key = feed_address(outline.xml_url)
        except BadURL as exc:
            results[index] = _refused(outline, f"bad URL: {exc.message}")
            continue
        if key in first_of:
            results[index] = ImportLine(
                ALREADY, outline.title, url, reason=f"listed twice: see outline {first_of[key]}"
            )
            continue
        first_of[key] = index + 1
        candidates.append(_Candidate(index, outline, url, key))

    verdicts = await _check_hosts(fetcher, [c.url for c in candidates])
    good: list[_Candidate] = []
    for candidate in candidates:
        problem = verdicts[_host_of(candidate.url)]
        if problem is None:
            good.append(candidate)
        else:
            results[candidate.index] = _refused(candidate.outline, problem, url=candidate.url)

    stored = await store.feeds.add_many(
        [NewFeed(url=c.url, normalized_url=c.key, title=c.outline.title or None) for c in good],
        now=now,
        subscribe=subscribe,
    )
    for candidate, feed in zip(good, stored, strict=True):
        new = feed.created if feed.subscribed is None else feed.subscribed
        reason = "it had been disabled; checked again now" if feed.revived else None
        results[candidate.index] = ImportLine(
            ADDED if new else ALREADY,
            candidate.outline.title or feed.title or "",
            feed.url,
            feed_id=feed.feed_id,
            reason=reason,
        )
    return ImportReport(lines=tuple(line for line in results if line is not None))


def _refused(outline: OpmlOutline, reason: str, *, url: str | None = None) -> ImportLine:
    return ImportLine(REFUSED, outline.title, url or outline.xml_url, reason=reason)


def _host_of(url: str) -> tuple[str, int | None]:
    parsed = URL(url)
    return (parsed.host or "").lower(), parsed.port


async def _check_hosts(
    fetcher: Fetcher, urls: Sequence[str]
) -> dict[tuple[str, int | None], str | None]:
    """One verdict per (host, port): None when a fetch may go there, else why not."""
    first: dict[tuple[str, int | None], str] = {}
    for url in urls:
        first.setdefault(_host_of(url), url)
    gate = asyncio.Semaphore(RESOLVE_AT_ONCE)

    async def verdict(url: str) -> str | None:
        async with gate:
            try:
                await fetcher.check_address(url)
            except BlockedAddress as exc:
                return f"private address: {exc.message}"
            except BadURL as exc:
                return f"bad URL: {exc.message}"
            except ConnectionFailed as exc:
                return f"host not found: {exc.message}"
            except FetchError as exc:
                return exc.message
        return None

    answers = await asyncio.gather(*(verdict(url) for url in first.values()))
    return dict(zip(first, answers, strict=True))


async def export_opml(
    store: Store,
    *,
    now: datetime,
    subscriptions_of: tuple[str, str] | None = None,
    title: str = "newsdigest feeds",
) -> bytes:
    """Every feed in the database as OPML 2.0, or, given (platform, workspace_id), the
    workspace's subscriptions grouped in one category outline per channel."""
    if subscriptions_of is None:
        feeds = [
            OpmlFeed(xml_url=f.url, title=f.title or f.url, html_url=f.site_url)
            for f in await store.feeds.list()
        ]
        return write_opml(feeds, title=title, now=now)
    platform, workspace_id = subscriptions_of
    rows = await store.channels.subscriptions(platform=platform, workspace_id=workspace_id)
    by_channel = sorted(rows, key=lambda row: (row[0].channel_id, row[0].id))
    return write_opml(
        [
            OpmlFeed(
                xml_url=feed.url,
                title=feed.title or feed.url,
                html_url=feed.site_url,
                category=(f"#{sub.channel_id}",),
            )
            for sub, feed in by_channel
        ],
        title=title,
        now=now,
    )
