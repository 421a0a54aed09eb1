"""Feeds: the guarded HTTP fetch, the SSRF guard and feed parsing.

``Fetcher.fetch()`` gets bytes within limits; ``parse_feed()`` turns them into a ``ParsedFeed``.
Polling, scheduling and dedupe build on these two.
"""

from bot.feeds.errors import (
    BadResponse,
    BadScheme,
    BadURL,
    BlockedAddress,
    ConnectionFailed,
    FeedLayerError,
    FetchError,
    HTTPStatusError,
    ParseError,
    Timeout,
    TooLarge,
    TooManyRedirects,
)
from bot.feeds.fetch import FEED_ACCEPT, PAGE_ACCEPT, USER_AGENT, Fetcher, FetchLimits, FetchResult
from bot.feeds.guard import AddressPolicy, check_url, is_public_address
from bot.feeds.parse import ParsedEntry, ParsedFeed, parse_feed

__all__ = [
    "FEED_ACCEPT",
    "PAGE_ACCEPT",
    "USER_AGENT",
    "AddressPolicy",
    "BadResponse",
    "BadScheme",
    "BadURL",
    "BlockedAddress",
    "ConnectionFailed",
    "FeedLayerError",
    "FetchError",
    "FetchLimits",
    "FetchResult",
    "Fetcher",
    "HTTPStatusError",
    "ParseError",
    "ParsedEntry",
    "ParsedFeed",
    "Timeout",
    "TooLarge",
    "TooManyRedirects",
    "check_url",
    "is_public_address",
    "parse_feed",
]
