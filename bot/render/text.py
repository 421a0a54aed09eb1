"""Text helpers shared by the renderers: flattening, truncation, escaping, safe links.

Feed text is hostile by assumption: a headline may try to ping a whole server
(`@everyone`, `<!channel>`), inject a masked link or break the surrounding formatting.
Every string that came from a feed goes through `flatten` and the platform's escape
function before it is placed in a payload; our own markup is added around it afterwards.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit

ELLIPSIS = "…"
ZWSP = "\u200b"
MAX_URL = 2048

_WS = re.compile(r"\s+")
_ENTITY_TAIL = re.compile(r"&[a-z]{0,4}$")


_JOINERS = {"\u200c", "\u200d"}


def _kept(ch: str) -> bool:
    category = unicodedata.category(ch)
    if category in ("Cc", "Cs"):
        return ch in "\t\n\r"
    if category == "Cf":
        return ch in _JOINERS
    return True


def flatten(text: str | None) -> str:
    """One line of text: control and format characters (terminal escapes, bidi overrides,
    zero-width spaces) dropped, except the joiners emoji sequences need; whitespace runs
    collapsed."""
    if not text:
        return ""
    return _WS.sub(" ", "".join(ch for ch in text if _kept(ch))).strip()


def truncate(text: str, limit: int, *, ellipsis: str = ELLIPSIS) -> str:
    """`text` cut to at most `limit` characters at a word boundary, ending in `ellipsis`.

    The cut never leaves half of an escape behind: no dangling backslash (Discord markdown)
    and no partial `&amp;`-style entity (Slack).
    """
    if len(text) <= limit:
        return text
    if limit <= len(ellipsis):
        return ellipsis[:limit]
    room = limit - len(ellipsis)
    cut = text[:room]
    space = cut.rfind(" ")
    if space >= room // 2 and not text[room : room + 1].isspace():
        cut = cut[:space]
    cut = _ENTITY_TAIL.sub("", cut)
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:
        cut = cut[:-1]
    return cut.rstrip() + ellipsis


def safe_url(url: str | None) -> str | None:
    """An http(s) URL with characters that could break link markup percent-encoded, or None
    (also for URLs longer than 2,048 characters, which platforms refuse)."""
    if not url:
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(unicodedata.category(ch).startswith("C") for ch in url):
        return None
    quoted = quote(url, safe="/:?#[]@!$&'*+,;=%~-._")
    return quoted if len(quoted) <= MAX_URL else None


def _defuse_discord_mentions(text: str) -> str:
    text = re.sub(r"@(everyone|here)", "@" + ZWSP + r"\1", text, flags=re.IGNORECASE)
    return re.sub(r"<(@[!&]?|#|/|a?:|t:)", lambda m: "<" + m.group(1) + ZWSP, text)


_DISCORD_MD = re.compile(r"([\\*_~`|\[\]()<>])")
_DISCORD_LINE_START = re.compile(r"^([#>\-+]|\d+\.)")


def discord_escape(text: str | None) -> str:
    """Feed text made inert for Discord markdown: no formatting, no masked links, no mentions.

    Mentions get a zero-width space after `@`/`#` so they are visibly broken even where
    markdown is not rendered; `allowed_mentions` is set to none as well.
    """
    text = _defuse_discord_mentions(flatten(text))
    text = _DISCORD_MD.sub(r"\\\1", text)
    return _DISCORD_LINE_START.sub(r"\\\1", text)


def discord_plain(text: str | None) -> str:
    """For Discord fields that show no markdown (footer, author): only mentions defused."""
    return _defuse_discord_mentions(flatten(text))


_SLACK_LOOKALIKES = str.maketrans({"*": "∗", "_": "ˍ", "~": "∼", "`": "ˋ"})


def slack_escape(text: str | None) -> str:
    """Feed text made inert for Slack mrkdwn.

    `&`, `<`, `>` become entities, so `<!channel>`, `<!here>` and `<@U…>` are shown, not
    acted on (a bare `@channel` also gets a zero-width space, in case `link_names` is on);
    mrkdwn has no escape character, so `*`, `_`, `~` and backticks are replaced by
    look-alike characters that do not format.
    """
    text = flatten(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"@(everyone|here|channel)", "@" + ZWSP + r"\1", text, flags=re.IGNORECASE)
    return text.translate(_SLACK_LOOKALIKES)


def slack_link(url: str | None, label: str) -> str:
    """A Slack link `<url|label>` when the URL is safe, else just the (already escaped) label."""
    safe = safe_url(url)
    if safe is None:
        return label
    safe = safe.replace("&", "&amp;").replace("|", "%7C").replace("<", "%3C").replace(">", "%3E")
    label = label.replace("|", "¦")
    return f"<{safe}|{label}>"


def discord_link(url: str | None, label: str) -> str:
    """A Discord masked link `[label](url)` when the URL is safe, else just the label."""
    safe = safe_url(url)
    if safe is None:
        return label
    safe = safe.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
    return f"[{label}]({safe})"
