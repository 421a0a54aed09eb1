"""What a command handler gets and gives back: `CommandContext` in, `Reply` out.

Adapters (Discord, Slack, console) build a `CommandContext` from the platform's event, call
`Commands.handle(...)` and turn the `Reply` into a message. `CommandError` is how a handler
says "bad input" in one friendly line; the router turns it into an error `Reply`, so an
adapter never sees an exception from a handler.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.render.views import StoryCard
from bot.store.search import HIGHLIGHT_END, HIGHLIGHT_START


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
class Reply:
    """A handler's answer.

    `text` is plain text that may quote feed text (titles, snippets, quotes): adapters must
    escape it for the platform and send it with mentions disabled. Search snippets mark their
    matches with HIGHLIGHT_START/HIGHLIGHT_END; replace them after escaping (or call
    `plain_text()`). `cards` render with the story renderers (`bot.render`). `ephemeral`:
    only the person who ran the command sees it. `error` marks a one-line refusal.
    """

    text: str
    cards: tuple[StoryCard, ...] = ()
    ephemeral: bool = True
    error: bool = False

    def plain_text(self) -> str:
        return self.text.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")

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
