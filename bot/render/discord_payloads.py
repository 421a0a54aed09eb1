"""StoryCard / DigestView → Discord message bodies (create-message JSON), within limits.

Every function returns a plain dict shaped like Discord's create-message body:
`content`, `embeds` (embed dicts) and `allowed_mentions` = `{"parse": []}`, so nothing
the bot posts can ping anyone. The Discord adapter turns these into discord.py calls.
"""

from __future__ import annotations

import re
from typing import Any

from bot.render import limits as L
from bot.render._lines import fit_lines
from bot.render.text import (
    discord_escape,
    discord_link,
    discord_plain,
    flatten,
    safe_url,
    truncate,
)
from bot.render.views import DigestView, Ping, QuoteLine, SourceLink, StoryCard, ThreadUpdate

NO_MENTIONS: dict[str, list[str]] = {"parse": []}
FEED_ONLY_NOTE = "_Summarized from the feed's description: the article page could not be read._"
COLOUR = 0x2B6CB0
NOTICE_COLOUR = 0xD97706

Embed = dict[str, Any]
Payload = dict[str, Any]


SUPPRESS_EMBEDS = 1 << 2
COMPACT_LEAD = 200
COMPACT_SOURCES = 3


def story_message(card: StoryCard) -> Payload:
    """The story's message in a digest: title linked to the article, sources, facts, quotes;
    for a compact card, one line of text with link previews suppressed."""
    if card.compact:
        return compact_story_message(card)
    embed = _story_embed(card)
    _fit_total([embed])
    return {"content": "", "embeds": [embed], "allowed_mentions": NO_MENTIONS}


def compact_story_message(card: StoryCard) -> Payload:
    """One line: **[headline](url)** — sources — lead · Story N (the marker is how the
    adapter finds the message again, as the footer does for a card)."""
    title = truncate(discord_escape(card.title) or "(untitled story)", 200)
    parts = [f"**{discord_link(card.url, title)}**"]
    if card.sources:
        links = [_source_link(s) for s in card.sources[:COMPACT_SOURCES]]
        more = len(card.sources) - COMPACT_SOURCES
        parts.append(" · ".join(links) + (f" +{more}" if more > 0 else ""))
    if lead := discord_escape(card.one_line_lead):
        parts.append(truncate(lead, COMPACT_LEAD))
    marker = compact_marker(card.story_id)
    line = truncate(" — ".join(parts), L.DISCORD_CONTENT - len(marker) - 3)
    return {
        "content": f"{line} · {marker}",
        "embeds": [],
        "allowed_mentions": NO_MENTIONS,
        "flags": SUPPRESS_EMBEDS,
    }


def compact_marker(story_id: str) -> str:
    return f"Story {discord_plain(story_id)}"


def forum_post(card: StoryCard, *, auto_archive_minutes: int = 1440) -> Payload:
    """Body of a forum post (a thread whose starter message is the story)."""
    return {
        "name": thread_name(card),
        "auto_archive_duration": auto_archive_minutes,
        "message": story_message(card),
    }


def start_thread(card: StoryCard, *, auto_archive_minutes: int = 1440) -> Payload:
    """Body of "start thread from message" for the story's discussion thread."""
    return {"name": thread_name(card), "auto_archive_duration": auto_archive_minutes}


def thread_name(card: StoryCard) -> str:
    """A thread's name: the story's title (names show no markdown and ping no one)."""
    name = discord_plain(card.title) or f"Story {card.story_id}"
    return truncate(name, L.DISCORD_THREAD_NAME)


def digest_header(digest: DigestView) -> Payload:
    """The message that opens a digest: "Morning digest — 7 stories"."""
    content = truncate("## " + discord_escape(digest.heading), L.DISCORD_CONTENT)
    return {"content": content, "embeds": [], "allowed_mentions": NO_MENTIONS}


def thread_opening(card: StoryCard) -> Payload:
    """The bot's first message in a story's thread: the full summary and every source link."""
    summary: Embed = {"title": _title(card), "color": COLOUR}
    if url := safe_url(card.url):
        summary["url"] = url
    lines: list[str] = [FEED_ONLY_NOTE, ""] if card.from_feed_only else []
    if lead := discord_escape(card.thread_lead):
        lines.extend([lead, ""])
    if facts := [f"• {discord_escape(f)}" for f in card.key_facts if flatten(f)]:
        lines.extend(["**Key facts**", *facts, ""])
    desc, _ = fit_lines(lines, L.DISCORD_EMBED_DESCRIPTION, cuttable=True)
    desc = desc.strip()
    if desc:
        summary["description"] = desc
    if fields := _quote_fields(card.quotes):
        summary["fields"] = fields
    summary["footer"] = {"text": _footer(card)}
    source_lines = [f"• {_source_link(s)}" for s in _sources_or_article(card)]
    summary_share = min(embed_size(summary), L.DISCORD_EMBEDS_TOTAL // 2)
    source_embeds = _source_embeds(source_lines, budget=L.DISCORD_EMBEDS_TOTAL - summary_share)
    embeds = [summary, *source_embeds]
    _fit_total(embeds)
    return {"content": "", "embeds": embeds, "allowed_mentions": NO_MENTIONS}


def thread_update(update: ThreadUpdate) -> Payload:
    """An update in a story's thread when a new source carries it: "New from <source>"."""
    name = truncate(discord_escape(update.source.name), 200) or "a new source"
    embed: Embed = {"title": truncate(f"New from {name}", L.DISCORD_EMBED_TITLE), "color": COLOUR}
    if url := safe_url(update.source.url):
        embed["url"] = url
    facts = [f"• {discord_escape(f)}" for f in update.key_facts if flatten(f)]
    desc, _ = fit_lines(facts, L.DISCORD_EMBED_DESCRIPTION, cuttable=True)
    if desc:
        embed["description"] = desc
    if fields := _quote_fields(update.quotes):
        embed["fields"] = fields
    _fit_total([embed])
    return {"content": "", "embeds": [embed], "allowed_mentions": NO_MENTIONS}


PING_MARK = "🔔"
MAX_ALLOWED_MENTIONS = 100
_SNOWFLAKE = re.compile(r"[1-9][0-9]{5,19}")


def ping(ping: Ping) -> Payload:
    """The mentions in a story's thread: `🔔 @a @b @role — you follow: ferry strike`.

    `allowed_mentions` names exactly the users and roles written here (`parse` empty), so
    nothing else in the text could ping, even if it looked like a mention. Ids that are not
    snowflakes are dropped. An empty `content` means there is nobody to mention."""
    users = [u for u in dict.fromkeys(ping.user_ids) if _SNOWFLAKE.fullmatch(u)]
    roles = [r for r in dict.fromkeys(ping.role_ids) if _SNOWFLAKE.fullmatch(r)]
    users, roles = users[:MAX_ALLOWED_MENTIONS], roles[:MAX_ALLOWED_MENTIONS]
    if not users and not roles:
        return {"content": "", "embeds": [], "allowed_mentions": NO_MENTIONS}
    mentions = " ".join([*(f"<@{u}>" for u in users), *(f"<@&{r}>" for r in roles)])
    topics = ", ".join(t for t in (discord_escape(t) for t in ping.topics) if t)
    line = f"{PING_MARK} {mentions}"
    if topics:
        line += " — you follow: " + truncate(topics, 300)
    return {
        "content": truncate(line, L.DISCORD_CONTENT),
        "embeds": [],
        "allowed_mentions": {"parse": [], "users": users, "roles": roles},
    }


def notice(*, title: str, lines: tuple[str, ...] = (), url: str | None = None) -> Payload:
    """A message to moderators (a feed failing, a post that cannot be delivered)."""
    embed: Embed = {
        "title": truncate("⚠ " + (discord_escape(title) or "Notice"), L.DISCORD_EMBED_TITLE),
        "color": NOTICE_COLOUR,
    }
    if safe := safe_url(url):
        embed["url"] = safe
    shown = [discord_escape(line) for line in lines if flatten(line)]
    desc, _ = fit_lines(shown, L.DISCORD_EMBED_DESCRIPTION, cuttable=True)
    if desc:
        embed["description"] = desc
    return {"content": "", "embeds": [embed], "allowed_mentions": NO_MENTIONS}


def _none(_: int) -> str:
    return ""


def _source_embeds(lines: list[str], *, budget: int) -> list[Embed]:
    """Source links over as many embeds as the message allows; a note counts any left out."""
    embeds: list[Embed] = []
    rest = lines
    while rest and len(embeds) < L.DISCORD_EMBEDS_PER_MESSAGE - 1:
        title = "Sources" if not embeds else "More sources"
        limit = min(L.DISCORD_EMBED_DESCRIPTION, budget - len(title))
        if limit < 100:
            break
        text, used = fit_lines(rest, limit, more=_none)
        left_after = budget - len(title) - len(text) - len("More sources")
        room_for_more = len(embeds) + 2 < L.DISCORD_EMBEDS_PER_MESSAGE and left_after >= 100
        if used < len(rest) and not room_for_more:
            text, used = fit_lines(rest, limit, more=_more_sources)
        if used == 0:
            break
        embeds.append({"title": title, "description": text, "color": COLOUR})
        budget -= len(title) + len(text)
        rest = rest[used:]
    return embeds


def _more_sources(n: int) -> str:
    return f"…and {n} more {'source' if n == 1 else 'sources'}"


def _title(card: StoryCard) -> str:
    return truncate(discord_escape(card.title) or "(untitled story)", L.DISCORD_EMBED_TITLE)


def _sources_or_article(card: StoryCard) -> list[SourceLink]:
    if card.sources:
        return list(card.sources)
    return [SourceLink("Article", card.url)] if safe_url(card.url) else []


def _source_link(source: SourceLink) -> str:
    label = truncate(discord_escape(source.name) or "source", 100)
    return discord_link(source.url, label)


def _story_embed(card: StoryCard) -> Embed:
    embed: Embed = {"title": _title(card), "color": COLOUR}
    if url := safe_url(card.url):
        embed["url"] = url
    head: list[str] = []
    if card.sources:
        links = [_source_link(s) for s in card.sources]
        head.append(fit_lines(links, 900, sep=" · ")[0])
    if card.from_feed_only:
        head.append(FEED_ONLY_NOTE)
    tail: list[str] = []
    if card.thread_url and (thread := safe_url(card.thread_url)):
        tail.append(f"[Discuss in the thread]({thread})")
    facts = [f"• {discord_escape(f)}" for f in card.card_facts if flatten(f)]
    room = L.DISCORD_EMBED_DESCRIPTION - sum(len(x) + 1 for x in head + tail)
    shown = [fit_lines(facts, room, cuttable=True)[0]] if facts else []
    desc = "\n".join(head + shown + tail)
    if desc:
        embed["description"] = desc
    if fields := _quote_fields(card.card_quotes):
        embed["fields"] = fields
    embed["footer"] = {"text": _footer(card)}
    if card.published is not None:
        embed["timestamp"] = card.published.isoformat()
    if image := _image(card):
        embed["thumbnail"] = {"url": image}
    return embed


def _image(card: StoryCard) -> str | None:
    """The card's picture, re-checked here (a payload frozen in the outbox is read back)."""
    url = safe_url(card.image_url)
    return url if url and url.lower().startswith("https://") else None


def _footer(card: StoryCard) -> str:
    n = len(card.sources)
    parts = [f"Story {discord_plain(card.story_id)}"]
    if n:
        parts.append(f"{n} {'source' if n == 1 else 'sources'}")
    return truncate(" · ".join(parts), L.DISCORD_FOOTER)


def _quote_fields(quotes: tuple[QuoteLine, ...]) -> list[Embed]:
    fields: list[Embed] = []
    for q in quotes:
        text = discord_escape(q.text)
        if not text:
            continue
        name = "— " + (discord_escape(q.speaker) or "unattributed")
        value = "“" + truncate(text, L.DISCORD_FIELD_VALUE - 2) + "”"
        fields.append(
            {"name": truncate(name, L.DISCORD_FIELD_NAME), "value": value, "inline": False}
        )
        if len(fields) == L.DISCORD_EMBED_FIELDS:
            break
    return fields


def embed_size(embed: Embed) -> int:
    """Characters Discord counts towards the 6,000 limit of a message's embeds."""
    size = len(embed.get("title", "")) + len(embed.get("description", ""))
    size += len(embed.get("footer", {}).get("text", ""))
    size += len(embed.get("author", {}).get("name", ""))
    for field in embed.get("fields", []):
        size += len(field["name"]) + len(field["value"])
    return size


def _fit_total(embeds: list[Embed]) -> None:
    """Drop quote fields, then shorten descriptions, until the embeds fit in 6,000 characters."""

    def total() -> int:
        return sum(embed_size(e) for e in embeds)

    for embed in reversed(embeds):
        fields = embed.get("fields", [])
        while fields and total() > L.DISCORD_EMBEDS_TOTAL:
            fields.pop()
        if "fields" in embed and not fields:
            del embed["fields"]
    for embed in embeds:
        excess = total() - L.DISCORD_EMBEDS_TOTAL
        if excess <= 0:
            return
        desc = embed.get("description", "")
        if desc:
            embed["description"] = truncate(desc, max(1, len(desc) - excess))
