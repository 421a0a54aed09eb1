"""Story pictures on the console: a delivered digest prints a `picture:` line under the story
whose stored picture passes the checks, and none for the others (absent, http, loopback,
script, markup-breaking), as the Discord and Slack emulator tests check their payloads."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from bot.digests.engine import deliver_pending, plan_due_digests
from bot.platforms.console import ConsolePlatform
from bot.store import Store
from bot.store.models import Story
from tests.support.newsroom import Newsroom

T0 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
GOOD = "https://img.harbour.example/ferry.jpg"
STORED = {
    "Good picture": GOOD,
    "Loopback picture": "https://127.0.0.1/x.png",
    "Script picture": "javascript:alert(1)",
    "Plain http picture": "http://pics.example/x.png",
    "Injected picture": 'https://pics.example/x.png" onerror="alert(1)',
    "No picture": None,
}


async def test_console_digest_prints_a_picture_only_for_the_good_one(store: Store) -> None:
    room = Newsroom(store, now=T0, platform="console")
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, workspace="console", channel="console", max_stories=10)
    for i, (title, image) in enumerate(STORED.items()):
        story = await room.story(feed, title, facts=[f"Fact {i}."], at=T0 - timedelta(minutes=i))
        async with store.session() as s:
            await s.execute(update(Story).where(Story.id == story.id).values(image_url=image))
    assert await plan_due_digests(store, now=T0)
    out = io.StringIO()
    await deliver_pending(store, {"console": ConsolePlatform(out)}, worker_id="t", now=T0)
    text = out.getvalue()
    _header, *blocks = text.strip().split("\n\n")
    shown = {block.splitlines()[0]: re.findall(r"picture: (\S+)", block) for block in blocks}
    assert shown == {t: ([GOOD] if t == "Good picture" else []) for t in STORED}, text
