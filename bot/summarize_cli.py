"""`newsdigest summarize`: the summarizer's own CLI, with URLs read by the bot's `Fetcher`
(address guard on every hop, NEWSDIGEST_ALLOW_PRIVATE_ADDRESSES, size and time limits)."""

from __future__ import annotations

import asyncio

from bot.app import make_fetcher
from bot.config import SettingsError, load_settings
from bot.feeds.errors import FetchError
from bot.feeds.fetch import PAGE_ACCEPT
from bot.stories.pipeline import decode_page
from summarizer.__main__ import main as summarizer_main
from summarizer.fetch import FetchError as SummarizerFetchError


def run_summarize(argv: list[str]) -> int:
    return summarizer_main(argv, prog="newsdigest summarize", fetch=fetch_guarded)


def fetch_guarded(url: str) -> str:
    return asyncio.run(_fetch(url))


async def _fetch(url: str) -> str:
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise SummarizerFetchError(str(exc)) from None
    async with make_fetcher(settings) as fetcher:
        try:
            page = await fetcher.fetch(url, accept=PAGE_ACCEPT)
        except FetchError as exc:
            raise SummarizerFetchError(f"could not read {url}: {exc.message}") from None
    return decode_page(page)
