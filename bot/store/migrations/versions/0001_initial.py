"""Initial schema: feeds, entries, articles, stories, quotes, channels, outbox, search.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _ts(name: str, *, nullable: bool = True, index: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable, index=index)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), primary_key=True)


def _workspace_cols() -> list[sa.Column]:
    return [
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
    ]


def _lease_cols() -> list[sa.Column]:
    return [sa.Column("lease_owner", sa.String(128)), _ts("lease_expires_at")]


def upgrade() -> None:
    op.create_table(
        "feeds",
        _id(),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("normalized_url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("site_url", sa.Text()),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("etag", sa.Text()),
        sa.Column("last_modified", sa.Text()),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        _ts("next_check_at", nullable=False),
        _ts("last_checked_at"),
        _ts("last_success_at"),
        _ts("last_changed_at"),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text()),
        _ts("last_error_at"),
        sa.Column("first_poll_done", sa.Boolean(), nullable=False),
        *_lease_cols(),
        _ts("created_at", nullable=False),
        _ts("updated_at", nullable=False),
        sa.UniqueConstraint("normalized_url", name="uq_feeds_normalized_url"),
    )
    op.create_index("ix_feeds_due", "feeds", ["state", "next_check_at"])

    op.create_table(
        "stories",
        _id(),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("lead", sa.Text()),
        sa.Column("url", sa.Text()),
        sa.Column("summary", sa.JSON()),
        sa.Column("best_article_id", sa.Integer()),
        sa.Column("from_feed_only", sa.Boolean(), nullable=False),
        sa.Column("fingerprint", sa.BigInteger(), index=True),
        sa.Column("signature", sa.JSON()),
        sa.Column("source_count", sa.Integer(), nullable=False),
        _ts("published_at"),
        sa.Column("search_facts", sa.Text()),
        sa.Column("search_quotes", sa.Text()),
        sa.Column("search_speakers", sa.Text()),
        _ts("created_at", nullable=False, index=True),
        _ts("updated_at", nullable=False),
    )

    op.create_table(
        "articles",
        _id(),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("normalized_url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text()),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("byline", sa.Text()),
        _ts("published_at"),
        sa.Column("text", sa.Text()),
        sa.Column("summary", sa.JSON()),
        sa.Column("from_feed_only", sa.Boolean(), nullable=False),
        sa.Column("fetch_error", sa.Text()),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _ts("next_attempt_at", nullable=False),
        *_lease_cols(),
        sa.Column(
            "story_id",
            sa.Integer(),
            sa.ForeignKey("stories.id", ondelete="SET NULL", name="fk_articles_story_id_stories"),
            index=True,
        ),
        _ts("summarized_at"),
        _ts("created_at", nullable=False),
        sa.UniqueConstraint("normalized_url", name="uq_articles_normalized_url"),
    )
    op.create_index("ix_articles_queue", "articles", ["state", "next_attempt_at"])

    op.create_table(
        "entries",
        _id(),
        sa.Column(
            "feed_id",
            sa.Integer(),
            sa.ForeignKey("feeds.id", ondelete="CASCADE", name="fk_entries_feed_id_feeds"),
            nullable=False,
        ),
        sa.Column("guid", sa.Text(), nullable=False),
        sa.Column("link", sa.Text()),
        sa.Column("normalized_link", sa.Text(), index=True),
        sa.Column("content_hash", sa.String(64), index=True),
        sa.Column("title", sa.Text()),
        sa.Column("summary", sa.Text()),
        sa.Column("content", sa.Text()),
        sa.Column("author", sa.Text()),
        _ts("published_at"),
        sa.Column("seen_for_posting", sa.Boolean(), nullable=False),
        sa.Column(
            "article_id",
            sa.Integer(),
            sa.ForeignKey(
                "articles.id", ondelete="SET NULL", name="fk_entries_article_id_articles"
            ),
            index=True,
        ),
        sa.Column("state", sa.String(16), nullable=False),
        _ts("first_seen_at", nullable=False),
        _ts("updated_at", nullable=False),
        sa.UniqueConstraint("feed_id", "guid", name="uq_entries_feed_id_guid"),
    )

    op.create_table(
        "story_sources",
        _id(),
        sa.Column(
            "story_id",
            sa.Integer(),
            sa.ForeignKey(
                "stories.id", ondelete="CASCADE", name="fk_story_sources_story_id_stories"
            ),
            nullable=False,
        ),
        sa.Column(
            "article_id",
            sa.Integer(),
            sa.ForeignKey(
                "articles.id", ondelete="SET NULL", name="fk_story_sources_article_id_articles"
            ),
        ),
        sa.Column(
            "feed_id",
            sa.Integer(),
            sa.ForeignKey("feeds.id", ondelete="SET NULL", name="fk_story_sources_feed_id_feeds"),
            index=True,
        ),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("feed_title", sa.Text()),
        _ts("added_at", nullable=False),
        sa.UniqueConstraint("story_id", "url", name="uq_story_sources_story_id_url"),
    )

    op.create_table(
        "quotes",
        _id(),
        sa.Column(
            "story_id",
            sa.Integer(),
            sa.ForeignKey("stories.id", ondelete="CASCADE", name="fk_quotes_story_id_stories"),
            nullable=False,
        ),
        sa.Column(
            "article_id",
            sa.Integer(),
            sa.ForeignKey("articles.id", ondelete="SET NULL", name="fk_quotes_article_id_articles"),
        ),
        sa.Column("speaker", sa.Text()),
        sa.Column("speaker_normalized", sa.Text(), index=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _ts("created_at", nullable=False),
        sa.UniqueConstraint("story_id", "text_hash", name="uq_quotes_story_id_text_hash"),
    )

    op.create_table(
        "subscriptions",
        _id(),
        sa.Column(
            "feed_id",
            sa.Integer(),
            sa.ForeignKey("feeds.id", ondelete="CASCADE", name="fk_subscriptions_feed_id_feeds"),
            nullable=False,
            index=True,
        ),
        *_workspace_cols(),
        sa.Column("include_keywords", sa.JSON(), nullable=False),
        sa.Column("exclude_keywords", sa.JSON(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(64)),
        _ts("created_at", nullable=False),
        sa.UniqueConstraint(
            "platform",
            "workspace_id",
            "channel_id",
            "feed_id",
            name="uq_subscriptions_platform_workspace_id_channel_id_feed_id",
        ),
    )
    op.create_index("ix_subscriptions_workspace", "subscriptions", ["platform", "workspace_id"])

    op.create_table(
        "channel_settings",
        _id(),
        *_workspace_cols(),
        sa.Column("schedule", sa.String(200), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("max_stories", sa.Integer(), nullable=False),
        sa.Column("log_channel_id", sa.String(64)),
        sa.Column("is_forum", sa.Boolean(), nullable=False),
        _ts("last_digest_at"),
        _ts("next_digest_at", index=True),
        *_lease_cols(),
        _ts("created_at", nullable=False),
        _ts("updated_at", nullable=False),
        sa.UniqueConstraint(
            "platform",
            "workspace_id",
            "channel_id",
            name="uq_channel_settings_platform_workspace_id_channel_id",
        ),
    )

    op.create_table(
        "digests",
        _id(),
        *_workspace_cols(),
        sa.Column("title", sa.Text()),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("story_count", sa.Integer(), nullable=False),
        _ts("created_at", nullable=False),
        _ts("posted_at"),
    )
    op.create_index("ix_digests_channel", "digests", ["platform", "workspace_id", "channel_id"])

    op.create_table(
        "posts",
        _id(),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        *_workspace_cols(),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column(
            "digest_id",
            sa.Integer(),
            sa.ForeignKey("digests.id", ondelete="SET NULL", name="fk_posts_digest_id_digests"),
            index=True,
        ),
        sa.Column(
            "story_id",
            sa.Integer(),
            sa.ForeignKey("stories.id", ondelete="SET NULL", name="fk_posts_story_id_stories"),
        ),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("message_id", sa.String(64)),
        sa.Column("thread_id", sa.String(64)),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text()),
        _ts("next_attempt_at", nullable=False),
        *_lease_cols(),
        _ts("created_at", nullable=False),
        _ts("posted_at"),
        sa.UniqueConstraint("idempotency_key", name="uq_posts_idempotency_key"),
    )
    op.create_index("ix_posts_queue", "posts", ["state", "next_attempt_at"])
    op.create_index("ix_posts_channel", "posts", ["platform", "workspace_id", "channel_id"])

    op.create_table(
        "channel_story",
        _id(),
        *_workspace_cols(),
        sa.Column(
            "story_id",
            sa.Integer(),
            sa.ForeignKey(
                "stories.id", ondelete="CASCADE", name="fk_channel_story_story_id_stories"
            ),
            nullable=False,
            index=True,
        ),
        sa.Column(
            "post_id",
            sa.Integer(),
            sa.ForeignKey("posts.id", ondelete="SET NULL", name="fk_channel_story_post_id_posts"),
        ),
        sa.Column("message_id", sa.String(64)),
        sa.Column("thread_id", sa.String(64)),
        sa.Column("sources_posted", sa.Integer(), nullable=False),
        _ts("created_at", nullable=False),
        sa.UniqueConstraint(
            "platform",
            "workspace_id",
            "channel_id",
            "story_id",
            name="uq_channel_story_platform_workspace_id_channel_id_story_id",
        ),
    )

    if op.get_bind().dialect.name == "postgresql":
        _create_postgres_search()
    else:
        _create_sqlite_search()


def _create_sqlite_search() -> None:
    # External-content FTS5 index over stories, kept in step by triggers.
    op.execute(
        "CREATE VIRTUAL TABLE stories_fts USING fts5("
        "title, search_speakers, search_facts, search_quotes, "
        "content='stories', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    op.execute(
        """
        CREATE TRIGGER stories_fts_ai AFTER INSERT ON stories BEGIN
          INSERT INTO stories_fts(rowid, title, search_speakers, search_facts, search_quotes)
          VALUES (new.id, new.title, new.search_speakers, new.search_facts, new.search_quotes);
        END
        """
    )
    op.execute(
        """
        CREATE TRIGGER stories_fts_ad AFTER DELETE ON stories BEGIN
          INSERT INTO stories_fts(
            stories_fts, rowid, title, search_speakers, search_facts, search_quotes)
          VALUES (
            'delete', old.id, old.title, old.search_speakers, old.search_facts, old.search_quotes);
        END
        """
    )
    op.execute(
        """
        CREATE TRIGGER stories_fts_au AFTER UPDATE ON stories BEGIN
          INSERT INTO stories_fts(
            stories_fts, rowid, title, search_speakers, search_facts, search_quotes)
          VALUES (
            'delete', old.id, old.title, old.search_speakers, old.search_facts, old.search_quotes);
          INSERT INTO stories_fts(rowid, title, search_speakers, search_facts, search_quotes)
          VALUES (new.id, new.title, new.search_speakers, new.search_facts, new.search_quotes);
        END
        """
    )


def _create_postgres_search() -> None:
    op.execute(
        "ALTER TABLE stories ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
        "setweight(to_tsvector('english', coalesce(search_speakers, '')), 'A') || "
        "setweight(to_tsvector('english', coalesce(search_facts, '')), 'B') || "
        "setweight(to_tsvector('english', coalesce(search_quotes, '')), 'C')"
        ") STORED"
    )
    op.execute("CREATE INDEX ix_stories_search_tsv ON stories USING gin (search_tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for trigger in ("stories_fts_ai", "stories_fts_ad", "stories_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS stories_fts")
    for table in (
        "channel_story",
        "posts",
        "digests",
        "channel_settings",
        "subscriptions",
        "quotes",
        "story_sources",
        "entries",
        "articles",
        "stories",
        "feeds",
    ):
        op.drop_table(table)
