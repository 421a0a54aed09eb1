"""Minimal URL reader for the command line (`python -m summarizer URL`).

The bot never uses this: it fetches through `bot.feeds` with its address guard
and limits. This reader exists so the library works alone; it still refuses
non-http(s) schemes, caps the body size and has an overall timeout.
"""

from __future__ import annotations

import urllib.request
from urllib.parse import urlsplit

MAX_BYTES = 5 * 1024 * 1024
TIMEOUT_S = 20


class FetchError(Exception):
    """The URL could not be read; the message is one line for the user."""


def fetch_url(url: str) -> str:
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"only http(s) URLs can be summarized, not {url!r}")
    headers = {"User-Agent": "newsdigest-summarizer/0.1"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 - scheme checked above
            body = response.read(MAX_BYTES + 1)
            charset = response.headers.get_content_charset() or "utf-8"
    except OSError as exc:
        raise FetchError(f"could not fetch {url}: {exc}") from None
    if len(body) > MAX_BYTES:
        raise FetchError(f"{url} is larger than {MAX_BYTES // (1024 * 1024)} MB")
    return body.decode(charset, errors="replace")
