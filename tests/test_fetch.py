"""The Fetcher against a real aiohttp server on 127.0.0.1.

The guard stays on in these tests: the fetcher's policy exempts exactly the test server's
(address, port), so every other loopback form or port a redirect names is refused, and no test
ever sends a packet beyond loopback.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import tracemalloc
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import brotli
import pytest
from aiohttp import web

from bot.feeds.errors import (
    BadScheme,
    BadURL,
    BlockedAddress,
    ConnectionFailed,
    FetchError,
    HTTPStatusError,
    Timeout,
    TooLarge,
    TooManyRedirects,
)
from bot.feeds.fetch import USER_AGENT, Fetcher, FetchLimits, parse_max_age, parse_retry_after
from bot.feeds.guard import AddressPolicy
from tests.support.httpserver import Drip, LocalHTTPServer, Reply
from tests.support.resolver import FixedResolver
from tests.support.tls import SelfSignedCertificate, make_certificate

LIMITS = FetchLimits(
    max_bytes=64 * 1024,
    total_timeout=1.0,
    connect_timeout=1.0,
    max_redirects=3,
    per_host=2,
    max_in_flight=8,
)
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


def _policy(server: LocalHTTPServer) -> AddressPolicy:
    return AddressPolicy.exempting([(server.host, server.port)])


@pytest.fixture
async def fetcher(http_server: LocalHTTPServer) -> AsyncIterator[Fetcher]:
    async with Fetcher(policy=_policy(http_server), limits=LIMITS, now=lambda: NOW) as f:
        yield f


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_200_returns_body_validators_and_sends_our_headers(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    http_server.add(
        "/feed",
        Reply(
            body=RSS,
            etag='"v1"',
            last_modified="Sun, 01 Mar 2026 10:00:00 GMT",
            content_type="application/rss+xml; charset=utf-8",
            headers={"Cache-Control": "public, max-age=600"},
        ),
    )
    result = await fetcher.fetch(http_server.url("/feed"))
    assert result.status == 200
    assert result.body == RSS
    assert result.etag == '"v1"'
    assert result.last_modified == "Sun, 01 Mar 2026 10:00:00 GMT"
    assert result.max_age == 600
    assert result.content_type == "application/rss+xml"
    assert not result.not_modified
    (request,) = http_server.requests_for("/feed")
    assert request.headers["User-Agent"] == USER_AGENT
    assert "application/rss+xml" in request.headers["Accept"]
    assert "If-None-Match" not in request.headers
    assert "br" in request.headers["Accept-Encoding"]


async def test_etag_gives_304_and_keeps_the_validator(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    http_server.add("/feed", Reply(body=RSS, etag='"v1"'))
    first = await fetcher.fetch(http_server.url("/feed"))
    second = await fetcher.fetch(http_server.url("/feed"), etag=first.etag)
    assert second.status == 304
    assert second.not_modified
    assert second.body == b""
    assert second.etag == '"v1"'
    assert http_server.requests_for("/feed")[1].headers["If-None-Match"] == '"v1"'


async def test_changed_etag_gives_the_new_body(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    http_server.add("/feed", Reply(body=RSS + b"<!-- v2 -->", etag='"v2"'))
    result = await fetcher.fetch(http_server.url("/feed"), etag='"v1"')
    assert result.status == 200
    assert result.etag == '"v2"'
    assert result.body.endswith(b"<!-- v2 -->")


async def test_last_modified_gives_304(http_server: LocalHTTPServer, fetcher: Fetcher) -> None:
    stamp = "Sun, 01 Mar 2026 10:00:00 GMT"
    http_server.add("/feed", Reply(body=RSS, last_modified=stamp))
    result = await fetcher.fetch(http_server.url("/feed"), last_modified=stamp)
    assert result.not_modified
    assert result.last_modified == stamp
    assert http_server.requests_for("/feed")[0].headers["If-Modified-Since"] == stamp


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
async def test_compressed_bodies_are_decoded(
    http_server: LocalHTTPServer, fetcher: Fetcher, encoding: str
) -> None:
    body = RSS * 50
    http_server.add("/feed", Reply(body=body, encoding=encoding))  # type: ignore[arg-type]
    result = await fetcher.fetch(http_server.url("/feed"))
    assert result.headers["content-encoding"] == encoding
    assert result.body == body


async def test_redirects_are_followed_and_reported(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    http_server.add("/old", Reply.redirect("/older", status=301))
    http_server.add("/older", Reply.redirect(http_server.url("/feed"), status=308))
    http_server.add("/feed", Reply(body=RSS))
    result = await fetcher.fetch(http_server.url("/old"))
    assert result.url == http_server.url("/feed")
    assert [s for s, _ in result.redirects] == [301, 308]
    assert result.permanent_url == http_server.url("/feed")
    assert result.body == RSS


async def test_temporary_redirect_is_not_a_new_address(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    http_server.add("/old", Reply.redirect("/feed", status=301))
    http_server.add("/feed", Reply.redirect("/today", status=302))
    http_server.add("/today", Reply(body=RSS))
    result = await fetcher.fetch(http_server.url("/old"))
    assert result.url == http_server.url("/today")
    assert result.permanent_url is None


async def test_redirect_loop_stops_at_the_limit(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    http_server.add("/a", Reply.redirect("/b"))
    http_server.add("/b", Reply.redirect("/a"))
    with pytest.raises(TooManyRedirects) as caught:
        await fetcher.fetch(http_server.url("/a"))
    assert caught.value.url == http_server.url("/a")
    assert len(http_server.requests) == LIMITS.max_redirects + 1


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{other}/feed",
        "http://127.0.0.2:{port}/feed",
        "http://0x7f.1:{other}/feed",
        "http://2130706433:{other}/feed",
        "http://017700000001:{other}/feed",
        "http://127.1:{other}/feed",
        "http://[::1]:{port}/feed",
        "http://[::ffff:127.0.0.1]:{other}/feed",
        "http://localhost:{port}/feed",
    ],
)
async def test_redirect_to_another_loopback_address_is_refused(
    http_server: LocalHTTPServer, fetcher: Fetcher, target: str
) -> None:
    location = target.format(port=http_server.port, other=_free_port())
    http_server.add("/feed", Reply(body=RSS))
    http_server.add("/go", Reply.redirect(location))
    with pytest.raises(BlockedAddress) as caught:
        await fetcher.fetch(http_server.url("/go"))
    assert "\n" not in caught.value.message
    assert [r.path for r in http_server.requests] == ["/go"]


async def test_odd_numeric_form_of_even_an_allowed_address_is_refused(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    http_server.add("/feed", Reply(body=RSS))
    http_server.add("/go", Reply.redirect(f"http://0x7f.1:{http_server.port}/feed"))
    with pytest.raises(BadURL, match="unusual numeric address"):
        await fetcher.fetch(http_server.url("/go"))
    assert [r.path for r in http_server.requests] == ["/go"]


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://127.0.0.1/feed", "gopher://x/"])
async def test_redirect_to_another_scheme_is_refused(
    http_server: LocalHTTPServer, fetcher: Fetcher, target: str
) -> None:
    http_server.add("/go", Reply.redirect(target))
    with pytest.raises(BadScheme):
        await fetcher.fetch(http_server.url("/go"))


async def test_guard_on_by_default_refuses_the_loopback_server(
    http_server: LocalHTTPServer,
) -> None:
    http_server.add("/feed", Reply(body=RSS))
    async with Fetcher(limits=LIMITS) as f:
        with pytest.raises(BlockedAddress):
            await f.fetch(http_server.url("/feed"))
    assert http_server.requests == []


async def test_allow_private_lifts_the_guard(http_server: LocalHTTPServer) -> None:
    http_server.add("/feed", Reply(body=RSS))
    async with Fetcher(allow_private=True, limits=LIMITS) as f:
        result = await f.fetch(http_server.url("/feed").replace("127.0.0.1", "localhost"))
    assert result.body == RSS


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("file:///etc/passwd", BadScheme),
        ("ftp://example.invalid/feed", BadScheme),
        ("javascript:alert(1)", BadScheme),
        ("/relative/feed.xml", BadURL),
        ("http://user:secret@127.0.0.1/feed", BadURL),
        ("http://[::1/feed", BadURL),
    ],
)
async def test_bad_urls_are_refused_before_any_request(
    fetcher: Fetcher, url: str, error: type[FetchError]
) -> None:
    with pytest.raises(error) as caught:
        await fetcher.fetch(url)
    assert "secret" not in str(caught.value) and "secret" not in (caught.value.url or "")


async def test_429_carries_retry_after_seconds(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    http_server.add("/feed", Reply(status=429, headers={"Retry-After": "120"}))
    with pytest.raises(HTTPStatusError) as caught:
        await fetcher.fetch(http_server.url("/feed"))
    assert caught.value.status == 429
    assert caught.value.retry_after == 120.0
    assert caught.value.message == "the server answered HTTP 429 (retry after 120 s)"


async def test_503_carries_retry_after_from_an_http_date(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    when = format_datetime(NOW + timedelta(seconds=90), usegmt=True)
    http_server.add("/feed", Reply(status=503, headers={"Retry-After": when}))
    with pytest.raises(HTTPStatusError) as caught:
        await fetcher.fetch(http_server.url("/feed"))
    assert caught.value.status == 503
    assert caught.value.retry_after == 90.0


async def test_500_is_an_http_status_error_with_a_one_line_message(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    http_server.add("/feed", Reply(status=500, body="Traceback (most recent call last):\n  ..."))
    with pytest.raises(HTTPStatusError) as caught:
        await fetcher.fetch(http_server.url("/feed"))
    assert caught.value.status == 500
    assert caught.value.retry_after is None
    assert caught.value.message == "the server answered HTTP 500"


async def test_slow_headers_hit_the_deadline(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    http_server.add("/feed", Reply(body=RSS, delay=10))
    with pytest.raises(Timeout):
        await fetcher.fetch(http_server.url("/feed"))


async def test_drip_feed_hits_the_overall_deadline_not_a_per_read_one(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    # A byte every 50 ms never leaves a read waiting long, but the whole body would take 10 s.
    http_server.add("/feed", Reply(body=b"x" * 200, drip=Drip(chunk=1, interval=0.05)))
    with pytest.raises(Timeout):  # a per-read deadline would have let it finish
        await fetcher.fetch(http_server.url("/feed"))


async def test_oversized_body_with_content_length_is_refused(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    http_server.add("/feed", Reply(body=b"x" * (LIMITS.max_bytes + 1)))
    with pytest.raises(TooLarge):
        await fetcher.fetch(http_server.url("/feed"))


async def test_oversized_chunked_body_is_cut_off(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    http_server.add("/feed", Reply(body=b"x" * 300_000, drip=Drip(chunk=16_384, interval=0)))
    with pytest.raises(TooLarge):
        await fetcher.fetch(http_server.url("/feed"))


async def test_body_at_the_limit_is_accepted(
    http_server: LocalHTTPServer, fetcher: Fetcher
) -> None:
    http_server.add("/feed", Reply(body=b"x" * LIMITS.max_bytes, encoding="gzip"))
    result = await fetcher.fetch(http_server.url("/feed"))
    assert len(result.body) == LIMITS.max_bytes


_INFLATED = 50 * 1024 * 1024


@pytest.mark.parametrize("encoding", ["gzip", "br"])
async def test_compression_bomb_is_stopped_without_inflating(
    http_server: LocalHTTPServer, fetcher: Fetcher, encoding: str
) -> None:
    zeros = bytes(_INFLATED)
    if encoding == "gzip":
        bomb = gzip.compress(zeros, compresslevel=9)
    else:
        bomb = brotli.compress(zeros, quality=5)
    del zeros
    assert len(bomb) < LIMITS.max_bytes
    http_server.add("/feed", Reply(body=bomb, headers={"Content-Encoding": encoding}))
    tracemalloc.start()
    try:
        with pytest.raises(TooLarge):
            await fetcher.fetch(http_server.url("/feed"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024


@pytest.mark.parametrize(("per_host", "max_in_flight"), [(2, 8), (8, 3)])
async def test_requests_in_flight_are_capped(
    http_server: LocalHTTPServer, per_host: int, max_in_flight: int
) -> None:
    cap = min(per_host, max_in_flight)
    in_flight = 0
    peak = 0
    full = asyncio.Event()
    release = asyncio.Event()

    async def held(request: web.Request) -> web.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        if in_flight >= cap:
            full.set()
        await release.wait()
        in_flight -= 1
        return web.Response(body=RSS)

    http_server.add("/feed", held)
    limits = FetchLimits(total_timeout=30, per_host=per_host, max_in_flight=max_in_flight)
    async with Fetcher(policy=_policy(http_server), limits=limits) as f:
        fetches = asyncio.gather(*(f.fetch(http_server.url("/feed")) for _ in range(10)))
        try:
            await asyncio.wait_for(full.wait(), timeout=20)
            await asyncio.sleep(0.2)  # room for any request past the cap to arrive
        finally:
            release.set()
        await fetches
    assert peak == cap
    assert len(http_server.requests) == 10


async def test_waiting_for_a_host_slot_is_not_charged_to_the_deadline(
    http_server: LocalHTTPServer,
) -> None:
    # One request at a time to this host, 0.1 s each: the sixth waits about 0.5 s for its turn,
    # longer than the 0.35 s deadline, and still completes because its clock starts at its turn.
    http_server.add("/feed", Reply(body=RSS, delay=0.1))
    limits = FetchLimits(total_timeout=0.35, per_host=1, max_in_flight=8)
    async with Fetcher(policy=_policy(http_server), limits=limits) as f:
        results = await asyncio.gather(*(f.fetch(http_server.url("/feed")) for _ in range(6)))
    assert [r.body for r in results] == [RSS] * 6


async def test_refused_connection_is_connection_failed() -> None:
    port = _free_port()
    policy = AddressPolicy.exempting([("127.0.0.1", port)])
    async with Fetcher(policy=policy, limits=LIMITS) as f:
        with pytest.raises(ConnectionFailed):
            await f.fetch(f"http://127.0.0.1:{port}/feed")


async def test_connects_only_to_the_address_the_guard_passed(
    http_server: LocalHTTPServer,
) -> None:
    http_server.add("/feed", Reply(body=RSS))
    async with LocalHTTPServer(host="127.0.0.2", port=http_server.port) as decoy:
        decoy.add("/feed", Reply(body=b"decoy"))
        resolver = FixedResolver("127.0.0.2", "127.0.0.1")
        async with Fetcher(policy=_policy(http_server), limits=LIMITS, resolver=resolver) as f:
            result = await f.fetch(f"http://feeds.test:{http_server.port}/feed")
        assert result.body == RSS
        assert decoy.requests == []
    assert resolver.asked == ["feeds.test"]
    assert http_server.requests[0].headers["Host"] == f"feeds.test:{http_server.port}"


async def test_name_resolving_only_to_refused_addresses_is_blocked(
    http_server: LocalHTTPServer,
) -> None:
    resolver = FixedResolver("127.0.0.2", "::1")
    async with Fetcher(policy=_policy(http_server), limits=LIMITS, resolver=resolver) as f:
        with pytest.raises(BlockedAddress):
            await f.fetch(f"http://feeds.test:{http_server.port}/feed")
    assert http_server.requests == []


def test_retry_after_forms() -> None:
    later = format_datetime(NOW + timedelta(minutes=5), usegmt=True)
    earlier = format_datetime(NOW - timedelta(minutes=5), usegmt=True)
    assert parse_retry_after("30", now=NOW) == 30.0
    assert parse_retry_after(later, now=NOW) == 300.0
    assert parse_retry_after(earlier, now=NOW) == 0.0
    assert parse_retry_after("99999999999", now=NOW) == 7 * 24 * 3600
    assert parse_retry_after("soon", now=NOW) is None
    assert parse_retry_after("-5", now=NOW) is None
    assert parse_retry_after(None, now=NOW) is None


def test_max_age_forms() -> None:
    assert parse_max_age("public, max-age=300") == 300
    assert parse_max_age('max-age="60", must-revalidate') == 60
    assert parse_max_age("s-maxage=10, no-cache") is None
    assert parse_max_age("max-age=abc") is None
    assert parse_max_age(None) is None


@pytest.fixture
async def https_server(
    tmp_path: Path,
) -> AsyncIterator[tuple[LocalHTTPServer, SelfSignedCertificate]]:
    certificate = make_certificate(tmp_path)
    if certificate is None:
        pytest.skip("no openssl command to make a test certificate")
    async with LocalHTTPServer(ssl_context=certificate.server_context()) as server:
        yield server, certificate


async def test_https_with_a_trusted_certificate(
    https_server: tuple[LocalHTTPServer, SelfSignedCertificate],
) -> None:
    server, certificate = https_server
    server.add("/feed", Reply(body=RSS, encoding="gzip"))
    async with Fetcher(
        policy=_policy(server), limits=LIMITS, ssl_context=certificate.client_context()
    ) as f:
        result = await f.fetch(server.url("/feed"))
    assert result.url.startswith("https://")
    assert result.body == RSS


async def test_https_with_an_untrusted_certificate_is_a_one_line_tls_failure(
    https_server: tuple[LocalHTTPServer, SelfSignedCertificate],
) -> None:
    server, _ = https_server
    server.add("/feed", Reply(body=RSS))
    async with Fetcher(policy=_policy(server), limits=LIMITS) as f:
        with pytest.raises(ConnectionFailed, match="TLS") as caught:
            await f.fetch(server.url("/feed"))
    assert "\n" not in caught.value.message
    assert server.requests == []
