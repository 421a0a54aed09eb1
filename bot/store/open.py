"""Opening the store the way the bot does at start-up."""

from __future__ import annotations

from bot.config import Settings
from bot.store.engine import is_sqlite
from bot.store.store import Store


async def open_store(
    settings: Settings, *, migrate: bool | None = None, pool_size: int | None = None
) -> Store:
    """A Store for the configured database. Migrations are applied when `migrate` is True, or
    by default when the database is SQLite (the single-file default needs no separate step);
    a PostgreSQL deployment runs `newsdigest db upgrade` once per release instead.
    `pool_size` is passed to `Store`."""
    url = settings.database_url.get_secret_value()
    store = Store(url, pool_size=pool_size)
    if migrate if migrate is not None else is_sqlite(url):
        try:
            await store.upgrade()
        except BaseException:
            await store.close()
            raise
    return store
