"""A Slack API emulator on 127.0.0.1: Web API methods, Socket Mode, response URLs.

Give slack_sdk `base_url=emulator.api_url`. Messages live in memory per channel; history is
newest first and carries message `metadata` only with `include_all_metadata`, as Slack does.
`rate_limit` injects 429s with `Retry-After`; `drop_after_accept` makes Slack accept a call (the
message is stored) and then close the connection without an answer, as a network fault between
Slack and the bot does; `send_slash_command` delivers a slash command
over Socket Mode and records the ack; `signed_request` posts a slash command to an app served
in HTTP mode, signed (or deliberately mis-signed) like Slack's request signing.
Files go through Slack's external upload as `files_upload_v2` makes it: `files.getUploadURLExternal`
hands out a loopback upload URL, the bytes are POSTed there (no token, as on Slack), and
`files.completeUploadExternal` shares them to a channel (a DM from `conversations.open`); each
`SlackFile` is in `files` and served at its `url_private_download` to the bot's token.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
from aiohttp import web

from tests.emulators.waiting import wait_until

Json = dict[str, Any]
RESPONSE_URL = "response_url"
"""`drop_after_accept(RESPONSE_URL)`: the fault for a slash command's response URL."""


@dataclass
class SlackCall:
    method: str
    args: Json
    headers: dict[str, str]


@dataclass
class SlackFile:
    id: str
    filename: str
    length: int
    data: bytes | None = None
    title: str = ""
    channels: list[str] = field(default_factory=list)
    download_url: str | None = None
    """Where `url_private_download` points, when not at the emulator's own file route."""


@dataclass
class SlackEmulator:
    bot_token: str = "xoxb-emulator"
    app_token: str = "xapp-emulator"
    signing_secret: str = "emulator-signing-secret"
    team_id: str = "T0EMULATE"
    bot_user_id: str = "U0BOT"
    bot_id: str = "B0BOT"
    admins: set[str] = field(default_factory=lambda: {"U0ADMIN"})
    deactivated: set[str] = field(default_factory=set)
    calls: list[SlackCall] = field(default_factory=list)
    channels: dict[str, list[Json]] = field(default_factory=dict)
    acks: dict[str, Json] = field(default_factory=dict)
    responses: list[Json] = field(default_factory=list)
    views: list[Json] = field(default_factory=list)
    ephemerals: list[Json] = field(default_factory=list)
    files: dict[str, SlackFile] = field(default_factory=dict)
    downloads: list[str] = field(default_factory=list)
    socket_connections: int = 0
    socket_url: str | None = None
    """What `apps.connections.open` hands out; None: this emulator's own socket."""

    def __post_init__(self) -> None:
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._limits: dict[str, list[int]] = {}
        self._drops: dict[str, int] = {}
        self._refusals: dict[str, str] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Event()
        self.port = 0

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 0) -> None:
        """The next `times` calls of `method` get 429 with `Retry-After: retry_after`."""
        self._limits[method] = [times, retry_after]

    def drop_after_accept(self, method: str, *, times: int = 1) -> None:
        """The next `times` calls of `method` (or posts to a response URL, `RESPONSE_URL`) are
        carried out, then their connection is closed before the answer is written (the client
        sees a disconnect, not an error)."""
        self._drops[method] = times

    def refuse(self, method: str, error: str) -> None:
        """Every later call of `method` answers `ok: false` with `error` (e.g. "missing_scope")."""
        self._refusals[method] = error

    def calls_of(self, method: str) -> list[SlackCall]:
        return [c for c in self.calls if c.method == method]

    async def start(self) -> SlackEmulator:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{rid}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/files/{file_id}/{name}", self._download)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_for(self, predicate: Callable[[], Any], *, within: float = 20.0) -> Any:
        """Wait until `predicate()` is truthy; Slack calls and acks may arrive in any order."""
        return await wait_until(self._changed, predicate, within=within)

    # ---- slash commands -----------------------------------------------------------------------

    def slash_payload(
        self, command: str, text: str = "", *, user_id: str = "U0MEMBER", channel: str = "C0NEWS"
    ) -> dict[str, str]:
        """The form fields Slack sends for a slash command, with a loopback response_url."""
        n = next(self._ids)
        return {
            "token": "deprecated-verification-token",
            "team_id": self.team_id,
            "team_domain": "emulated",
            "channel_id": channel,
            "channel_name": "news",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0APP",
            "is_enterprise_install": "false",
            "response_url": f"http://127.0.0.1:{self.port}/response/{n}",
            "trigger_id": f"trigger.{n}",
        }

    async def send_slash_command(self, command: str, text: str = "", **kwargs: str) -> str:
        """Deliver a slash command over Socket Mode; returns the envelope id (see `acks`)."""
        await self.wait_for(lambda: self._sockets)
        envelope_id = f"env-{next(self._ids)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": "slash_commands",
            "payload": self.slash_payload(command, text, **kwargs),
            "accepts_response_payload": True,
        }
        await self._sockets[-1].send_str(json.dumps(envelope))
        return envelope_id

    def user_file(self, filename: str, data: bytes) -> SlackFile:
        """A file a user uploaded (in a modal's `file_input`): stored, shared nowhere."""
        file_id = f"F{next(self._ids):08d}"
        file = SlackFile(file_id, filename, len(data), data, title=filename)
        self.files[file_id] = file
        return file

    def view_submission(
        self,
        callback_id: str,
        values: dict[str, str],
        *,
        user_id: str = "U0MEMBER",
        files: dict[str, list[str]] | None = None,
    ) -> Json:
        """A `view_submission` payload: each value as block `b_<name>`, action `<name>`;
        `files` maps a `file_input`'s name to the ids of the files picked in it."""
        state: Json = {
            f"b_{name}": {name: {"type": "plain_text_input", "value": value}}
            for name, value in values.items()
        }
        for name, ids in (files or {}).items():
            picked = [self._public_file(self.files[i]) for i in ids]
            state[f"b_{name}"] = {name: {"type": "file_input", "files": picked}}
        return {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": "emulated"},
            "user": {"id": user_id, "team_id": self.team_id, "name": user_id.lower()},
            "api_app_id": "A0APP",
            "token": "deprecated-verification-token",
            "trigger_id": f"trigger.{next(self._ids)}",
            "view": {
                "id": f"V{next(self._ids)}",
                "team_id": self.team_id,
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": "",
                "state": {"values": state},
                "hash": "h",
            },
            "response_urls": [],
            "is_enterprise_install": False,
        }

    async def send_interactive(self, payload: Json) -> str:
        """Deliver an interactive payload (e.g. `view_submission`) over Socket Mode."""
        await self.wait_for(lambda: self._sockets)
        envelope_id = f"env-{next(self._ids)}"
        envelope = {
            "envelope_id": envelope_id,
            "type": "interactive",
            "payload": payload,
            "accepts_response_payload": True,
        }
        await self._sockets[-1].send_str(json.dumps(envelope))
        return envelope_id

    async def disconnect_sockets(self) -> None:
        """Ask Socket Mode clients to reconnect, as Slack does routinely."""
        for ws in list(self._sockets):
            await ws.send_str(json.dumps({"type": "disconnect", "reason": "refresh_requested"}))

    def sign(self, body: bytes, timestamp: str, secret: str | None = None) -> str:
        key = (secret or self.signing_secret).encode()
        base = b"v0:" + timestamp.encode() + b":" + body
        return "v0=" + hmac.new(key, base, hashlib.sha256).hexdigest()

    async def signed_request(
        self,
        url: str,
        form: dict[str, str],
        *,
        timestamp: str | None = None,
        secret: str | None = None,
        signature: str | None = None,
    ) -> tuple[int, str]:
        """POST a form to an app in HTTP mode the way Slack signs it; returns (status, body)."""
        body = urlencode(form).encode()
        ts = timestamp if timestamp is not None else str(int(time.time()))
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature or self.sign(body, ts, secret),
        }
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=body, headers=headers) as resp,
        ):
            return resp.status, await resp.text()

    # ---- Web API ------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: Json = dict(request.query)
        raw = await request.read()
        if raw:
            if request.content_type == "application/json":
                args.update(json.loads(raw))
            else:
                args.update(parse_qsl(raw.decode()))
        self.calls.append(SlackCall(method, args, dict(request.headers)))
        self._changed.set()
        limit = self._limits.get(method)
        if limit and limit[0] > 0:
            limit[0] -= 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(limit[1])},
            )
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        if token != expected:
            return _ok(False, error="invalid_auth")
        if method in self._refusals:
            return _ok(False, error=self._refusals[method])
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return _ok(False, error="unknown_method")
        response = await handler(args)
        if self._drops.get(method, 0) > 0:
            self._drops[method] -= 1
            assert request.transport is not None
            request.transport.abort()
        return response

    async def _m_auth_test(self, args: Json) -> web.Response:
        return _ok(
            url="http://127.0.0.1/",
            team="Emulated",
            user="newsdigest",
            team_id=self.team_id,
            user_id=self.bot_user_id,
            bot_id=self.bot_id,
            is_enterprise_install=False,
        )

    def _next_ts(self) -> str:
        return f"{1_760_000_000 + next(self._ts)}.000100"

    async def _m_chat_postMessage(self, args: Json) -> web.Response:
        channel = args.get("channel")
        if not channel:
            return _ok(False, error="channel_not_found")
        blocks = args.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if not args.get("text") and not blocks:
            return _ok(False, error="no_text")
        if blocks is not None and block_errors(blocks):
            return _ok(False, error="invalid_blocks", errors=block_errors(blocks))
        if len(args.get("text") or "") > 40_000:
            return _ok(False, error="msg_too_long")
        metadata = args.get("metadata")
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        message: Json = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "text": args.get("text", ""),
            "ts": self._next_ts(),
        }
        if blocks is not None:
            message["blocks"] = blocks
        if metadata:
            message["metadata"] = metadata
        history = self.channels.setdefault(channel, [])
        if thread_ts := args.get("thread_ts"):
            parent = next((m for m in history if m["ts"] == thread_ts), None)
            if parent is None:
                return _ok(False, error="thread_not_found")
            message["thread_ts"] = thread_ts
            parent.setdefault("replies", []).append(message)
            parent["thread_ts"] = thread_ts
            parent["reply_count"] = len(parent["replies"])
        else:
            history.append(message)
        return _ok(channel=channel, ts=message["ts"], message=_public(message, metadata=True))

    async def _m_chat_update(self, args: Json) -> web.Response:
        history = self.channels.get(args.get("channel", ""), [])
        everything = [*history, *(r for m in history for r in m.get("replies", []))]
        message = next((m for m in everything if m["ts"] == args.get("ts")), None)
        if message is None:
            return _ok(False, error="message_not_found")
        blocks = args.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if blocks is not None and block_errors(blocks):
            return _ok(False, error="invalid_blocks", errors=block_errors(blocks))
        if "text" in args:
            message["text"] = args["text"]
        if blocks is not None:
            message["blocks"] = blocks
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return _ok(channel=args["channel"], ts=message["ts"], text=message["text"])

    async def _m_chat_postEphemeral(self, args: Json) -> web.Response:
        """Recorded in `ephemerals` (only the named user would see it; not in history)."""
        blocks = args.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if not args.get("channel") or not args.get("user"):
            return _ok(False, error="channel_not_found")
        if blocks is not None and block_errors(blocks):
            return _ok(False, error="invalid_blocks")
        self.ephemerals.append(dict(args, blocks=blocks))
        return _ok(message_ts=self._next_ts())

    async def _m_conversations_history(self, args: Json) -> web.Response:
        messages = list(reversed(self.channels.get(args.get("channel", ""), [])))
        if latest := args.get("latest"):
            messages = [m for m in messages if float(m["ts"]) <= float(latest)]
        if oldest := args.get("oldest"):
            messages = [m for m in messages if float(m["ts"]) >= float(oldest)]
        start = int(args.get("cursor") or 0)
        limit = int(args.get("limit") or 100)
        page = messages[start : start + limit]
        more = start + limit < len(messages)
        with_meta = str(args.get("include_all_metadata")).lower() in ("1", "true")
        return _ok(
            messages=[_public(m, metadata=with_meta) for m in page],
            has_more=more,
            response_metadata={"next_cursor": str(start + limit) if more else ""},
        )

    async def _m_conversations_replies(self, args: Json) -> web.Response:
        history = self.channels.get(args.get("channel", ""), [])
        parent = next((m for m in history if m["ts"] == args.get("ts")), None)
        if parent is None:
            return _ok(False, error="thread_not_found")
        with_meta = str(args.get("include_all_metadata")).lower() in ("1", "true")
        thread = [parent, *parent.get("replies", [])]
        return _ok(messages=[_public(m, metadata=with_meta) for m in thread], has_more=False)

    async def _m_views_open(self, args: Json) -> web.Response:
        view = args.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        if not args.get("trigger_id") or not isinstance(view, dict):
            return _ok(False, error="invalid_arguments")
        self.views.append({"trigger_id": args["trigger_id"], "view": view})
        return _ok(view=dict(view, id=f"V{next(self._ids)}"))

    async def _m_conversations_open(self, args: Json) -> web.Response:
        """The DM with one user (`D` + the user id's tail); group DMs are not emulated."""
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if len(users) != 1 or not users[0].startswith(("U", "W")):
            return _ok(False, error="user_not_found")
        return _ok(channel={"id": "D" + users[0][1:], "is_im": True, "user": users[0]})

    async def _m_files_getUploadURLExternal(self, args: Json) -> web.Response:
        filename, length = str(args.get("filename") or ""), str(args.get("length") or "")
        if not filename or not length.isdigit():
            return _ok(False, error="invalid_arguments")
        file_id = f"F{next(self._ids):08d}"
        self.files[file_id] = SlackFile(file_id, filename, int(length))
        upload_url = f"http://127.0.0.1:{self.port}/upload/{file_id}"
        return _ok(upload_url=upload_url, file_id=file_id)

    async def _upload(self, request: web.Request) -> web.Response:
        file = self.files.get(request.match_info["file_id"])
        if file is None or file.data is not None:
            return web.Response(status=404, text="upload URL not found or already used")
        file.data = await request.read()
        self._changed.set()
        return web.Response(text=f"OK - {len(file.data)}")

    async def _m_files_completeUploadExternal(self, args: Json) -> web.Response:
        try:
            items = json.loads(args.get("files") or "[]")
        except json.JSONDecodeError:
            return _ok(False, error="invalid_arguments")
        channel = args.get("channel_id") or ""
        if not items or (channel and not channel.startswith(("C", "G", "D"))):
            return _ok(False, error="invalid_arguments" if not items else "channel_not_found")
        done = []
        for item in items:
            file = self.files.get(str(item.get("id")))
            if file is None or file.data is None:
                return _ok(False, error="file_not_found")
            if len(file.data) != file.length:
                return _ok(False, error="file_size_mismatch")
            file.title = str(item.get("title") or file.filename)
            done.append(file)
        shared = [self._public_file(f) for f in done]
        if channel:
            for file in done:
                file.channels.append(channel)
            message: Json = {
                "type": "message",
                "user": self.bot_user_id,
                "bot_id": self.bot_id,
                "text": args.get("initial_comment") or "",
                "files": shared,
                "ts": self._next_ts(),
            }
            self.channels.setdefault(channel, []).append(message)
        self._changed.set()
        return _ok(files=[{"id": f["id"], "title": f["title"]} for f in shared])

    async def _m_files_info(self, args: Json) -> web.Response:
        file = self.files.get(str(args.get("file") or ""))
        if file is None or file.data is None:
            return _ok(False, error="file_not_found")
        return _ok(file=self._public_file(file))

    def _public_file(self, file: SlackFile) -> Json:
        url = file.download_url or f"http://127.0.0.1:{self.port}/files/{file.id}/{file.filename}"
        return {
            "id": file.id,
            "name": file.filename,
            "title": file.title,
            "size": file.length,
            "url_private": url,
            "url_private_download": url,
        }

    async def _download(self, request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        file = self.files.get(request.match_info["file_id"])
        self.downloads.append(request.match_info["file_id"])
        self._changed.set()
        if token != self.bot_token or file is None or file.data is None:
            return web.Response(status=404)
        return web.Response(body=file.data, content_type="application/octet-stream")

    async def _m_users_info(self, args: Json) -> web.Response:
        uid = args.get("user", "")
        if not uid.startswith(("U", "W")):
            return _ok(False, error="user_not_found")
        admin = uid in self.admins
        return _ok(
            user={
                "id": uid,
                "team_id": self.team_id,
                "name": uid.lower(),
                "is_admin": admin,
                "is_owner": False,
                "is_bot": uid == self.bot_user_id,
                "deleted": uid in self.deactivated,
                "tz": "Europe/Amsterdam",
            }
        )

    async def _m_apps_connections_open(self, args: Json) -> web.Response:
        base = self.socket_url or f"ws://127.0.0.1:{self.port}/socket"
        return _ok(url=f"{base}?ticket={next(self._ids)}")

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.responses.append(dict(body, response_id=request.match_info["rid"]))
        self._changed.set()
        if self._drops.get(RESPONSE_URL, 0) > 0:
            self._drops[RESPONSE_URL] -= 1
            assert request.transport is not None
            request.transport.abort()
        return web.Response(text="ok")

    # ---- Socket Mode --------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.socket_connections += 1
        self._sockets.append(ws)
        self._changed.set()
        try:
            await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                data = json.loads(msg.data)
                if "envelope_id" in data:
                    self.acks[data["envelope_id"]] = data.get("payload") or {}
                    self._changed.set()
        finally:
            self._sockets.remove(ws)
            self._changed.set()
        return ws


def block_errors(blocks: list[Json]) -> list[str]:
    """Where Block Kit blocks break Slack's documented limits (empty when they fit)."""
    errors = ["more than 50 blocks"] if len(blocks) > 50 else []
    for i, block in enumerate(blocks):
        kind = block.get("type")
        if kind == "header":
            text = block.get("text") or {}
            if text.get("type") != "plain_text" or not 0 < len(text.get("text", "")) <= 150:
                errors.append(f"blocks[{i}] header text must be plain_text of 1-150")
        elif kind == "section":
            if not 0 < len((block.get("text") or {}).get("text", "")) <= 3000:
                errors.append(f"blocks[{i}] section text must be 1-3000")
        elif kind == "context":
            elements = block.get("elements") or []
            if not 0 < len(elements) <= 10:
                errors.append(f"blocks[{i}] context needs 1-10 elements")
            if any(not 0 < len(e.get("text", "")) <= 3000 for e in elements):
                errors.append(f"blocks[{i}] context element text must be 1-3000")
    return errors


def _public(message: Json, *, metadata: bool) -> Json:
    out = {k: v for k, v in message.items() if k != "replies"}
    if not metadata:
        out.pop("metadata", None)
    return out


def _ok(ok: bool = True, **fields: Any) -> web.Response:
    return web.json_response({"ok": ok, **fields})
