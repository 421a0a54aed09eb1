"""Slash commands end to end on Discord: the real discord.py (app_commands) against the loopback
emulator, the real store, worker and guarded fetcher, feeds and articles served on loopback.
An OPML file for `/feeds import` is an attachment kept on the emulator's CDN; `/feeds export`
answers with the file in a multipart response."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from discord import app_commands

from bot.commands import Commands
from bot.commands.context import Reply
from bot.demo.server import ContentServer
from bot.feeds.fetch import Fetcher
from bot.feeds.opml import OpmlFeed, parse_opml, write_opml
from bot.platforms.discord import make_client
from bot.platforms.discord_commands import register_commands, reply_message
from bot.store import Store
from tests.emulators.discord_emulator import (
    ADMINISTRATOR,
    EVERYONE_PERMISSIONS,
    MANAGE_GUILD,
    DiscordEmulator,
    running_client,
)
from tests.feed_site import Clock, exempt_fetcher, make_worker

MOD = EVERYONE_PERMISSIONS | MANAGE_GUILD
EPHEMERAL = 64


@pytest.fixture
async def content() -> AsyncIterator[ContentServer]:
    async with ContentServer() as server:
        yield server


@pytest.fixture
async def fetcher(content: ContentServer) -> AsyncIterator[Fetcher]:
    async with exempt_fetcher(content, total_timeout=10.0) as f:
        yield f


@pytest.fixture
def log_records(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """discord.py swallows handler errors into its logger; keep them for failure messages."""
    caplog.set_level(logging.WARNING)
    return caplog


def sub(name: str, **options: Any) -> list[dict[str, Any]]:
    """The interaction options of `/group name opt=value …` (a subcommand, type 1)."""
    inner = []
    for key, value in options.items():
        kind = 4 if isinstance(value, int) else 3
        inner.append({"type": kind, "name": key, "value": value})
    return [{"type": 1, "name": name, "options": inner}]


async def answers(emu: DiscordEmulator, interaction: dict[str, Any]) -> list[dict[str, Any]]:
    """The callback (and, when deferred, the follow-up) the bot sent for an interaction."""
    iid = int(interaction["id"])
    callbacks = await emu.wait_for(lambda: emu.callbacks.get(iid), within=20)
    if callbacks[0]["type"] != 5:
        return callbacks
    followup = await emu.wait_for(
        lambda: [f for f in emu.followups if f["interaction_id"] == str(iid)], within=20
    )
    return [*callbacks, *followup]


class Bot:
    def __init__(self, store: Store, fetcher: Fetcher) -> None:
        self.clock = Clock()
        self.commands = Commands(store=store, fetcher=fetcher, clock=self.clock)
        self.client = make_client(guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self.client)
        register_commands(self.tree, self.commands)


async def test_commands_are_registered_from_the_table_with_moderator_defaults(
    store: Store, fetcher: Fetcher, discord_emulator: DiscordEmulator
) -> None:
    emu = discord_emulator
    bot = Bot(store, fetcher)
    async with running_client(bot.client, emu):
        await bot.tree.sync()
    registered = {c["name"]: c for c in emu.commands["global"]}
    assert sorted(registered) == ["digest", "feeds", "news"]
    assert int(registered["feeds"]["default_member_permissions"]) == MANAGE_GUILD
    assert int(registered["digest"]["default_member_permissions"]) == MANAGE_GUILD
    assert registered["news"]["default_member_permissions"] is None
    subs = {o["name"]: o for o in registered["feeds"]["options"]}
    assert sorted(subs) == [
        "add", "export", "health-channel", "import", "list", "pause", "ping", "remove", "resume"
    ]  # fmt: skip
    (file_opt,) = (o for o in subs["import"]["options"] if o["name"] == "file")
    assert file_opt["type"] == 11 and file_opt["required"] is True
    ping_opts = {o["name"]: o for o in subs["ping"]["options"]}
    assert ping_opts["role"]["type"] == 8 and not ping_opts["role"].get("required")
    feed_opt = next(o for o in subs["remove"]["options"] if o["name"] == "feed")
    assert feed_opt["autocomplete"] is True and feed_opt["required"] is True
    add_opts = {o["name"]: o for o in subs["add"]["options"]}
    assert subs["add"]["options"][0]["name"] == "url" and add_opts["url"]["required"]
    assert add_opts["channel"]["type"] == 7 and not add_opts["channel"].get("required")
    story = next(o for o in registered["news"]["options"] if o["name"] == "story")
    (story_id,) = story["options"]
    assert story_id["type"] == 4 and story_id["min_value"] == 1


async def test_moderator_adds_a_feed_member_is_refused_and_searches(
    store: Store,
    fetcher: Fetcher,
    content: ContentServer,
    discord_emulator: DiscordEmulator,
    log_records: pytest.LogCaptureFixture,
) -> None:
    emu = discord_emulator
    guild = emu.guilds[0]
    bot = Bot(store, fetcher)
    feed_url = content.url("/feeds/gazette.rss")
    async with running_client(bot.client, emu):
        refused = await emu.send_slash_command("feeds", sub("add", url=feed_url))
        (answer,) = await answers(emu, refused)
        assert answer["type"] == 4 and answer["data"]["flags"] == EPHEMERAL
        assert "\n" not in answer["data"]["content"]
        assert "for moderators" in answer["data"]["content"], log_records.text

        added = await emu.send_slash_command(
            "feeds", sub("add", url=feed_url), roles=[guild.moderator_role], permissions=MOD
        )
        deferred, followup = await answers(emu, added)
        assert deferred["type"] == 5 and deferred["data"]["flags"] == EPHEMERAL
        assert "now follows “Riverton Gazette”" in followup["content"], log_records.text
        assert followup["content"].startswith(f"<#{guild.text_channel}> now follows")
        assert "feed 1, 3 items" in followup["content"]
        assert followup["flags"] == EPHEMERAL
        assert followup["allowed_mentions"] == {"parse": []}
        (preview,) = followup["embeds"]
        assert preview["title"].startswith("Hundreds evacuated")
        assert preview["description"].count("•") >= 2, "key facts of the latest item"

        await make_worker(store, fetcher, bot.clock).run_once()
        found = await emu.send_slash_command("news", sub("search", words="bridge"))
        (answer,) = await answers(emu, found)
        text = answer["data"]["content"]
        assert answer["data"]["flags"] == EPHEMERAL
        assert "harbour bridge" in text.lower() and "**" in text, "snippet with the hit in bold"
        assert answer["data"]["embeds"][0]["title"].startswith("Riverton council approves")
    assert not [r for r in log_records.records if r.name.startswith("bot.")]


async def test_summarize_of_a_local_article_is_deferred_and_posted_in_the_channel(
    store: Store,
    fetcher: Fetcher,
    content: ContentServer,
    discord_emulator: DiscordEmulator,
    log_records: pytest.LogCaptureFixture,
) -> None:
    emu = discord_emulator
    bot = Bot(store, fetcher)
    async with running_client(bot.client, emu):
        asked = await emu.send_slash_command(
            "news", sub("summarize", url=content.url("/articles/bridge.html"))
        )
        deferred, followup = await answers(emu, asked)
        bad = await emu.send_slash_command("news", sub("summarize", url="ftp://x"))
        refusal, error = await answers(emu, bad)
    assert deferred["type"] == 5 and not deferred.get("data", {}).get("flags")
    (card,) = followup["embeds"]
    assert card["title"].startswith("Riverton council approves new harbour bridge"), (
        log_records.text
    )
    assert card["fields"], "quotes with their speakers"
    assert all(f["name"].startswith("— ") for f in card["fields"])
    assert refusal["type"] == 5  # deferred in the channel: the error could not be known yet
    assert emu.deleted_originals == [bad["id"]], "the public 'thinking…' withdrawn"
    assert error["content"].startswith("⚠️") and "\n" not in error["content"]
    assert error["flags"] == EPHEMERAL


async def test_a_follow_up_answered_with_a_server_error_is_not_sent_twice(
    store: Store,
    fetcher: Fetcher,
    content: ContentServer,
    discord_emulator: DiscordEmulator,
    log_records: pytest.LogCaptureFixture,
) -> None:
    """Discord took the follow-up and answered 500: discord.py would re-send it a second
    later (no nonce), posting the card twice in the channel."""
    emu = discord_emulator
    bot = Bot(store, fetcher)
    emu.fail_after_accept(r"/webhooks/\d+/[^/]+$", status=500)
    async with running_client(bot.client, emu):
        asked = await emu.send_slash_command(
            "news", sub("summarize", url=content.url("/articles/bridge.html"))
        )
        await answers(emu, asked)
        with pytest.raises(TimeoutError):  # discord.py's own re-send comes after 1 s
            await emu.wait_for(lambda: len(emu.followups) > 1, within=3)
        again = await emu.send_slash_command("news", sub("help"))
        await answers(emu, again)
    (followup,) = [f for f in emu.followups if f["interaction_id"] == asked["id"]]
    assert followup["embeds"][0]["title"].startswith("Riverton council approves")
    assert "not sent again" in log_records.text
    assert "/webhooks/" not in log_records.text, "the interaction token is not logged"


async def test_moderators_see_only_their_own_servers_feeds(
    store: Store,
    fetcher: Fetcher,
    content: ContentServer,
    discord_emulator: DiscordEmulator,
    log_records: pytest.LogCaptureFixture,
) -> None:
    emu = discord_emulator
    first = emu.guilds[0]
    second = emu.add_guild("Valley Chat")
    bot = Bot(store, fetcher)
    async with running_client(bot.client, emu):
        added = await emu.send_slash_command(
            "feeds", sub("add", url=content.url("/feeds/herald.atom")), permissions=MOD
        )
        await answers(emu, added)

        async def complete(guild: Any, permissions: int, typed: str) -> list[dict[str, Any]]:
            options = sub("remove", feed=typed)
            options[0]["options"][0]["focused"] = True
            typing = await emu.send_slash_command(
                "feeds", options, guild=guild, permissions=permissions, interaction_type=4
            )
            (answer,) = await answers(emu, typing)
            assert answer["type"] == 8
            return answer["data"]["choices"]

        mine = await complete(first, MOD, "coast")
        assert [c["name"] for c in mine] == ["1 · Coastal Herald"], log_records.text
        assert await complete(first, MOD, "gazette") == []
        assert await complete(second, ADMINISTRATOR | EVERYONE_PERMISSIONS, "") == []
        assert await complete(first, EVERYONE_PERMISSIONS, "") == [], "members get no names"

        theirs = await emu.send_slash_command(
            "feeds", sub("list"), guild=second, permissions=ADMINISTRATOR | EVERYONE_PERMISSIONS
        )
        (listing,) = await answers(emu, theirs)
        removed = await emu.send_slash_command(
            "feeds", sub("remove", feed=mine[0]["value"]), guild=second, permissions=MOD
        )
        (refusal,) = await answers(emu, removed)
        ours = await emu.send_slash_command("feeds", sub("list"), guild=first, permissions=MOD)
        (own,) = await answers(emu, ours)
    assert "Coastal Herald" not in listing["data"]["content"]
    assert "Coastal Herald" in own["data"]["content"]
    assert refusal["data"]["content"].startswith("⚠️")


def test_reply_text_is_escaped_and_cards_beyond_the_limits_are_counted() -> None:
    from bot.render.views import StoryCard

    cards = tuple(
        StoryCard(story_id=str(i), title=f"Story {i}", url=None, key_facts=("x" * 1000,) * 3)
        for i in range(12)
    )
    message = reply_message(Reply("@everyone look <@1> *now*", cards=cards, ephemeral=False))
    assert "@everyone" not in message["content"] and "\\*now\\*" in message["content"]
    assert 0 < len(message["embeds"]) < 12
    assert message["content"].endswith(f"{12 - len(message['embeds'])} more stories not shown.")
    assert message["ephemeral"] is False


def opml_file(*urls: str) -> bytes:
    feeds = [OpmlFeed(xml_url=url, title=f"Feed {i}") for i, url in enumerate(urls)]
    return write_opml(feeds, title="exported elsewhere", now=datetime(2026, 12, 7, tzinfo=UTC))


def import_options(
    emu: DiscordEmulator, data: bytes, **kw: int
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    value, resolved = emu.attachment("feeds.opml", data, **kw)
    options = [{"type": 1, "name": "import", "options": [{"type": 11, "name": "file", **value}]}]
    return options, resolved


async def test_attached_opml_is_imported_and_export_comes_back_as_a_file(
    store: Store, fetcher: Fetcher, content: ContentServer, discord_emulator: DiscordEmulator
) -> None:
    emu = discord_emulator
    guild = emu.guilds[0]
    bot = Bot(store, fetcher)
    feeds = content.feed_urls[:2]
    async with running_client(bot.client, emu):
        options, resolved = import_options(emu, opml_file(*feeds, "http://127.0.0.1:9/rss"))
        sent = await emu.send_slash_command(
            "feeds", options, roles=[guild.moderator_role], permissions=MOD, resolved=resolved
        )
        deferred, followup = await answers(emu, sent)
        assert deferred["type"] == 5 and deferred["data"]["flags"] == EPHEMERAL
        head, *lines = followup["content"].splitlines()
        assert head.startswith(f"Import into <#{guild.text_channel}>: 3 outlines: 2 added")
        assert lines[0].startswith("refused: “Feed 2” http://127.0.0.1:9/rss: private address")
        assert [line.split(" ")[0] for line in lines] == ["refused:", "added:", "added:"]
        assert len(emu.cdn_reads) == 1
        subs = await store.channels.subscriptions(platform="discord", workspace_id=str(guild.id))
        assert sorted(f.url for _, f in subs) == sorted(feeds)

        exported = await emu.send_slash_command(
            "feeds",
            [{"type": 1, "name": "export", "options": []}],
            roles=[guild.moderator_role],
            permissions=MOD,
        )
        (answer,) = await answers(emu, exported)
        assert answer["type"] == 4 and answer["data"]["flags"] == EPHEMERAL
        assert "2 feeds in 1 channel" in answer["data"]["content"]
        (file,) = answer["_files"]
        assert file["filename"].endswith(".opml")
        back = parse_opml(file["data"])
        assert sorted(o.xml_url for o in back.outlines) == sorted(feeds)


async def test_an_oversized_or_hostile_attachment_gets_one_line_and_adds_nothing(
    store: Store, fetcher: Fetcher, discord_emulator: DiscordEmulator
) -> None:
    emu = discord_emulator
    guild = emu.guilds[0]
    bot = Bot(store, fetcher)
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE o [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<opml version="2.0"><body><outline text="&b;" xmlUrl="https://a.example/rss"/>'
        b"</body></opml>"
    )
    cases = [
        (import_options(emu, b"<opml/>", declared_size=50 * 1024 * 1024), "larger than 2 MB"),
        (import_options(emu, bomb), "declares a DTD or entities"),
        (import_options(emu, b"<opml><body><outline"), "not well-formed XML"),
    ]
    async with running_client(bot.client, emu):
        for (options, resolved), reason in cases:
            sent = await emu.send_slash_command(
                "feeds", options, roles=[guild.moderator_role], permissions=MOD, resolved=resolved
            )
            _, followup = await answers(emu, sent)
            text = followup["content"]
            assert text.startswith("⚠️ ") and "\n" not in text and reason in text, text
    assert len(emu.cdn_reads) == 2, "the declared 50 MB file is never read"
    assert await store.channels.subscriptions(platform="discord", workspace_id=str(guild.id)) == []


async def test_health_channel_takes_a_channel_option_and_names_it_as_a_mention(
    store: Store, fetcher: Fetcher, content: ContentServer, discord_emulator: DiscordEmulator
) -> None:
    emu = discord_emulator
    guild = emu.guilds[0]
    bot = Bot(store, fetcher)
    mods = guild.forum_channel
    channel = {"id": str(mods), "name": "mods", "type": 0, "permissions": str(MOD)}
    set_health = [
        {
            "type": 1,
            "name": "health-channel",
            "options": [{"type": 7, "name": "channel", "value": str(mods)}],
        }
    ]
    async with running_client(bot.client, emu):
        options, resolved = import_options(emu, opml_file(content.feed_urls[0]))
        sent = await emu.send_slash_command(
            "feeds", options, roles=[guild.moderator_role], permissions=MOD, resolved=resolved
        )
        await answers(emu, sent)
        sent = await emu.send_slash_command(
            "feeds",
            set_health,
            roles=[guild.moderator_role],
            permissions=MOD,
            resolved={"channels": {str(mods): channel}},
        )
        (answer,) = await answers(emu, sent)
    text = answer["data"]["content"]
    assert text.startswith("Notices about failing, disabled and recovered feeds of"), text
    assert f"<#{guild.text_channel}>" in text and f"now go to <#{mods}>" in text
    settings = await store.channels.settings(
        platform="discord", workspace_id=str(guild.id), channel_id=str(guild.text_channel)
    )
    assert settings is not None and settings.log_channel_id == str(mods)
