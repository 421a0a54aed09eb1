"""A real `newsdigest bot slack|discord` process whose platform cannot be reached keeps
retrying, one log line an attempt (no traceback, no token in its output), and SIGTERM ends it
with exit 0.

"Unreachable" is a 127.0.0.1 port this test holds bound without listening, so every connect
is refused. Discord's addresses are set in the child by a two-line shim, as the emulator
fixture sets them in-process.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.emulators.discord_emulator import DiscordEmulator

ROOT = Path(__file__).resolve().parents[1]
SLACK_BOT_TOKEN = "xoxb-stopcheck-bot-4f1d9a"
SLACK_APP_TOKEN = "xapp-stopcheck-app-7c2e5b"

DISCORD_SHIM = """
import os, sys, discord.gateway, discord.http, yarl
discord.http.Route.BASE = os.environ["TEST_DISCORD_API"]
discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ["TEST_DISCORD_GATEWAY"])
from bot.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that refuses connections (bound, never listening) while the test runs."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSDIGEST_", "SLACK_"))}
    env.update(
        NEWSDIGEST_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        NEWSDIGEST_SUMMARIZE_PROCESSES="0",
    )
    return env


async def sigterm_once_logged(
    argv: list[str], *, env: dict[str, str], failure: str
) -> tuple[int, str]:
    """Start `argv`, read its output (stderr and stdout) until a line matches the regex
    `failure`, SIGTERM it, and return its exit code and output; fail if no such line comes
    within 60 s or it is still running 20 s after the signal."""
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    assert proc.stdout is not None
    seen: list[str] = []
    try:
        async with asyncio.timeout(60):
            while not (seen and re.search(failure, seen[-1])):
                line = await proc.stdout.readline()
                assert line, "exited before a failed attempt was logged:\n" + "".join(seen)
                seen.append(line.decode(errors="replace"))
        rest = asyncio.create_task(proc.stdout.read())
        proc.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(proc.wait(), timeout=20)
        except TimeoutError:
            pytest.fail("still running 20 s after SIGTERM:\n" + "".join(seen)[-3000:])
        seen.append((await rest).decode(errors="replace"))
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    return code, "".join(seen)


async def test_slack_socket_mode_unreachable_stops_on_sigterm(
    tmp_path: Path, closed_port: int
) -> None:
    env = base_env(tmp_path)
    env.update(
        NEWSDIGEST_SLACK_BOT_TOKEN=SLACK_BOT_TOKEN,
        NEWSDIGEST_SLACK_APP_TOKEN=SLACK_APP_TOKEN,
        NEWSDIGEST_SLACK_API_URL=f"http://127.0.0.1:{closed_port}/api/",
    )
    code, text = await sigterm_once_logged(
        [sys.executable, "-m", "bot.cli", "bot", "slack"],
        env=env,
        failure=r" (WARNING|ERROR) .*Cannot connect to host",
    )
    assert code == 0, text
    assert "next retry in 1 s" in text
    assert "stopped before slack was connected" in text
    assert "Traceback" not in text
    assert SLACK_BOT_TOKEN not in text and SLACK_APP_TOKEN not in text


@pytest.mark.parametrize("closed", ["gateway", "api"])
async def test_discord_unreachable_is_retried_and_stops_on_sigterm(
    tmp_path: Path, closed_port: int, closed: str
) -> None:
    """Either the gateway alone or the REST API too is unreachable; SIGTERM comes once the
    second attempt has failed (discord.py alone cannot retry a first gateway connection)."""
    emu = await DiscordEmulator().start()
    try:
        env = base_env(tmp_path)
        env.update(
            NEWSDIGEST_DISCORD_TOKEN=emu.token,
            TEST_DISCORD_API=emu.base_url
            if closed == "gateway"
            else f"http://127.0.0.1:{closed_port}/api/v10",
            TEST_DISCORD_GATEWAY=f"ws://127.0.0.1:{closed_port}/",
        )
        code, text = await sigterm_once_logged(
            [sys.executable, "-c", DISCORD_SHIM, "bot", "discord"],
            env=env,
            failure=r" WARNING .*Discord: cannot connect .*; next retry in 2 s",
        )
    finally:
        await emu.stop()
    assert code == 0, text
    assert "stopped before discord was connected" in text
    assert "Traceback" not in text
    assert emu.token not in text
