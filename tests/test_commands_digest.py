"""`/digest schedule` and `/digest now` on a real store, through the digest engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.commands import CommandContext, Commands
from bot.feeds.fetch import Fetcher
from bot.store import Store
from bot.store.models import Post
from tests.feed_site import Clock
from tests.support.commands import ctx, make_commands
from tests.support.newsroom import Newsroom

T0 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
MOD = ctx(moderator=True)


@pytest.fixture
async def commands(store: Store) -> AsyncIterator[Commands]:
    async with Fetcher() as fetcher:
        yield make_commands(store, fetcher, Clock(T0))


async def _settings(store: Store, channel: str = "C1"):  # type: ignore[no-untyped-def]
    return await store.channels.settings(platform="discord", workspace_id="W1", channel_id=channel)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"spec": "every 2 weeks"}, "cannot read schedule"),
        ({"spec": "at 25:00"}, "not a time of day"),
        ({"spec": "every 1m"}, "between 5 minutes and 7 days"),
        ({"spec": "at 08:00", "timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"spec": "at 08:00", "timezone": "../../etc/passwd"}, "unknown time zone"),
        ({"spec": "every 6h", "max_stories": "0"}, "at least 1"),
        ({"spec": "every 6h", "max_stories": "500"}, "at most 20"),
        ({"spec": "every 6h", "max_stories": "seven"}, "whole number"),
        ({"spec": "every 6h", "channel": "#"}, "channel"),
        ({}, "spec is missing"),
    ],
)
async def test_schedule_errors_are_one_line_and_change_nothing(
    commands: Commands, store: Store, options: dict[str, str], expected: str
) -> None:
    reply = await commands.handle(MOD, "digest", "schedule", options)
    assert reply.error and reply.ephemeral and "\n" not in reply.text
    assert expected in reply.text, reply.text
    assert await _settings(store) is None


async def test_schedule_is_saved_normalised_with_its_next_slot(
    commands: Commands, store: Store
) -> None:
    reply = await commands.handle(MOD, "digest", "schedule", {"spec": "Every  2 hours"})
    assert not reply.error and reply.ephemeral
    settings = await _settings(store)
    assert (settings.schedule, settings.timezone, settings.max_stories) == ("every 2h", "UTC", 7)
    assert settings.next_digest_at == T0
    assert "every 2h" in reply.text and "2026-04-02 08:00 UTC" in reply.text

    at = await commands.handle_text(
        MOD, "schedule at 8:00, 6pm timezone: Europe/Paris max_stories: 5", group="digest"
    )
    assert not at.error, at.text
    settings = await _settings(store)
    assert (settings.schedule, settings.timezone, settings.max_stories) == (
        "at 08:00, 18:00",
        "Europe/Paris",
        5,
    )
    assert settings.next_digest_at == datetime(2026, 4, 2, 16, 0, tzinfo=UTC)
    assert "16:00 UTC (18:00 Europe/Paris)" in at.text

    live = await commands.handle(MOD, "digest", "schedule", {"spec": "live", "channel": "<#C5>"})
    assert "as they happen" in live.text and "#C5" in live.plain_text()
    assert (await _settings(store, "C5")).schedule == "live"
    assert (await _settings(store)).schedule == "at 08:00, 18:00", "C1 untouched"


async def test_digest_now_plans_through_the_engine(store: Store) -> None:
    room = Newsroom(store, now=T0, platform="discord")
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, workspace="W1", channel="C1", schedule=None)
    story = await room.story(feed, "Ferry returns", facts=["The ferry sails on Monday."])
    await room.story(feed, "Old news", facts=["Stored at the first poll."], backlog=True)
    woken: list[tuple[CommandContext, int]] = []

    async def wake(c: CommandContext, digest_id: int) -> None:
        woken.append((c, digest_id))

    async with Fetcher() as fetcher:
        commands = make_commands(store, fetcher, Clock(T0), on_digest_planned=wake)
        empty = await commands.handle(MOD, "digest", "now", {"channel": "C7"})
        reply = await commands.handle(MOD, "digest", "now", {})
        again = await commands.handle(MOD, "digest", "now", {})

    assert empty.error and "follows no feeds" in empty.text
    assert not reply.error and reply.ephemeral
    assert reply.plain_text() == "A digest of 1 story is on its way to #C1."
    assert not again.error and "Nothing new" in again.text
    async with store.session(readonly=True) as s:
        posts = (await s.scalars(select(Post).order_by(Post.id))).all()
    assert [(p.kind, p.story_id, p.channel_id) for p in posts] == [
        ("digest_header", None, "C1"),
        ("story", story.id, "C1"),
    ]
    assert [(c.channel_id, d) for c, d in woken] == [("C1", posts[0].digest_id)]


async def test_digest_now_answers_even_when_waking_delivery_fails(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    room = Newsroom(store, now=T0, platform="discord")
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, workspace="W1", channel="C1", schedule=None)
    await room.story(feed, "Ferry returns", facts=["The ferry sails on Monday."], at=T0)

    async def broken(c: CommandContext, digest_id: int) -> None:
        raise RuntimeError("outbox is down")

    async with Fetcher() as fetcher:
        commands = make_commands(
            store, fetcher, Clock(T0 + timedelta(minutes=1)), on_digest_planned=broken
        )
        reply = await commands.handle(MOD, "digest", "now", {})
    assert not reply.error and "on its way" in reply.text
    (record,) = [r for r in caplog.records if r.exc_info]
    assert "outbox is down" in str(record.exc_info[1])
