"""The Discord emulator, proven with the real discord.py client (gateway, REST, commands)."""

from __future__ import annotations

import aiohttp
import discord
import pytest
from discord import app_commands

from tests.emulators.discord_emulator import MANAGE_GUILD, DiscordEmulator, running_client


def _client() -> discord.Client:
    return discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)


async def test_login_ready_guild_and_slash_command_answered(
    discord_emulator: DiscordEmulator,
) -> None:
    emu = discord_emulator
    spec = emu.guilds[0]
    client = _client()
    tree = app_commands.CommandTree(client)
    seen: list[tuple[str, bool]] = []

    @tree.command(name="echo", description="Echo a word", guild=discord.Object(spec.id))
    @app_commands.default_permissions(manage_guild=True)
    async def echo(interaction: discord.Interaction, word: str) -> None:
        is_mod = interaction.permissions.manage_guild
        seen.append((word, is_mod))
        await interaction.response.send_message(f"echo {word} mod={is_mod}", ephemeral=True)

    async with running_client(client, emu):
        assert client.user is not None and client.user.id == emu.bot_id
        guild = client.get_guild(spec.id)
        assert guild is not None and guild.me is not None
        forum = guild.get_channel(spec.forum_channel)
        assert isinstance(forum, discord.ForumChannel)
        synced = await tree.sync(guild=discord.Object(spec.id))
        assert [c.name for c in synced] == ["echo"]
        assert int(emu.commands[str(spec.id)][0]["default_member_permissions"]) == MANAGE_GUILD

        member = await emu.send_slash_command("echo", [{"type": 3, "name": "word", "value": "hi"}])
        answers = await emu.wait_for(lambda: emu.callbacks.get(int(member["id"])))
        assert answers[0]["type"] == 4
        assert answers[0]["data"]["content"] == "echo hi mod=False"
        assert answers[0]["data"]["flags"] == 64
        mod = await emu.send_slash_command(
            "echo",
            [{"type": 3, "name": "word", "value": "yo"}],
            roles=[spec.moderator_role],
            permissions=MANAGE_GUILD | 1 << 11,
        )
        answers = await emu.wait_for(lambda: emu.callbacks.get(int(mod["id"])))
        assert answers[0]["data"]["content"] == "echo yo mod=True"
    assert seen == [("hi", False), ("yo", True)]
    assert [f["op"] for f in emu.gateway_frames[:2]] == [1, 2]
    assert emu.gateway_connections[0]["compressed"] == "True"
    assert all("Authorization" not in c.headers for c in emu.calls if "/callback" in c.path)


async def test_message_with_nonce_is_deduplicated_and_thread_opened_once(
    discord_emulator: DiscordEmulator,
) -> None:
    emu = discord_emulator
    spec = emu.guilds[0]
    client = _client()
    async with running_client(client, emu):
        channel = client.get_channel(spec.text_channel)
        assert isinstance(channel, discord.TextChannel)
        first = await channel.send(
            "story", nonce="nd:1:abc", allowed_mentions=discord.AllowedMentions.none()
        )
        again = await channel.send("story", nonce="nd:1:abc")
        assert first.id == again.id
        assert len(emu.messages[spec.text_channel]) == 1
        body = next(c.body for c in emu.calls if c.path.endswith("/messages"))
        assert body["enforce_nonce"] is True and body["allowed_mentions"] == {"parse": []}

        thread = await first.create_thread(name="Story thread")
        assert thread.id == first.id and thread.parent_id == spec.text_channel
        with pytest.raises(discord.HTTPException) as info:
            await first.create_thread(name="Story thread")
        assert info.value.code == 160004
        reply = await thread.send("first message in the thread")
        assert emu.messages[thread.id][0]["id"] == str(reply.id)


async def test_forum_post_creates_a_thread_with_its_starter_message(
    discord_emulator: DiscordEmulator,
) -> None:
    emu = discord_emulator
    spec = emu.guilds[0]
    client = _client()
    async with running_client(client, emu):
        forum = client.get_channel(spec.forum_channel)
        assert isinstance(forum, discord.ForumChannel)
        embed = discord.Embed(title="Bridge reopens", description="• It reopened.")
        made = await forum.create_thread(name="Bridge reopens", embed=embed)
        assert made.thread.name == "Bridge reopens"
        assert made.message.id == made.thread.id
        starter = emu.messages[made.thread.id][0]
        assert starter["embeds"][0]["title"] == "Bridge reopens"


async def test_rate_limited_send_is_retried_and_delivered(
    discord_emulator: DiscordEmulator,
) -> None:
    emu = discord_emulator
    spec = emu.guilds[0]
    emu.rate_limit("POST", rf"/channels/{spec.text_channel}/messages$", times=2, retry_after=0.01)
    client = _client()
    async with running_client(client, emu):
        channel = client.get_partial_messageable(spec.text_channel)
        msg = await channel.send("after the storm", nonce="nd:storm")
    posts = [c for c in emu.calls if c.method == "POST" and c.path.endswith("/messages")]
    assert len(posts) == 3
    assert {p.body["nonce"] for p in posts} == {"nd:storm"}
    assert [m["id"] for m in emu.messages[spec.text_channel]] == [str(msg.id)]


async def test_connection_dropped_after_accept_leaves_the_message_posted(
    discord_emulator: DiscordEmulator,
) -> None:
    emu = discord_emulator
    spec = emu.guilds[0]
    emu.drop_after_accept()
    client = _client()
    async with running_client(client, emu):
        channel = client.get_partial_messageable(spec.text_channel)
        with pytest.raises(aiohttp.ClientError):
            await channel.send("accepted, then lost", nonce="nd:crash")
        retried = await channel.send("accepted, then lost", nonce="nd:crash")
    assert [m["id"] for m in emu.messages[spec.text_channel]] == [str(retried.id)]


async def test_compressed_and_plain_gateway_both_reach_ready(
    discord_emulator: DiscordEmulator,
) -> None:
    emu = discord_emulator
    emu.compress = False
    async with running_client(_client(), emu) as client:
        assert client.get_guild(emu.guilds[0].id) is not None
    assert emu.identifies == 1
    assert emu.gateway_connections[0]["compress"] == "zlib-stream"
    assert emu.gateway_connections[0]["compressed"] == "False"


async def test_wrong_token_is_refused(discord_emulator: DiscordEmulator) -> None:
    client = _client()
    with pytest.raises(discord.LoginFailure):
        await client.login("not-the-token")
    await client.close()


async def test_embeds_beyond_discord_limits_are_refused(discord_emulator: DiscordEmulator) -> None:
    emu = discord_emulator
    async with running_client(_client(), emu) as client:
        channel = client.get_partial_messageable(emu.guilds[0].text_channel)
        too_long = discord.Embed(title="t", description="x" * 4097)
        with pytest.raises(discord.HTTPException) as refused:
            await channel.send(embed=too_long)
        assert refused.value.code == 50035
        six = [discord.Embed(title="t", description="y" * 1500) for _ in range(5)]
        with pytest.raises(discord.HTTPException):
            await channel.send(embeds=six)
    assert emu.messages.get(emu.guilds[0].text_channel, []) == []


class _NoWaitShardedClient(discord.AutoShardedClient):
    """discord.py spaces shard IDENTIFYs 5 s apart by default (Discord's identify limit)."""

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        return None


async def test_sharded_client_asks_for_shards_and_sees_every_guild(
    discord_emulator: DiscordEmulator,
) -> None:
    emu = discord_emulator
    second = emu.add_guild("Second Harbour")
    client = _NoWaitShardedClient(
        intents=discord.Intents.default(), guild_ready_timeout=0.05, shard_count=None
    )
    async with running_client(client, emu):
        await emu.wait_for(lambda: len(client.guilds) == 2)
        assert client.shard_count == 2
        assert {g.id for g in client.guilds} == {emu.guilds[0].id, second.id}
    assert sorted(emu.shards_identified) == [(0, 2), (1, 2)]
    assert any(c.path == "/gateway/bot" for c in emu.calls)


async def test_deferred_answer_with_followup_autocomplete_and_resume(
    discord_emulator: DiscordEmulator,
) -> None:
    emu = discord_emulator
    spec = emu.guilds[0]
    client = _client()
    tree = app_commands.CommandTree(client)
    feeds = ["Harbour Gazette", "Ferry Times", "Bridge Weekly"]

    @tree.command(name="pick", description="Pick a feed", guild=discord.Object(spec.id))
    async def pick(interaction: discord.Interaction, feed: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send(f"picked {feed}", ephemeral=True)

    @pick.autocomplete("feed")
    async def feed_names(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f, value=f) for f in feeds if current.lower() in f.lower()]

    async with running_client(client, emu):
        await tree.sync(guild=discord.Object(spec.id))
        typing = await emu.send_slash_command(
            "pick", [{"type": 3, "name": "feed", "value": "fer", "focused": True}],
            interaction_type=4,
        )  # fmt: skip
        choices = await emu.wait_for(lambda: emu.callbacks.get(int(typing["id"])))
        assert choices[0] == {
            "type": 8,
            "data": {"choices": [{"name": "Ferry Times", "value": "Ferry Times"}]},
        }

        await emu.send_reconnect()
        await emu.wait_for(lambda: emu.resumes == 1)
        run = await emu.send_slash_command(
            "pick", [{"type": 3, "name": "feed", "value": "Ferry Times"}]
        )
        await emu.wait_for(lambda: emu.followups)
    assert emu.callbacks[int(run["id"])][0]["type"] == 5
    assert emu.followups[0]["content"] == "picked Ferry Times"
    assert emu.followups[0]["flags"] == 64
    assert emu.identifies == 1
