"""Moderator commands: `/feeds import` (an OPML file) and `/feeds export` (the server's feeds
as one).

The file of `/feeds import` reaches the handler as one of:

- an `Upload`, built by the adapter for a file attached to the command (Discord's attachment
  option: the adapter knows where the platform keeps the file and how far to trust that);
- an `https://…` address (Slack's `/feeds import <url>`, the console), fetched through the
  guarded fetcher like any feed, so it can name no private address;
- on the console only (`Deps.local_files`), a path on the operator's own machine.

Whatever the source, at most `MAX_OPML_BYTES` are read; the OPML reader then refuses DTDs,
entities, malformed XML and more than `MAX_OUTLINES` outlines in one line, before anything is
written. The import itself is `bot.feeds.opml_import.import_opml`: no feed is fetched before
answering (each is checked on its first poll, which stores what it holds as backlog, never
posted), and everything good is written in one transaction. The reply has one line per feed,
refusals first, cut at `MAX_REPLY_CHARS` with a count of the lines left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from bot.commands.context import CommandContext, CommandError, Reply, ReplyFile
from bot.commands.deps import Deps, channel_label
from bot.feeds.errors import FetchError
from bot.feeds.opml import MAX_OPML_BYTES, OPMLError
from bot.feeds.opml_import import ADDED, ALREADY, REFUSED, export_opml, import_opml
from bot.plural import counted
from bot.store.feeds import SubscribeTo

Options = Mapping[str, Any]
MAX_REPLY_CHARS = 1800
OPML_ACCEPT = "text/x-opml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
OPML_CONTENT_TYPE = "text/x-opml; charset=utf-8"


@runtime_checkable
class Upload(Protocol):
    """A file attached to a command, read by the adapter that received it.

    Implement `read` to return at most `limit` bytes, raising `CommandError` (one line) when
    the file is larger, cannot be fetched or comes from somewhere the adapter does not trust::

        class AttachedFile:
            filename = "feeds.opml"
            size = 1234                      # as the platform declared it, None if unknown

            async def read(self, *, limit: int) -> bytes: ...
    """

    filename: str
    size: int | None

    async def read(self, *, limit: int) -> bytes: ...


def _too_large() -> CommandError:
    return CommandError(
        f"that file is larger than {MAX_OPML_BYTES // (1024 * 1024)} MB; an OPML list of "
        "feeds is far smaller, so it was not read"
    )


async def read_source(deps: Deps, value: object) -> bytes:
    """The bytes of the file option's value (see the module docstring)."""
    if isinstance(value, Upload):
        if value.size is not None and value.size > MAX_OPML_BYTES:
            raise _too_large()
        data = await value.read(limit=MAX_OPML_BYTES)
    else:
        text = str(value).strip()
        if text.casefold().startswith(("https://", "http://")):
            data = await _fetch(deps, text)
        elif deps.local_files:
            data = _read_local(text)
        else:
            raise CommandError("give the address of the OPML file (https://…) or attach it")
    if len(data) > MAX_OPML_BYTES:
        raise _too_large()
    return data


async def _fetch(deps: Deps, url: str) -> bytes:
    try:
        result = await deps.fetcher.fetch(url, accept=OPML_ACCEPT, max_bytes=MAX_OPML_BYTES)
    except FetchError as exc:
        raise CommandError(f"could not fetch the OPML file: {exc.message}") from None
    if result.status != 200:
        raise CommandError(f"could not fetch the OPML file: HTTP {result.status}")
    return result.body


def _read_local(path: str) -> bytes:
    file = Path(path).expanduser()
    try:
        if file.is_file() and file.stat().st_size > MAX_OPML_BYTES:
            raise _too_large()
        with file.open("rb") as handle:
            return handle.read(MAX_OPML_BYTES + 1)
    except OSError as exc:
        raise CommandError(f"cannot read {path[:100]}: {exc.strerror or 'error'}") from None


async def import_feeds(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    channel = await deps.channel(ctx, opts.get("channel"))
    async with deps.import_slot(ctx):
        data = await read_source(deps, opts["file"])
        try:
            report = await import_opml(
                deps.store,
                deps.fetcher,
                data,
                subscribe=SubscribeTo(
                    platform=ctx.platform,
                    workspace_id=ctx.workspace_id,
                    channel_id=channel,
                    created_by=ctx.user_id,
                ),
                now=deps.clock(),
            )
        except OPMLError as exc:
            raise CommandError(f"that OPML file was refused: {exc.message}") from None
    head = f"Import into {channel_label(channel)}: {report.summary()}."
    if report.added:
        head += (
            " New feeds are checked on their first poll; what they hold now counts as already "
            "seen, so only new items reach the digests."
        )
    order = {REFUSED: 0, ALREADY: 1, ADDED: 2}
    lines = sorted(report.lines, key=lambda line: order.get(line.outcome, 3))
    text, shown = head, 0
    for line in lines:
        entry = line.line()
        if len(text) + len(entry) + 60 > MAX_REPLY_CHARS:
            break
        text += "\n" + entry
        shown += 1
    if left := len(lines) - shown:
        text += f"\n… and {counted(left, 'more line')} (see /feeds list)"
    return Reply(text)


async def export_feeds(deps: Deps, ctx: CommandContext, opts: Options) -> Reply:
    rows = await deps.store.channels.subscriptions(
        platform=ctx.platform, workspace_id=ctx.workspace_id
    )
    if not rows:
        return Reply("No feeds yet: nothing to export (add one with /feeds add <url>).")
    data = await export_opml(
        deps.store,
        now=deps.clock(),
        subscriptions_of=(ctx.platform, ctx.workspace_id),
        title="newsdigest feeds",
    )
    channels = len({sub.channel_id for sub, _ in rows})
    text = (
        f"Every feed followed here, {counted(len(rows), 'feed')} in "
        f"{counted(channels, 'channel')}, as OPML (one folder per channel); /feeds import reads "
        "it back."
    )
    return Reply(text, file=ReplyFile("newsdigest-feeds.opml", data, OPML_CONTENT_TYPE))
