"""StoryCard / DigestView → plain text for the console adapter and `newsdigest demo`."""

from __future__ import annotations

from bot.render.text import flatten, safe_url, truncate
from bot.render.views import DigestView, Ping, StoryCard, ThreadUpdate

FEED_ONLY_NOTE = "(Summarized from the feed's description: the article page could not be read.)"


def story_message(card: StoryCard) -> str:
    if card.compact:
        return compact_story_message(card)
    lines = [flatten(card.title) or "(untitled story)"]
    if url := safe_url(card.url):
        lines.append(url)
    meta = ", ".join(flatten(s.name) for s in card.sources)
    if card.published is not None:
        stamp = card.published.strftime("%Y-%m-%d %H:%M %Z").strip()
        meta = f"{meta} · {stamp}" if meta else stamp
    if meta:
        lines.append(meta)
    if (image := safe_url(card.image_url)) and image.lower().startswith("https://"):
        lines.append(f"  picture: {image}")
    lines.extend(f"  • {flatten(f)}" for f in card.card_facts if flatten(f))
    lines.extend(
        f"  “{flatten(q.text)}” — {flatten(q.speaker) or 'unattributed'}"
        for q in card.card_quotes
        if flatten(q.text)
    )
    if card.from_feed_only:
        lines.append(FEED_ONLY_NOTE)
    lines.append(f"  [story {flatten(card.story_id)}]")
    return "\n".join(lines)


def compact_story_message(card: StoryCard) -> str:
    """One line: headline — sources — lead [story N] <url>."""
    parts = [flatten(card.title) or "(untitled story)"]
    if card.sources:
        parts.append(", ".join(flatten(s.name) for s in card.sources[:3]))
    if lead := flatten(card.one_line_lead):
        parts.append(truncate(lead, 200))
    line = " — ".join(parts) + f"  [story {flatten(card.story_id)}]"
    if url := safe_url(card.url):
        line += f" {url}"
    return line


def digest(view: DigestView) -> str:
    rule = "=" * min(72, max(20, len(view.heading)))
    parts = [f"{rule}\n{flatten(view.heading)}\n{rule}"]
    parts.extend(story_message(card) for card in view.stories)
    return "\n\n".join(parts)


def digest_header(view: DigestView) -> str:
    return flatten(view.heading)


def thread_opening(card: StoryCard) -> str:
    lines = [f"Thread: {flatten(card.title) or '(untitled story)'}"]
    if lead := flatten(card.thread_lead):
        lines.append(lead)
    lines.extend(f"  • {flatten(f)}" for f in card.key_facts if flatten(f))
    lines.extend(
        f"  “{flatten(q.text)}” — {flatten(q.speaker) or 'unattributed'}"
        for q in card.quotes
        if flatten(q.text)
    )
    if card.from_feed_only:
        lines.append(FEED_ONLY_NOTE)
    if card.sources:
        lines.append("Sources:")
        lines.extend(f"  - {flatten(s.name)}: {safe_url(s.url) or '-'}" for s in card.sources)
    elif url := safe_url(card.url):
        lines.append(f"Source: {url}")
    return "\n".join(lines)


def thread_update(update: ThreadUpdate) -> str:
    facts = " ".join(flatten(f) for f in update.key_facts if flatten(f))
    lines = [f"New from {flatten(update.source.name) or 'a new source'}: {facts}".rstrip(": ")]
    if url := safe_url(update.source.url):
        lines.append(f"  {url}")
    lines.extend(
        f"  “{flatten(q.text)}” — {flatten(q.speaker) or 'unattributed'}"
        for q in update.quotes
        if flatten(q.text)
    )
    return "\n".join(lines)


def notice(*, title: str, lines: tuple[str, ...] = (), url: str | None = None) -> str:
    out = [f"! {flatten(title) or 'Notice'}"]
    out.extend(f"  {flatten(line)}" for line in lines if flatten(line))
    if safe := safe_url(url):
        out.append(f"  {safe}")
    return "\n".join(out)


def ping(ping: Ping) -> str:
    """`[ping] @U1 @U2 @&role — you follow: ferry strike` (empty: nobody to mention)."""
    names = [f"@{flatten(u)}" for u in ping.user_ids if flatten(u)]
    names += [f"@&{flatten(r)}" for r in ping.role_ids if flatten(r)]
    if not names:
        return ""
    line = "[ping] " + " ".join(names)
    topics = ", ".join(flatten(t) for t in ping.topics if flatten(t))
    return line + (f" — you follow: {topics}" if topics else "")
