"""Run `newsdigest` as a real subprocess, bounded in time."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

TIMEOUT_S = 120


async def run_newsdigest(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `python -m bot.cli ARGS`."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=TIMEOUT_S)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()
