"""One full cycle on a throwaway database: feeds → poll → stories → a digest → delivery.

    code = await run_demo(out=sys.stdout)                              # the bundled samples
    code = await run_demo(feeds=["https://example.org/feed.xml"])      # a preview of real feeds
    code = await run_demo(payloads="discord")                          # JSON request bodies

With no `feeds`, the bundled sample feeds are served on 127.0.0.1 (`ContentServer`) and the
SSRF guard exempts exactly that server's socket; given feeds go through the guard as usual
(`NEWSDIGEST_ALLOW_PRIVATE_ADDRESSES` applies).
Unlike a feed newly added to the running bot (whose current items count as already seen),
the demo digests the items the feeds hold now: it is a preview of what a channel would get.

Output: the console view (the digest header, each story and its thread, indented), or with
`payloads`, one JSON object per line, the body of each request that would be sent to that
platform: Discord create-message and start-thread bodies, Slack `chat.postMessage` arguments.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

from bot.app import App
from bot.config import Settings, load_settings
from bot.demo.server import ContentServer
from bot.digests.outbox import deliver_pending
from bot.digests.plan import plan_digest_now
from bot.feeds.errors import FeedLayerError
from bot.feeds.fetch import Fetcher
from bot.feeds.guard import AddressPolicy
from bot.feeds.manage import add_feed
from bot.platforms.base import Platform
from bot.platforms.console import ConsolePlatform
from bot.platforms.payloads import Emit, PayloadPlatform, json_lines
from bot.render.preview import html_page
from bot.store.open import open_store

WORKSPACE = "demo"
CHANNEL = "demo"


async def run_demo(
    *,
    feeds: list[str] | None = None,
    payloads: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    emit: Emit | None = None,
) -> int:
    """Run the cycle and print it; returns the exit status (1 when no feed could be read)."""
    out = out or sys.stdout
    err = err or sys.stderr
    if payloads is not None or emit is not None:
        platform: Platform = PayloadPlatform(payloads or "discord", emit or json_lines(out))
    else:
        platform = ConsolePlatform(out)
    with tempfile.TemporaryDirectory(prefix="newsdigest-demo-") as tmp:
        settings = load_settings(
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'demo.db'}",  # type: ignore[arg-type]
            summarize_processes=0,
            _env_file=None,  # type: ignore[call-arg]
        )
        if feeds:
            fetcher = Fetcher(allow_private=settings.allow_private_addresses)
            return await _cycle(settings, feeds, fetcher, platform, err)
        async with ContentServer() as server:
            fetcher = Fetcher(policy=AddressPolicy.exempting([server.address]))
            return await _cycle(settings, server.feed_urls, fetcher, platform, err)


async def _cycle(
    settings: Settings, feeds: list[str], fetcher: Fetcher, platform: Platform, err: TextIO
) -> int:
    store = await open_store(settings, migrate=True)
    try:
        followed = 0
        for url in feeds:
            try:
                added = await add_feed(store, fetcher, url)
            except FeedLayerError as exc:
                print(f"skipped {url}: {exc.message}", file=err)
                continue
            await store.channels.subscribe(
                platform=platform.name,
                workspace_id=WORKSPACE,
                channel_id=CHANNEL,
                feed_id=added.feed_id,
            )
            followed += 1
        if not followed:
            print("error: none of the feeds could be read", file=err)
            return 1
        app = App(settings=settings, store=store, fetcher=fetcher, executor=None)
        await app.worker(worker_id="demo").run_once()
        digest = await plan_digest_now(
            store,
            platform=platform.name,
            workspace_id=WORKSPACE,
            channel_id=CHANNEL,
            include_backlog=True,
        )
        if digest is None:
            print("error: the feeds hold no items to digest", file=err)
            return 1
        report = await deliver_pending(store, {platform.name: platform}, worker_id="demo")
        if report.failed:
            for key, reason in report.failures:
                print(f"error: {key}: {reason}", file=err)
            return 1
        return 0
    finally:
        await fetcher.close()
        await store.close()


async def preview_html(
    *, feeds: list[str] | None = None, stories: int | None = None, err: TextIO | None = None
) -> str:
    """An HTML page showing the demo's digest as Discord and as Slack would (`render.preview`),
    with at most `stories` stories (all by default).

    Runs the cycle once per platform; start-thread bodies (no message of their own) are left
    out, thread messages are drawn indented under their story."""
    columns: dict[str, list[tuple[dict[str, Any], bool]]] = {}
    for name in ("discord", "slack"):
        items: list[tuple[dict[str, Any], bool]] = []
        code = await run_demo(feeds=feeds, payloads=name, emit=_collector(items), err=err)
        if code != 0:
            raise RuntimeError(f"the demo cycle for {name} failed")
        columns[name] = _first_stories(items, stories)
    return html_page(
        discord=columns["discord"], slack=columns["slack"], title="newsdigest demo digest"
    )


def _collector(items: list[tuple[dict[str, Any], bool]]) -> Emit:
    def keep(body: dict[str, Any], in_thread: bool) -> None:
        if "embeds" in body or "blocks" in body or body.get("content"):
            items.append((body, in_thread))

    return keep


def _first_stories(
    items: list[tuple[dict[str, Any], bool]], stories: int | None
) -> list[tuple[dict[str, Any], bool]]:
    """The header and the first `stories` story messages, each with its thread."""
    if stories is None:
        return items
    kept: list[tuple[dict[str, Any], bool]] = []
    top = 0
    for body, in_thread in items:
        top += not in_thread
        if top > stories + 1:
            break
        kept.append((body, in_thread))
    return kept


__all__ = ["preview_html", "run_demo"]
