"""Entry identity: is a feed item new, one we already hold, or one we hold that was edited?

The poller computes `entry_keys(...)` for every item it parses, asks the store for the known
entries that share any of those keys (one query per batch), and decides with `match_entries`:

    keys = [entry_keys(guid=i.guid, link=i.link, title=i.title, content=i.content) for i in items]
    known = await store.known_entries(feed_id, guids=..., link_keys=..., content_hashes=...)
    for item, match in zip(items, match_entries(keys, KnownIndex(known))):
        if match.kind is MatchKind.NEW: ...          # insert; fetch + summarize later
        elif match.kind is MatchKind.EDITED: ...     # update row match.existing_id, no re-post
        elif match.kind is MatchKind.SAME: ...       # refresh its guid/link, nothing else
        else: ...                                    # REPEAT of an earlier item: skip

Order of evidence: guid, then the normalised link (`urls.link_key`), then the content hash. An
item whose guid changed but whose link did not is the same entry (some feeds mint a guid per
fetch). Feeds also misuse keys the other way: every item carrying the channel's URL as guid, or
the homepage as link. A guid or link that several items of the *same batch* share, with
different content, is not an identity and is ignored for that batch. The content hash counts as
identity only when the text is long enough to be distinctive (`EntryKeys.distinctive`): two
items titled "Morning briefing" with no body are not one entry.

Entries belong to a feed, so the lookup is scoped to the feed being polled. Whether two feeds
carry the same page is decided one level up: articles are keyed by `EntryKeys.link_key` across
all feeds, so such a page is fetched and summarized once and becomes one source of its story.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from bot.stories.urls import InvalidURLError, link_key, normalize_url

__all__ = [
    "EntryKeys",
    "EntryLookup",
    "KnownEntry",
    "KnownIndex",
    "Match",
    "MatchKind",
    "content_hash",
    "entry_keys",
    "match_entries",
    "match_entry",
]

MIN_DISTINCTIVE_WORDS = 12
"""Fewer words than this (title and content together) and the hash is not an identity."""

_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class EntryKeys:
    """What identifies one feed item. `link` is normalised for fetching and showing;
    `link_key` is the scheme-less identity the store indexes."""

    guid: str | None
    link: str | None
    link_key: str | None
    content_hash: str | None
    distinctive: bool


def _plain_text(text: str) -> str:
    text = html.unescape(_TAG.sub(" ", text))
    text = unicodedata.normalize("NFKC", text).casefold()
    return _SPACE.sub(" ", text).strip()


def content_hash(title: str | None, content: str | None) -> tuple[str | None, int]:
    """SHA-256 of the item's visible text (tags, entities, case and spacing ignored), and its
    word count. None when there is no text at all."""
    text = _plain_text(f"{title or ''}\n{content or ''}")
    if not text:
        return None, 0
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), len(text.split())


def entry_keys(
    *, guid: str | None, link: str | None, title: str | None, content: str | None
) -> EntryKeys:
    """Keys of one parsed feed item. A link that is not an http(s) URL gives no link keys."""
    clean_guid = (guid or "").strip() or None
    try:
        norm, key = (normalize_url(link), link_key(link)) if link and link.strip() else (None, None)
    except InvalidURLError:
        norm, key = None, None
    digest, word_count = content_hash(title, content)
    return EntryKeys(
        guid=clean_guid,
        link=norm,
        link_key=key,
        content_hash=digest,
        distinctive=word_count >= MIN_DISTINCTIVE_WORDS,
    )


@dataclass(frozen=True, slots=True)
class KnownEntry:
    """The keys of an entry the store already holds."""

    id: int
    guid: str | None
    link_key: str | None
    content_hash: str | None


class EntryLookup(Protocol):
    """Finds a stored entry by one key. `KnownIndex` implements it over a prefetched batch;
    a store may implement it directly. Each method returns None when nothing matches."""

    def by_guid(self, guid: str) -> KnownEntry | None: ...

    def by_link_key(self, link_key: str) -> KnownEntry | None: ...

    def by_content_hash(self, content_hash: str) -> KnownEntry | None: ...


class KnownIndex:
    """An in-memory `EntryLookup` over entries the store fetched for one batch.

    When two known entries share a key, the older one (lower id) answers.
    """

    def __init__(self, entries: Iterable[KnownEntry]) -> None:
        self._guid: dict[str, KnownEntry] = {}
        self._link: dict[str, KnownEntry] = {}
        self._hash: dict[str, KnownEntry] = {}
        for entry in sorted(entries, key=lambda e: e.id):
            if entry.guid:
                self._guid.setdefault(entry.guid, entry)
            if entry.link_key:
                self._link.setdefault(entry.link_key, entry)
            if entry.content_hash:
                self._hash.setdefault(entry.content_hash, entry)

    def by_guid(self, guid: str) -> KnownEntry | None:
        return self._guid.get(guid)

    def by_link_key(self, link_key: str) -> KnownEntry | None:
        return self._link.get(link_key)

    def by_content_hash(self, content_hash: str) -> KnownEntry | None:
        return self._hash.get(content_hash)


class MatchKind(StrEnum):
    NEW = "new"
    SAME = "same"
    EDITED = "edited"
    REPEAT = "repeat"
    """The item repeats an earlier item of the same batch (`Match.repeat_of` is its index)."""


@dataclass(frozen=True, slots=True)
class Match:
    """The verdict for one item. `via` names the key that found the existing entry
    ("guid", "link" or "content"), None for a new entry."""

    kind: MatchKind
    existing_id: int | None = None
    via: str | None = None
    repeat_of: int | None = None


def _verdict(keys: EntryKeys, found: KnownEntry, via: str) -> Match:
    edited = (
        keys.content_hash is not None
        and found.content_hash is not None
        and keys.content_hash != found.content_hash
    )
    return Match(MatchKind.EDITED if edited else MatchKind.SAME, found.id, via)


def match_entry(keys: EntryKeys, lookup: EntryLookup) -> Match:
    """Decide whether one item is new, already known, or a known entry that was edited."""
    if keys.guid and (found := lookup.by_guid(keys.guid)):
        return _verdict(keys, found, "guid")
    if keys.link_key and (found := lookup.by_link_key(keys.link_key)):
        return _verdict(keys, found, "link")
    digest = keys.content_hash if keys.distinctive else None
    if digest and (found := lookup.by_content_hash(digest)):
        return Match(MatchKind.SAME, found.id, "content")
    return Match(MatchKind.NEW)


def _shared_with_different_content(values: Sequence[tuple[str | None, str | None]]) -> set[str]:
    """Keys that more than one item uses while carrying different text."""
    texts: dict[str, set[str | None]] = {}
    for key, digest in values:
        if key:
            texts.setdefault(key, set()).add(digest)
    counts = Counter(key for key, _ in values if key)
    return {key for key, n in counts.items() if n > 1 and len(texts[key]) > 1}


def match_entries(batch: Sequence[EntryKeys], lookup: EntryLookup) -> list[Match]:
    """`match_entry` for one parsed feed, after dropping guids and links the feed reuses
    across different items. Items repeated inside the batch match the first of them."""
    bad_guids = _shared_with_different_content([(k.guid, k.content_hash) for k in batch])
    bad_links = _shared_with_different_content([(k.link_key, k.content_hash) for k in batch])
    seen: dict[tuple[str, str], int] = {}
    results: list[Match] = []
    for index, keys in enumerate(batch):
        usable = replace(
            keys,
            guid=None if keys.guid in bad_guids else keys.guid,
            link_key=None if keys.link_key in bad_links else keys.link_key,
        )
        match = match_entry(usable, lookup)
        if match.kind is MatchKind.NEW:
            earlier = _earlier_in_batch(usable, seen)
            if earlier is not None:
                match = Match(MatchKind.REPEAT, repeat_of=earlier)
            _remember(usable, index, seen)
        results.append(match)
    return results


def _identity(keys: EntryKeys) -> list[tuple[str, str]]:
    found = []
    if keys.guid:
        found.append(("guid", keys.guid))
    if keys.link_key:
        found.append(("link", keys.link_key))
    if keys.distinctive and keys.content_hash:
        found.append(("content", keys.content_hash))
    return found


def _earlier_in_batch(keys: EntryKeys, seen: dict[tuple[str, str], int]) -> int | None:
    for ident in _identity(keys):
        if ident in seen:
            return seen[ident]
    return None


def _remember(keys: EntryKeys, index: int, seen: dict[tuple[str, str], int]) -> None:
    for ident in _identity(keys):
        seen.setdefault(ident, index)
