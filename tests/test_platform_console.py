"""The console adapter: the same Platform seam, printed."""

from __future__ import annotations

import io

from bot.platforms.base import Platform
from bot.platforms.console import ConsolePlatform
from bot.render import DigestView, QuoteLine, SourceLink, StoryCard, ThreadUpdate

STORY = StoryCard(
    story_id="42",
    title="Harbour ferry returns \x1b[2J",
    url="https://news.example.org/ferry",
    sources=(SourceLink("Example News", "https://news.example.org/ferry"),),
    key_facts=("The ferry sails again on Monday.",),
    quotes=(QuoteLine("We missed it", "Ana Ruiz"),),
)


async def test_digest_thread_and_update_are_printed_once_each() -> None:
    out = io.StringIO()
    console = ConsolePlatform(out)
    assert isinstance(console, Platform)
    await console.post_digest_header(
        channel_id="news", digest=DigestView("Morning digest", (STORY,)), key="h"
    )
    story = await console.post_story(channel_id="news", story=STORY, key="s")
    thread = await console.open_thread(
        channel_id="news", message_id=story.message_id, story=STORY, key="t"
    )
    update = ThreadUpdate("42", SourceLink("Example Tribune"), ("Fares stay the same.",))
    await console.reply(channel_id="news", thread_id=story.message_id, update=update, key="u")
    again = await console.post_story(channel_id="news", story=STORY, key="s")
    text = out.getvalue()
    assert again.already_posted and again.message_id == story.message_id
    assert text.count("Harbour ferry returns") == 2  # the story and its thread, not the repeat
    assert "Morning digest — 1 story  [#news]" in text
    assert "    │ New from Example Tribune: Fares stay the same." in text
    assert "“We missed it” — Ana Ruiz" in text
    assert "\x1b" not in text
    assert thread.thread_id == story.message_id
