"""Platform-neutral slash commands: `/news`, `/feeds`, `/digest`.

Adapters build a `CommandContext`, call `Commands.handle` (or `handle_text`, `autocomplete`)
and render the `Reply`; they register commands from `spec.COMMANDS`. See bot/commands/router.py.
"""

from __future__ import annotations

from bot.commands.context import CommandContext, CommandError, PermissionDenied, Reply
from bot.commands.deps import default_thread_link
from bot.commands.router import Commands
from bot.commands.spec import COMMANDS, CommandSpec, Option, help_text
from bot.commands.text import ParsedCommand, parse_text

__all__ = [
    "COMMANDS",
    "CommandContext",
    "CommandError",
    "CommandSpec",
    "Commands",
    "Option",
    "ParsedCommand",
    "PermissionDenied",
    "Reply",
    "default_thread_link",
    "help_text",
    "parse_text",
]
