"""`bot.platforms.logs`: the chat libraries' records become one line, without query strings."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable

from bot.platforms.logs import one_line


def logged(emit: Callable[[logging.Logger], None]) -> str:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logger = one_line(logging.getLogger("tests.platform_logs"))
    logger.addHandler(handler)
    logger.propagate = False
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
    return out.getvalue()


def test_a_traceback_becomes_the_reason_at_the_end_of_the_line() -> None:
    def emit(logger: logging.Logger) -> None:
        try:
            raise ConnectionRefusedError("Connect call failed ('127.0.0.1', 9)")
        except OSError:
            logger.exception("Attempting a reconnect in %.2fs", 1.5)

    text = logged(emit)
    assert text == (
        "Attempting a reconnect in 1.50s "
        "(ConnectionRefusedError: Connect call failed ('127.0.0.1', 9))\n"
    )


def test_multi_line_messages_are_joined_and_query_strings_cut() -> None:
    def emit(logger: logging.Logger) -> None:
        logger.error("Failed:\n  url='wss://example.test/link?ticket=abc123&app=A1'\n  %s", "done?")

    assert logged(emit) == "Failed: url='wss://example.test/link?…' done?\n"


def test_the_filter_is_added_once() -> None:
    logger = logging.getLogger("tests.platform_logs.once")
    one_line(logger)
    one_line(logger)
    assert len(logger.filters) == 1
