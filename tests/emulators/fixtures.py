"""pytest fixtures that serve the emulators on 127.0.0.1 for one test (imported by conftest)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.emulators.discord_emulator import DiscordEmulator
from tests.emulators.slack_emulator import SlackEmulator


@pytest.fixture
async def discord_emulator(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DiscordEmulator]:
    """A running Discord emulator; discord.py's REST base and gateway point at it."""
    emulator = await DiscordEmulator().start()
    emulator.patch(monkeypatch)
    yield emulator
    await emulator.stop()


_SLACK_ENV = (
    "SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy",
)  # fmt: skip


@pytest.fixture
async def slack_emulator(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[SlackEmulator]:
    """A running Slack emulator; Slack settings and proxies are cleared from the environment."""
    for name in _SLACK_ENV:
        monkeypatch.delenv(name, raising=False)
    emulator = await SlackEmulator().start()
    yield emulator
    await emulator.stop()
