"""Who holds a lease, and whether that process is still alive.

A claimer's id (the `lease_owner` it stamps on what it claims) records where it runs::

    <hostname>:<pid>:<scope>.<start>:<random>

`scope` names the kernel boot and the PID namespace the pid belongs to (a hash of
`/proc/sys/kernel/random/boot_id` and `/proc/self/ns/pid`), `start` is the process's start
time in clock ticks since boot (`/proc/<pid>/stat`, field 22), and `random` tells apart two
claimers in one process. Another process with the same hostname and scope can then tell for
certain that the claimer is gone: no process has that pid, or the one that has it started at
another time (the pid was reused). Its leases are released at once instead of being waited
out. A claimer elsewhere (another machine, another container's PID namespace), or an id
without these parts, is judged by its lease alone, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import socket
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_PROC = Path("/proc")


@dataclass(frozen=True, slots=True)
class Claimer:
    host: str
    pid: int
    scope: str
    start: str


def new_claimer_id() -> str:
    """An id for one claimer (a worker, a bot process) of this process."""
    scope, start = _scope(), process_start(os.getpid())
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{scope}.{start or ''}:{secrets.token_hex(3)}"


def parse_claimer(owner: str) -> Claimer | None:
    """The parts of an id made by `new_claimer_id`; None for any other id."""
    parts = owner.rsplit(":", 3)
    if len(parts) != 4 or not parts[1].isdigit() or "." not in parts[2]:
        return None
    scope, _, start = parts[2].partition(".")
    return Claimer(host=parts[0], pid=int(parts[1]), scope=scope, start=start)


def is_dead(owner: str) -> bool:
    """True only when `owner` certainly no longer runs: a claimer of this host and PID
    namespace whose pid is gone or belongs to a process started at another time."""
    claimer = parse_claimer(owner)
    here = _scope()
    if claimer is None or not here or not claimer.start or claimer.scope != here:
        return False
    if claimer.host != socket.gethostname()[:60]:
        return False
    start = process_start(claimer.pid)
    return start is None or start != claimer.start


def process_start(pid: int) -> str | None:
    """The start time of process `pid` (clock ticks since boot), None when there is no such
    process or /proc cannot tell (a zombie counts as gone)."""
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return None
    return fields[19]


@cache
def _scope() -> str:
    """This process's boot and PID namespace, hashed; empty where /proc does not say."""
    parts = []
    with contextlib.suppress(OSError):
        parts.append((_PROC / "sys/kernel/random/boot_id").read_text().strip())
        parts.append(os.readlink(_PROC / "self/ns/pid"))
    if len(parts) != 2 or process_start(os.getpid()) is None:
        return ""
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]
