"""Every error the feed layer raises, in one place.

Each carries a one-line ``message`` meant for the person who added the feed (moderators see it as
the feed's last error); ``str(error)`` is the same line. Nothing here holds a traceback a user
would see.

```
FeedLayerError
├── FetchError                 the page or feed could not be fetched
│   ├── BadURL                 not an absolute http(s) URL we accept
│   │   └── BadScheme          a scheme other than http or https (file:, ftp:, gopher: …)
│   ├── BlockedAddress         the host is, or resolves only to, a non-public address (SSRF guard)
│   ├── ConnectionFailed       DNS failure, refused or reset connection, TLS failure
│   ├── Timeout                the overall deadline of one fetch passed
│   ├── TooLarge               the body, counted after decompression, went over the size limit
│   ├── TooManyRedirects       more redirect hops than the limit
│   ├── BadResponse            malformed HTTP, undecodable encoding, redirect without Location
│   └── HTTPStatusError        an error status (4xx/5xx); carries ``status`` and ``retry_after``
└── ParseError                 the bytes are not a feed we can read at all
```
"""

from __future__ import annotations


class FeedLayerError(Exception):
    """Base of every error in ``bot.feeds``; ``message`` is one line for a user."""

    default_message = "the feed could not be read"

    def __init__(self, message: str | None = None, *, url: str | None = None) -> None:
        self.message = _one_line(message or self.default_message)
        self.url = url
        super().__init__(self.message)


class FetchError(FeedLayerError):
    default_message = "the feed could not be fetched"


class BadURL(FetchError):
    default_message = "not a valid http(s) URL"


class BadScheme(BadURL):
    default_message = "only http and https URLs are allowed"


class BlockedAddress(FetchError):
    default_message = "the address is not a public internet address"


class ConnectionFailed(FetchError):
    default_message = "could not connect to the server"


class Timeout(FetchError):
    default_message = "the server took too long to answer"


class TooLarge(FetchError):
    default_message = "the response is larger than allowed"


class TooManyRedirects(FetchError):
    default_message = "too many redirects"


class BadResponse(FetchError):
    default_message = "the server sent a malformed response"


class HTTPStatusError(FetchError):
    """An error status. ``retry_after`` is in seconds (from a 429/503 Retry-After), else None."""

    def __init__(
        self,
        status: int,
        *,
        url: str | None = None,
        retry_after: float | None = None,
        message: str | None = None,
    ) -> None:
        self.status = status
        self.retry_after = retry_after
        if message is None:
            message = f"the server answered HTTP {status}"
            if retry_after is not None:
                message += f" (retry after {retry_after:.0f} s)"
        super().__init__(message, url=url)


class ParseError(FeedLayerError):
    default_message = "not an RSS, Atom or JSON feed"


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 300 else line[:299] + "…"
