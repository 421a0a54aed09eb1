"""One-line log records from the chat libraries.

slack_sdk and discord.py log every failed connection attempt with `logger.exception`, so a
platform that cannot be reached fills the log with a traceback per retry. `OneLine` folds the
exception into the message instead: `Attempting a reconnect in 4.1s (ClientConnectorError:
Cannot connect to host 127.0.0.1:9 ...)`. URL query strings (Socket Mode tickets) are cut.
"""

from __future__ import annotations

import logging
import re

_QUERY = re.compile(r"\?[^\s'\"]+")


def reason(exc: BaseException) -> str:
    """`Type: message` on one line, without URL query strings, at most 200 characters."""
    text = _QUERY.sub("?…", " ".join(str(exc).split()))
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__


class OneLine(logging.Filter):
    """Makes every record one line: a traceback becomes the exception's reason at the end, a
    message that spans lines (slack_sdk quotes whole API responses) is joined up, and URL query
    strings are cut."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            message = f"{message} ({reason(record.exc_info[1])})"
            record.exc_info = None
            record.exc_text = None
        elif "\n" not in message and "?" not in message:
            return True
        record.msg = _QUERY.sub("?…", " ".join(message.split()))
        record.args = None
        return True


def one_line(logger: logging.Logger) -> logging.Logger:
    """`logger`, with `OneLine` added once."""
    if not any(isinstance(f, OneLine) for f in logger.filters):
        logger.addFilter(OneLine())
    return logger
