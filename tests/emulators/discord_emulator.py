"""A Discord API emulator on 127.0.0.1: REST (`/api/v10/...`) and the gateway websocket.

Point discord.py at it with `emulator.patch(monkeypatch)` (sets `discord.http.Route.BASE`
and the gateway address). It keeps channels, messages, threads and registered commands in
memory, dedupes messages on (channel, nonce) when `enforce_nonce` is set, answers "a thread
already exists" with Discord's code 160004, can inject 429s (`rate_limit`), can drop the
connection after accepting a message (`drop_after_accept`) or answer it with a server error
(`fail_after_accept`, which discord.py re-sends), the crash cases delivery must reconcile.
`send_slash_command` dispatches INTERACTION_CREATE; the answer arrives through the interaction
callback route and is recorded in `callbacks`. Files sent with a message come as
multipart bodies (`payload_json` and `files[n]`): the JSON is the recorded body and the files
are under its `"_files"` key as `{"filename", "content_type", "data"}`. `attachment` keeps a
file on the emulator's CDN (`/attachments/...`) for an attachment option of a command.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import BodyPartReader, WSMsgType, web

from tests.emulators.waiting import wait_until

API = "/api/v10"
MANAGE_GUILD = 1 << 5
ADMINISTRATOR = 1 << 3
EVERYONE_PERMISSIONS = (
    (1 << 10) | (1 << 11) | (1 << 31) | (1 << 38)
)  # view, send, app cmds, threads

Json = dict[str, Any]


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _user(uid: int, name: str, *, bot: bool = False) -> Json:
    return {
        "id": str(uid),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
    }


@dataclass
class Call:
    """One REST request as the emulator received it."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]


@dataclass
class _Injection:
    method: str
    pattern: re.Pattern[str]
    remaining: int
    retry_after: float = 0.0
    status: int = 0


@dataclass
class GuildSpec:
    """A guild the bot is in: a text channel, a forum channel, roles and a few members."""

    id: int
    name: str
    text_channel: int
    forum_channel: int
    moderator_role: int
    member_ids: tuple[int, ...] = ()


@dataclass
class DiscordEmulator:
    app_id: int = 900_000_000_000_000_001
    bot_id: int = 900_000_000_000_000_001
    token: str = "emulator-bot-token"
    compress: bool = True
    calls: list[Call] = field(default_factory=list)
    gateway_frames: list[Json] = field(default_factory=list)
    guilds: list[GuildSpec] = field(default_factory=list)
    channels: dict[int, Json] = field(default_factory=dict)
    messages: dict[int, list[Json]] = field(default_factory=dict)
    threads: dict[int, Json] = field(default_factory=dict)
    commands: dict[str, list[Json]] = field(default_factory=dict)
    callbacks: dict[int, list[Json]] = field(default_factory=dict)
    followups: list[Json] = field(default_factory=list)
    deleted_originals: list[str] = field(default_factory=list)
    interactions: dict[int, Json] = field(default_factory=dict)
    cdn: dict[str, bytes] = field(default_factory=dict)
    cdn_reads: list[str] = field(default_factory=list)
    gateway_connections: list[dict[str, str]] = field(default_factory=list)
    identifies: int = 0
    shards_identified: list[tuple[int, int]] = field(default_factory=list)
    resumes: int = 0

    def __post_init__(self) -> None:
        self._ids = itertools.count(1_300_000_000_000_000_000)
        self._seq = 0
        self._sockets: list[tuple[web.WebSocketResponse, Any]] = []
        self._injections: list[_Injection] = []
        self._drops: list[_Injection] = []
        self._failures: list[_Injection] = []
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Event()
        self.port = 0
        if not self.guilds:
            self.add_guild("Harbour News")

    # ---- set-up -----------------------------------------------------------------------------

    def next_id(self) -> int:
        return next(self._ids)

    def add_guild(self, name: str, *, members: int = 2) -> GuildSpec:
        """Add a guild; consecutive guilds land on different shards (`(id >> 22) % shards`)."""
        gid = (1_000_000_000 + len(self.guilds)) << 22
        spec = GuildSpec(
            id=gid,
            name=name,
            text_channel=self.next_id(),
            forum_channel=self.next_id(),
            moderator_role=self.next_id(),
            member_ids=tuple(self.next_id() for _ in range(members)),
        )
        self.channels[spec.text_channel] = self._channel(spec.text_channel, gid, "news", 0)
        self.channels[spec.forum_channel] = self._channel(spec.forum_channel, gid, "stories", 15)
        self.guilds.append(spec)
        return spec

    def add_text_channel(self, spec: GuildSpec, name: str) -> int:
        """Another text channel of the guild (add it before the client connects)."""
        cid = self.next_id()
        self.channels[cid] = self._channel(cid, spec.id, name, 0)
        return cid

    @staticmethod
    def _channel(cid: int, gid: int, name: str, kind: int) -> Json:
        return {
            "id": str(cid),
            "guild_id": str(gid),
            "type": kind,
            "name": name,
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "available_tags": [],
        }

    def guild_payload(self, spec: GuildSpec) -> Json:
        roles = [
            {"id": str(spec.id), "name": "@everyone", "permissions": str(EVERYONE_PERMISSIONS),
             "position": 0, "color": 0, "hoist": False, "managed": False, "mentionable": False,
             "flags": 0},
            {"id": str(spec.moderator_role), "name": "Moderators",
             "permissions": str(EVERYONE_PERMISSIONS | MANAGE_GUILD), "position": 1, "color": 0,
             "hoist": False, "managed": False, "mentionable": False, "flags": 0},
        ]  # fmt: skip
        members = [self._member(self.bot_id, "newsdigest", roles=[], bot=True)]
        members += [
            self._member(uid, f"user{i}", roles=[]) for i, uid in enumerate(spec.member_ids)
        ]
        return {
            "id": str(spec.id),
            "name": spec.name,
            "icon": None,
            "owner_id": str(spec.member_ids[0] if spec.member_ids else self.bot_id),
            "roles": roles,
            "channels": [c for c in self.channels.values() if c["guild_id"] == str(spec.id)],
            "threads": [t for t in self.threads.values() if t["guild_id"] == str(spec.id)],
            "members": members,
            "member_count": len(members),
            "emojis": [],
            "stickers": [],
            "features": [],
            "voice_states": [],
            "presences": [],
            "large": False,
            "unavailable": False,
            "joined_at": _now(),
            "preferred_locale": "en-US",
            "premium_tier": 0,
            "system_channel_flags": 0,
            "verification_level": 0,
            "explicit_content_filter": 0,
            "default_message_notifications": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
        }

    def role_payload(self, spec: GuildSpec) -> Json:
        """The guild's moderator role as an interaction's `resolved.roles` entry."""
        return {
            "id": str(spec.moderator_role), "name": "Moderators",
            "permissions": str(EVERYONE_PERMISSIONS | MANAGE_GUILD), "position": 1, "color": 0,
            "hoist": False, "managed": False, "mentionable": True, "flags": 0,
        }  # fmt: skip

    def _member(
        self, uid: int, name: str, *, roles: list[int], bot: bool = False, permissions: int = 0
    ) -> Json:
        data: Json = {
            "user": _user(uid, name, bot=bot),
            "roles": [str(r) for r in roles],
            "joined_at": _now(),
            "deaf": False,
            "mute": False,
            "flags": 0,
        }
        if permissions:
            data["permissions"] = str(permissions)
        return data

    def rate_limit(
        self, method: str, path_regex: str, *, times: int = 1, retry_after: float = 0.0
    ) -> None:
        """The next `times` requests matching (method, path under /api/v10) get a 429."""
        self._injections.append(_Injection(method, re.compile(path_regex), times, retry_after))

    def drop_after_accept(self, path_regex: str = r"/channels/\d+/messages$", *, times: int = 1):
        """Accept the next `times` matching POSTs, then close the connection without answering."""
        self._drops.append(_Injection("POST", re.compile(path_regex), times))

    def fail_after_accept(self, path_regex: str, *, times: int = 1, status: int = 500) -> None:
        """Do the next `times` matching POSTs, then answer each with `status` (a 5xx that
        discord.py retries with the identical body after a second)."""
        self._failures.append(_Injection("POST", re.compile(path_regex), times, status=status))

    def attachment(
        self, filename: str, data: bytes, *, declared_size: int | None = None
    ) -> tuple[Json, Json]:
        """A file on the CDN as a command's attachment: (the option's value, `resolved`).

        `declared_size` is the size the interaction claims (default: the real one)."""
        aid = str(self.next_id())
        path = f"/attachments/{aid}/{filename}"
        self.cdn[path] = data
        url = f"http://127.0.0.1:{self.port}{path}"
        payload = {
            "id": aid,
            "filename": filename,
            "size": len(data) if declared_size is None else declared_size,
            "url": url,
            "proxy_url": url,
            "content_type": "text/x-opml",
        }
        return {"value": aid}, {"attachments": {aid: payload}}

    def patch(self, monkeypatch: Any) -> None:
        """Point discord.py (process-wide class attributes) at this emulator."""
        import discord.gateway
        import discord.http
        import yarl

        monkeypatch.setattr(discord.http.Route, "BASE", self.base_url)
        monkeypatch.setattr(
            discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(self.gateway_url)
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    # ---- lifecycle --------------------------------------------------------------------------

    async def start(self) -> DiscordEmulator:
        app = web.Application(middlewares=[self._middleware])
        app.router.add_get("/", self._gateway)
        app.router.add_get("/attachments/{tail:.*}", self._cdn)
        app.router.add_route("*", API + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        for ws, _ in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_for(self, predicate: Callable[[], Any], *, within: float = 20.0) -> Any:
        """Wait until `predicate()` is truthy (re-checked on every request and frame)."""
        return await wait_until(self._changed, predicate, within=within)

    # ---- gateway ----------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        zlib_stream = self.compress and request.query.get("compress") == "zlib-stream"
        compressor = zlib.compressobj() if zlib_stream else None
        self.gateway_connections.append(dict(request.query, compressed=str(zlib_stream)))
        entry = (ws, compressor)
        self._sockets.append(entry)
        try:
            await self._send(entry, {"op": 10, "d": {"heartbeat_interval": 41250}})
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                self.gateway_frames.append(frame)
                self._changed.set()
                await self._on_frame(entry, frame)
        finally:
            self._sockets.remove(entry)
        return ws

    async def _on_frame(self, entry: tuple[web.WebSocketResponse, Any], frame: Json) -> None:
        op = frame.get("op")
        if op == 1:
            await self._send(entry, {"op": 11})
        elif op == 2:
            self.identifies += 1
            data = frame["d"]
            if data.get("token") != self.token:
                await entry[0].close(code=4004, message=b"Authentication failed.")
                return
            shard_id, shards = data.get("shard") or (0, 1)
            mine = [g for g in self.guilds if (g.id >> 22) % shards == shard_id]
            self.shards_identified.append((shard_id, shards))
            ready: Json = {
                "v": 10,
                "user": _user(self.bot_id, "newsdigest", bot=True),
                "guilds": [{"id": str(g.id), "unavailable": True} for g in mine],
                "session_id": f"session-{self.identifies}",
                "resume_gateway_url": self.gateway_url,
                "application": {"id": str(self.app_id), "flags": 0},
            }
            if "shard" in data:
                ready["shard"] = data["shard"]
            await self._dispatch_to(entry, "READY", ready)
            for g in mine:
                await self._dispatch_to(entry, "GUILD_CREATE", self.guild_payload(g))
        elif op == 6:
            self.resumes += 1
            await self._dispatch_to(entry, "RESUMED", {})

    async def _send(self, entry: tuple[web.WebSocketResponse, Any], payload: Json) -> None:
        ws, compressor = entry
        data = json.dumps(payload)
        if compressor is None:
            await ws.send_str(data)
        else:
            await ws.send_bytes(
                compressor.compress(data.encode()) + compressor.flush(zlib.Z_SYNC_FLUSH)
            )

    async def _dispatch_to(self, entry: tuple[web.WebSocketResponse, Any], event: str, data: Json):
        self._seq += 1
        await self._send(entry, {"op": 0, "t": event, "s": self._seq, "d": data})

    async def dispatch(self, event: str, data: Json) -> None:
        """Send a dispatch event to every connected gateway session."""
        for entry in list(self._sockets):
            await self._dispatch_to(entry, event, data)

    async def send_reconnect(self) -> None:
        """op 7: asks the client to reconnect and resume."""
        for entry in list(self._sockets):
            await self._send(entry, {"op": 7, "d": None})

    async def send_slash_command(
        self,
        name: str,
        options: list[Json] | None = None,
        *,
        guild: GuildSpec | None = None,
        user_id: int | None = None,
        roles: list[int] | None = None,
        permissions: int = EVERYONE_PERMISSIONS,
        interaction_type: int = 2,
        resolved: Json | None = None,
    ) -> Json:
        """Dispatch INTERACTION_CREATE for `/name` in the guild's text channel; returns it.

        `permissions` is what Discord computes for the member in the channel; a moderator is
        `EVERYONE_PERMISSIONS | MANAGE_GUILD` with `roles=[guild.moderator_role]`. `resolved`
        carries the objects that role, user or channel options name (`role_payload`).
        """
        guild = guild or self.guilds[0]
        uid = user_id or guild.member_ids[-1]
        iid = self.next_id()
        registered = self.commands.get(str(guild.id), []) + self.commands.get("global", [])
        command_id = next((c["id"] for c in registered if c["name"] == name), str(self.next_id()))
        interaction = {
            "id": str(iid),
            "application_id": str(self.app_id),
            "type": interaction_type,
            "token": f"itoken-{iid}",
            "version": 1,
            "guild_id": str(guild.id),
            "channel_id": str(guild.text_channel),
            "channel": dict(self.channels[guild.text_channel], permissions=str(permissions)),
            "member": self._member(uid, f"user-{uid}", roles=roles or [], permissions=permissions),
            "data": {
                "id": command_id,
                "name": name,
                "type": 1,
                "options": options or [],
                "guild_id": str(guild.id),
                **({"resolved": resolved} if resolved else {}),
            },
            "locale": "en-US",
            "guild_locale": "en-US",
            "app_permissions": str(EVERYONE_PERMISSIONS),
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": 10_485_760,
        }
        self.interactions[iid] = interaction
        await self.dispatch("INTERACTION_CREATE", interaction)
        return interaction

    # ---- REST -------------------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        try:
            return await handler(request)
        finally:
            self._changed.set()

    async def _cdn(self, request: web.Request) -> web.StreamResponse:
        self.cdn_reads.append(request.path)
        data = self.cdn.get(request.path)
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        body: Any = None
        if request.content_type.startswith("multipart/"):
            body = await _multipart_body(request)
        elif raw := await request.read():
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
        self.calls.append(
            Call(request.method, path, dict(request.query), body, dict(request.headers))
        )
        for inj in self._injections:
            if inj.remaining > 0 and inj.method == request.method and inj.pattern.search(path):
                inj.remaining -= 1
                return _json(
                    {"message": "You are being rate limited.", "retry_after": inj.retry_after,
                     "global": False, "code": 0},
                    status=429,
                    headers={"Via": "1.1 google", "X-RateLimit-Scope": "user"},
                )  # fmt: skip
        webhook = path.startswith(("/interactions/", "/webhooks/"))
        if not webhook and request.headers.get("Authorization") != f"Bot {self.token}":
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        for pattern, method, handler in self._routes():
            m = re.fullmatch(pattern, path)
            if m and method == request.method:
                response = await handler(request, body or {}, *m.groups())
                drop = next(
                    (d for d in self._drops if d.remaining > 0 and d.pattern.search(path)), None
                )
                if drop is not None and method == "POST" and response.status < 300:
                    drop.remaining -= 1
                    assert request.transport is not None
                    request.transport.close()
                failure = next(
                    (f for f in self._failures if f.remaining > 0 and f.pattern.search(path)), None
                )
                if failure is not None and method == "POST" and response.status < 300:
                    failure.remaining -= 1
                    error = {"message": f"{failure.status}: Server Error", "code": 0}
                    return _json(error, status=failure.status)
                return response
        return _json({"message": "404: Not Found", "code": 0}, status=404)

    def _routes(self) -> list[tuple[str, str, Any]]:
        return [
            (r"/users/@me", "GET", self._get_me),
            (r"/oauth2/applications/@me", "GET", self._get_app),
            (r"/gateway", "GET", self._get_gateway),
            (r"/gateway/bot", "GET", self._get_gateway),
            (r"/applications/(\d+)/commands", "PUT", self._put_commands),
            (r"/applications/(\d+)/guilds/(\d+)/commands", "PUT", self._put_commands),
            (r"/applications/(\d+)/commands", "GET", self._get_commands),
            (r"/applications/(\d+)/guilds/(\d+)/commands", "GET", self._get_commands),
            (r"/channels/(\d+)", "GET", self._get_channel),
            (r"/channels/(\d+)/messages", "POST", self._post_message),
            (r"/channels/(\d+)/messages", "GET", self._get_messages),
            (r"/channels/(\d+)/messages/(\d+)/threads", "POST", self._post_message_thread),
            (r"/channels/(\d+)/messages/(\d+)", "GET", self._get_message),
            (r"/guilds/(\d+)/threads/active", "GET", self._get_active_threads),
            (r"/guilds/(\d+)/members/(\d+)", "GET", self._get_member),
            (r"/channels/(\d+)/threads", "POST", self._post_forum_thread),
            (r"/interactions/(\d+)/([^/]+)/callback", "POST", self._post_callback),
            (r"/webhooks/(\d+)/([^/]+)", "POST", self._post_followup),
            (r"/webhooks/(\d+)/([^/]+)/messages/@original", "PATCH", self._patch_original),
            (r"/webhooks/(\d+)/([^/]+)/messages/@original", "DELETE", self._delete_original),
        ]

    async def _get_me(self, request: web.Request, body: Json) -> web.Response:
        return _json(_user(self.bot_id, "newsdigest", bot=True))

    async def _get_app(self, request: web.Request, body: Json) -> web.Response:
        return _json(
            {
                "id": str(self.app_id),
                "name": "newsdigest",
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": _user(self.next_id(), "owner"),
                "verify_key": "0" * 64,
                "flags": 0,
            }
        )

    async def _get_gateway(self, request: web.Request, body: Json) -> web.Response:
        return _json(
            {
                "url": self.gateway_url.rstrip("/"),
                "shards": 2,
                "session_start_limit": {
                    "total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1
                },
            }
        )  # fmt: skip

    async def _put_commands(self, request: web.Request, body: Any, app: str, gid: str = "global"):
        registered = []
        for cmd in body if isinstance(body, list) else []:
            entry = dict(cmd, id=str(self.next_id()), application_id=app, version="1")
            if gid != "global":
                entry["guild_id"] = gid
            registered.append(entry)
        self.commands[gid] = registered
        return _json(registered)

    async def _get_commands(self, request: web.Request, body: Any, app: str, gid: str = "global"):
        return _json(self.commands.get(gid, []))

    def _known(self, cid: int) -> Json | None:
        return self.channels.get(cid) or self.threads.get(cid)

    async def _get_channel(self, request: web.Request, body: Json, cid: str) -> web.Response:
        channel = self._known(int(cid))
        if channel is None:
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        return _json(channel)

    def _message(self, cid: int, body: Json, *, mid: int | None = None) -> Json:
        channel = self._known(cid) or {}
        msg = {
            "id": str(mid or self.next_id()),
            "channel_id": str(cid),
            "guild_id": channel.get("guild_id"),
            "author": _user(self.bot_id, "newsdigest", bot=True),
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "allowed_mentions": body.get("allowed_mentions"),
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags") or 0,
        }
        if body.get("nonce") is not None:
            msg["nonce"] = body["nonce"]
        return msg

    async def _post_message(self, request: web.Request, body: Json, cid: str) -> web.Response:
        channel_id = int(cid)
        channel = self._known(channel_id)
        if channel is None:
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        if channel["type"] == 15:
            return _json({"message": "Cannot send messages in a forum", "code": 50008}, 400)
        if not body.get("content") and not body.get("embeds"):
            return _json({"message": "Cannot send an empty message", "code": 50006}, status=400)
        if errors := embed_errors(body):
            return _form_error(errors)
        history = self.messages.setdefault(channel_id, [])
        nonce = body.get("nonce")
        if nonce is not None and len(str(nonce)) > 25:
            return _json({"message": "Invalid Form Body", "code": 50035}, status=400)
        if nonce is not None and body.get("enforce_nonce"):
            for existing in history:
                if existing.get("nonce") == nonce:
                    return _json(existing)
        msg = self._message(channel_id, body)
        history.append(msg)
        if channel["type"] == 11:
            channel["message_count"] += 1
        return _json(msg)

    async def _get_messages(self, request: web.Request, body: Json, cid: str) -> web.Response:
        limit = int(request.query.get("limit", "50"))
        return _json(list(reversed(self.messages.get(int(cid), [])))[:limit])

    async def _get_message(self, request: web.Request, body: Json, cid: str, mid: str):
        for msg in self.messages.get(int(cid), []):
            if msg["id"] == mid:
                return _json(msg)
        return _json({"message": "Unknown Message", "code": 10008}, status=404)

    async def _get_member(self, request: web.Request, body: Json, gid: str, uid: str):
        """A member of the guild, or 404 Unknown Member (10007) for anyone not in it."""
        spec = next((g for g in self.guilds if g.id == int(gid)), None)
        if spec is None:
            return _json({"message": "Unknown Guild", "code": 10004}, status=404)
        if int(uid) not in spec.member_ids and int(uid) != self.bot_id:
            return _json({"message": "Unknown Member", "code": 10007}, status=404)
        return _json(self._member(int(uid), f"user-{uid}", roles=[]))

    async def _get_active_threads(self, request: web.Request, body: Json, gid: str):
        threads = [t for t in self.threads.values() if t["guild_id"] == gid]
        return _json({"threads": threads, "members": []})

    def _thread(self, tid: int, parent: Json, name: str, body: Json) -> Json:
        return {
            "id": str(tid),
            "guild_id": parent["guild_id"],
            "parent_id": parent["id"],
            "owner_id": str(self.bot_id),
            "name": name,
            "type": 11,
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration") or 1440,
                "archive_timestamp": _now(),
                "locked": False,
            },
        }

    async def _post_message_thread(
        self, request: web.Request, body: Json, cid: str, mid: str
    ) -> web.Response:
        parent = self.channels.get(int(cid))
        if parent is None or not any(m["id"] == mid for m in self.messages.get(int(cid), [])):
            return _json({"message": "Unknown Message", "code": 10008}, status=404)
        if int(mid) in self.threads:
            return _json(
                {"message": "A thread has already been created for this message", "code": 160004},
                status=400,
            )
        name = str(body.get("name") or "")
        if not 1 <= len(name) <= 100:
            return _json({"message": "Invalid Form Body", "code": 50035}, status=400)
        thread = self._thread(int(mid), parent, name, body)
        self.threads[int(mid)] = thread
        self.messages[int(mid)] = []
        return _json(thread, status=201)

    async def _post_forum_thread(self, request: web.Request, body: Json, cid: str):
        parent = self.channels.get(int(cid))
        if parent is None or parent["type"] != 15:
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        starter = body.get("message") or {}
        if not starter.get("content") and not starter.get("embeds"):
            return _json({"message": "Cannot send an empty message", "code": 50006}, status=400)
        if errors := embed_errors(starter):
            return _form_error(errors)
        tid = self.next_id()
        thread = self._thread(tid, parent, str(body.get("name") or ""), body)
        thread["message_count"] = 1
        self.threads[tid] = thread
        message = self._message(tid, starter, mid=tid)
        self.messages[tid] = [message]
        return _json(dict(thread, message=message), status=201)

    async def _post_callback(self, request: web.Request, body: Json, iid: str, token: str):
        interaction = self.interactions.get(int(iid))
        if interaction is None or interaction["token"] != token:
            return _json({"message": "Unknown interaction", "code": 10062}, status=404)
        if self.callbacks.get(int(iid)):
            return _json(
                {"message": "Interaction has already been acknowledged.", "code": 40060}, 400
            )
        self.callbacks.setdefault(int(iid), []).append(body)
        kind = body.get("type")
        data = body.get("data") or {}
        answer: Json = {
            "interaction": {
                "id": iid,
                "type": interaction["type"],
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool((data.get("flags") or 0) & 64),
            }
        }
        if kind in (4, 5, 7):
            msg = self._message(int(interaction["channel_id"]), data)
            msg["type"] = 20
            if kind == 4 and not (data.get("flags") or 0) & 64:
                self.messages.setdefault(int(interaction["channel_id"]), []).append(msg)
            msg["interaction_metadata"] = {
                "id": iid,
                "type": interaction["type"],
                "user": interaction["member"]["user"],
                "authorizing_integration_owners": interaction["authorizing_integration_owners"],
            }
            answer["interaction"]["response_message_id"] = msg["id"]
            answer["resource"] = {"type": kind, "message": msg}
        if request.query.get("with_response") in ("1", "true", "True"):
            return _json(answer)
        return web.Response(status=204)

    async def _post_followup(self, request: web.Request, body: Json, app: str, token: str):
        iid = next((i for i, x in self.interactions.items() if x["token"] == token), None)
        if iid is None:
            return _json({"message": "Unknown Webhook", "code": 10015}, status=404)
        self.followups.append(dict(body, interaction_id=str(iid)))
        msg = self._message(int(self.interactions[iid]["channel_id"]), body)
        return _json(msg)

    async def _patch_original(self, request: web.Request, body: Json, app: str, token: str):
        iid = next((i for i, x in self.interactions.items() if x["token"] == token), None)
        if iid is None:
            return _json({"message": "Unknown Webhook", "code": 10015}, status=404)
        self.followups.append(dict(body, interaction_id=str(iid), original=True))
        return _json(self._message(int(self.interactions[iid]["channel_id"]), body))

    async def _delete_original(self, request: web.Request, body: Json, app: str, token: str):
        iid = next((i for i, x in self.interactions.items() if x["token"] == token), None)
        if iid is None:
            return _json({"message": "Unknown Webhook", "code": 10015}, status=404)
        self.deleted_originals.append(str(iid))
        return web.Response(status=204)


async def _multipart_body(request: web.Request) -> Json:
    """A message sent with files: `payload_json` as the body, the files under `"_files"`."""
    body: Json = {}
    files: list[Json] = []
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader):
            continue
        data = await part.read()
        if part.name == "payload_json":
            body = json.loads(data)
        else:
            files.append(
                {
                    "filename": part.filename,
                    "content_type": part.headers.get("Content-Type"),
                    "data": bytes(data),
                }
            )
    body["_files"] = files
    return body


def embed_errors(body: Json) -> list[str]:
    """Where a message body breaks Discord's documented limits (empty when it fits)."""
    errors: list[str] = []
    if len(body.get("content") or "") > 2000:
        errors.append("content longer than 2000")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        errors.append("more than 10 embeds")
    total = 0
    for i, e in enumerate(embeds):
        parts = {
            "title": (e.get("title") or "", 256),
            "description": (e.get("description") or "", 4096),
            "footer.text": ((e.get("footer") or {}).get("text") or "", 2048),
            "author.name": ((e.get("author") or {}).get("name") or "", 256),
        }
        for name, (text, limit) in parts.items():
            total += len(text)
            if len(text) > limit:
                errors.append(f"embeds[{i}].{name} longer than {limit}")
        fields = e.get("fields") or []
        if len(fields) > 25:
            errors.append(f"embeds[{i}] has more than 25 fields")
        for j, f in enumerate(fields):
            total += len(f.get("name") or "") + len(f.get("value") or "")
            if not 0 < len(f.get("name") or "") <= 256 or not 0 < len(f.get("value") or "") <= 1024:
                errors.append(f"embeds[{i}].fields[{j}] name or value out of range")
    if total > 6000:
        errors.append("embeds longer than 6000 in total")
    return errors


def _form_error(errors: list[str]) -> web.Response:
    """Discord's 50035 answer, with errors nested the way discord.py flattens them."""
    detail = [{"code": "BASE_TYPE_MAX_LENGTH", "message": e} for e in errors]
    body = {
        "message": "Invalid Form Body",
        "code": 50035,
        "errors": {"embeds": {"_errors": detail}},
    }
    return _json(body, status=400)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """A JSON response with exactly `application/json` (discord.py rejects a charset suffix)."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


@contextlib.asynccontextmanager
async def running_client(client: Any, emulator: DiscordEmulator) -> AsyncIterator[Any]:
    """Run a discord.py client against the emulator until READY; close it afterwards.

    Races `wait_until_ready()` against the client's task, so a payload the library rejects
    fails the test with its exception instead of a timeout.
    """
    task = asyncio.create_task(client.start(emulator.token, reconnect=False))
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        done, _ = await asyncio.wait({task, ready}, timeout=10, return_when="FIRST_COMPLETED")
        if task in done:
            task.result()
            raise RuntimeError("client stopped before READY")
        if ready not in done:
            raise TimeoutError("client not READY within 10 s")
        yield client
    finally:
        ready.cancel()
        await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)
