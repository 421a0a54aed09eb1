"""Our HTTP fetch for feeds and article pages: guarded, limited, conditional.

Usage::

    async with Fetcher(allow_private=settings.allow_private_addresses) as fetcher:
        result = await fetcher.fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
        if result.not_modified:
            ...
        parsed = parse_feed(result.body, headers=result.headers, url=result.url)

One ``Fetcher`` (one aiohttp session, one connection pool) is made by the app and injected into
whatever fetches. Every fetch is bounded: the body is counted after decompression and abandoned
at ``max_bytes``; one deadline covers the whole fetch, redirects and slow bodies included;
redirects are followed here, not by aiohttp, so each hop passes the SSRF guard; at most
``per_host`` requests are in flight to one host and ``max_in_flight`` overall. Failures raise a
``FetchError`` subclass (see ``bot.feeds.errors``) whose message is one line for a user.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import aiohttp
from aiohttp.abc import AbstractResolver
from multidict import CIMultiDict
from yarl import URL

from bot.feeds.errors import (
    BadResponse,
    BadURL,
    ConnectionFailed,
    FetchError,
    HTTPStatusError,
    Timeout,
    TooLarge,
    TooManyRedirects,
)
from bot.feeds.guard import AddressPolicy, GuardedResolver, check_url

USER_AGENT = "newsdigest/0.1 (+https://github.com/newsdigest)"
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_CHUNK = 64 * 1024
_MAX_RETRY_AFTER = 7 * 24 * 3600


@dataclass(frozen=True, slots=True)
class FetchLimits:
    max_bytes: int = 5 * 1024 * 1024
    total_timeout: float = 30.0
    connect_timeout: float = 10.0
    max_redirects: int = 5
    per_host: int = 4
    max_in_flight: int = 200


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What one fetch got. ``url`` is the final URL after redirects.

    ``headers`` has lower-case names (repeated headers joined with ", "), the shape feedparser's
    ``response_headers`` expects. On a 304, ``not_modified`` is true, ``body`` is empty, and
    ``etag``/``last_modified`` are the validators still in force (the server's, else the ones
    sent). ``retry_after`` and ``max_age`` are in seconds when the server gave them.
    """

    status: int
    url: str
    headers: Mapping[str, str]
    body: bytes
    etag: str | None
    last_modified: str | None
    not_modified: bool
    retry_after: float | None
    max_age: int | None
    redirects: tuple[tuple[int, str], ...]
    elapsed: float

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def permanent_url(self) -> str | None:
        """The new address when every redirect hop was permanent (301/308), else None."""
        if self.redirects and all(status in _PERMANENT for status, _ in self.redirects):
            return self.url
        return None


class Fetcher:
    """Fetches URLs for the feed poller and the article pipeline. Use as an async context
    manager, or call ``close()``.

    ``allow_private`` lifts the SSRF guard (NEWSDIGEST_ALLOW_PRIVATE_ADDRESSES); ``policy``
    replaces it with a finer one. ``resolver`` does the DNS lookups behind the guard (tests give
    a fixed one); ``ssl_context`` replaces the default certificate checks (a private CA, or a
    test's own certificate); ``now`` is the clock that Retry-After dates are measured against.
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        policy: AddressPolicy | None = None,
        limits: FetchLimits | None = None,
        user_agent: str = USER_AGENT,
        resolver: AbstractResolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.policy = policy if policy is not None else AddressPolicy(allow_private=allow_private)
        self.limits = limits or FetchLimits()
        self._user_agent = user_agent
        self._inner_resolver = resolver
        self._ssl_context = ssl_context
        self._now = now
        self._session: aiohttp.ClientSession | None = None
        self._checker: GuardedResolver | None = None
        self._global = asyncio.Semaphore(self.limits.max_in_flight)
        self._hosts = _HostSlots(self.limits.per_host)

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._checker is not None:
            await self._checker.close()
            self._checker = None

    async def check_address(self, url: str) -> None:
        """Judge `url` as a fetch of it would, without connecting: the guard's checks, then
        its host's addresses through the guarded resolver (a DNS lookup; no packet goes to the
        host). For checking many URLs at once (an OPML import) before any is fetched.
        Raises BadURL, BlockedAddress or ConnectionFailed."""
        parsed = check_url(url, self.policy)
        host = (parsed.host or "").rstrip(".")
        if self.policy.allow_private or _is_ip_literal(host):
            return
        if self._checker is None:
            self._checker = GuardedResolver(self.policy, self._inner_resolver)
        try:
            async with asyncio.timeout(self.limits.connect_timeout):
                await self._checker.resolve(host, parsed.port or 0, socket.AF_UNSPEC)
        except TimeoutError as exc:
            raise ConnectionFailed("the host name could not be resolved in time", url=url) from exc
        except OSError as exc:
            raise ConnectionFailed("the host name could not be resolved", url=url) from exc

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """GET ``url`` (conditionally when a validator is given) within every limit."""
        first = check_url(url, self.policy)
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        limit = max_bytes if max_bytes is not None else self.limits.max_bytes
        try:
            async with asyncio.timeout(None) as deadline:
                result = await self._follow(first, headers, limit, deadline)
        except TimeoutError as exc:
            raise Timeout(
                f"no complete answer within {self.limits.total_timeout:g} s", url=url
            ) from exc
        if result.not_modified:
            result = _with_validators(result, etag=etag, last_modified=last_modified)
        return result

    def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(self.policy, self._inner_resolver),
                use_dns_cache=False,
                limit=self.limits.max_in_flight,
                ssl=self._ssl_context if self._ssl_context is not None else True,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self._user_agent},
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=self.limits.connect_timeout),
                cookie_jar=aiohttp.DummyCookieJar(),
                trust_env=False,
                auto_decompress=True,
            )
        return self._session

    async def _follow(
        self, url: URL, headers: dict[str, str], limit: int, deadline: asyncio.Timeout
    ) -> FetchResult:
        """Request ``url`` and each redirect hop. The deadline starts once the first hop holds
        its host slot and a global slot, so time spent queueing behind other feeds of the same
        host is not charged to this one."""
        session = self._get_session()
        origin = str(url)
        hops: list[tuple[int, str]] = []
        started: float | None = None
        try:
            for _ in range(self.limits.max_redirects + 1):
                async with self._hosts.hold((url.host or "").lower()):
                    if started is None:
                        await self._global.acquire()
                        started = time.monotonic()
                        deadline.reschedule(
                            asyncio.get_running_loop().time() + self.limits.total_timeout
                        )
                    try:
                        async with session.get(url, headers=headers, allow_redirects=False) as resp:
                            location = _redirect_target(resp)
                            if location is None:
                                return await self._finish(resp, hops, limit, started)
                    except FetchError:
                        raise
                    except aiohttp.ClientError as exc:
                        raise _client_error(exc, str(url)) from exc
                hops.append((resp.status, str(location)))
                url = check_url(location, self.policy)
        finally:
            if started is not None:
                self._global.release()
        raise TooManyRedirects(f"more than {self.limits.max_redirects} redirects", url=origin)

    async def _finish(
        self,
        resp: aiohttp.ClientResponse,
        hops: list[tuple[int, str]],
        limit: int,
        started: float,
    ) -> FetchResult:
        final = str(resp.url)
        headers = _flatten(resp.headers)
        retry_after = parse_retry_after(headers.get("retry-after"), now=self._now())
        if resp.status >= 400:
            raise HTTPStatusError(resp.status, url=final, retry_after=retry_after)
        if 300 <= resp.status < 400 and resp.status != 304:
            raise BadResponse(f"HTTP {resp.status} without a usable Location", url=final)
        body = b"" if resp.status == 304 else await _read_limited(resp, limit, final)
        return FetchResult(
            status=resp.status,
            url=final,
            headers=headers,
            body=body,
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
            not_modified=resp.status == 304,
            retry_after=retry_after,
            max_age=parse_max_age(headers.get("cache-control")),
            redirects=tuple(hops),
            elapsed=time.monotonic() - started,
        )


class _HostSlots:
    """One semaphore per host, dropped when nobody holds or waits on it (10,000 hosts poll fine)."""

    def __init__(self, per_host: int) -> None:
        self._per_host = per_host
        self._slots: dict[str, tuple[asyncio.Semaphore, list[int]]] = {}

    @asynccontextmanager
    async def hold(self, host: str) -> AsyncIterator[None]:
        entry = self._slots.get(host)
        if entry is None:
            entry = self._slots[host] = (asyncio.Semaphore(self._per_host), [0])
        semaphore, users = entry
        users[0] += 1
        try:
            async with semaphore:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._slots[host]


async def _read_limited(resp: aiohttp.ClientResponse, limit: int, url: str) -> bytes:
    """Read the decoded body in chunks; stop as soon as it passes ``limit`` bytes.

    aiohttp inflates compressed bodies a bounded step at a time as we read, so a small gzip that
    would inflate to gigabytes costs at most about ``limit`` bytes of memory here.
    """
    too_large = TooLarge(f"the response is larger than {_size(limit)}", url=url)
    if resp.content_length is not None and resp.content_length > limit:
        raise too_large
    chunks: list[bytes] = []
    total = 0
    try:
        async for chunk in resp.content.iter_chunked(_CHUNK):
            total += len(chunk)
            if total > limit:
                raise too_large
            chunks.append(chunk)
    except aiohttp.ClientError as exc:
        raise _client_error(exc, url) from exc
    return b"".join(chunks)


def _redirect_target(resp: aiohttp.ClientResponse) -> URL | None:
    if resp.status not in _REDIRECTS:
        return None
    location = resp.headers.get("Location")
    if not location:
        return None
    try:
        return resp.url.join(URL(location.strip()))
    except (ValueError, TypeError) as exc:
        raise BadResponse("the redirect points to an invalid URL", url=str(resp.url)) from exc


def _client_error(exc: aiohttp.ClientError, url: str) -> FetchError:
    if isinstance(exc, aiohttp.ServerTimeoutError):
        return Timeout("the server took too long to accept the connection", url=url)
    if isinstance(exc, aiohttp.InvalidURL):
        return BadURL(f"invalid URL: {exc}", url=url)
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return ConnectionFailed("the host name could not be resolved", url=url)
    if isinstance(exc, aiohttp.ClientConnectorCertificateError | aiohttp.ClientSSLError):
        return ConnectionFailed("the TLS certificate or handshake failed", url=url)
    if isinstance(exc, aiohttp.ClientConnectorError):
        return ConnectionFailed("could not connect to the server", url=url)
    if isinstance(exc, aiohttp.ClientPayloadError):
        return BadResponse("the body was cut off or could not be decoded", url=url)
    if isinstance(exc, aiohttp.ClientResponseError):
        return BadResponse("the server sent a malformed HTTP response", url=url)
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientOSError):
        return ConnectionFailed("the server closed the connection", url=url)
    return ConnectionFailed(url=url)


def _flatten(headers: Mapping[str, str]) -> dict[str, str]:
    flat: CIMultiDict[str] = CIMultiDict(headers)
    out: dict[str, str] = {}
    for name in flat:
        key = name.lower()
        if key not in out:
            out[key] = ", ".join(flat.getall(name))
    return out


def _with_validators(
    result: FetchResult, *, etag: str | None, last_modified: str | None
) -> FetchResult:
    return FetchResult(
        status=result.status,
        url=result.url,
        headers=result.headers,
        body=result.body,
        etag=result.etag or etag,
        last_modified=result.last_modified or last_modified,
        not_modified=result.not_modified,
        retry_after=result.retry_after,
        max_age=result.max_age,
        redirects=result.redirects,
        elapsed=result.elapsed,
    )


def parse_retry_after(value: str | None, *, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After value: delta-seconds or an HTTP date (capped at 7 days).

    None when absent or unreadable; a date in the past gives 0.
    """
    if not value:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(min(int(text), _MAX_RETRY_AFTER))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(max(0.0, (when - now).total_seconds()), float(_MAX_RETRY_AFTER))


def parse_max_age(cache_control: str | None) -> int | None:
    """The ``max-age`` of a Cache-Control header in seconds, or None."""
    if not cache_control:
        return None
    for directive in cache_control.split(","):
        name, _, arg = directive.strip().partition("=")
        if name.strip().lower() == "max-age":
            arg = arg.strip().strip('"')
            if arg.isascii() and arg.isdigit():
                return int(arg)
    return None


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MB"
    if n >= 1024:
        return f"{n / 1024:g} KB"
    return f"{n} bytes"
