"""Discord slash commands: `/news`, `/feeds`, `/digest` registered from `bot.commands.spec`.

Usage (the bot process)::

    tree = app_commands.CommandTree(client)
    register_commands(tree, commands)                  # global; or guild=discord.Object(gid)
    await tree.sync()                                  # once connected

Every command is a subcommand of its group, with the options of the one table
(`spec.COMMANDS`); feed options autocomplete from the caller's own server's feeds. Moderator
groups are registered with `default_member_permissions` = Manage Server, but that is only a
default that server admins can change, so every call is judged again from the member's
permissions in the interaction (Manage Server or Administrator) and the router refuses
moderator commands to anyone else.

A `Reply` becomes one interaction response: the text (escaped, mentions off, search hits in
bold) as content and its story cards as embeds (as many as fit Discord's 10 embeds and 6,000
characters), ephemeral when the reply says so. Commands that fetch pages (`/news summarize`,
`/feeds add`) are deferred first, since Discord wants an answer within 3 s, and answered
with a follow-up. A deferral's visibility is fixed when deferring, and the first follow-up
edits it; so when `/news summarize` (deferred in the channel) ends in an error, the public
"thinking…" message is deleted first and the one-line error comes as a new, ephemeral one.
"""

from __future__ import annotations

import asyncio
import inspect
import io
import logging
from collections.abc import Callable
from typing import Any

import aiohttp
import discord
from discord import app_commands

from bot.commands.context import CommandContext, CommandError, Reply, render_channel_refs
from bot.commands.router import Commands
from bot.commands.spec import GROUPS, CommandSpec, Option, commands_of
from bot.plural import counted
from bot.render import discord_payloads
from bot.render import limits as L
from bot.render.discord_payloads import embed_size
from bot.render.text import discord_escape, truncate
from bot.store.search import HIGHLIGHT_END, HIGHLIGHT_START

log = logging.getLogger(__name__)

SLOW_COMMANDS = frozenset({("news", "summarize"), ("feeds", "add"), ("feeds", "import")})
"""Commands that fetch pages or files: deferred, then answered with a follow-up."""

ATTACHMENT_READ_TIMEOUT_S = 30.0

MODERATOR_PERMISSIONS = discord.Permissions(manage_guild=True)
NOT_IN_A_SERVER = "These commands work in a server's channels, not in direct messages."


def is_moderator(permissions: discord.Permissions) -> bool:
    """Manage Server or Administrator, as Discord computed them for this interaction."""
    return bool(permissions.manage_guild or permissions.administrator)


def command_context(interaction: discord.Interaction) -> CommandContext | None:
    """Who runs the command, where; None outside a server (DMs have no feeds)."""
    if interaction.guild_id is None or interaction.channel_id is None:
        return None
    user = interaction.user
    return CommandContext(
        platform="discord",
        workspace_id=str(interaction.guild_id),
        channel_id=str(interaction.channel_id),
        user_id=str(user.id),
        user_name=user.name,
        is_moderator=is_moderator(interaction.permissions),
    )


def _channel_mention(channel_id: str) -> str:
    """`<#id>` for a Discord channel id (a snowflake), else the id as text."""
    return f"<#{channel_id}>" if channel_id.isascii() and channel_id.isdigit() else f"#{channel_id}"


class AttachedFile:
    """A file attached to a command (an `Upload` for `bot.commands.feed_files`).

    Discord declares the attachment's size in the interaction, so a file over the caller's
    limit is refused before a byte is read; the bytes come from Discord's CDN through
    discord.py's own session (the address is Discord's, from the signed-in gateway, not the
    user's), within `ATTACHMENT_READ_TIMEOUT_S`.
    """

    def __init__(self, attachment: discord.Attachment) -> None:
        self._attachment = attachment
        self.filename = attachment.filename
        self.size: int | None = attachment.size

    async def read(self, *, limit: int) -> bytes:
        if self.size is not None and self.size > limit:
            raise _larger_than(limit)
        try:
            async with asyncio.timeout(ATTACHMENT_READ_TIMEOUT_S):
                data = await self._attachment.read()
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            log.info("reading attachment %s failed: %s", self._attachment.id, exc)
            raise CommandError("could not read the attached file from Discord; try again") from None
        if len(data) > limit:
            raise _larger_than(limit)
        return data


def _larger_than(limit: int) -> CommandError:
    return CommandError(f"that file is larger than {limit:,} bytes, so it was not read")


def reply_message(reply: Reply) -> dict[str, Any]:
    """A Reply as a Discord message: `content`, `embeds` (dicts), `ephemeral`.

    Feed text in `reply.text` is escaped line by line (mentions defused, markdown inert);
    search highlights become bold afterwards. Cards that do not fit one message are counted
    in a last line instead.
    """
    lines = [discord_escape(line) for line in reply.text.splitlines()]
    content = "\n".join(lines).replace(HIGHLIGHT_START, "**").replace(HIGHLIGHT_END, "**")
    content = render_channel_refs(content, _channel_mention)
    if reply.error:
        content = "⚠️ " + content
    embeds: list[dict[str, Any]] = []
    total = 0
    for card in reply.cards:
        (embed,) = discord_payloads.story_message(card)["embeds"]
        size = embed_size(embed)
        if len(embeds) == L.DISCORD_EMBEDS_PER_MESSAGE or total + size > L.DISCORD_EMBEDS_TOTAL:
            break
        embeds.append(embed)
        total += size
    if left := len(reply.cards) - len(embeds):
        content += f"\n… and {counted(left, 'more story', 'more stories')} not shown."
    return {
        "content": truncate(content, L.DISCORD_CONTENT),
        "embeds": embeds,
        "ephemeral": reply.ephemeral,
    }


async def send_reply(interaction: discord.Interaction, reply: Reply) -> None:
    """Answer the interaction with `reply` (a follow-up when it was deferred)."""
    message = reply_message(reply)
    kwargs: dict[str, Any] = {
        "content": message["content"] or None,
        "embeds": [discord.Embed.from_dict(e) for e in message["embeds"]],
        "allowed_mentions": discord.AllowedMentions.none(),
        "ephemeral": message["ephemeral"],
    }
    if reply.file is not None:
        kwargs["file"] = discord.File(io.BytesIO(reply.file.data), filename=reply.file.filename)
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)


def register_commands(
    tree: app_commands.CommandTree,
    commands: Commands,
    *,
    guild: discord.abc.Snowflake | None = None,
) -> list[app_commands.Group]:
    """Add the `/news`, `/feeds` and `/digest` groups to `tree` (global unless `guild`)."""
    groups = []
    for group_name, description in GROUPS.items():
        specs = commands_of(group_name)
        moderated = all(s.moderator_only for s in specs)
        group = app_commands.Group(
            name=group_name,
            description=description,
            guild_only=True,
            default_permissions=MODERATOR_PERMISSIONS if moderated else None,
        )
        for spec in specs:
            group.add_command(_command(spec, commands))
        tree.add_command(group, guild=guild, override=True)
        groups.append(group)
    return groups


def _command(spec: CommandSpec, commands: Commands) -> app_commands.Command[Any, Any, Any]:
    slow = (spec.group, spec.name) in SLOW_COMMANDS
    deferred_ephemeral = spec.moderator_only or spec.ephemeral

    async def run(interaction: discord.Interaction, **options: Any) -> None:
        ctx = command_context(interaction)
        try:
            if ctx is None:
                await send_reply(interaction, Reply.failure(NOT_IN_A_SERVER))
                return
            deferred = slow and (ctx.is_moderator or not spec.moderator_only)
            if deferred:
                await interaction.response.defer(ephemeral=deferred_ephemeral, thinking=True)
            values = {k: _option_value(v) for k, v in options.items() if v is not None}
            reply = await commands.handle(ctx, spec.group, spec.name, values)
            if deferred and reply.ephemeral and not deferred_ephemeral:
                await _withdraw_public_deferral(interaction)
            await send_reply(interaction, reply)
        except discord.HTTPException as exc:
            log.warning("answering /%s %s failed: %s", spec.group, spec.name, exc)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning(
                "answering /%s %s: no answer from Discord (%r); not sent again, since it may "
                "show already",
                spec.group,
                spec.name,
                exc,
            )

    run.__signature__ = _signature(spec.options)  # type: ignore[attr-defined]
    run.__discord_app_commands_param_description__ = {  # type: ignore[attr-defined]
        o.name: truncate(o.description, 100) for o in spec.options
    }
    command = app_commands.Command(
        name=spec.name, description=truncate(spec.description, 100), callback=run
    )
    for option in spec.options:
        if option.autocomplete:
            command.autocomplete(option.name)(_autocompleter(spec, option, commands))
    return command


async def _withdraw_public_deferral(interaction: discord.Interaction) -> None:
    """Delete the channel-visible "thinking…" message, so that an ephemeral answer (an error)
    becomes a new message only the caller sees rather than an edit of the public one."""
    try:
        await interaction.delete_original_response()
    except discord.HTTPException as exc:
        log.info("could not withdraw a deferred response: %s", exc)


def _autocompleter(spec: CommandSpec, option: Option, commands: Commands) -> Callable[..., Any]:
    async def complete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        ctx = command_context(interaction)
        if ctx is None:
            return []
        choices = await commands.autocomplete(ctx, spec.group, spec.name, option.name, current)
        return [
            app_commands.Choice(name=truncate(label, 100), value=value[:100])
            for label, value in choices[:25]
        ]

    return complete


def _annotation(option: Option) -> Any:
    if option.type == "integer":
        if option.min_value is None and option.max_value is None:
            return int
        return app_commands.Range[int, option.min_value, option.max_value]
    if option.type == "channel":
        return app_commands.AppCommandChannel
    if option.type == "role":
        return discord.Role
    if option.type == "file":
        return discord.Attachment
    return str


def _signature(options: tuple[Option, ...]) -> inspect.Signature:
    """The callback signature discord.py reads option names, types and requiredness from."""
    params = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=discord.Interaction
        )
    ]
    for option in sorted(options, key=lambda o: not o.required):
        params.append(
            inspect.Parameter(
                option.name,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=_annotation(option),
                default=inspect.Parameter.empty if option.required else None,
            )
        )
    return inspect.Signature(params)


def _option_value(value: Any) -> Any:
    """What the router expects: channel and role ids as strings, an attachment as an `Upload`,
    everything else as given."""
    if isinstance(value, app_commands.AppCommandChannel | app_commands.AppCommandThread):
        return str(value.id)
    if isinstance(value, discord.Role):
        return str(value.id)
    if isinstance(value, discord.Attachment):
        return AttachedFile(value)
    return value


__all__ = [
    "MODERATOR_PERMISSIONS",
    "SLOW_COMMANDS",
    "AttachedFile",
    "command_context",
    "is_moderator",
    "register_commands",
    "reply_message",
    "send_reply",
]
