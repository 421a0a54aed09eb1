"""Settings from the environment and `.env` (pydantic-settings).

Every setting is read from a `NEWSDIGEST_`-prefixed variable; the environment wins over `.env`.
Values that can carry credentials are `SecretStr`, which prints as `**********`, so logging the
settings object never leaks them. `.env.example` lists every setting read here.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///newsdigest.db"


class Settings(BaseSettings):
    """The bot's settings. Build one with `Settings()` at start-up and pass it down."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSDIGEST_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    database_url: SecretStr = Field(
        default=SecretStr(DEFAULT_DATABASE_URL),
        description="SQLAlchemy async URL; a PostgreSQL URL may hold a password.",
    )
    allow_private_addresses: bool = Field(
        default=False,
        description="Let feeds and pages resolve to loopback/private addresses (tests only).",
    )
    feed_min_interval_s: int = Field(
        default=60, ge=1, description="Shortest time between two polls of one feed."
    )
    feed_max_interval_s: int = Field(
        default=6 * 3600, ge=1, description="Longest time between two polls of a quiet feed."
    )
    feed_max_failures: int = Field(
        default=10, ge=1, description="Consecutive failed polls after which a feed is disabled."
    )
    poll_concurrency: int = Field(
        default=200, ge=1, description="Feeds fetched at the same time by one worker."
    )
    worker_lease_s: int = Field(
        default=300, ge=1, description="How long a worker holds a claimed feed or article."
    )
    article_concurrency: int = Field(
        default=8, ge=1, description="Article pages fetched and summarized at once per worker."
    )
    summarize_processes: int = Field(
        default=1, ge=0, description="Processes that run summarize(); 0 runs it in a thread."
    )
