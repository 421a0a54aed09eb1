"""The summarizer's process pool, tied to the process that owns it.

Usage::

    pool = owned_process_pool(processes=2)      # a ProcessPoolExecutor
    ...
    pool.shutdown(wait=True, cancel_futures=True)   # a clean stop joins the children

A `ProcessPoolExecutor` on the forkserver start method leaves three processes behind when its
owner is killed outright (SIGKILL, the OOM killer): the forkserver, the pool children (they wait
on a queue whose write end they hold themselves, so they never see the owner go) and the
resource tracker (it waits for every holder of its pipe). They keep the owner's stdout and
stderr open, so whatever waits for that output to close waits for ever.

So each of them learns of the owner's death from the kernel, not from a pipe:

- the forkserver imports this module first (`set_forkserver_preload`), which asks Linux for
  SIGKILL when its parent, the owner, exits (`prctl(PR_SET_PDEATHSIG)`), and exits at once if
  the owner is already gone;
- each pool child, in its initializer, watches the owner's pid from a daemon thread
  (`pidfd_open` where there is one, else a one-second poll) and exits when it ends; it also asks
  for SIGKILL when its own parent, the forkserver, exits;
- the resource tracker then sees its pipe close and exits by itself.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import select
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor

__all__ = ["OWNER_ENV", "die_with_parent", "owned_process_pool"]

OWNER_ENV = "NEWSDIGEST_POOL_OWNER_PID"
"""Set by the owner before its forkserver starts; the forkserver compares it with its parent."""
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> bool:
    """Ask the kernel to SIGKILL this process when its parent exits. False where there is no
    `prctl` (not Linux)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return False
    return prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0


def _owner_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _wait_for_exit(pid: int) -> None:
    """Return once process `pid` has ended."""
    pidfd = None
    with contextlib.suppress(AttributeError, OSError):
        pidfd = os.pidfd_open(pid)  # type: ignore[attr-defined,unused-ignore]
    if pidfd is not None:
        select.select([pidfd], [], [])
        return
    while not _owner_gone(pid):
        time.sleep(1.0)


def _watch_owner(owner_pid: int) -> None:
    """Pool child initializer: end this process when the owner ends, however it ends."""
    die_with_parent()
    if _owner_gone(owner_pid):
        os._exit(1)

    def watch() -> None:
        _wait_for_exit(owner_pid)
        os._exit(1)

    threading.Thread(target=watch, name="owner-watch", daemon=True).start()


def owned_process_pool(*, processes: int) -> ProcessPoolExecutor:
    """A forkserver `ProcessPoolExecutor` whose processes all end when this process does.

    forkserver, so children start from a clean interpreter, not a copy of a process with an
    event loop and open connections."""
    os.environ[OWNER_ENV] = str(os.getpid())
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["bot.pool_guard"])
    return ProcessPoolExecutor(
        max_workers=processes,
        mp_context=context,
        initializer=_watch_owner,
        initargs=(os.getpid(),),
    )
