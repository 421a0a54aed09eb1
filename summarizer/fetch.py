"""Minimal URL reader for `python -m summarizer URL`, when the library runs alone.

The bot never uses this: it fetches through `bot.feeds` (and `newsdigest summarize` hands this
CLI the bot's fetcher). Yet a user-given URL is fetched here too, so it keeps the bot's rules:
only http(s); every connection, redirect hops included, goes only to addresses that
`summarizer.addresses` calls public (checked on the resolved addresses before connecting, so
numeric forms such as ``0x7f.1`` and DNS names pointing inward are refused alike), unless
``allow_private`` (NEWSDIGEST_ALLOW_PRIVATE_ADDRESSES) lifts that; no proxy from the
environment; at most 5 redirects; the body capped in size and the whole read in time.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from summarizer.addresses import is_public_address

MAX_BYTES = 5 * 1024 * 1024
TIMEOUT_S = 20
MAX_REDIRECTS = 5
_CHUNK = 64 * 1024

Connect = Callable[..., socket.socket]


class FetchError(Exception):
    """The URL could not be read; the message is one line for the user."""


def fetch_url(
    url: str, *, allow_private: bool = False, exempt: frozenset[tuple[str, int]] = frozenset()
) -> str:
    """The page at `url` as text. `exempt` names exact (address, port) sockets allowed though
    not public (a test's own loopback server), as `bot.feeds.guard.AddressPolicy` does."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"only http(s) URLs can be summarized, not {url!r}")
    deadline = time.monotonic() + TIMEOUT_S
    connect = _guarded_connect(allow_private, exempt)
    opener = urllib.request.OpenerDirector()
    for handler in (
        _HTTPHandler(connect),
        _HTTPSHandler(connect),
        _RedirectHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    agent = {"User-Agent": "newsdigest-summarizer/0.1"}
    request = urllib.request.Request(url, headers=agent)  # noqa: S310 - scheme checked above
    try:
        with opener.open(request, timeout=TIMEOUT_S) as response:
            body = _read_capped(response, url, deadline)
            charset = response.headers.get_content_charset() or "utf-8"
    except FetchError:
        raise
    except urllib.error.HTTPError as exc:
        raise FetchError(f"could not fetch {url}: HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, FetchError):
            raise reason from None
        raise FetchError(f"could not fetch {url}: {reason}") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise FetchError(f"could not fetch {url}: {exc}") from None
    return body.decode(charset, errors="replace")


def _read_capped(response: Any, url: str, deadline: float) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while chunk := response.read(_CHUNK):
        total += len(chunk)
        if total > MAX_BYTES:
            raise FetchError(f"{url} is larger than {MAX_BYTES // (1024 * 1024)} MB")
        if time.monotonic() > deadline:
            raise FetchError(f"{url} did not arrive within {TIMEOUT_S} s")
        chunks.append(chunk)
    return b"".join(chunks)


def _guarded_connect(allow_private: bool, exempt: frozenset[tuple[str, int]]) -> Connect:
    """A `socket.create_connection` that connects only to permitted resolved addresses."""

    def connect(
        address: tuple[str, int], timeout: float | None = None, source_address: object = None
    ) -> socket.socket:
        host, port = address
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise FetchError(f"the host name {host} could not be resolved") from exc
        permitted = [
            info
            for info in infos
            if allow_private or _public(info[4][0]) or (info[4][0], info[4][1]) in exempt
        ]
        if not permitted:
            raise FetchError(f"{host} is not a public internet address")
        last: OSError | None = None
        for family, kind, proto, _, sockaddr in permitted:
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(timeout)
                sock.connect(sockaddr)
            except OSError as exc:
                sock.close()
                last = exc
                continue
            return sock
        raise last or OSError(f"could not connect to {host}")

    return connect


def _public(address: str) -> bool:
    if "%" in address:
        return False
    try:
        return is_public_address(ipaddress.ip_address(address))
    except ValueError:
        return False


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, connect: Connect) -> None:
        super().__init__()
        self._connect = connect

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)

    def _connection(self, host: str, **kwargs: Any) -> http.client.HTTPConnection:
        conn = http.client.HTTPConnection(host, **kwargs)
        conn._create_connection = self._connect  # type: ignore[attr-defined]
        return conn


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, connect: Connect) -> None:
        super().__init__()
        self._connect = connect

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)

    def _connection(self, host: str, **kwargs: Any) -> http.client.HTTPSConnection:
        conn = http.client.HTTPSConnection(host, **kwargs)
        conn._create_connection = self._connect  # type: ignore[attr-defined]
        return conn


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise FetchError(f"{req.full_url} redirects to a non-http(s) URL")
        return super().redirect_request(req, fp, code, msg, headers, newurl)
