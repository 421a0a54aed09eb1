"""The Slack emulator, proven with the real slack-bolt AsyncApp: Socket Mode, HTTP mode, 429s."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.platforms.slack import build_app, http_app, socket_mode_handler, web_client
from tests.emulators.slack_emulator import SlackEmulator


def _app(emu: SlackEmulator) -> AsyncApp:
    client = web_client(token=emu.bot_token, base_url=emu.api_url)
    app = build_app(client=client, signing_secret=emu.signing_secret)

    @app.command("/news")
    async def news(ack, respond, command) -> None:  # type: ignore[no-untyped-def]
        await ack(f"looking up {command['text']}")
        await respond(text=f"results for {command['text']} from {command['user_id']}")

    return app


async def test_slash_command_over_socket_mode_is_acked_and_answered(
    slack_emulator: SlackEmulator,
) -> None:
    emu = slack_emulator
    handler = socket_mode_handler(_app(emu), app_token=emu.app_token)
    await handler.connect_async()
    try:
        envelope = await emu.send_slash_command("/news", "ferries", user_id="U0MEMBER")
        ack = await emu.wait_for(lambda: emu.acks.get(envelope))
        assert ack == {"text": "looking up ferries"}
        answer = await emu.wait_for(lambda: emu.responses)
        assert answer[0]["text"] == "results for ferries from U0MEMBER"

        await emu.disconnect_sockets()
        await emu.wait_for(lambda: emu.socket_connections >= 2)
        again = await emu.send_slash_command("/news", "bridges")
        assert (await emu.wait_for(lambda: emu.acks.get(again))) == {"text": "looking up bridges"}
    finally:
        await handler.close_async()
    assert len(emu.calls_of("apps.connections.open")) >= 2
    assert emu.calls_of("auth.test")


@pytest.fixture
async def http_mode(slack_emulator: SlackEmulator) -> AsyncIterator[str]:
    runner = web.AppRunner(http_app(_app(slack_emulator)), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/slack/events"
    await runner.cleanup()


async def test_signed_slash_command_over_http_is_answered(
    slack_emulator: SlackEmulator, http_mode: str
) -> None:
    emu = slack_emulator
    status, body = await emu.signed_request(http_mode, emu.slash_payload("/news", "harbour"))
    assert (status, body) == (200, "looking up harbour")
    answer = await emu.wait_for(lambda: emu.responses)
    assert answer[0]["text"] == "results for harbour from U0MEMBER"


@pytest.mark.parametrize(
    ("kwargs", "why"),
    [
        ({"signature": "v0=" + "0" * 64}, "bad signature"),
        ({"secret": "someone-else"}, "wrong secret"),
        ({"timestamp": str(int(time.time()) - 3600)}, "stale"),
        ({"timestamp": "yesterday"}, "non-numeric timestamp"),
        ({"timestamp": "", "signature": "garbage"}, "empty timestamp"),
    ],
)
async def test_unsigned_or_malformed_http_request_gets_401(
    slack_emulator: SlackEmulator, http_mode: str, kwargs: dict[str, str], why: str
) -> None:
    emu = slack_emulator
    status, _ = await emu.signed_request(http_mode, emu.slash_payload("/news", "x"), **kwargs)
    assert status == 401, why
    assert emu.responses == []


async def test_rate_limited_post_is_retried_then_found_with_its_metadata(
    slack_emulator: SlackEmulator,
) -> None:
    emu = slack_emulator
    client = web_client(token=emu.bot_token, base_url=emu.api_url)
    emu.rate_limit("chat.postMessage", times=1, retry_after=0)
    meta = {"event_type": "newsdigest_post", "event_payload": {"key": "k-1"}}
    sent = await client.chat_postMessage(channel="C0NEWS", text="hello", metadata=meta)
    assert len(emu.calls_of("chat.postMessage")) == 2
    plain = await client.conversations_history(channel="C0NEWS")
    assert plain["messages"][0]["ts"] == sent["ts"] and "metadata" not in plain["messages"][0]
    full = await client.conversations_history(channel="C0NEWS", include_all_metadata=True)
    assert full["messages"][0]["metadata"] == meta


async def test_history_is_newest_first_and_paginates(slack_emulator: SlackEmulator) -> None:
    emu = slack_emulator
    client = web_client(token=emu.bot_token, base_url=emu.api_url)
    sent = [(await client.chat_postMessage(channel="C1", text=str(i)))["ts"] for i in range(5)]
    first = await client.conversations_history(channel="C1", limit=3)
    assert [m["ts"] for m in first["messages"]] == sent[::-1][:3] and first["has_more"]
    cursor = first["response_metadata"]["next_cursor"]
    rest = await client.conversations_history(channel="C1", limit=3, cursor=cursor)
    assert [m["ts"] for m in rest["messages"]] == sent[::-1][3:] and not rest["has_more"]
    reply = await client.chat_postMessage(channel="C1", text="in thread", thread_ts=sent[0])
    thread = await client.conversations_replies(channel="C1", ts=sent[0])
    assert [m["ts"] for m in thread["messages"]] == [sent[0], reply["ts"]]
    user = await client.users_info(user="U0ADMIN")
    assert user["user"]["is_admin"] is True
    view = await client.views_open(trigger_id="trigger.1", view={"type": "modal", "blocks": []})
    assert view["view"]["id"] and emu.views[0]["trigger_id"] == "trigger.1"


async def test_blocks_beyond_slack_limits_are_refused(slack_emulator: SlackEmulator) -> None:
    from slack_sdk.errors import SlackApiError

    client = web_client(token=slack_emulator.bot_token, base_url=slack_emulator.api_url)
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    with pytest.raises(SlackApiError) as refused:
        await client.chat_postMessage(channel="C1", text="t", blocks=[section])
    assert refused.value.response["error"] == "invalid_blocks"
    with pytest.raises(SlackApiError):
        await client.chat_postMessage(channel="C1", text="t", blocks=[section] * 51)
    assert slack_emulator.channels.get("C1", []) == []


async def test_modal_opened_from_a_command_and_submitted_over_socket_mode(
    slack_emulator: SlackEmulator,
) -> None:
    emu = slack_emulator
    app = build_app(
        client=web_client(token=emu.bot_token, base_url=emu.api_url),
        signing_secret=emu.signing_secret,
    )
    submitted: list[dict[str, str]] = []

    @app.command("/feeds")
    async def feeds(ack, client, body) -> None:  # type: ignore[no-untyped-def]
        await ack()
        title = {"type": "plain_text", "text": "Add a feed"}
        view = {"type": "modal", "callback_id": "feeds_add", "title": title, "blocks": []}
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view("feeds_add")
    async def add(ack, view, body) -> None:  # type: ignore[no-untyped-def]
        url = view["state"]["values"]["b_url"]["url"]["value"]
        if not url.startswith("http"):
            await ack(response_action="errors", errors={"b_url": "Not a feed address"})
            return
        submitted.append({"url": url, "user": body["user"]["id"]})
        await ack()

    handler = socket_mode_handler(app, app_token=emu.app_token)
    await handler.connect_async()
    try:
        await emu.send_slash_command("/feeds", "add", user_id="U0ADMIN")
        opened = await emu.wait_for(lambda: emu.views)
        assert opened[0]["view"]["callback_id"] == "feeds_add"
        bad = await emu.send_interactive(emu.view_submission("feeds_add", {"url": "nope"}))
        refused = await emu.wait_for(lambda: emu.acks.get(bad))
        assert refused == {"response_action": "errors", "errors": {"b_url": "Not a feed address"}}
        good = await emu.send_interactive(
            emu.view_submission(
                "feeds_add", {"url": "https://feeds.example.org/rss"}, user_id="U0ADMIN"
            )
        )
        await emu.wait_for(lambda: good in emu.acks)
    finally:
        await handler.close_async()
    assert submitted == [{"url": "https://feeds.example.org/rss", "user": "U0ADMIN"}]


async def test_external_file_upload_is_checked_like_slack(slack_emulator: SlackEmulator) -> None:
    emu = slack_emulator
    client = web_client(token=emu.bot_token, base_url=emu.api_url)
    dm = (await client.conversations_open(users="U0MEMBER"))["channel"]["id"]
    done = await client.files_upload_v2(channel=dm, filename="a.txt", content=b"hello")
    (file,) = emu.files.values()
    assert done["file"]["id"] == file.id and file.data == b"hello" and file.channels == [dm]

    pending = await client.files_getUploadURLExternal(filename="b.txt", length=3)
    with pytest.raises(SlackApiError, match="file_not_found"):
        await client.files_completeUploadExternal(files=[{"id": pending["file_id"]}])
    short = await client.files_getUploadURLExternal(filename="c.txt", length=10)
    async with aiohttp.ClientSession() as session:
        async with session.post(short["upload_url"], data=b"abc") as resp:
            assert resp.status == 200
        async with session.post(short["upload_url"], data=b"again") as resp:
            assert resp.status == 404, "an upload URL takes one upload"
    with pytest.raises(SlackApiError, match="file_size_mismatch"):
        await client.files_completeUploadExternal(files=[{"id": short["file_id"]}])
    with pytest.raises(SlackApiError, match="user_not_found"):
        await client.conversations_open(users="C0NEWS")
    assert (await client.files_info(file=file.id))["file"]["size"] == 5
