"""Retention: what pruning needs to find old rows quickly and to leave alone what feeds still
list.

- `entries.listed`: the feed's latest document still carries the item. An old entry is pruned
  only once its feed has dropped it; otherwise the next poll would store it again as new and
  post it again. Existing entries start listed (the next changed poll of their feed corrects
  that).
- Indexes for the prune's look-ups (`entries` by listed and first sighting, `articles` and
  `posts` by creation) and for the foreign keys a delete makes the database check
  (`posts.story_id`, `channel_story.post_id`, `story_sources.article_id`, `quotes.article_id`):
  without them, SQLite scans the child table once per deleted row.

New SQLite files are created with `auto_vacuum=INCREMENTAL` by the engine (it must be set
before the first table); an existing file is converted by the first `newsdigest db prune`,
which needs a full VACUUM and so cannot run inside a migration's transaction.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_INDEXES = (
    ("ix_entries_prune", "entries", ["listed", "first_seen_at"]),
    ("ix_articles_created_at", "articles", ["created_at"]),
    ("ix_posts_created_at", "posts", ["created_at"]),
    ("ix_posts_story_id", "posts", ["story_id"]),
    ("ix_channel_story_post_id", "channel_story", ["post_id"]),
    ("ix_story_sources_article_id", "story_sources", ["article_id"]),
    ("ix_quotes_article_id", "quotes", ["article_id"]),
)


def upgrade() -> None:
    op.add_column(
        "entries", sa.Column("listed", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
    op.drop_column("entries", "listed")
