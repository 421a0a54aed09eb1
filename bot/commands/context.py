"""What a command handler gets and gives back: `CommandContext` in, `Reply` out.

Adapters (Discord, Slack, console) build a `CommandContext` from the platform's event, call
`Commands.handle(...)` and turn the `Reply` into a message. `CommandError` is how a handler
says "bad input" in one friendly line; the router turns it into an error `Reply`, so an
adapter never sees an exception from a handler.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.render.views import StoryCard
from bot.store.search import HIGHLIGHT_END, HIGHLIGHT_START

CHANNEL_START = "\ue002"
CHANNEL_END = "\ue003"
"""Around a channel id in `Reply.text` (private-use characters, which feed text never
carries): each adapter turns the reference into its platform's channel mention."""
_CHANNEL_REF = re.compile(f"{CHANNEL_START}([^{CHANNEL_START}{CHANNEL_END}]*){CHANNEL_END}")


def channel_ref(channel_id: str) -> str:
    """A channel reference for `Reply.text`."""
    return f"{CHANNEL_START}{channel_id}{CHANNEL_END}"


def render_channel_refs(text: str, mention: Callable[[str], str]) -> str:
    """`text` with each channel reference replaced by `mention(channel_id)`."""
    return _CHANNEL_REF.sub(lambda m: mention(m.group(1)), text)


@dataclass(frozen=True, slots=True)
class CommandContext:
    """Who runs a command, where. Built by the adapter from the platform event.

    `workspace_id` is the Discord guild id or the Slack team id ("console" on the CLI);
    `is_moderator` is the adapter's verdict on *this* call (Discord: the member's Manage
    Server permission in the interaction; Slack: a workspace admin or a configured moderator
    id), re-checked by the router for every moderator command whatever the platform
    registered as the command's default permission.
    """

    platform: str
    workspace_id: str
    channel_id: str
    user_id: str
    user_name: str = ""
    is_moderator: bool = False
    thread_id: str | None = None


@dataclass(frozen=True, slots=True)
class ReplyFile:
    """A file sent with a reply (an OPML export): Discord attaches it to the ephemeral answer,
    Slack uploads it to the caller's direct messages, the console prints or writes it."""

    filename: str
    data: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Reply:
    """A handler's answer.

    `text` is plain text that may quote feed text (titles, snippets, quotes): adapters must
    escape it for the platform and send it with mentions disabled. Search snippets mark their
    matches with HIGHLIGHT_START/HIGHLIGHT_END and channels are `channel_ref`s; replace both
    after escaping (or call `plain_text()`, which shows a channel as `#id`). `cards` render
    with the story renderers (`bot.render`). `ephemeral`: only the person who ran the command
    sees it. `error` marks a one-line refusal. `file` goes with the text (`ReplyFile`).
    """

    text: str
    cards: tuple[StoryCard, ...] = ()
    ephemeral: bool = True
    error: bool = False
    file: ReplyFile | None = None

    def plain_text(self) -> str:
        text = self.text.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")
        return render_channel_refs(text, lambda channel_id: f"#{channel_id}")

    @classmethod
    def failure(cls, message: str) -> Reply:
        return cls(text=one_line(message), ephemeral=True, error=True)


class CommandError(Exception):
    """Bad input or a refusal, told to the user in one line (`message`)."""

    def __init__(self, message: str) -> None:
        self.message = one_line(message)
        super().__init__(self.message)


class PermissionDenied(CommandError):
    """The command is for moderators and the caller is not one."""


def one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
