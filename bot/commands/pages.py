"""On-demand summaries of one page (`/news summarize`, the `/feeds add` preview), through the
same guarded, limited `Fetcher` as polling and `summarize()` run off the event loop."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from urllib.parse import urlsplit

from bot.commands.context import CommandError
from bot.commands.deps import Deps
from bot.feeds.fetch import PAGE_ACCEPT
from bot.render.views import SourceLink, StoryCard
from bot.stories.pipeline import decode_page, not_a_page
from summarizer import Summary, summarize


def _summarize_job(text: str, title: str | None, url: str | None) -> Summary:
    return summarize(text, title=title, url=url)


async def run_summarize(deps: Deps, text: str, *, title: str | None, url: str | None) -> Summary:
    """`summarize()` in the injected executor (a thread when there is none), within
    `summarize_timeout_s`."""
    loop = asyncio.get_running_loop()
    if deps.executor is None:
        job = asyncio.to_thread(_summarize_job, text, title, url)
    else:
        job = loop.run_in_executor(deps.executor, _summarize_job, text, title, url)
    try:
        return await asyncio.wait_for(job, deps.summarize_timeout_s)
    except TimeoutError:
        raise CommandError("summarizing that page took too long") from None


async def summarize_page(deps: Deps, url: str, *, title: str | None = None) -> tuple[Summary, str]:
    """Fetch `url` as a page and summarize it; returns the summary and the final URL.
    Raises a `FetchError` (guard, limits, HTTP) or a `CommandError` (not an article)."""
    page = await deps.fetcher.fetch(url, accept=PAGE_ACCEPT)
    if problem := not_a_page(page):
        raise CommandError(problem)
    summary = await run_summarize(deps, decode_page(page), title=title, url=page.url)
    if not summary.lead.strip() and not summary.key_facts:
        raise CommandError("no article text was found on that page")
    return summary, page.url


def summary_card(
    summary: Summary, *, url: str, story_id: str, from_feed_only: bool = False
) -> StoryCard:
    """The card of a one-off summary: the whole summary, as there is no thread."""
    host = urlsplit(url).hostname or url
    card = StoryCard.from_summary(
        summary,
        story_id=story_id,
        sources=(SourceLink(host, url),),
        from_feed_only=from_feed_only,
    )
    return replace(card, whole=True)
