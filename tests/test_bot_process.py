"""`newsdigest bot discord|slack` in-process: settings in, the real discord.py / slack-bolt
against the emulators, a moderator's `/digest now` wakes delivery at once and the digest lands
with a thread per story; the process stops cleanly when told to."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.config import Settings
from bot.run_cli import serve
from bot.store import Store
from bot.store.types import utcnow
from tests.emulators.discord_emulator import EVERYONE_PERMISSIONS, MANAGE_GUILD, DiscordEmulator
from tests.emulators.slack_emulator import SlackEmulator
from tests.support.newsroom import Newsroom


async def test_digest_now_is_delivered_with_threads_without_waiting_for_the_interval(
    tmp_path: Path, discord_emulator: DiscordEmulator
) -> None:
    emu = discord_emulator
    guild = emu.guilds[0]
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    store = Store(url)
    await store.upgrade()
    room = Newsroom(store, now=utcnow(), platform="discord")
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, workspace=str(guild.id), channel=str(guild.text_channel), due=False)
    for i, title in enumerate(["Ferry returns", "Library extends hours"]):
        await room.story(feed, title, facts=[f"Fact {i}."], at=utcnow() - timedelta(hours=i + 1))
    await store.close()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,  # type: ignore[arg-type]
        discord_token=emu.token,  # type: ignore[arg-type]
        digest_cycle_s=3600,
        deliver_interval_s=3600,
        summarize_processes=0,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(serve(settings, platform="discord", with_worker=False, stop=stop))
    try:
        await emu.wait_for(lambda: emu.commands.get("global") or running.done(), within=15)
        assert not running.done(), running
        asked = await emu.send_slash_command(
            "digest", [{"type": 1, "name": "now", "options": []}],
            permissions=EVERYONE_PERMISSIONS | MANAGE_GUILD,
        )  # fmt: skip
        (answer,) = await emu.wait_for(lambda: emu.callbacks.get(int(asked["id"])))
        assert "A digest of 2 stories is on its way" in answer["data"]["content"]

        def delivered() -> list[dict[str, object]] | None:
            top = emu.messages.get(guild.text_channel, [])
            threads_done = sum(len(emu.messages.get(int(m["id"]), [])) for m in top[1:]) == 2
            return top if len(top) == 3 and threads_done else None

        top = await emu.wait_for(delivered, within=10)
    finally:
        stop.set()
        async with asyncio.timeout(15):
            code = await running
    assert code == 0
    posts = [m for m in top if m["type"] == 0]
    assert posts[0]["content"].endswith("digest — 2 stories")
    titles = [m["embeds"][0]["title"] for m in posts[1:]]
    assert titles == ["Ferry returns", "Library extends hours"]
    for story in posts[1:]:
        assert int(story["id"]) in emu.threads and len(emu.messages[int(story["id"])]) == 1


async def test_slack_bot_over_socket_mode_delivers_digest_now_with_threads(
    tmp_path: Path, slack_emulator: SlackEmulator
) -> None:
    emu = slack_emulator
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    store = Store(url)
    await store.upgrade()
    room = Newsroom(store, now=utcnow(), platform="slack")
    feed = await room.feed("Harbour Gazette")
    await room.subscribe(feed, workspace=emu.team_id, channel="C0NEWS", due=False)
    await room.story(feed, "Ferry returns", facts=["It sails Monday."], at=utcnow())
    await store.close()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,  # type: ignore[arg-type]
        slack_bot_token=emu.bot_token,  # type: ignore[arg-type]
        slack_app_token=emu.app_token,  # type: ignore[arg-type]
        slack_api_url=emu.api_url,
        slack_moderators="U0MOD",
        digest_cycle_s=3600,
        deliver_interval_s=3600,
        summarize_processes=0,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(serve(settings, platform="slack", with_worker=False, stop=stop))
    try:
        await emu.wait_for(lambda: emu.socket_connections or running.done(), within=15)
        assert not running.done(), running
        await emu.send_slash_command("/digest", "now", user_id="U0MOD")
        (answer,) = await emu.wait_for(lambda: emu.responses, within=10)
        assert "A digest of 1 story is on its way" in answer["text"]
        history = await emu.wait_for(
            lambda: (
                len(emu.channels.get("C0NEWS", [])) == 2
                and emu.channels["C0NEWS"][1].get("replies")
                and emu.channels["C0NEWS"]
            ),
            within=10,
        )
    finally:
        stop.set()
        async with asyncio.timeout(15):
            code = await running
    assert code == 0
    header, story = history
    assert header["blocks"][0]["type"] == "header"
    assert "Ferry returns" in story["text"] and len(story["replies"]) == 1
