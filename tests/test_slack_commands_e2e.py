"""Slash commands end to end on Slack: the real slack-bolt AsyncApp over Socket Mode and over
signed HTTP, against the loopback emulator, with the real store, worker and guarded fetcher."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from bot.commands import Commands
from bot.commands.context import Reply
from bot.demo.server import ContentServer
from bot.feeds.fetch import Fetcher
from bot.platforms.slack import build_app, http_app, socket_mode_handler, web_client
from bot.platforms.slack_commands import ADD_FEED_VIEW, register_commands, reply_args
from bot.render.views import StoryCard
from bot.store import Store
from tests.emulators.slack_emulator import RESPONSE_URL, SlackEmulator
from tests.feed_site import Clock, exempt_fetcher, make_worker

ADMIN = "U0ADMIN"
LISTED = "U0LISTED"
MEMBER = "U0MEMBER"


@pytest.fixture
async def content() -> AsyncIterator[ContentServer]:
    async with ContentServer() as server:
        yield server


@pytest.fixture
async def fetcher(content: ContentServer) -> AsyncIterator[Fetcher]:
    async with exempt_fetcher(content, total_timeout=10.0) as f:
        yield f


class Bot:
    def __init__(self, store: Store, fetcher: Fetcher, emu: SlackEmulator) -> None:
        self.clock = Clock()
        self.commands = Commands(store=store, fetcher=fetcher, clock=self.clock)
        client = web_client(token=emu.bot_token, base_url=emu.api_url)
        self.app = build_app(client=client, signing_secret=emu.signing_secret)
        register_commands(self.app, self.commands, moderator_ids=[LISTED])


@pytest.fixture
async def socket_bot(
    store: Store, fetcher: Fetcher, slack_emulator: SlackEmulator
) -> AsyncIterator[Bot]:
    bot = Bot(store, fetcher, slack_emulator)
    handler = socket_mode_handler(bot.app, app_token=slack_emulator.app_token)
    await handler.connect_async()
    try:
        yield bot
    finally:
        await handler.close_async()


async def response(emu: SlackEmulator, n: int) -> dict[str, Any]:
    """The n-th (1-based) respond() the bot made, waiting for it."""
    await emu.wait_for(lambda: len(emu.responses) >= n, within=20)
    return emu.responses[n - 1]


def section_text(message: dict[str, Any]) -> str:
    return "\n".join(
        b["text"]["text"] for b in message["blocks"] if b["type"] == "section" and "text" in b
    )


async def test_socket_mode_add_refuse_search_and_summarize(
    store: Store, fetcher: Fetcher, content: ContentServer, slack_emulator: SlackEmulator,
    socket_bot: Bot,
) -> None:  # fmt: skip
    emu = slack_emulator
    feed = content.url("/feeds/gazette.rss")
    refused_env = await emu.send_slash_command("/feeds", f"add {feed}", user_id=MEMBER)
    refused = await response(emu, 1)
    await emu.wait_for(lambda: refused_env in emu.acks)
    assert emu.acks[refused_env] == {}, "acknowledged at once, answered through respond()"
    assert refused["response_type"] == "ephemeral"
    assert refused["text"].startswith(":warning:") and "\n" not in refused["text"]
    assert "for moderators" in refused["text"]

    await emu.send_slash_command("/feeds", f"add {feed} include: river, bridge", user_id=LISTED)
    added = await response(emu, 2)
    assert added["response_type"] == "ephemeral"
    assert "now follows “Riverton Gazette”" in added["text"]
    assert "Hundreds evacuated" in section_text(added), "the preview card"

    await make_worker(store, fetcher, socket_bot.clock).run_once()
    await emu.send_slash_command("/news", "search bridge", user_id=MEMBER)
    found = await response(emu, 3)
    assert found["response_type"] == "ephemeral"
    assert "*harbour bridge*" in found["text"].lower() or "*bridge*" in found["text"].lower()

    await emu.send_slash_command(
        "/news", f"summarize {content.url('/articles/bridge.html')}", user_id=MEMBER
    )
    summary = await response(emu, 4)
    assert summary["response_type"] == "in_channel"
    assert "Riverton council approves" in section_text(summary)
    assert "”" in section_text(summary), "quotes with their speakers"

    await emu.send_slash_command("/feeds", "list", user_id=ADMIN)
    listing = await response(emu, 5)
    assert "Riverton Gazette" in listing["text"], "workspace admins are moderators"
    assert [c.args["user"] for c in emu.calls_of("users.info")] == [MEMBER, ADMIN]


async def test_feeds_add_without_arguments_opens_a_modal_whose_result_is_ephemeral(
    content: ContentServer, slack_emulator: SlackEmulator, socket_bot: Bot
) -> None:
    emu = slack_emulator
    await emu.send_slash_command("/feeds", "add", user_id=ADMIN, channel="C0DESK")
    (opened,) = await emu.wait_for(lambda: emu.views)
    view = opened["view"]
    assert view["callback_id"] == ADD_FEED_VIEW and view["private_metadata"] == "C0DESK"
    assert [b["block_id"] for b in view["blocks"]] == ["b_url", "b_include", "b_exclude"]
    submitted = emu.view_submission(
        ADD_FEED_VIEW, {"url": content.url("/feeds/science.json")}, user_id=ADMIN
    )
    submitted["view"]["private_metadata"] = "C0DESK"
    await emu.send_interactive(submitted)
    (told,) = await emu.wait_for(lambda: emu.ephemerals, within=20)
    assert told["channel"] == "C0DESK" and told["user"] == ADMIN
    assert "now follows “Science Wire”" in told["text"]
    assert emu.responses == [] and "C0DESK" not in emu.channels


@pytest.fixture
async def http_bot(
    store: Store, fetcher: Fetcher, slack_emulator: SlackEmulator
) -> AsyncIterator[str]:
    bot = Bot(store, fetcher, slack_emulator)
    runner = web.AppRunner(http_app(bot.app), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/slack/events"
    finally:
        await runner.cleanup()


async def test_signed_http_commands_are_answered_and_unsigned_ones_refused(
    content: ContentServer, slack_emulator: SlackEmulator, http_bot: str
) -> None:
    emu = slack_emulator
    form = emu.slash_payload("/feeds", f"add {content.url('/feeds/herald.atom')}", user_id=ADMIN)
    status, _ = await emu.signed_request(http_bot, form)
    assert status == 200
    added = await response(emu, 1)
    assert "now follows “Coastal Herald”" in added["text"]

    form = emu.slash_payload("/feeds", "list", user_id=ADMIN)
    for bad in (
        {"signature": "v0=" + "0" * 64},
        {"secret": "not-the-secret"},
        {"timestamp": "soon"},
        {"timestamp": "1000"},
    ):
        status, _ = await emu.signed_request(http_bot, form, **bad)
        assert status == 401, bad
    status, _ = await emu.signed_request(http_bot, form)
    assert status == 200
    listing = await response(emu, 2)
    assert "Coastal Herald" in listing["text"] and len(emu.responses) == 2


async def test_a_workspace_sees_none_of_another_workspaces_feeds(
    content: ContentServer, slack_emulator: SlackEmulator, http_bot: str
) -> None:
    emu = slack_emulator
    form = emu.slash_payload("/feeds", f"add {content.url('/feeds/herald.atom')}", user_id=ADMIN)
    await emu.signed_request(http_bot, form)
    await response(emu, 1)
    other = emu.slash_payload("/feeds", "list", user_id=ADMIN)
    other["team_id"] = "T0OTHER"
    await emu.signed_request(http_bot, other)
    listing = await response(emu, 2)
    assert "Coastal Herald" not in listing["text"]
    other = emu.slash_payload("/feeds", "remove 1", user_id=ADMIN)
    other["team_id"] = "T0OTHER"
    await emu.signed_request(http_bot, other)
    refusal = await response(emu, 3)
    assert refusal["text"].startswith(":warning:")


def test_reply_blocks_escape_feed_text_and_stay_within_limits() -> None:
    cards = tuple(
        StoryCard(story_id=str(i), title=f"<!channel> story {i}", url=None, key_facts=("f",))
        for i in range(30)
    )
    args = reply_args(Reply("<!here> & <@U1> said \ue000so\ue001", cards=cards))
    assert "<!here>" not in args["text"] and "&lt;!here&gt; &amp; &lt;@U1&gt;" in args["text"]
    assert "*so*" in args["text"]
    assert len(args["blocks"]) <= 50 and args["response_type"] == "ephemeral"
    assert args["blocks"][-1]["text"]["text"].endswith("more stories.")
    assert "<!channel>" not in str(args["blocks"])


@pytest.mark.parametrize("command", [("/news", "help"), ("/feeds", "help"), ("/digest", "help")])
async def test_help_lists_moderator_commands_to_moderators_only(
    slack_emulator: SlackEmulator, socket_bot: Bot, command: tuple[str, str]
) -> None:
    emu = slack_emulator
    await emu.send_slash_command(*command, user_id=ADMIN)
    moderator = await response(emu, 1)
    await emu.send_slash_command(*command, user_id=MEMBER)
    member = await response(emu, 2)
    assert moderator["response_type"] == member["response_type"] == "ephemeral"
    assert "/feeds add" in moderator["text"] and "/digest" in moderator["text"]
    assert "Moderators also have" not in moderator["text"]
    assert "/feeds add" not in member["text"] and "Moderators also have" in member["text"]


async def test_channels_are_links_and_counts_read_right(
    content: ContentServer, slack_emulator: SlackEmulator, socket_bot: Bot
) -> None:
    emu = slack_emulator
    one = content.url("/feeds/science.json")
    await emu.send_slash_command("/feeds", f"add {one} <#C0DESK|desk>", user_id=ADMIN)
    added = await response(emu, 1)
    assert added["text"].startswith("<#C0DESK> now follows “Science Wire” (feed 1, 1 item).")
    await emu.send_slash_command("/feeds", "list", user_id=ADMIN)
    listing = await response(emu, 2)
    assert "“Science Wire” in <#C0DESK>" in listing["text"]
    await emu.send_slash_command("/digest", "schedule every 6h max_stories: 1", user_id=ADMIN)
    digest = await response(emu, 3)
    assert digest["text"].startswith("<#C0NEWS> gets a digest"), digest["text"]
    assert "up to 1 story;" in digest["text"]


async def test_an_answer_slack_took_before_the_connection_dropped_is_not_sent_again(
    slack_emulator: SlackEmulator, socket_bot: Bot
) -> None:
    emu = slack_emulator
    emu.drop_after_accept(RESPONSE_URL)
    await emu.send_slash_command("/news", "help", user_id=MEMBER)
    await response(emu, 1)
    with pytest.raises(TimeoutError):  # slack_sdk's own retry would re-post within 1.5 s
        await emu.wait_for(lambda: len(emu.responses) > 1, within=3)
    await emu.send_slash_command("/news", "help", user_id=MEMBER)
    await response(emu, 2)
    assert len(emu.responses) == 2
