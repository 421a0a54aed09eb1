"""Per-channel layout and size: `/digest layout full|compact`, `/digest size N`, compact
stories (one line, the thread still opened with the full summary) on Discord, Slack and the
console, and story pictures reaching both emulators."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import discord
import pytest
from sqlalchemy import select, update

from bot.commands import Commands
from bot.digests.engine import deliver_pending, plan_due_digests
from bot.digests.plan import plan_digest_now
from bot.digests.views import card_from_json
from bot.feeds.fetch import Fetcher
from bot.platforms.console import ConsolePlatform
from bot.platforms.discord import DiscordPlatform
from bot.platforms.slack import SlackPlatform, web_client
from bot.render import SourceLink, StoryCard, discord_payloads, plain, slack_payloads
from bot.store import Store
from bot.store.models import Post, Story
from tests.emulators.discord_emulator import DiscordEmulator, running_client
from tests.emulators.slack_emulator import SlackEmulator
from tests.feed_site import Clock
from tests.support.commands import ctx, make_commands
from tests.support.newsroom import Crash, CrashAfterAccept, Newsroom

T0 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
MOD = ctx(moderator=True)
HOSTILE = "@everyone <@123> <!channel> **Ferry** [x](https://evil.example) returns"
PICTURE = "https://img.harbour.example/ferry.jpg"


@pytest.fixture
async def commands(store: Store) -> AsyncIterator[Commands]:
    async with Fetcher() as fetcher:
        yield make_commands(store, fetcher, Clock(T0))


async def _settings(store: Store, channel: str = "C1"):  # type: ignore[no-untyped-def]
    return await store.channels.settings(platform="discord", workspace_id="W1", channel_id=channel)


@pytest.mark.parametrize(
    ("name", "options", "expected"),
    [
        ("layout", {"style": "tiny"}, "must be 'full' or 'compact'"),
        ("layout", {}, "style is missing"),
        ("size", {"stories": "0"}, "at least 1"),
        ("size", {"stories": "21"}, "at most 20"),
        ("size", {"stories": "99999999999999"}, "whole number"),
        ("size", {"stories": "lots"}, "whole number"),
        ("size", {}, "stories is missing"),
    ],
)
async def test_bad_layout_or_size_is_one_line_and_changes_nothing(
    commands: Commands, store: Store, name: str, options: dict[str, str], expected: str
) -> None:
    reply = await commands.handle(MOD, "digest", name, options)
    assert reply.error and reply.ephemeral and "\n" not in reply.text
    assert expected in reply.text, reply.text
    assert await _settings(store) is None


async def test_layout_and_size_are_for_moderators(commands: Commands, store: Store) -> None:
    reply = await commands.handle(ctx(), "digest", "layout", {"style": "compact"})
    assert reply.error and "moderators" in reply.text
    reply = await commands.handle(ctx(), "digest", "size", {"stories": "3"})
    assert reply.error and await _settings(store) is None


async def test_layout_and_size_are_saved_and_keep_the_schedule(
    commands: Commands, store: Store
) -> None:
    await commands.handle(MOD, "digest", "schedule", {"spec": "every 2h"})
    reply = await commands.handle(MOD, "digest", "layout", {"style": " Compact "})
    assert not reply.error and "one line per story" in reply.text
    reply = await commands.handle(MOD, "digest", "size", {"stories": "3"})
    assert not reply.error and "at most 3 stories" in reply.text
    settings = await _settings(store)
    assert (settings.layout, settings.max_stories, settings.schedule) == ("compact", 3, "every 2h")
    await commands.handle(MOD, "digest", "layout", {"style": "full"})
    assert (await _settings(store)).layout == "full"


async def _room(store: Store, *, platform: str, workspace: str, channel: str, n: int, **kw: Any):  # type: ignore[no-untyped-def]
    room = Newsroom(store, now=T0, platform=platform)
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, workspace=workspace, channel=channel, **kw)
    stories = []
    for i in range(n):
        title = HOSTILE if i == 0 else f"Library story {i}"
        at = T0 - timedelta(minutes=i)
        stories.append(await room.story(feed, title, facts=[f"Lead fact {i}.", "More."], at=at))
    async with store.session() as s:
        await s.execute(update(Story).where(Story.id == stories[0].id).values(image_url=PICTURE))
    return room, feed, stories


async def _cards(store: Store) -> list[dict[str, Any]]:
    async with store.session(readonly=True) as s:
        posts = (await s.scalars(select(Post).where(Post.kind == "story").order_by(Post.id))).all()
    return [p.payload["card"] for p in posts]


async def test_size_bounds_the_digest_and_compact_is_frozen_into_the_cards(store: Store) -> None:
    await _room(store, platform="console", workspace="W1", channel="C1", n=5,
                layout="compact", max_stories=2)  # fmt: skip
    assert await plan_due_digests(store, now=T0)
    cards = await _cards(store)
    assert len(cards) == 2 and all(c["compact"] for c in cards)
    assert cards[0]["image_url"] == PICTURE


async def test_console_compact_digest_is_one_line_a_story_with_full_threads(store: Store) -> None:
    await _room(store, platform="console", workspace="W1", channel="C1", n=2, layout="compact")
    await plan_digest_now(store, platform="console", workspace_id="W1", channel_id="C1", now=T0)
    out = io.StringIO()
    await deliver_pending(store, {"console": ConsolePlatform(out)}, worker_id="t", now=T0)
    lines = out.getvalue().splitlines()
    story_lines = [line for line in lines if "[story " in line]
    assert len(story_lines) == 2
    assert story_lines[1].startswith("Library story 1 — Harbour Gazette — Lead fact 1.")
    assert sum(line.strip().startswith("│ Thread:") for line in lines) == 2
    assert "picture:" not in out.getvalue()


def _card(**kw: Any) -> StoryCard:
    base: dict[str, Any] = {
        "story_id": "12",
        "title": HOSTILE,
        "url": "https://harbour.example/a",
        "sources": tuple(SourceLink(f"Paper {i}", f"https://p{i}.example/a") for i in range(5)),
        "key_facts": ("The ferry sails again on Monday after repairs.",),
        "lead": "",
        "compact": True,
        "image_url": PICTURE,
    }
    base.update(kw)
    return StoryCard(**base)


def test_compact_renders_one_inert_line_everywhere() -> None:
    card = _card()
    body = discord_payloads.story_message(card)
    assert body["embeds"] == [] and body["flags"] == discord_payloads.SUPPRESS_EMBEDS
    content = body["content"]
    assert "\n" not in content and content.endswith(" · Story 12")
    assert "[Paper 2](https://p2.example/a) +2" in content
    assert "The ferry sails again on Monday" in content
    assert "@everyone" not in content and "<@123>" not in content and "\\*\\*Ferry" in content
    args = slack_payloads.story_message(card)
    (block,) = args["blocks"]
    text = block["text"]["text"]
    assert "\n" not in text and "accessory" not in block
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    line = plain.story_message(card)
    assert "\n" not in line and "[story 12]" in line
    long = _card(title="word " * 3000, key_facts=("fact " * 3000,))
    assert len(discord_payloads.story_message(long)["content"]) <= 2000
    assert len(slack_payloads.story_message(long)["blocks"][0]["text"]["text"]) <= 3000


def _discord_client() -> discord.Client:
    return discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)


async def test_discord_full_card_shows_the_picture_and_compact_is_one_line_with_a_thread(
    store: Store, discord_emulator: DiscordEmulator
) -> None:
    emu = discord_emulator
    guild = emu.guilds[0]
    room, feed, _ = await _room(store, platform="discord", workspace=str(guild.id),
                                channel=str(guild.text_channel), n=2)  # fmt: skip
    assert await plan_due_digests(store, now=T0)
    async with running_client(_discord_client(), emu) as client:
        await deliver_pending(store, {"discord": DiscordPlatform(client)}, worker_id="b", now=T0)
        top = emu.messages[guild.text_channel]
        assert top[1]["embeds"][0]["thumbnail"]["url"] == PICTURE
        assert "thumbnail" not in top[2]["embeds"][0]

        await store.channels.save_settings(
            platform="discord", workspace_id=str(guild.id),
            channel_id=str(guild.text_channel), layout="compact",
        )  # fmt: skip
        fresh = await room.story(feed, "Compact ferry news", facts=["The ferry is back."], at=T0)
        digest_id = await plan_digest_now(
            store, platform="discord", workspace_id=str(guild.id),
            channel_id=str(guild.text_channel), now=T0,
        )  # fmt: skip
        assert digest_id is not None
        key = f"d{digest_id}s{fresh.id}"
        dying = CrashAfterAccept(DiscordPlatform(client), key)
        with pytest.raises(Crash):
            await deliver_pending(store, {"discord": dying}, worker_id="old", now=T0, lease_s=60)
        later = T0 + timedelta(seconds=61)
        await deliver_pending(store, {"discord": DiscordPlatform(client, history_check=50)},
                              worker_id="new", now=later)  # fmt: skip
        card = card_from_json((await _cards(store))[-1])
        again = await DiscordPlatform(client).post_story(
            channel_id=str(guild.text_channel), story=card, key="after-the-nonce-window"
        )
        assert again.already_posted, "a compact line is found again by its marker"
    top = emu.messages[guild.text_channel]
    compact = [m for m in top if "Compact ferry news" in m["content"]]
    assert len(compact) == 1, "found again by its marker, not posted twice"
    (message,) = compact
    assert message["embeds"] == [] and message["flags"] & 4 and "\n" not in message["content"]
    (opening,) = emu.messages[int(message["id"])]
    assert opening["embeds"][0]["footer"]["text"].startswith(f"Story {fresh.id}")
    bodies = [c.body for c in emu.calls if c.method == "POST" and c.path.endswith("/messages")]
    assert all(b["allowed_mentions"] == {"parse": []} for b in bodies)


async def test_slack_picture_accessory_and_compact_line(
    store: Store, slack_emulator: SlackEmulator
) -> None:
    emu = slack_emulator
    room, feed, _ = await _room(store, platform="slack", workspace=emu.team_id, channel="C1", n=2)
    assert await plan_due_digests(store, now=T0)
    client = web_client(token=emu.bot_token, base_url=emu.api_url)
    slack = {"slack": SlackPlatform(client, min_interval=0)}
    await deliver_pending(store, slack, worker_id="b", now=T0)
    top = emu.channels["C1"]
    assert top[1]["blocks"][0]["accessory"]["image_url"] == PICTURE
    assert "accessory" not in top[2]["blocks"][0]

    await store.channels.save_settings(
        platform="slack", workspace_id=emu.team_id, channel_id="C1", layout="compact"
    )
    await room.story(feed, "Compact ferry news", facts=["The ferry is back."], at=T0)
    await plan_digest_now(store, platform="slack", workspace_id=emu.team_id, channel_id="C1",
                          now=T0)  # fmt: skip
    await deliver_pending(store, slack, worker_id="b", now=T0)
    message = next(m for m in emu.channels["C1"] if "Compact ferry news" in json.dumps(m))
    assert len(message["blocks"]) == 1 and "\n" not in message["blocks"][0]["text"]["text"]
    (opening,) = message["replies"]
    assert opening["text"].startswith("Summary: ")
