"""Article images, per-channel layout, opt-in pings.

- `entries.image_url`: the item's own picture from the feed; `stories.image_url`: the picture
  the story shows (checked for display when stored).
- `channel_settings.layout`: "full" cards or "compact" one-line stories.
- `subscriptions.ping_role_id`: a role (Discord) or user group (Slack) to mention in the
  thread of every story the subscription brings.
- `follows`: a member's topics in a channel; `member_pings`: each member's mentions in the
  current rate-limit window.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("entries", sa.Column("image_url", sa.Text()))
    op.add_column("stories", sa.Column("image_url", sa.Text()))
    op.add_column(
        "channel_settings",
        sa.Column("layout", sa.String(16), nullable=False, server_default="full"),
    )
    op.add_column("subscriptions", sa.Column("ping_role_id", sa.String(64)))
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "platform",
            "workspace_id",
            "channel_id",
            "user_id",
            "words",
            name="uq_follows_platform_workspace_id_channel_id_user_id_words",
        ),
    )
    op.create_index("ix_follows_member", "follows", ["platform", "workspace_id", "user_id"])
    op.create_table(
        "member_pings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.UniqueConstraint(
            "platform",
            "workspace_id",
            "user_id",
            name="uq_member_pings_platform_workspace_id_user_id",
        ),
    )


def downgrade() -> None:
    op.drop_table("member_pings")
    op.drop_index("ix_follows_member", table_name="follows")
    op.drop_table("follows")
    # Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch copy of `stories` would lose
    # the full-text triggers 0001 made on it.
    op.drop_column("subscriptions", "ping_role_id")
    op.drop_column("channel_settings", "layout")
    op.drop_column("stories", "image_url")
    op.drop_column("entries", "image_url")
