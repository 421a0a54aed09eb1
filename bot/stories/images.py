"""Which picture a story shows, and whether an address may be shown at all.

The bot never fetches an image: Discord and Slack fetch it through their own proxies when they
render the card. So an image address is judged by its text alone, with the fetch guard's syntax
checks (`bot.feeds.guard.check_url` under the strict policy: no private or loopback literals,
no odd numeric hosts, no credentials, no `localhost`), and only `https` is kept: an `http`
picture would be shown as mixed content or refused by the platforms anyway. Names are never
resolved here; a name that resolves to a private address is the platform proxy's business, and
the proxy fetches from the platform's network, not ours.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from bot.feeds.errors import FetchError
from bot.feeds.guard import MAX_URL_LENGTH, AddressPolicy, check_url
from bot.render.text import safe_url

_STRICT = AddressPolicy()


def display_image(url: str | None) -> str | None:
    """`url` when it is an https address the platforms may be asked to show, else None."""
    if not url or len(url) > MAX_URL_LENGTH:
        return None
    url = url.strip()
    if any(unicodedata.category(ch)[0] in "CZ" for ch in url):
        return None
    try:
        parsed = check_url(url, _STRICT)
    except (FetchError, ValueError):
        return None
    if parsed.scheme.lower() != "https":
        return None
    return safe_url(url)


def best_image(*, feed_images: Iterable[str | None], page_image: str | None) -> str | None:
    """The feed's own pictures first (in entry order), then the page's og:/twitter:image."""
    for candidate in (*feed_images, page_image):
        if (shown := display_image(candidate)) is not None:
            return shown
    return None
