"""Waiting on an emulator's records: shared by the Discord and Slack emulators."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any


async def wait_until(changed: asyncio.Event, predicate: Callable[[], Any], *, within: float) -> Any:
    """Return `predicate()` once it is truthy, re-checked whenever `changed` is set (and at
    least every 50 ms); raise TimeoutError after `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not (result := predicate()):
        left = deadline - loop.time()
        if left <= 0:
            raise TimeoutError("emulator condition not met")
        changed.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), min(left, 0.05))
    return result
