"""Slack adapter: delivery through the Web API, commands through slack-bolt's `AsyncApp`.

Slack has no idempotency key, so every post carries `metadata` {event_type
"newsdigest_post", event_payload {key}} and, before posting, the channel's recent history
(or the thread's replies) is searched for that key: a message the platform accepted before
a crash is found again instead of being posted twice. Posts to one channel are paced to
about one a second (Slack's guidance); 429s are retried after `Retry-After` by the SDK.

A connection that fails is retried inside the SDK only for calls that change nothing
(`READ_METHODS`): slack_sdk's default connection-error handler would re-send a
`chat.postMessage` that Slack had already accepted before the connection dropped, without our
look-up in between. Such a failure surfaces as a retryable `DeliveryError`, and the outbox's next
attempt searches history for the key first.
Slash-command answers go to the command's `response_url` through `webhook_client`, with the
same rule (bolt's `respond()` would re-send them); one whose connection drops is not sent again.

HTTP mode (behind a load balancer) serves `http_app(app)`: requests whose timestamp or
signature header is missing or malformed get 401 here, because slack_sdk's verifier raises
on a non-numeric timestamp and bolt would answer 500.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.digests.views import Notice
from bot.platforms.base import KEY_EVENT_TYPE, DeliveryError, PingPosted, Posted
from bot.platforms.logs import one_line, reason
from bot.platforms.retry import CONNECT_RETRY_S, retry_delay
from bot.render import slack_payloads
from bot.render.views import DigestView, Ping, StoryCard, ThreadUpdate

log = logging.getLogger(__name__)

RETRYABLE_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
READ_METHODS = frozenset(
    {
        "auth.test",
        "conversations.history",
        "conversations.replies",
        "conversations.info",
        "users.info",
        "files.info",
        "apps.connections.open",
    }
)
"""Web API methods that change nothing on Slack, so sending one twice is harmless."""


class ReadOnlyConnectionRetryHandler(AsyncConnectionErrorRetryHandler):
    """slack_sdk's connection-error retry, for `READ_METHODS` only."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        method = request.url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
        if method not in READ_METHODS:
            return False
        return await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        )


def retry_handlers(*, rate_limit_retries: int = 8) -> list[AsyncRetryHandler]:
    """429s are waited out for every call (Slack did nothing); a failed connection is retried
    only for calls that change nothing."""
    return [
        ReadOnlyConnectionRetryHandler(),
        AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
    ]


def web_client(*, token: str, base_url: str | None = None, rate_limit_retries: int = 8):
    """An `AsyncWebClient` that waits out 429s (`Retry-After`) instead of failing, and never
    re-sends a message on its own (see the module docstring)."""
    kwargs: dict[str, Any] = {"base_url": base_url} if base_url else {}
    return AsyncWebClient(
        token=token, retry_handlers=retry_handlers(rate_limit_retries=rate_limit_retries), **kwargs
    )


def webhook_client(*, url: str, rate_limit_retries: int = 8) -> AsyncWebhookClient:
    """A client for a slash command's `response_url` that waits out 429s and never re-sends on
    a failed connection: bolt's `respond()` uses slack_sdk's default handlers, which post an
    answer Slack already took a second time when the connection drops before the reply."""
    return AsyncWebhookClient(
        url=url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limit_retries)],
    )


def build_app(*, client: AsyncWebClient, signing_secret: str) -> AsyncApp:
    """A bolt `AsyncApp` around `client` (token and Web API address come from the client)."""
    return AsyncApp(client=client, signing_secret=signing_secret)


def socket_mode_handler(app: AsyncApp, *, app_token: str) -> AsyncSocketModeHandler:
    """Socket Mode connection (the default); `await open_socket_mode(handler)` to start it.

    Create it inside the running event loop. Reconnects on Slack's `disconnect` are routine
    and handled by the SDK; its failures are logged on one line (`bot.platforms.logs`).
    """
    logger = one_line(logging.getLogger("bot.platforms.slack.socket_mode"))
    return AsyncSocketModeHandler(app, app_token=app_token, logger=logger)


TOKEN_REFUSED_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "not_allowed_token_type",
        "account_inactive",
        "token_revoked",
        "token_expired",
    }
)


class TokenRefused(Exception):
    """Slack refused the app-level token (the Slack error code is the message)."""


async def open_socket_mode(
    handler: AsyncSocketModeHandler, *, retry_s: tuple[float, ...] = CONNECT_RETRY_S
) -> None:
    """Connect `handler`, retrying with backoff until Slack answers (one log line a failure);
    TokenRefused if Slack refuses the app token, which no retry mends.

    The SDK's own `connect()` retries every 10 s forever; asking for the socket URL here first
    gives each failure a line saying when the next try is. Cancel this to give up.
    """
    client = handler.client
    for attempt in itertools.count():
        try:
            client.wss_uri = await client.issue_new_wss_url()
            break
        except (aiohttp.ClientError, OSError, SlackApiError) as exc:
            if isinstance(exc, SlackApiError) and exc.response.get("error") in TOKEN_REFUSED_ERRORS:
                raise TokenRefused(exc.response["error"]) from None
            delay = retry_delay(attempt, retry_s)
            why = reason(exc)
            if isinstance(exc, SlackApiError):
                why = f"Slack answered {exc.response.get('error')!r}"
            log.warning("Slack Socket Mode: cannot connect (%s); next retry in %g s", why, delay)
            await asyncio.sleep(delay)
    await handler.connect_async()


def http_app(app: AsyncApp, *, path: str = "/slack/events") -> web.Application:
    """An aiohttp application serving bolt in HTTP mode, 401 for malformed requests."""

    async def handle(request: web.Request) -> web.Response:
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not stamp.isascii() or not stamp.isdigit() or not signature.startswith("v0="):
            return web.Response(status=401, text="invalid request signature")
        response = await app.async_dispatch(await to_bolt_request(request))
        return await to_aiohttp_response(response)

    web_app = web.Application(client_max_size=1024 * 1024)
    web_app.router.add_post(path, handle)
    return web_app


class SlackPlatform:
    """`Platform` for Slack. Channel ids are Slack channel ids; message and thread ids are
    `ts` strings (a story's thread id is the story message's `ts`)."""

    name = "slack"

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        history_limit: int = 200,
        min_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._client = client
        self._history_limit = history_limit
        self._min_interval = min_interval
        self._clock = clock
        self._sleep = sleep
        self._last_post: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def post_digest_header(self, *, channel_id: str, digest: DigestView, key: str) -> Posted:
        args = slack_payloads.digest_header(digest)
        return await self._deliver(channel_id=channel_id, args=args, key=key)

    async def post_story(self, *, channel_id: str, story: StoryCard, key: str) -> Posted:
        posted = await self._deliver(
            channel_id=channel_id, args=slack_payloads.story_message(story), key=key
        )
        return Posted(channel_id, posted.message_id, posted.message_id, posted.already_posted)

    async def open_thread(
        self, *, channel_id: str, message_id: str, story: StoryCard, key: str
    ) -> Posted:
        args = slack_payloads.thread_opening(story)
        return await self._deliver(channel_id=channel_id, args=args, key=key, thread=message_id)

    async def reply(
        self, *, channel_id: str, thread_id: str, update: ThreadUpdate, key: str
    ) -> Posted:
        args = slack_payloads.thread_update(update)
        return await self._deliver(channel_id=channel_id, args=args, key=key, thread=thread_id)

    async def post_ping(
        self, *, channel_id: str, thread_id: str, ping: Ping, key: str
    ) -> PingPosted:
        """Mention a story's followers and user groups in its thread (the text holds those
        mentions and nothing else that could notify). Deactivated or unknown members are
        left out and reported."""
        gone = await self._departed(ping.user_ids)
        if gone:
            ping = replace(ping, user_ids=tuple(u for u in ping.user_ids if u not in gone))
        args = slack_payloads.ping(ping)
        if not args["text"]:
            return PingPosted(Posted(channel_id, "", thread_id), gone)
        posted = await self._deliver(channel_id=channel_id, args=args, key=key, thread=thread_id)
        return PingPosted(posted, gone)

    async def _departed(self, user_ids: tuple[str, ...]) -> tuple[str, ...]:
        """Members `users.info` says are deleted (deactivated) or unknown; a failed look-up
        counts as present."""
        gone: list[str] = []
        for user_id in user_ids:
            try:
                resp = await self._client.users_info(user=user_id)
            except SlackApiError as exc:
                if exc.response.get("error") in ("user_not_found", "account_inactive"):
                    gone.append(user_id)
                continue
            except aiohttp.ClientError:
                continue
            if (resp.get("user") or {}).get("deleted"):
                gone.append(user_id)
        return tuple(gone)

    async def post_notice(self, *, channel_id: str, notice: Notice, key: str) -> Posted:
        """A message to moderators (feed health, undeliverable posts)."""
        args = slack_payloads.notice(title=notice.title, lines=tuple(notice.lines), url=notice.url)
        return await self._deliver(channel_id=channel_id, args=args, key=key)

    async def find_posted(self, *, channel_id: str, key: str, thread: str | None = None):
        """The `ts` of a message carrying `key` in its metadata, searched newest first."""
        try:
            if thread is None:
                resp = await self._client.conversations_history(
                    channel=channel_id, limit=self._history_limit, include_all_metadata=True
                )
            else:
                resp = await self._client.conversations_replies(
                    channel=channel_id, ts=thread, limit=self._history_limit,
                    include_all_metadata=True,
                )  # fmt: skip
        except SlackApiError as exc:
            raise _delivery_error(exc) from exc
        except aiohttp.ClientError as exc:
            raise DeliveryError(f"Slack unreachable: {exc}", retryable=True) from exc
        for message in resp.get("messages") or []:
            meta = message.get("metadata") or {}
            if meta.get("event_type") == KEY_EVENT_TYPE and (
                (meta.get("event_payload") or {}).get("key") == key
            ):
                return str(message["ts"])
        return None

    async def _deliver(
        self, *, channel_id: str, args: dict[str, Any], key: str, thread: str | None = None
    ) -> Posted:
        lock = self._locks.setdefault(channel_id, asyncio.Lock())
        async with lock:
            found = await self.find_posted(channel_id=channel_id, key=key, thread=thread)
            if found is not None:
                return Posted(channel_id, found, thread, already_posted=True)
            await self._pace(channel_id)
            metadata = {"event_type": KEY_EVENT_TYPE, "event_payload": {"key": key}}
            try:
                resp = await self._client.chat_postMessage(
                    channel=channel_id, thread_ts=thread, metadata=metadata, **args
                )
            except SlackApiError as exc:
                raise _delivery_error(exc) from exc
            except aiohttp.ClientError as exc:
                raise DeliveryError(f"Slack unreachable: {exc}", retryable=True) from exc
            finally:
                self._last_post[channel_id] = self._clock()
            return Posted(channel_id, str(resp["ts"]), thread)

    async def _pace(self, channel_id: str) -> None:
        last = self._last_post.get(channel_id)
        if last is not None:
            wait = self._min_interval - (self._clock() - last)
            if wait > 0:
                await self._sleep(wait)


def _delivery_error(exc: SlackApiError) -> DeliveryError:
    error = str(exc.response.get("error") or "unknown_error")
    return DeliveryError(f"Slack refused the message: {error}", retryable=error in RETRYABLE_ERRORS)
