"""A real HTTP server on 127.0.0.1 for tests, with canned, scriptable replies.

Usage (the ``http_server`` fixture in tests/conftest.py starts one per test)::

    async def test_something(http_server: LocalHTTPServer) -> None:
        http_server.add("/feed.xml", Reply(body=RSS, etag='"v1"', encoding="gzip"))
        http_server.add("/moved", Reply.redirect("/feed.xml", status=301))
        http_server.add("/flaky", [Reply(status=503, headers={"Retry-After": "5"}), Reply()])
        url = http_server.url("/feed.xml")
        ...
        assert http_server.requests_for("/feed.xml")[0].headers["User-Agent"] == ...

A list of replies is served in order and its last one repeats. ``etag`` / ``last_modified`` make
the route answer 304 to a matching conditional request. ``delay`` waits before the headers;
``drip`` sends the body a few bytes at a time with a pause between; ``encoding`` compresses the
body (gzip, deflate or br). A body given with an explicit Content-Encoding header is sent as is
(a prepared gzip bomb, say). Every request is recorded in ``requests``. A ``Gate`` holds the
requests of the routes it serves once closed, so a test can act while a client is waiting on
them (``server.add(path, gate.serving(Reply(...)))``, then ``gate.close(after=2)``). Give
``ssl_context`` for an https server (tests/support/tls.py makes a throwaway certificate).
"""

from __future__ import annotations

import asyncio
import gzip
import ssl
import time
import zlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Literal

import brotli
from aiohttp import web
from multidict import CIMultiDict, CIMultiDictProxy

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Drip:
    """Send the body ``chunk`` bytes at a time, ``interval`` seconds apart."""

    chunk: int = 1
    interval: float = 0.1


@dataclass(frozen=True, slots=True)
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    drip: Drip | None = None
    encoding: Literal["gzip", "deflate", "br"] | None = None

    @classmethod
    def redirect(cls, location: str, *, status: int = 302) -> Reply:
        return cls(status=status, headers={"Location": location})


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    path: str
    query: str
    headers: CIMultiDictProxy[str]
    at: float


class LocalHTTPServer:
    """An aiohttp server on 127.0.0.1 (a free port) serving routes the test registers."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        self.host = host
        self.port = port
        self._ssl_context = ssl_context
        self.requests: list[RecordedRequest] = []
        self._routes: dict[str, list[Reply] | Handler] = {}
        self._served: dict[str, int] = {}
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> LocalHTTPServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, ssl_context=self._ssl_context)
        await site.start()
        sockets = self._runner.addresses
        self.port = sockets[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        scheme = "https" if self._ssl_context is not None else "http"
        return f"{scheme}://{host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def add(self, path: str, reply: Reply | Sequence[Reply] | Handler) -> None:
        """Serve ``path`` (query ignored) with one reply, replies in turn, or a handler."""
        if isinstance(reply, Reply):
            self._routes[path] = [reply]
        elif callable(reply):
            self._routes[path] = reply
        else:
            self._routes[path] = list(reply)
        self._served[path] = 0

    def requests_for(self, path: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == path]

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(
            RecordedRequest(
                method=request.method,
                path=request.path,
                query=request.query_string,
                headers=CIMultiDictProxy(CIMultiDict(request.headers)),
                at=time.monotonic(),
            )
        )
        route = self._routes.get(request.path)
        if route is None:
            return web.Response(status=404, text="no such route")
        if callable(route):
            return await route(request)
        index = min(self._served[request.path], len(route) - 1)
        self._served[request.path] += 1
        return await _respond(request, route[index])


class Gate:
    """Serves its routes at once while open; once closed, lets `after` more requests through
    and holds the rest (counted in `held`) until `open()`."""

    def __init__(self) -> None:
        self.held = 0
        self._free = 0
        self._open = asyncio.Event()
        self._open.set()

    def close(self, *, after: int = 0) -> None:
        self._free = after
        self._open.clear()

    def open(self) -> None:
        self._open.set()

    def serving(self, reply: Reply) -> Handler:
        async def handle(request: web.Request) -> web.StreamResponse:
            if not self._open.is_set():
                if self._free > 0:
                    self._free -= 1
                else:
                    self.held += 1
                    await self._open.wait()
            return await _respond(request, reply)

        return handle


async def _respond(request: web.Request, reply: Reply) -> web.StreamResponse:
    if reply.delay:
        await asyncio.sleep(reply.delay)
    headers = CIMultiDict(reply.headers)
    if reply.etag is not None:
        headers["ETag"] = reply.etag
    if reply.last_modified is not None:
        headers["Last-Modified"] = reply.last_modified
    if reply.content_type is not None:
        headers["Content-Type"] = reply.content_type
    if _not_modified(request, reply):
        return web.Response(status=304, headers=headers)

    body = reply.body.encode() if isinstance(reply.body, str) else reply.body
    if reply.encoding is not None:
        body = _compress(body, reply.encoding)
        headers["Content-Encoding"] = reply.encoding

    response = web.StreamResponse(status=reply.status, headers=headers)
    if reply.drip is None:
        response.content_length = len(body)
        await response.prepare(request)
        await response.write(body)
        await response.write_eof()
        return response

    await response.prepare(request)
    step = max(1, reply.drip.chunk)
    try:
        for start in range(0, len(body), step):
            await response.write(body[start : start + step])
            await asyncio.sleep(reply.drip.interval)
        await response.write_eof()
    except (ConnectionResetError, ConnectionError):
        pass
    return response


def _not_modified(request: web.Request, reply: Reply) -> bool:
    if reply.status != 200:
        return False
    if reply.etag is not None and "If-None-Match" in request.headers:
        tags = [t.strip() for t in request.headers["If-None-Match"].split(",")]
        return reply.etag in tags or "*" in tags
    if reply.last_modified is not None and "If-Modified-Since" in request.headers:
        try:
            since = parsedate_to_datetime(request.headers["If-Modified-Since"])
            modified = parsedate_to_datetime(reply.last_modified)
        except (TypeError, ValueError):
            return False
        return modified <= since
    return False


def _compress(body: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.compress(body)
    if encoding == "deflate":
        return zlib.compress(body)
    return brotli.compress(body)
