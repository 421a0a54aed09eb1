"""Settings for storage, and opening the store the way the bot does at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_DATABASE_URL, Settings
from bot.store import current_revision, head_revision, open_store


def test_defaults_are_the_sqlite_file_and_the_guard_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("NEWSDIGEST_DATABASE_URL", "NEWSDIGEST_ALLOW_PRIVATE_ADDRESSES"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.database_url.get_secret_value() == DEFAULT_DATABASE_URL
    assert settings.allow_private_addresses is False


def test_env_file_is_read_and_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "NEWSDIGEST_DATABASE_URL=postgresql+asyncpg://bot:s3cret-pw@127.0.0.1/news\n"
        "NEWSDIGEST_ALLOW_PRIVATE_ADDRESSES=1\n",
        encoding="utf-8",
    )
    monkeypatch.delenv("NEWSDIGEST_DATABASE_URL", raising=False)
    monkeypatch.setenv("NEWSDIGEST_ALLOW_PRIVATE_ADDRESSES", "0")
    settings = Settings()
    assert settings.database_url.get_secret_value().endswith("@127.0.0.1/news")
    assert settings.allow_private_addresses is False
    assert "s3cret-pw" not in repr(settings) and "s3cret-pw" not in str(settings)


async def test_open_store_migrates_a_new_sqlite_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "bot.db"
    monkeypatch.setenv("NEWSDIGEST_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    store = await open_store(Settings())
    try:
        assert await current_revision(store.engine) == head_revision()
        feed, created = await store.feeds.add(url="https://a.example", normalized_url="a.example")
        assert created and feed.id == 1
    finally:
        await store.close()
    assert path.exists()


async def test_open_store_can_skip_migrations(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NEWSDIGEST_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    store = await open_store(Settings(), migrate=False)
    try:
        assert await current_revision(store.engine) is None
    finally:
        await store.close()
