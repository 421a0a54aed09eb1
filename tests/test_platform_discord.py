"""The Discord adapter delivering digests through the real discord.py client to the emulator."""

from __future__ import annotations

import discord
import pytest
from discord import app_commands

from bot.digests.views import Notice
from bot.platforms.base import DeliveryError, Platform
from bot.platforms.discord import DiscordPlatform, make_client, nonce_for
from bot.render import DigestView, SourceLink, StoryCard, ThreadUpdate, discord_payloads
from tests.emulators.discord_emulator import DiscordEmulator, running_client
from tests.render_samples import EMPTY, HOSTILE, LONG

STORY = StoryCard(
    story_id="42",
    title="Harbour ferry returns",
    url="https://news.example.org/ferry",
    sources=(SourceLink("Example News", "https://news.example.org/ferry"),),
    key_facts=("The ferry sails again on Monday.",),
    lead="The harbour ferry returns after repairs.",
)
UPDATE = ThreadUpdate("42", SourceLink("Example Tribune", "https://tribune.example.com/f"))


def _client() -> discord.Client:
    return make_client(guild_ready_timeout=0.05)


def test_nonce_fits_discord_and_is_stable() -> None:
    assert nonce_for("d:1:42:story") == "d:1:42:story"
    long = nonce_for("digest:1300000000000000000:story:123456789:thread")
    assert len(long) == 25 and long == nonce_for(
        "digest:1300000000000000000:story:123456789:thread"
    )
    assert nonce_for("a" * 26) != nonce_for("a" * 27)
    assert len(nonce_for("")) == 25 and len(nonce_for("ключ")) == 25


async def test_digest_with_a_thread_per_story_and_an_update(
    discord_emulator: DiscordEmulator,
) -> None:
    emu = discord_emulator
    cid = str(emu.guilds[0].text_channel)
    async with running_client(_client(), emu) as client:
        platform = DiscordPlatform(client)
        assert isinstance(platform, Platform)
        header = await platform.post_digest_header(
            channel_id=cid, digest=DigestView("Morning digest", (STORY,)), key="h1"
        )
        story = await platform.post_story(channel_id=cid, story=STORY, key="s1")
        opened = await platform.open_thread(
            channel_id=cid, message_id=story.message_id, story=STORY, key="t1"
        )
        update = await platform.reply(
            channel_id=cid, thread_id=opened.thread_id or "", update=UPDATE, key="u1"
        )
    posted = emu.messages[int(cid)]
    assert [m["id"] for m in posted] == [header.message_id, story.message_id]
    assert posted[0]["content"] == "## Morning digest — 1 story"
    assert posted[1]["embeds"][0]["title"] == "Harbour ferry returns"
    assert opened.thread_id == story.message_id
    in_thread = emu.messages[int(story.message_id)]
    assert [m["id"] for m in in_thread] == [opened.message_id, update.message_id]
    assert in_thread[0]["embeds"][1]["title"] == "Sources"
    assert in_thread[1]["embeds"][0]["title"] == "New from Example Tribune"
    bodies = [c.body for c in emu.calls if c.method == "POST" and c.path.endswith("/messages")]
    assert [b["nonce"] for b in bodies] == ["h1", "s1", "t1", "u1"]
    assert all(b["allowed_mentions"] == {"parse": []} for b in bodies)


@pytest.mark.parametrize("history_check", [0, 50], ids=["by-nonce", "by-history"])
async def test_post_accepted_then_connection_lost_is_not_posted_twice(
    discord_emulator: DiscordEmulator, history_check: int
) -> None:
    emu = discord_emulator
    cid = str(emu.guilds[0].text_channel)
    emu.drop_after_accept()
    async with running_client(_client(), emu) as client:
        platform = DiscordPlatform(client, history_check=history_check)
        with pytest.raises(DeliveryError) as failed:
            await platform.post_story(channel_id=cid, story=STORY, key="s-crash")
        assert failed.value.retryable
        again = await platform.post_story(channel_id=cid, story=STORY, key="s-crash")
    assert [m["id"] for m in emu.messages[int(cid)]] == [again.message_id]
    assert again.already_posted is bool(history_check)


async def test_reopening_a_thread_after_a_restart_posts_the_opening_once(
    discord_emulator: DiscordEmulator,
) -> None:
    emu = discord_emulator
    cid = str(emu.guilds[0].text_channel)
    async with running_client(_client(), emu) as client:
        platform = DiscordPlatform(client)
        story = await platform.post_story(channel_id=cid, story=STORY, key="s2")
        first = await platform.open_thread(
            channel_id=cid, message_id=story.message_id, story=STORY, key="t2"
        )
        second = await platform.open_thread(
            channel_id=cid, message_id=story.message_id, story=STORY, key="t2"
        )
    assert (first.message_id, first.thread_id) == (second.message_id, second.thread_id)
    assert second.already_posted and not first.already_posted
    assert len(emu.threads) == 1 and len(emu.messages[int(story.message_id)]) == 1
    refused = [c for c in emu.calls if c.path.endswith("/threads") and c.method == "POST"]
    assert len(refused) == 2


async def test_forum_channel_gets_one_post_per_story_even_after_a_restart(
    discord_emulator: DiscordEmulator,
) -> None:
    emu = discord_emulator
    forum = str(emu.guilds[0].forum_channel)
    async with running_client(_client(), emu) as client:
        platform = DiscordPlatform(client)
        header = await platform.post_digest_header(
            channel_id=forum, digest=DigestView("Morning digest", (STORY,)), key="fh"
        )
        first = await platform.post_story(channel_id=forum, story=STORY, key="fs")
    async with running_client(_client(), emu) as client:
        again = await DiscordPlatform(client).post_story(channel_id=forum, story=STORY, key="fs")
        other = StoryCard(story_id="43", title=STORY.title, url=None)
        different = await DiscordPlatform(client).post_story(
            channel_id=forum, story=other, key="fs43"
        )
    assert header.message_id == ""
    assert first.thread_id == first.message_id and not first.already_posted
    assert again.already_posted and again.thread_id == first.thread_id
    assert different.thread_id != first.thread_id
    assert len(emu.threads) == 2


async def test_rate_limit_storm_delivers_everything_in_order(
    discord_emulator: DiscordEmulator,
) -> None:
    emu = discord_emulator
    cid = str(emu.guilds[0].text_channel)
    emu.rate_limit("POST", rf"/channels/{cid}/messages$", times=12, retry_after=0.01)
    stories = [StoryCard(story_id=str(i), title=f"Story {i}", url=None) for i in range(4)]
    gave_up = 0
    async with running_client(_client(), emu) as client:
        platform = DiscordPlatform(client)
        for card in stories:
            for _attempt in range(5):
                try:
                    await platform.post_story(
                        channel_id=cid, story=card, key=f"storm-{card.story_id}"
                    )
                    break
                except DeliveryError as exc:
                    assert exc.retryable, exc.reason
                    gave_up += 1
    titles = [m["embeds"][0]["title"] for m in emu.messages[int(cid)]]
    assert titles == ["Story 0", "Story 1", "Story 2", "Story 3"]
    assert gave_up == 2  # discord.py tries 5 times, then the outbox's retry takes over


async def test_hostile_headline_pings_no_one(discord_emulator: DiscordEmulator) -> None:
    emu = discord_emulator
    cid = str(emu.guilds[0].text_channel)
    async with running_client(_client(), emu) as client:
        await DiscordPlatform(client).post_story(channel_id=cid, story=HOSTILE, key="evil")
    body = next(c.body for c in emu.calls if c.method == "POST" and c.path.endswith("/messages"))
    assert body["allowed_mentions"] == {"parse": []}
    title = body["embeds"][0]["title"]
    assert "@everyone" not in title and "@\u200beveryone" in title


async def test_unknown_channel_is_a_permanent_failure(discord_emulator: DiscordEmulator) -> None:
    async with running_client(_client(), discord_emulator) as client:
        with pytest.raises(DeliveryError) as failed:
            await DiscordPlatform(client).post_story(channel_id="12345", story=STORY, key="x")
    assert not failed.value.retryable and "404" in failed.value.reason


@pytest.mark.parametrize("card", [LONG, HOSTILE, EMPTY], ids=["long", "hostile", "empty"])
async def test_long_hostile_and_empty_stories_are_accepted_within_limits(
    discord_emulator: DiscordEmulator, card: StoryCard
) -> None:
    emu = discord_emulator
    cid = str(emu.guilds[0].text_channel)
    forum = str(emu.guilds[0].forum_channel)
    async with running_client(_client(), emu) as client:
        platform = DiscordPlatform(client)
        story = await platform.post_story(channel_id=cid, story=card, key="a")
        opened = await platform.open_thread(
            channel_id=cid, message_id=story.message_id, story=card, key="b"
        )
        post = await platform.post_story(channel_id=forum, story=card, key="c")
    assert len(emu.messages[int(opened.thread_id or 0)]) == 1
    assert post.thread_id is not None and int(post.thread_id) in emu.threads


async def test_story_posted_before_the_nonce_window_is_found_by_its_footer(
    discord_emulator: DiscordEmulator,
) -> None:
    """Discord checks nonces for minutes only; after a long outage the footer still matches,
    while a command's public reply showing the same story does not count."""
    emu = discord_emulator
    spec = emu.guilds[0]
    cid = str(spec.text_channel)
    client = make_client(guild_ready_timeout=0.05)
    tree = app_commands.CommandTree(client)

    @tree.command(name="story", description="Show a story", guild=discord.Object(spec.id))
    async def show(interaction: discord.Interaction) -> None:
        embed = discord.Embed.from_dict(discord_payloads.story_message(STORY)["embeds"][0])
        await interaction.response.send_message(embed=embed)

    async with running_client(client, emu):
        await tree.sync(guild=discord.Object(spec.id))
        reply = await emu.send_slash_command("story")
        await emu.wait_for(lambda: emu.callbacks.get(int(reply["id"])))
        platform = DiscordPlatform(client)
        first = await platform.post_story(channel_id=cid, story=STORY, key="before-outage")
        assert not first.already_posted
        later = await platform.post_story(channel_id=cid, story=STORY, key="after-outage")
        other = await platform.post_story(
            channel_id=cid, story=StoryCard(story_id="420", title="Other", url=None), key="o"
        )
    assert later.already_posted and later.message_id == first.message_id
    assert not other.already_posted
    kinds = [m["type"] for m in emu.messages[int(cid)]]
    assert kinds == [20, 0, 0]


async def test_notices_repeat_and_never_count_as_stories(discord_emulator: DiscordEmulator) -> None:
    emu = discord_emulator
    cid = str(emu.guilds[0].text_channel)
    forum = str(emu.guilds[0].forum_channel)
    failing = Notice("Feed “Harbour Gazette” is failing", ("HTTP 500 three times",), None)
    async with running_client(_client(), emu) as client:
        platform = DiscordPlatform(client)
        first = await platform.post_notice(channel_id=cid, notice=failing, key="n1")
        second = await platform.post_notice(channel_id=cid, notice=failing, key="n2")
        again = await platform.post_notice(channel_id=cid, notice=failing, key="n2")
        in_forum = await platform.post_notice(channel_id=forum, notice=failing, key="n3")
    assert first.message_id != second.message_id == again.message_id
    titles = [m["embeds"][0]["title"] for m in emu.messages[int(cid)]]
    assert titles == ["⚠ Feed “Harbour Gazette” is failing"] * 2
    assert in_forum.thread_id is not None and int(in_forum.thread_id) in emu.threads


@pytest.mark.parametrize("fault", ["dropped", "server error"])
async def test_a_forum_notice_lost_after_accept_is_found_by_its_key(
    discord_emulator: DiscordEmulator, fault: str
) -> None:
    emu = discord_emulator
    forum = str(emu.guilds[0].forum_channel)
    failing = Notice("Feed “Harbour Gazette” is failing", ("HTTP 500 three times",), None)
    route = rf"/channels/{forum}/threads$"
    if fault == "dropped":
        emu.drop_after_accept(route)
    else:
        emu.fail_after_accept(route, status=502)
    async with running_client(_client(), emu) as client:
        platform = DiscordPlatform(client)
        with pytest.raises(DeliveryError) as lost:
            await platform.post_notice(channel_id=forum, notice=failing, key="h7")
        assert lost.value.retryable
        again = await platform.post_notice(channel_id=forum, notice=failing, key="h7")
        repeat = await platform.post_notice(channel_id=forum, notice=failing, key="h8")
    first, second = emu.threads.values()
    assert again.already_posted and again.thread_id == first["id"]
    assert not repeat.already_posted and repeat.thread_id == second["id"]
    assert emu.messages[int(first["id"])][0]["embeds"][0]["footer"]["text"] == "Notice h7"
