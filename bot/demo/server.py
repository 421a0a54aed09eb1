"""The demo's feed and article server: `bot/demo/content/` on 127.0.0.1, a free port.

    async with ContentServer() as server:
        server.feed_urls      # [http://127.0.0.1:PORT/feeds/gazette.rss, ...]
        server.address        # ("127.0.0.1", PORT), to exempt from the SSRF guard

Feeds are served under `/feeds/`, everything else under `/articles/`; `{base}` in a file
becomes the server's base URL.
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from aiohttp import web

CONTENT_TYPES = {
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".json": "application/feed+json",
    ".html": "text/html",
}


def content_files() -> dict[str, str]:
    """File name → text of every bundled demo file."""
    root = Path(__file__).parent / "content"
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in root.iterdir()
        if entry.suffix in CONTENT_TYPES
    }


class ContentServer:
    """Serves the demo content on 127.0.0.1 until closed."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._files = content_files()

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def address(self) -> tuple[str, int]:
        return (self.host, self.port)

    @property
    def feed_urls(self) -> list[str]:
        return [
            f"{self.base}/feeds/{name}"
            for name in sorted(self._files)
            if not name.endswith(".html")
        ]

    def url(self, path: str) -> str:
        return self.base + path

    async def start(self) -> ContentServer:
        app = web.Application()
        app.router.add_get("/{kind:feeds|articles}/{name}", self._serve)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> ContentServer:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _serve(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        is_feed = not name.endswith(".html")
        if name not in self._files or is_feed != (request.match_info["kind"] == "feeds"):
            raise web.HTTPNotFound()
        suffix = "." + name.rsplit(".", 1)[-1]
        body = self._files[name].replace("{base}", self.base)
        return web.Response(text=body, content_type=CONTENT_TYPES[suffix], charset="utf-8")
