"""Imported first in the summarizer pool's forkserver (see bot/pool.py): from then on the
kernel kills the forkserver when the process that started it exits, and a forkserver whose
owner is already gone exits at once. Imported anywhere but a forkserver, it does nothing."""

from __future__ import annotations

import os
import sys


def _guard() -> None:
    from bot.pool import OWNER_ENV, die_with_parent

    owner = os.environ.get(OWNER_ENV, "")
    in_forkserver = "multiprocessing.forkserver" in sys.modules and sys.argv[:1] == ["-c"]
    if not owner.isdigit() or int(owner) == os.getpid() or not in_forkserver:
        return
    die_with_parent()
    if os.getppid() != int(owner):
        os._exit(1)


_guard()
