"""Opt-in pings: members follow words in a channel, moderators give a feed a role (Slack: a
user group); a story that matches is followed by one message in its thread that mentions
exactly those members and that role, rate-limited per member, idempotent in the outbox, and
members who left are dropped instead of retried. Commands and delivery run through the real
discord.py and slack-bolt against the emulators."""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from discord import app_commands
from sqlalchemy import select

from bot.commands import Commands
from bot.digests.engine import deliver_pending, plan_due_digests
from bot.digests.pings import MAX_TOPICS_PER_MEMBER, PINGS_PER_WINDOW
from bot.digests.plan import plan_digest_now
from bot.feeds.fetch import Fetcher
from bot.platforms.console import ConsolePlatform, serve_commands
from bot.platforms.discord import DiscordPlatform, make_client
from bot.platforms.discord_commands import register_commands
from bot.platforms.slack import SlackPlatform, build_app, socket_mode_handler, web_client
from bot.platforms.slack_commands import register_commands as register_slack_commands
from bot.render import Ping, discord_payloads, plain, slack_payloads
from bot.store import Store
from bot.store.models import Follow, Post
from tests.emulators.discord_emulator import (
    EVERYONE_PERMISSIONS,
    MANAGE_GUILD,
    DiscordEmulator,
    running_client,
)
from tests.emulators.slack_emulator import SlackEmulator
from tests.feed_site import Clock
from tests.support.commands import ctx, make_commands
from tests.support.newsroom import Crash, CrashAfterAccept, Newsroom

T0 = datetime(2026, 4, 2, 8, 0, tzinfo=UTC)
MOD = ctx(moderator=True)
HOSTILE_TOPIC = "@everyone <@999999999> <!channel> ferry"


@pytest.fixture
async def commands(store: Store) -> AsyncIterator[Commands]:
    async with Fetcher() as fetcher:
        yield make_commands(store, fetcher, Clock(T0))


# --- commands -------------------------------------------------------------------------------


async def test_follow_unfollow_and_following_are_per_member_and_channel(
    commands: Commands, store: Store
) -> None:
    reply = await commands.handle(
        ctx(), "news", "follow", {"words": "Ferry  Strike, rail, ferry strike"}
    )
    assert not reply.error and reply.ephemeral and "“ferry strike”, “rail”" in reply.text
    again = await commands.handle(ctx(), "news", "follow", {"words": "rail"})
    assert "Already followed: “rail”" in again.text
    await commands.handle(ctx(channel="C2"), "news", "follow", {"words": "harbour"})
    await commands.handle(ctx(user="U2"), "news", "follow", {"words": "bridge"})
    await commands.handle(ctx(workspace="W2"), "news", "follow", {"words": "tram"})
    listing = await commands.handle(ctx(), "news", "following", {})
    assert listing.plain_text().splitlines() == [
        f"You follow 3 of at most {MAX_TOPICS_PER_MEMBER} topics:",
        "#C1: “ferry strike”, “rail”",
        "#C2: “harbour”",
    ]
    gone = await commands.handle(ctx(), "news", "unfollow", {"words": "rail, tram"})
    assert not gone.error and "“rail”" in gone.text and "tram" not in gone.text
    missing = await commands.handle(ctx(), "news", "unfollow", {"words": "tram"})
    assert missing.error and "\n" not in missing.text
    nothing = await commands.handle(ctx(user="U9"), "news", "following", {})
    assert "You follow no topics" in nothing.text


@pytest.mark.parametrize(
    ("words", "expected"),
    [(" , ,", "give the words"), ("x" * 101, "at most 100"), ("…, ——", "no word")],
)
async def test_bad_topics_are_one_line_refusals(
    commands: Commands, store: Store, words: str, expected: str
) -> None:
    reply = await commands.handle(ctx(), "news", "follow", {"words": words})
    assert reply.error and "\n" not in reply.text and expected in reply.text, reply.text
    assert await store.follows.count(platform="discord", workspace_id="W1", user_id="U1") == 0


async def test_a_member_follows_a_bounded_number_of_topics(
    commands: Commands, store: Store
) -> None:
    words = ", ".join(f"topic{i}" for i in range(MAX_TOPICS_PER_MEMBER - 1))
    await commands.handle(ctx(), "news", "follow", {"words": words})
    reply = await commands.handle(ctx(channel="C2"), "news", "follow", {"words": "last, extra"})
    assert not reply.error and "“last”" in reply.text and "limit" in reply.text
    over = await commands.handle(ctx(), "news", "follow", {"words": "more"})
    assert over.error and "\n" not in over.text and "limit" in over.text
    count = await store.follows.count(platform="discord", workspace_id="W1", user_id="U1")
    assert count == MAX_TOPICS_PER_MEMBER


async def _subscribed(store: Store, *, platform: str = "discord", workspace: str = "W1",
                      channel: str = "C1") -> tuple[Newsroom, Any]:  # fmt: skip
    room = Newsroom(store, now=T0, platform=platform)
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, workspace=workspace, channel=channel)
    return room, feed


async def _roles(store: Store, platform: str = "discord", workspace: str = "W1") -> list[Any]:
    rows = await store.channels.subscriptions(platform=platform, workspace_id=workspace)
    return [sub.ping_role_id for sub, _ in rows]


async def test_feeds_ping_sets_and_clears_a_role_for_moderators_only(
    commands: Commands, store: Store
) -> None:
    _, feed = await _subscribed(store)
    refused = await commands.handle(
        ctx(), "feeds", "ping", {"feed": str(feed.id), "role": "123456789"}
    )
    assert refused.error and await _roles(store) == [None]
    for bad in ("W1", "@everyone", "ferry watchers", "<@123456789>"):
        reply = await commands.handle(MOD, "feeds", "ping", {"feed": str(feed.id), "role": bad})
        assert reply.error and "\n" not in reply.text, bad
    everyone = CommandContext_for_guild("123456789")
    reply = await commands.handle(
        everyone, "feeds", "ping", {"feed": str(feed.id), "role": "123456789"}
    )
    assert reply.error and "@everyone" in reply.text
    ok = await commands.handle(
        MOD, "feeds", "ping", {"feed": str(feed.id), "role": "<@&555555555>"}
    )
    assert not ok.error and "<@&555555555>" in ok.text
    assert await _roles(store) == ["555555555"]
    nope = await commands.handle(MOD, "feeds", "ping", {"feed": "999", "role": "555555555"})
    assert nope.error and "no such feed" in nope.text
    cleared = await commands.handle(MOD, "feeds", "ping", {"feed": str(feed.id)})
    assert "mention nobody" in cleared.text and await _roles(store) == [None]


def CommandContext_for_guild(guild_id: str):  # type: ignore[no-untyped-def]
    return ctx(moderator=True, workspace=guild_id)


async def test_slack_user_group_is_read_from_the_command_text(
    commands: Commands, store: Store
) -> None:
    _, feed = await _subscribed(store, platform="slack", workspace="T1")
    mod = ctx(moderator=True, platform="slack", workspace="T1")
    reply = await commands.handle_text(
        mod, f"ping {feed.id} <!subteam^S0FERRY|@ferry>", group="feeds"
    )
    assert not reply.error, reply.text
    assert await _roles(store, "slack", "T1") == ["S0FERRY"]
    bad = await commands.handle_text(mod, f"ping {feed.id} role: <!channel>", group="feeds")
    assert bad.error and await _roles(store, "slack", "T1") == ["S0FERRY"]


# --- planning -------------------------------------------------------------------------------


async def _follow(store: Store, user: str, words: str, *, platform: str = "discord",
                  workspace: str = "W1", channel: str = "C1") -> None:  # fmt: skip
    await store.follows.follow(platform=platform, workspace_id=workspace, channel_id=channel,
                               user_id=user, topics=tuple(w.strip() for w in words.split(",")),
                               limit=10)  # fmt: skip


async def _posts(store: Store) -> list[Post]:
    async with store.session(readonly=True) as s:
        return list((await s.scalars(select(Post).order_by(Post.id))).all())


async def test_matching_stories_queue_one_ping_after_their_story(store: Store) -> None:
    room, feed = await _subscribed(store)
    await _follow(store, "111111111", "ferry strike")
    await _follow(store, "222222222", "rail")
    await _follow(store, "333333333", "bridge")
    strike = await room.story(feed, "Ferry strike called off", facts=["Crews return."])
    railway = await room.story(feed, "Railway museum opens", facts=["The museum is new."])
    rail = await room.story(feed, "Harbour news", facts=["Rail services resume on Monday."])
    assert await plan_due_digests(store, now=T0)
    posts = await _posts(store)
    kinds = [(p.kind, p.story_id) for p in posts]
    pings = [p for p in posts if p.kind == "ping"]
    assert {p.story_id for p in pings} == {strike.id, rail.id}, "whole words: rail ≠ railway"
    for ping in pings:
        assert kinds.index(("ping", ping.story_id)) == kinds.index(("story", ping.story_id)) + 1
        assert ping.idempotency_key.startswith("p")
    by_story = {p.story_id: p.payload["ping"] for p in pings}
    assert by_story[strike.id]["user_ids"] == ["111111111"]
    assert by_story[strike.id]["topics"] == ["ferry strike"]
    assert by_story[rail.id]["user_ids"] == ["222222222"]
    assert railway.id not in by_story


async def test_pings_are_rate_limited_per_member_and_the_window_resets(store: Store) -> None:
    room, feed = await _subscribed(store)
    await _follow(store, "111111111", "ferry")
    for i in range(PINGS_PER_WINDOW + 2):
        await room.story(feed, f"Ferry news {i}", facts=[f"Ferry fact {i}."],
                         at=T0 - timedelta(minutes=i))  # fmt: skip
    assert await plan_due_digests(store, now=T0)
    pings = [p for p in await _posts(store) if p.kind == "ping"]
    assert len(pings) == PINGS_PER_WINDOW
    later = T0 + timedelta(hours=1, minutes=1)
    room.now = later
    await room.story(feed, "Ferry news late", facts=["Ferry late fact."], at=later)
    assert await plan_digest_now(store, platform="discord", workspace_id="W1",
                                 channel_id="C1", now=later)  # fmt: skip
    pings = [p for p in await _posts(store) if p.kind == "ping"]
    assert len(pings) == PINGS_PER_WINDOW + 1


async def test_a_feed_role_is_pinged_for_its_stories_and_nothing_without_match(
    store: Store,
) -> None:
    room, feed = await _subscribed(store)
    other = await room.feed("Other Paper")
    await room.subscribe(other, workspace="W1", channel="C1")
    rows = await store.channels.subscriptions(platform="discord", workspace_id="W1")
    sub = next(s for s, f in rows if f.id == feed.id)
    await store.channels.set_ping_role(platform="discord", workspace_id="W1",
                                       subscription_id=sub.id, role_id="555555555")  # fmt: skip
    mine = await room.story(feed, "Harbour news", facts=["Nothing anyone follows."])
    await room.story(other, "Other news", facts=["Nothing here either."])
    assert await plan_due_digests(store, now=T0)
    (ping,) = [p for p in await _posts(store) if p.kind == "ping"]
    assert ping.story_id == mine.id
    assert ping.payload["ping"] == {"story_id": str(mine.id), "user_ids": [],
                                    "role_ids": ["555555555"], "topics": []}  # fmt: skip


# --- render ---------------------------------------------------------------------------------


def test_ping_payloads_mention_exactly_the_named_ids() -> None:
    ping = Ping("7", user_ids=("111111111", "222222222", "not-an-id"), role_ids=("555555555",),
                topics=(HOSTILE_TOPIC,))  # fmt: skip
    body = discord_payloads.ping(ping)
    assert body["allowed_mentions"] == {"parse": [], "users": ["111111111", "222222222"],
                                        "roles": ["555555555"]}  # fmt: skip
    content = body["content"]
    assert content.startswith("🔔 <@111111111> <@222222222> <@&555555555> — you follow: ")
    assert (
        "<@999999999>" not in content and "@everyone" not in content and "not-an-id" not in content
    )
    args = slack_payloads.ping(Ping("7", user_ids=("U0MEMBER", "<!channel>"), role_ids=("S0FERRY",),
                                    topics=(HOSTILE_TOPIC,)))  # fmt: skip
    assert args["text"].startswith(":bell: <@U0MEMBER> <!subteam^S0FERRY> — you follow: ")
    assert "<!channel>" not in args["text"] and "&lt;!channel&gt;" in args["text"]
    assert not args["link_names"]
    assert discord_payloads.ping(Ping("7", user_ids=("x",)))["content"] == ""
    assert slack_payloads.ping(Ping("7"))["text"] == ""
    assert (
        plain.ping(Ping("7", user_ids=("U1",), topics=("rail",))) == "[ping] @U1 — you follow: rail"
    )


async def test_console_prints_the_ping_in_the_thread_once(store: Store) -> None:
    room, feed = await _subscribed(store, platform="console")
    await _follow(store, "operator", "ferry", platform="console")
    await room.story(feed, "Ferry returns", facts=["The ferry is back."])
    assert await plan_due_digests(store, now=T0)
    out = io.StringIO()
    console = {"console": ConsolePlatform(out)}
    await deliver_pending(store, console, worker_id="t", now=T0)
    await deliver_pending(store, console, worker_id="t", now=T0)
    assert out.getvalue().count("[ping] @operator — you follow: ferry") == 1


# --- Discord, end to end ----------------------------------------------------------------------


@pytest.fixture
def log_records(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING)
    return caplog


def _sub(name: str, **options: Any) -> list[dict[str, Any]]:
    kinds = {"role": 8, "feed": 3, "words": 3}
    inner = [{"type": kinds[k], "name": k, "value": v} for k, v in options.items()]
    return [{"type": 1, "name": name, "options": inner}]


async def _answer(emu: DiscordEmulator, interaction: dict[str, Any]) -> dict[str, Any]:
    iid = int(interaction["id"])
    (callback,) = await emu.wait_for(lambda: emu.callbacks.get(iid), within=20)
    return callback


async def test_discord_follow_role_and_ping_with_exact_allowed_mentions(
    store: Store, discord_emulator: DiscordEmulator, log_records: pytest.LogCaptureFixture
) -> None:
    emu = discord_emulator
    guild = emu.guilds[0]
    workspace, channel = str(guild.id), str(guild.text_channel)
    follower, departed = guild.member_ids[-1], 1_399_999_999_999_999_999
    room, feed = await _subscribed(store, workspace=workspace, channel=channel)
    async with Fetcher() as fetcher:
        commands = Commands(store=store, fetcher=fetcher, clock=Clock(T0))
        client = make_client(guild_ready_timeout=0.05)
        tree = app_commands.CommandTree(client)
        register_commands(tree, commands)
        async with running_client(client, emu):
            await tree.sync()
            asked = await emu.send_slash_command("news", _sub("follow", words="ferry, strike"))
            answer = await _answer(emu, asked)
            assert "You follow “ferry”, “strike”" in answer["data"]["content"], log_records.text
            role = str(guild.moderator_role)
            pinged = await emu.send_slash_command(
                "feeds", _sub("ping", feed=str(feed.id), role=role),
                permissions=EVERYONE_PERMISSIONS | MANAGE_GUILD, roles=[guild.moderator_role],
                resolved={"roles": {role: emu.role_payload(guild)}},
            )  # fmt: skip
            answer = await _answer(emu, pinged)
            assert "mentions" in answer["data"]["content"], log_records.text
            assert answer["data"]["allowed_mentions"] == {"parse": []}

            await _follow(store, str(departed), "ferry", workspace=workspace, channel=channel)
            story = await room.story(feed, "Ferry strike ends @everyone", facts=["Crews return."])
            assert await plan_due_digests(store, now=T0)
            (key,) = [p.idempotency_key for p in await _posts(store) if p.kind == "ping"]
            dying = CrashAfterAccept(DiscordPlatform(client), key)
            with pytest.raises(Crash):
                await deliver_pending(store, {"discord": dying}, worker_id="old", now=T0,
                                      lease_s=60)  # fmt: skip
            after = T0 + timedelta(seconds=61)
            report = await deliver_pending(store, {"discord": DiscordPlatform(client)},
                                           worker_id="new", now=after)  # fmt: skip
            assert report.failed == 0 and report.retrying == 0
    (story_message,) = [m for m in emu.messages[guild.text_channel] if m["embeds"]]
    thread = emu.messages[int(story_message["id"])]
    pings = [m for m in thread if m["content"].startswith("🔔")]
    assert len(pings) == 1, "mentioned once, even after a crash"
    assert pings[0]["content"].startswith(
        f"🔔 <@{follower}> <@&{role}> — you follow: ferry, strike"
    )
    bodies = [c.body for c in emu.calls if c.method == "POST" and c.path.endswith("/messages")]
    mentioning = [b for b in bodies if b["allowed_mentions"] != {"parse": []}]
    assert mentioning and all(b["content"].startswith("🔔") for b in mentioning)
    for body in mentioning:
        assert body["allowed_mentions"] == {"parse": [], "users": [follower], "roles": [int(role)]}
    assert story.id
    follows = await store.follows.following(platform="discord", workspace_id=workspace,
                                            user_id=str(departed))  # fmt: skip
    assert follows == [], "a member who left is forgotten, not retried"
    lookups = [c for c in emu.calls if c.path.endswith(f"/members/{departed}")]
    assert len(lookups) >= 1


# --- Slack, end to end ------------------------------------------------------------------------


async def test_slack_follow_user_group_and_ping_mentions_only_those(
    store: Store, slack_emulator: SlackEmulator
) -> None:
    emu = slack_emulator
    emu.deactivated.add("U0GONE")
    room, feed = await _subscribed(store, platform="slack", workspace=emu.team_id, channel="C0NEWS")
    async with Fetcher() as fetcher:
        commands = Commands(store=store, fetcher=fetcher, clock=Clock(T0))
        client = web_client(token=emu.bot_token, base_url=emu.api_url)
        app = build_app(client=client, signing_secret=emu.signing_secret)
        register_slack_commands(app, commands, moderator_ids=[])
        handler = socket_mode_handler(app, app_token=emu.app_token)
        await handler.connect_async()
        try:
            await emu.send_slash_command("/news", "follow ferry", user_id="U0MEMBER")
            await emu.send_slash_command("/news", "follow ferry", user_id="U0GONE")
            await emu.send_slash_command(
                "/feeds", f"ping {feed.id} <!subteam^S0FERRY|@ferry>", user_id="U0ADMIN"
            )
            await emu.wait_for(lambda: len(emu.responses) >= 3, within=20)
        finally:
            await handler.close_async()
    texts = [r["text"] for r in emu.responses]
    assert any("You follow “ferry”" in t for t in texts) and any("S0FERRY" in t for t in texts), (
        texts
    )
    await room.story(feed, "Ferry returns <!channel>", facts=["The ferry is back."])
    assert await plan_due_digests(store, now=T0)
    slack = {"slack": SlackPlatform(web_client(token=emu.bot_token, base_url=emu.api_url),
                                    min_interval=0)}  # fmt: skip
    await deliver_pending(store, slack, worker_id="b", now=T0)
    await deliver_pending(store, slack, worker_id="b", now=T0 + timedelta(minutes=1))
    (story,) = [m for m in emu.channels["C0NEWS"] if "Ferry returns" in m["text"]]
    replies = story["replies"]
    pings = [r for r in replies if r["text"].startswith(":bell:")]
    assert len(pings) == 1
    assert pings[0]["text"] == ":bell: <@U0MEMBER> <!subteam^S0FERRY> — you follow: ferry"
    sent = [c.args for c in emu.calls_of("chat.postMessage")]
    mentions = [a for a in sent if "<@" in str(a.get("text")) or "subteam" in str(a.get("text"))]
    assert len(mentions) == 1
    assert "<!channel>" not in str(sent)
    gone = await store.follows.following(platform="slack", workspace_id=emu.team_id,
                                         user_id="U0GONE")  # fmt: skip
    assert gone == []
    async with store.session(readonly=True) as s:
        left = (await s.scalars(select(Follow.user_id))).all()
    assert left == ["U0MEMBER"]


async def _lines(*lines: str) -> AsyncIterator[str]:
    for line in lines:
        yield line


async def test_console_commands_follow_layout_and_size_and_the_digest_follows_them(
    commands: Commands, store: Store
) -> None:
    room, feed = await _subscribed(store, platform="console", workspace="console",
                                   channel="console")  # fmt: skip
    out = io.StringIO()
    ran = await serve_commands(commands, _lines(
        "/news follow ferry", "/digest layout compact", "/digest size 2",
        f"/feeds ping {feed.id} role: crew", "/news following",
    ), out=out)  # fmt: skip
    assert ran == 5 and "error:" not in out.getvalue(), out.getvalue()
    for i in range(3):
        await room.story(
            feed, f"Ferry item {i}", facts=[f"Fact {i}."], at=T0 - timedelta(minutes=i)
        )
    assert await plan_due_digests(store, now=T0)
    printed = io.StringIO()
    await deliver_pending(store, {"console": ConsolePlatform(printed)}, worker_id="t", now=T0)
    text = printed.getvalue()
    assert text.count("[story ") == 2, text
    assert text.count("[ping] @operator @&crew — you follow: ferry") == 2
