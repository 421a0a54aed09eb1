"""Settings from the environment and `.env` (pydantic-settings).

Every setting is read from a `NEWSDIGEST_`-prefixed variable; the environment wins over `.env`.
Values that can carry credentials are `SecretStr`, which prints as `**********`, so logging the
settings object never leaks them. `.env.example` lists every setting read here.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///newsdigest.db"
MIN_RETENTION_DAYS = 4
"""A story still takes in new reports for 3 days (the clustering window), and a digest offers
items first seen in the last 2: retention never reaches into that."""


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
    retention_days: int = Field(
        default=30,
        ge=MIN_RETENTION_DAYS,
        description="Entries, articles, stories and delivered posts older than this are pruned.",
    )
    summarize_processes: int = Field(
        default=1, ge=0, description="Processes that run summarize(); 0 runs it in a thread."
    )

    discord_token: SecretStr | None = Field(
        default=None, description="Discord bot token; set it to run on Discord."
    )
    discord_sharded: bool = Field(
        default=False, description="Use discord.py's AutoShardedClient (large deployments)."
    )
    discord_command_guild: str | None = Field(
        default=None,
        description="Register slash commands in this one server only (instant; for testing).",
    )
    slack_bot_token: SecretStr | None = Field(
        default=None, description="Slack bot token (xoxb-…); set it to run on Slack."
    )
    slack_app_token: SecretStr | None = Field(
        default=None, description="Slack app-level token (xapp-…): Socket Mode."
    )
    slack_signing_secret: SecretStr | None = Field(
        default=None, description="Slack signing secret: HTTP mode (requests are verified)."
    )
    slack_api_url: str | None = Field(
        default=None,
        description="Slack Web API base URL (default https://slack.com/api/; GovSlack differs).",
    )
    slack_http_host: str = Field(
        default="0.0.0.0",  # noqa: S104 -- HTTP mode serves Slack behind a load balancer
        description="Address the Slack HTTP-mode server listens on.",
    )
    slack_http_port: int = Field(
        default=3000, ge=1, le=65535, description="Port of the Slack HTTP-mode server."
    )
    slack_moderators: str = Field(
        default="", description="Comma-separated Slack user ids that are moderators."
    )
    digest_cycle_s: float = Field(
        default=30, gt=0, description="How often digests are planned, updates and notices queued."
    )
    deliver_interval_s: float = Field(
        default=2, gt=0, description="How often the outbox is drained of due posts."
    )

    def slack_moderator_ids(self) -> list[str]:
        return [part.strip() for part in self.slack_moderators.split(",") if part.strip()]


class SettingsError(Exception):
    """A setting that cannot be used, as one line naming its variable (never its value, which
    may be a secret)."""


def load_settings(**overrides: Any) -> Settings:
    """`Settings(**overrides)`, or SettingsError instead of pydantic's many-line report."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problem = exc.errors()[0]
        loc = problem["loc"]
        name = f"NEWSDIGEST_{str(loc[0]).upper()}" if loc else "a setting"
        raise SettingsError(f"{name}: {problem['msg']}") from None
