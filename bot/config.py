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
