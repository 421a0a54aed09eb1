"""Which picture a story shows, and whether an address may be shown at all.

The bot never fetches an image: Discord and Slack fetch it through their own proxies when they
render the card. So an image address is judged by its text alone, with the fetch guard's syntax
checks (`bot.feeds.guard.check_url` under the strict policy: no private or loopback literals,
no odd numeric hosts, no credentials, no `localhost`), and only `https` is kept: an `http`
picture would be shown as mixed content or refused by the platforms anyway. An address holding
a raw character that RFC 3986 allows nowhere (`"`, `<`, `>`, `\\`, `^`, `` ` ``, `{`, `|`,
`}`) is broken or an attempt at injecting markup, so it is dropped rather than repaired; a kept
one has `'` and the characters that could break link markup percent-encoded. Names are never
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
_NEVER_IN_A_URL = frozenset('"<>\\^`{|}')


def display_image(url: str | None) -> str | None:
    """`url` when it is an https address the platforms may be asked to show, else None."""
    if not url or len(url) > MAX_URL_LENGTH:
        return None
    url = url.strip()
    if any(unicodedata.category(ch)[0] in "CZ" or ch in _NEVER_IN_A_URL for ch in url):
        return None
    try:
        parsed = check_url(url, _STRICT)
    except (FetchError, ValueError):
        return None
    if parsed.scheme.lower() != "https":
        return None
    shown = safe_url(url)
    return shown.replace("'", "%27") if shown is not None else None


def best_image(*, feed_images: Iterable[str | None], page_image: str | None) -> str | None:
    """The feed's own pictures first (in entry order), then the page's og:/twitter:image."""
    for candidate in (*feed_images, page_image):
        if (shown := display_image(candidate)) is not None:
            return shown
    return None
