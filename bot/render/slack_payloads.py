"""StoryCard / DigestView → Slack `chat.postMessage` arguments (Block Kit), within limits.

Each function returns the keyword arguments for `chat.postMessage` except `channel`,
`thread_ts` and `metadata`, which the Slack adapter adds: `blocks`, a `text` fallback for
notifications, and unfurling turned off so a story's links do not expand into previews.
"""

from __future__ import annotations

import re
from typing import Any

from bot.render import limits as L
from bot.render._lines import fit_lines
from bot.render.text import flatten, safe_url, slack_escape, slack_link, truncate
from bot.render.views import DigestView, Ping, QuoteLine, SourceLink, StoryCard, ThreadUpdate

FEED_ONLY_NOTE = "_Summarized from the feed's description: the article page could not be read._"

Block = dict[str, Any]
Args = dict[str, Any]


COMPACT_LEAD = 200
COMPACT_SOURCES = 3


def story_message(card: StoryCard) -> Args:
    """The story's message in a digest: title linked to the article, sources and time, facts,
    quotes (a compact card: one line). Its thread is where the discussion and later updates
    go."""
    if card.compact:
        return compact_story_message(card)
    title = _mrkdwn_section(f"*{_title_link(card)}*")
    if image := _image(card):
        title["accessory"] = {"type": "image", "image_url": image, "alt_text": _alt(card)}
    blocks: list[Block] = [title]
    meta = _meta_line(card)
    if meta:
        blocks.append(_context(meta))
    facts = [f"• {slack_escape(f)}" for f in card.card_facts if flatten(f)]
    if facts:
        blocks.append(_mrkdwn_section(fit_lines(facts, L.SLACK_SECTION_TEXT, cuttable=True)[0]))
    blocks.extend(_quote_sections(card.card_quotes, max_blocks=3))
    if card.from_feed_only:
        blocks.append(_context(FEED_ONLY_NOTE))
    text = _title_text(card)
    if card.sources:
        text += " — " + ", ".join(slack_escape(s.name) for s in card.sources[:3])
    return _args(blocks, text)


def compact_story_message(card: StoryCard) -> Args:
    """One line: *<url|headline>* — sources — lead."""
    room = 2000
    parts = [f"*{slack_link(card.url, truncate(_title_text(card), 200))}*"]
    if card.sources:
        links = [_source_link(s) for s in card.sources[:COMPACT_SOURCES]]
        more = len(card.sources) - COMPACT_SOURCES
        parts.append(" · ".join(links) + (f" +{more}" if more > 0 else ""))
    if lead := slack_escape(card.one_line_lead):
        parts.append(truncate(lead, COMPACT_LEAD))
    line = " — ".join(parts)
    if len(line) > room:
        line = " — ".join(parts[:1] + parts[2:])
    return _args([_mrkdwn_section(line)], _title_text(card))


def digest_header(digest: DigestView) -> Args:
    heading = flatten(digest.heading)
    blocks = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": truncate(heading, L.SLACK_HEADER_TEXT)},
        }
    ]
    return _args(blocks, slack_escape(heading))


def thread_opening(card: StoryCard) -> Args:
    """The bot's first reply in the story's thread: the full summary and every source link."""
    blocks: list[Block] = [_mrkdwn_section(f"*{_title_link(card)}*")]
    if lead := slack_escape(card.thread_lead):
        blocks.append(_mrkdwn_section(truncate(lead, L.SLACK_SECTION_TEXT)))
    facts = [f"• {slack_escape(f)}" for f in card.key_facts if flatten(f)]
    if facts:
        text, _ = fit_lines(["*Key facts*", *facts], L.SLACK_SECTION_TEXT, cuttable=True)
        blocks.append(_mrkdwn_section(text))
    blocks.extend(_quote_sections(card.quotes, max_blocks=10))
    if card.from_feed_only:
        blocks.append(_context(FEED_ONLY_NOTE))
    sources = list(card.sources) or ([SourceLink("Article", card.url)] if card.url else [])
    lines = [f"• {_source_link(s)}" for s in sources]
    if lines:
        blocks.extend(
            _chunked_sections(["*Sources*", *lines], L.SLACK_BLOCKS - len(blocks), links=True)
        )
    return _args(blocks, f"Summary: {_title_text(card)}")


def thread_update(update: ThreadUpdate) -> Args:
    """An update in the story's thread when a new source carries it: "New from <source>"."""
    name = truncate(slack_escape(update.source.name), 200) or "a new source"
    head = f"*New from {slack_link(update.source.url, name)}:*"
    facts = [f"• {slack_escape(f)}" for f in update.key_facts if flatten(f)]
    text, _ = fit_lines([head, *facts], L.SLACK_SECTION_TEXT, cuttable=True)
    blocks = [_mrkdwn_section(text), *_quote_sections(update.quotes, max_blocks=5)]
    first = slack_escape(update.key_facts[0]) if update.key_facts else ""
    return _args(blocks, f"New from {name}: {first}".rstrip(": "))


_SLACK_ID = re.compile(r"[A-Z0-9]{2,40}")
MAX_MENTIONED = 100


def ping(ping: Ping) -> Args:
    """The mentions in a story's thread: `<@U…> <!subteam^S…> — you follow: ferry strike`.

    Slack has no allowed-mentions list, so the text itself holds only these mentions: ids are
    checked to be Slack ids, topics are escaped like feed text (no `<!channel>` can slip in),
    and `link_names` stays off. An empty `text` means there is nobody to mention."""
    users = [u for u in dict.fromkeys(ping.user_ids) if _SLACK_ID.fullmatch(u)]
    groups = [g for g in dict.fromkeys(ping.role_ids) if _SLACK_ID.fullmatch(g)]
    users, groups = users[:MAX_MENTIONED], groups[:MAX_MENTIONED]
    if not users and not groups:
        return _args([], "")
    mentions = " ".join([*(f"<@{u}>" for u in users), *(f"<!subteam^{g}>" for g in groups)])
    topics = ", ".join(t for t in (slack_escape(t) for t in ping.topics) if t)
    line = f":bell: {mentions}"
    if topics:
        line += " — you follow: " + truncate(topics, 300)
    return _args([_mrkdwn_section(line)], line)


def notice(*, title: str, lines: tuple[str, ...] = (), url: str | None = None) -> Args:
    """A message to moderators (a feed failing, a post that cannot be delivered)."""
    head = truncate(slack_escape(title) or "Notice", 900)
    blocks: list[Block] = [_mrkdwn_section(f":warning: *{slack_link(url, head)}*")]
    shown = [slack_escape(line) for line in lines if flatten(line)]
    if shown:
        blocks.extend(_chunked_sections(shown, 10))
    return _args(blocks, f"Notice: {head}")


def _args(blocks: list[Block], text: str) -> Args:
    return {
        "text": truncate(text, L.SLACK_TEXT_FALLBACK),
        "blocks": blocks[: L.SLACK_BLOCKS],
        "unfurl_links": False,
        "unfurl_media": False,
        "link_names": False,
    }


def _mrkdwn_section(text: str) -> Block:
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": truncate(text, L.SLACK_SECTION_TEXT)},
    }


def _context(text: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": truncate(text, L.SLACK_SECTION_TEXT)}],
    }


def _image(card: StoryCard) -> str | None:
    url = safe_url(card.image_url)
    return url if url and url.lower().startswith("https://") else None


def _alt(card: StoryCard) -> str:
    """Alt text is plain text (no mrkdwn), at most 2,000 characters."""
    return truncate(flatten(card.title) or "Story picture", 2000)


def _title_text(card: StoryCard) -> str:
    return slack_escape(card.title) or "(untitled story)"


def _title_link(card: StoryCard) -> str:
    """`<url|title>`, the title shortened so the whole link fits one section."""
    room = L.SLACK_SECTION_TEXT - len(slack_link(card.url, "")) - 4
    return slack_link(card.url, truncate(_title_text(card), min(2000, room)))


def _source_link(source: SourceLink) -> str:
    return slack_link(source.url, truncate(slack_escape(source.name) or "source", 100))


def _meta_line(card: StoryCard) -> str:
    parts: list[str] = []
    if card.sources:
        links, _ = fit_lines([_source_link(s) for s in card.sources], 2500, sep=" · ")
        parts.append(links)
    if card.published is not None:
        stamp = int(card.published.timestamp())
        fallback = card.published.strftime("%Y-%m-%d %H:%M %Z").strip()
        parts.append(f"<!date^{stamp}^{{date_short_pretty}} {{time}}|{fallback}>")
    return " · ".join(parts)


def _quote_sections(quotes: tuple[QuoteLine, ...], *, max_blocks: int) -> list[Block]:
    lines = []
    for q in quotes:
        text = slack_escape(q.text)
        if not text:
            continue
        who = slack_escape(q.speaker) or "unattributed"
        lines.append(f"> “{truncate(text, 2000)}” — _{truncate(who, 200)}_")
    return _chunked_sections(lines, max_blocks) if lines else []


def _chunked_sections(lines: list[str], max_blocks: int, *, links: bool = False) -> list[Block]:
    """Lines spread over sections of at most 3,000 characters; a note counts any left out.
    Lines with `links` are kept whole (a cut would break the link markup)."""
    blocks: list[Block] = []
    rest = lines
    while rest and len(blocks) < max_blocks:
        last = len(blocks) == max_blocks - 1
        more = _more if last else _no_more
        text, used = fit_lines(rest, L.SLACK_SECTION_TEXT, more=more, cuttable=not links)
        if used == 0:
            break
        blocks.append(_mrkdwn_section(text))
        rest = rest[used:]
    return blocks


def _more(n: int) -> str:
    return f"…and {n} more"


def _no_more(_: int) -> str:
    return ""


__all__ = ["digest_header", "story_message", "thread_opening", "thread_update"]
