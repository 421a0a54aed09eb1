"""pytest fixtures that serve the emulators on 127.0.0.1 for one test (imported by conftest)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.emulators.discord_emulator import DiscordEmulator


@pytest.fixture
async def discord_emulator(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DiscordEmulator]:
    """A running Discord emulator; discord.py's REST base and gateway point at it."""
    emulator = await DiscordEmulator().start()
    emulator.patch(monkeypatch)
    yield emulator
    await emulator.stop()
