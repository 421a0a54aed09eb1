"""Slack slash commands: `/news`, `/feeds`, `/digest` on a bolt `AsyncApp`.

Usage (the bot process)::

    app = build_app(client=web_client(token=...), signing_secret=...)
    register_commands(app, commands, moderator_ids={"U123"})
    # then Socket Mode (`socket_mode_handler`) or HTTP mode (`http_app`)

Each command is acknowledged at once (Slack wants an answer within 3 s) and answered through
its `response_url` (`webhook_client`: never re-sent on a dropped connection), ephemeral or in
the channel as the `Reply` says, text escaped for mrkdwn (mentions inert), story cards as the
digest's Block Kit sections.
The text after the command is read by `parse_text` against the command table
(`/feeds add https://… include: rail`).

Moderators are workspace admins and owners (`users.info`, asked on every moderator command,
so a demoted admin loses the right at once) and the user ids configured in
`NEWSDIGEST_SLACK_MODERATORS`. `/feeds add` with nothing after it opens a modal asking for
the address and filters; its result comes back as an ephemeral message in the channel the
command was run in.

`/feeds import` with nothing after it opens a modal with a file picker (`file_input`), read
as `bot.platforms.slack_files.SlackUpload`; a reply's file (`/feeds export`) goes to the
caller's direct messages with the bot (`slack_files.send_file`: Slack has no file only one
person sees), and the ephemeral answer says so.
The command text arrives as Slack escapes it (`should_escape`): links as `<https://…|label>`
and `&`, `<`, `>` as entities; `command_text` gives it back as typed, so `/feeds add` and
`/feeds import` see plain addresses.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.commands.context import CommandContext, Reply, render_channel_refs
from bot.commands.router import Commands
from bot.commands.spec import GROUPS, find
from bot.platforms.slack import webhook_client
from bot.platforms.slack_files import SlackUpload, send_file
from bot.plural import counted
from bot.render import limits as L
from bot.render import slack_payloads
from bot.render.text import slack_escape, truncate
from bot.store.search import HIGHLIGHT_END, HIGHLIGHT_START

log = logging.getLogger(__name__)

ADD_FEED_VIEW = "newsdigest_feeds_add"
IMPORT_VIEW = "newsdigest_feeds_import"
MODAL_FIELDS = (
    ("url", "Feed address (RSS, Atom or JSON Feed)", False),
    ("include", "Only stories with one of these words (comma-separated)", True),
    ("exclude", "Never stories with these words (comma-separated)", True),
)


class ModeratorCheck:
    """Is this Slack user a moderator: a configured id, or a workspace admin or owner."""

    def __init__(self, moderator_ids: Iterable[str] = ()) -> None:
        self.moderator_ids = frozenset(i.strip() for i in moderator_ids if i.strip())

    async def __call__(self, client: AsyncWebClient, user_id: str) -> bool:
        if user_id in self.moderator_ids:
            return True
        try:
            info = await client.users_info(user=user_id)
        except SlackApiError as exc:
            log.warning("users.info for %s failed: %s", user_id, exc.response.get("error"))
            return False
        user = info.get("user") or {}
        return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


_SLACK_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,}")
_ANGLED = re.compile(r"<[^<>]*>")
_LINK = re.compile(r"<(https?://[^<>|\s]+)(?:\|[^<>]*)?>", re.IGNORECASE)


def command_text(text: str) -> str:
    """Slash-command text as the user typed it: `<https://x|x>` → `https://x`, entities
    undone; channel, user and user-group mentions stay as Slack wrote them."""

    def unescape(part: str) -> str:
        return part.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

    out, pos = [], 0
    for match in _ANGLED.finditer(text):
        out.append(unescape(text[pos : match.start()]))
        link = _LINK.fullmatch(match.group(0))
        out.append(unescape(link.group(1)) if link else match.group(0))
        pos = match.end()
    out.append(unescape(text[pos:]))
    return "".join(out)


def _channel_link(channel_id: str) -> str:
    """`<#C…>` for a Slack channel id (Slack shows its name as a link), else the id as text."""
    return f"<#{channel_id}>" if _SLACK_CHANNEL_ID.fullmatch(channel_id) else f"#{channel_id}"


def reply_args(reply: Reply) -> dict[str, Any]:
    """A Reply as the body posted to a `response_url`: `response_type`, `text` fallback and
    `blocks`."""
    text = "\n".join(slack_escape(line) for line in reply.text.splitlines())
    text = text.replace(HIGHLIGHT_START, "*").replace(HIGHLIGHT_END, "*")
    text = render_channel_refs(text, _channel_link)
    if reply.error:
        text = ":warning: " + text
    blocks: list[dict[str, Any]] = []
    chunk: list[str] = []
    for line in text.splitlines() or [""]:
        if chunk and len("\n".join([*chunk, line])) > L.SLACK_SECTION_TEXT:
            blocks.append(_section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if any(chunk):
        blocks.append(_section("\n".join(chunk)))
    shown = 0
    for card in reply.cards:
        card_blocks = [{"type": "divider"}, *slack_payloads.story_message(card)["blocks"]]
        if len(blocks) + len(card_blocks) > L.SLACK_BLOCKS - 1:
            break
        blocks.extend(card_blocks)
        shown += 1
    if left := len(reply.cards) - shown:
        blocks.append(_section(f"… and {counted(left, 'more story', 'more stories')}."))
    return {
        "response_type": "ephemeral" if reply.ephemeral else "in_channel",
        "text": truncate(text or "(no text)", L.SLACK_TEXT_FALLBACK),
        "blocks": blocks,
        "replace_original": False,
    }


async def _submitter(
    body: dict[str, Any], channel: str, check: ModeratorCheck, client: Any
) -> CommandContext:
    """Who submitted a modal, for the channel the modal was opened in."""
    user = body.get("user") or {}
    user_id = str(user.get("id", ""))
    return CommandContext(
        platform="slack",
        workspace_id=str((body.get("team") or {}).get("id") or user.get("team_id", "")),
        channel_id=channel,
        user_id=user_id,
        user_name=str(user.get("name", "")),
        is_moderator=await check(client, user_id),
    )


def register_commands(
    app: AsyncApp, commands: Commands, *, moderator_ids: Iterable[str] = ()
) -> ModeratorCheck:
    """Add `/news`, `/feeds`, `/digest` and the add-feed modal to `app`."""
    check = ModeratorCheck(moderator_ids)

    async def on_command(ack: Any, command: dict[str, Any], client: Any) -> None:
        await ack()
        group = str(command.get("command", "")).lstrip("/")
        text = command_text(str(command.get("text") or ""))
        words = text.split()
        moderator = False
        spec = find(group, words[0].casefold()) if words else None
        if spec is None or spec.moderator_only or spec.name == "help":
            moderator = await check(client, command["user_id"])  # help lists theirs to them
        ctx = CommandContext(
            platform="slack",
            workspace_id=str(command.get("team_id", "")),
            channel_id=str(command.get("channel_id", "")),
            user_id=str(command.get("user_id", "")),
            user_name=str(command.get("user_name", "")),
            is_moderator=moderator,
        )
        bare = [w.casefold() for w in words]
        if group == "feeds" and bare == ["add"] and moderator:
            await _open_add_modal(client, command, ctx)
            return
        if group == "feeds" and bare == ["import"] and moderator:
            await client.views_open(trigger_id=command["trigger_id"], view=_import_view(ctx))
            return
        reply = await commands.handle_text(ctx, text, group=group)
        if reply.file is not None:
            comment = reply_args(replace(reply, file=None))["text"]
            reply = await send_file(client, user_id=ctx.user_id, reply=reply, comment=comment)
        await _respond(command, reply_args(reply))

    for group in GROUPS:
        app.command(f"/{group}")(on_command)

    async def on_add_submitted(ack: Any, body: dict[str, Any], view: dict[str, Any], client: Any):
        await ack()
        values = view.get("state", {}).get("values", {})
        options = {
            name: (values.get(f"b_{name}", {}).get(name, {}) or {}).get("value") or ""
            for name, _, _ in MODAL_FIELDS
        }
        channel = str(view.get("private_metadata") or "")
        ctx = await _submitter(body, channel, check, client)
        reply = await commands.handle(ctx, "feeds", "add", {k: v for k, v in options.items() if v})
        await _tell(client, channel, ctx.user_id, reply)

    async def on_import_submitted(
        ack: Any, body: dict[str, Any], view: dict[str, Any], client: Any
    ) -> None:
        await ack()
        picked = (view.get("state", {}).get("values", {}).get("b_file", {}).get("file")) or {}
        files = picked.get("files") or []
        channel = str(view.get("private_metadata") or "")
        ctx = await _submitter(body, channel, check, client)
        if len(files) != 1 or not isinstance(files[0], dict) or not files[0].get("id"):
            reply = Reply.failure("pick one .opml file in the form")
        else:
            picked_file = files[0]
            upload = SlackUpload(
                client,
                str(picked_file["id"]),
                filename=str(picked_file.get("name") or ""),
                size=picked_file.get("size"),
            )
            reply = await commands.handle(ctx, "feeds", "import", {"file": upload})
        await _tell(client, channel, ctx.user_id, reply)

    app.view(ADD_FEED_VIEW)(on_add_submitted)
    app.view(IMPORT_VIEW)(on_import_submitted)
    return check


async def _tell(client: AsyncWebClient, channel: str, user_id: str, reply: Reply) -> None:
    """A modal's result, as an ephemeral message in the channel the command was run in."""
    args = reply_args(reply)
    try:
        await client.chat_postEphemeral(
            channel=channel, user=user_id, text=args["text"], blocks=args["blocks"]
        )
    except SlackApiError as exc:
        log.warning("could not tell %s the result: %s", user_id, exc.response.get("error"))


async def _respond(command: dict[str, Any], args: dict[str, Any]) -> None:
    """Post the answer to the command's `response_url` once (see `webhook_client`): an answer
    whose connection failed may have reached Slack, so it is logged, not sent again."""
    name, url = command.get("command"), str(command.get("response_url") or "")
    if not url:
        log.warning("%s from %s has no response_url", name, command.get("user_id"))
        return
    try:
        answer = await webhook_client(url=url).send_dict(args)
    except (aiohttp.ClientError, TimeoutError) as exc:
        log.warning("the answer to %s may not have reached Slack: %r", name, exc)
        return
    if answer.status_code != 200:
        log.warning("Slack refused the answer to %s: %s %s", name, answer.status_code, answer.body)


async def _open_add_modal(client: Any, command: dict[str, Any], ctx: CommandContext) -> None:
    blocks = []
    for name, label, optional in MODAL_FIELDS:
        element: dict[str, Any] = {"type": "plain_text_input", "action_id": name}
        if name == "url":
            element["placeholder"] = {"type": "plain_text", "text": "https://example.org/feed.xml"}
        blocks.append(
            {
                "type": "input",
                "block_id": f"b_{name}",
                "optional": optional,
                "label": {"type": "plain_text", "text": label},
                "element": element,
            }
        )
    view = {
        "type": "modal",
        "callback_id": ADD_FEED_VIEW,
        "title": {"type": "plain_text", "text": "Add a feed"},
        "submit": {"type": "plain_text", "text": "Add"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": ctx.channel_id,
        "blocks": blocks,
    }
    await client.views_open(trigger_id=command["trigger_id"], view=view)


def _import_view(ctx: CommandContext) -> dict[str, Any]:
    file_input = {
        "type": "file_input",
        "action_id": "file",
        "filetypes": ["opml", "xml"],
        "max_files": 1,
    }
    return {
        "type": "modal",
        "callback_id": IMPORT_VIEW,
        "title": {"type": "plain_text", "text": "Import feeds"},
        "submit": {"type": "plain_text", "text": "Import"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": ctx.channel_id,
        "blocks": [
            {
                "type": "input",
                "block_id": "b_file",
                "label": {"type": "plain_text", "text": "OPML file (from a feed reader or bot)"},
                "element": file_input,
            },
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": "This channel follows every feed in it; or run "
                        "`/feeds import https://…` with the file's address.",
                    }
                ],
            },
        ],
    }


def _section(text: str) -> dict[str, Any]:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": truncate(text, L.SLACK_SECTION_TEXT)},
    }


__all__ = [
    "ADD_FEED_VIEW",
    "IMPORT_VIEW",
    "ModeratorCheck",
    "command_text",
    "register_commands",
    "reply_args",
]
