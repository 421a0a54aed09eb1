"""Alembic environment. Migrations run only through `bot.store.migrate.upgrade()`, which hands
over an open connection in `config.attributes["connection"]`; there is no alembic.ini."""

from __future__ import annotations

from alembic import context

from bot.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `newsdigest db upgrade` (bot.store.migrate.upgrade)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
