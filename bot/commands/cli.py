"""`newsdigest news … | digest … | command GROUP …`: the slash commands from a terminal.

They run the very handlers the Discord and Slack adapters call, as the operator of the
"console" workspace (a moderator), in channel "console" unless `--channel` says otherwise:

    newsdigest command feeds add https://example.org/feed.xml include: climate
    newsdigest news search "ferry strike"
    newsdigest digest schedule every 6h

The console workspace sees only the feeds its own channels follow (added with
`newsdigest command feeds add …`), exactly as a Discord server or Slack workspace would.
Imports happen inside the functions so other commands do not pay for them.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.commands.context import Reply
    from bot.commands.spec import Option
    from bot.config import Settings
    from bot.store.store import Store

CONSOLE_WORKSPACE = "console"
CONSOLE_CHANNEL = "console"
COMMANDS = ("news", "digest", "command")


def add_command_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `news`, `digest` and `command` to the `newsdigest` parser; their help is made from
    the slash-command table, so it lists every command there is."""
    from bot.commands.spec import commands_of, help_text

    def brief(group: str) -> str:
        return " | ".join(
            " ".join([c.name, *(_usage(o) for o in c.options if o.type != "channel")])
            for c in commands_of(group)
        )

    helps = {
        "news": f"member commands: {brief('news')}",
        "digest": f"this channel's digests: {brief('digest')}",
        "command": "any slash command as the console moderator: GROUP NAME [ARGS]",
    }
    epilogs = {
        "news": help_text(moderator=True, group="news"),
        "digest": help_text(moderator=True, group="digest"),
        "command": help_text(moderator=True),
    }
    for name in COMMANDS:
        parser = sub.add_parser(
            name,
            help=helps[name],
            epilog=epilogs[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        parser.add_argument(
            "--channel",
            default=CONSOLE_CHANNEL,
            help=f"the console channel (default: {CONSOLE_CHANNEL}); before the words",
        )
        parser.add_argument(
            "words",
            nargs=argparse.REMAINDER,
            help="the command and its options as typed after the slash, e.g. search ferry strike",
        )


def _usage(option: Option) -> str:
    return f"<{option.name}>" if option.required else f"[{option.name}]"


def run_chat_command(args: argparse.Namespace) -> int:
    from bot.config import SettingsError, load_settings

    text = " ".join(args.words)
    group = None if args.command == "command" else args.command
    try:
        reply = asyncio.run(_run(load_settings(), text, group=group, channel=args.channel))
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # start-up failures: an unusable database, a bad setting
        message = " ".join(str(exc).split())[:300] or type(exc).__name__
        print(f"error: {message}", file=sys.stderr)
        return 1
    return _print(reply)


async def _run(settings: Settings, text: str, *, group: str | None, channel: str) -> Reply:
    from bot.app import open_app
    from bot.commands.context import CommandContext
    from bot.commands.router import Commands

    ctx = CommandContext(
        platform="console",
        workspace_id=CONSOLE_WORKSPACE,
        channel_id=channel,
        user_id="operator",
        user_name="operator",
        is_moderator=True,
    )
    async with open_app(settings, with_executor=False) as app:
        await _check_database(app.store)
        commands = Commands(
            store=app.store, fetcher=app.fetcher, executor=app.executor, local_files=True
        )
        return await commands.handle_text(ctx, text, group=group)


async def _check_database(store: Store) -> None:
    """Reach the database before the handler runs: a handler turns any failure into "something
    went wrong" and logs its traceback, which on a terminal is the user's screen."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.store.migrate import current_revision, head_revision

    try:
        revision = await current_revision(store.engine)
    except (SQLAlchemyError, OSError) as exc:
        raise RuntimeError(f"the database is not usable: {exc}") from None
    if revision != head_revision():
        raise RuntimeError(
            "the database is not at the latest revision: run `newsdigest db upgrade`"
        )


def _print(reply: Reply) -> int:
    from bot.render import plain
    from bot.render.text import flatten, safe_url

    if reply.error:
        print(f"error: {flatten(reply.text)}", file=sys.stderr)
        return 1
    text = "\n".join(flatten(line) for line in reply.plain_text().splitlines())
    if reply.file is not None:  # the file on standard output, so `> feeds.opml` keeps it whole
        print(text, file=sys.stderr)
        sys.stdout.buffer.write(reply.file.data)
        sys.stdout.flush()
        return 0
    print(text)
    for card in reply.cards:
        print()
        print(plain.story_message(card))
        if thread := safe_url(card.thread_url):
            print(f"  thread: {thread}")
    return 0
