"""Files between the bot and Slack: a reply's file out (to the caller's DM), a modal's file in.

Slack never shows a file to one person only, so `send_file` uploads a reply's file
(`files_upload_v2`: `files.getUploadURLExternal`, the bytes to the URL it gives,
`files.completeUploadExternal`) to the caller's direct messages with the bot and returns the
reply to show ephemerally in the channel; a failed upload becomes a one-line refusal.

`SlackUpload` is the `Upload` (bot.commands.feed_files) for a file a moderator picked in the
import modal's `file_input`. The file's size and download address are asked of the Web API
(`files.info`), not taken from the submitted view, and the bot token is only ever sent to
Slack's file host (`files.slack.com` over https) or to the host the Web API itself is on (a
self-hosted gateway, the test emulator): a download address elsewhere is refused unread.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from yarl import URL

from bot.commands.context import CommandError, Reply

log = logging.getLogger(__name__)

SLACK_FILE_HOST = "files.slack.com"
DOWNLOAD_TIMEOUT_S = 30.0


async def send_file(client: AsyncWebClient, *, user_id: str, reply: Reply, comment: str) -> Reply:
    """Upload `reply.file` to the DM of `user_id` with `comment`; the reply for the channel."""
    file = reply.file
    if file is None:
        return reply
    try:
        opened = await client.conversations_open(users=user_id)
        dm = str((opened.get("channel") or {}).get("id") or "")
        await client.files_upload_v2(
            channel=dm,
            filename=file.filename,
            title=file.filename,
            content=file.data,
            initial_comment=comment,
        )
    except SlackApiError as exc:
        error = str(exc.response.get("error") or "unknown_error")
        log.warning("uploading %s for %s failed: %s", file.filename, user_id, error)
        hint = " (the app needs the files:write and im:write scopes)"
        hint = hint if error == "missing_scope" else ""
        return Reply.failure(f"could not send you {file.filename}: Slack said {error}{hint}")
    except (SlackClientError, aiohttp.ClientError, TimeoutError) as exc:
        log.warning("uploading %s for %s failed: %r", file.filename, user_id, exc)
        return Reply.failure(f"could not send you {file.filename}: Slack did not answer; try again")
    text = f"{reply.text}\nThe file, {file.filename}, is in your direct messages with me."
    return replace(reply, text=text, file=None)


def trusted_file_url(url: str, *, api_base: str) -> bool:
    """May the bot token go with a GET of `url`: Slack's file host, or the Web API's own."""
    try:
        target, api = URL(url), URL(api_base)
    except (TypeError, ValueError):
        return False
    if not target.is_absolute() or target.user or target.password:
        return False
    if target.scheme == "https" and target.host == SLACK_FILE_HOST and target.port == 443:
        return True
    return (target.scheme, target.host, target.port) == (api.scheme, api.host, api.port)


class SlackUpload:
    """A file picked in a modal's `file_input`, by its Slack file id."""

    def __init__(
        self, client: AsyncWebClient, file_id: str, *, filename: str = "", size: object = None
    ) -> None:
        """`filename` and `size` as the submitted view gave them: a first look only (a file
        declared too large is refused unread); `read` asks Slack again."""
        self._client = client
        self.file_id = file_id
        self.filename = filename or file_id
        self.size: int | None = size if isinstance(size, int) and size >= 0 else None

    async def read(self, *, limit: int) -> bytes:
        try:
            info = await self._client.files_info(file=self.file_id)
        except SlackApiError as exc:
            error = exc.response.get("error") or "unknown_error"
            hint = " (the app needs the files:read scope)" if error == "missing_scope" else ""
            raise CommandError(f"Slack would not give the file: {error}{hint}") from None
        except (SlackClientError, aiohttp.ClientError, TimeoutError):
            raise CommandError("Slack did not answer when asked for the file; try again") from None
        file: dict[str, Any] = info.get("file") or {}
        self.filename = str(file.get("name") or self.filename)
        size = file.get("size")
        self.size = size if isinstance(size, int) else None
        if self.size is not None and self.size > limit:
            raise _larger_than(limit)
        url = str(file.get("url_private_download") or file.get("url_private") or "")
        if not trusted_file_url(url, api_base=self._client.base_url):
            log.warning("file %s has a download address off Slack: %.100s", self.file_id, url)
            raise CommandError("that file's download address is not Slack's, so it was not read")
        return await self._download(url, limit=limit)

    async def _download(self, url: str, *, limit: int) -> bytes:
        headers = {"Authorization": f"Bearer {self._client.token}"}
        timeout = aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT_S)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.get(url, headers=headers, allow_redirects=False) as resp,
            ):
                if resp.status != 200:
                    raise CommandError(f"could not read the file from Slack: HTTP {resp.status}")
                data = bytearray()
                async for chunk in resp.content.iter_chunked(64 * 1024):
                    data += chunk
                    if len(data) > limit:
                        raise _larger_than(limit)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.info("downloading Slack file %s failed: %r", self.file_id, exc)
            raise CommandError("could not read the file from Slack; try again") from None
        return bytes(data)


def _larger_than(limit: int) -> CommandError:
    return CommandError(f"that file is larger than {limit:,} bytes, so it was not read")


__all__ = ["SlackUpload", "send_file", "trusted_file_url"]
