"""Rendering: view models → Discord message bodies, Slack Block Kit arguments, plain text.

Pure functions, no platform library imported. Build a `StoryCard` (or `DigestView`,
`ThreadUpdate`) and pick the module for the platform:

    >>> from bot.render import StoryCard, SourceLink, discord_payloads, slack_payloads, plain
    >>> card = StoryCard(story_id="42", title="Bridge reopens", url="https://example.org/a",
    ...                  sources=(SourceLink("Example News", "https://example.org/a"),))
    >>> discord_payloads.story_message(card)["allowed_mentions"]
    {'parse': []}
    >>> slack_payloads.story_message(card)["unfurl_links"]
    False

Each module has `story_message`, `digest_header`, `thread_opening` (the full summary and
every source link, first message in the story's thread) and `thread_update` ("New from
<source>: …"); `discord_payloads` also has `thread_name` and `forum_post`, `plain` has
`digest`; `ping` is the one message that mentions anyone: exactly the members and roles a
`Ping` names (Discord: `allowed_mentions` lists those ids and nothing else). Every payload
stays within the platform's documented limits (`bot.render.limits`)
and feed text in it can never mention anyone or inject links or formatting.
"""

from __future__ import annotations

from bot.render import discord_payloads, plain, slack_payloads
from bot.render.views import DigestView, Ping, QuoteLine, SourceLink, StoryCard, ThreadUpdate

__all__ = [
    "DigestView",
    "Ping",
    "QuoteLine",
    "SourceLink",
    "StoryCard",
    "ThreadUpdate",
    "discord_payloads",
    "plain",
    "slack_payloads",
]
