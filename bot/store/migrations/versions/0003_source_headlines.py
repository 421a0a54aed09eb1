"""Every source's headline is searchable: `stories.search_headlines` holds the distinct
headlines of a story's articles (their titles and their feed items' titles), one a line, and
the full-text index covers it (SQLite: FTS5 rebuilt with the new column; PostgreSQL: the
generated `search_tsv` made again with it). Existing stories are backfilled.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_BATCH = 500
_COLUMNS = "title, search_speakers, search_facts, search_quotes, search_headlines"
_OLD_COLUMNS = "title, search_speakers, search_facts, search_quotes"
_TSV = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(search_speakers, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(search_facts, '')), 'B') || "
    "setweight(to_tsvector('english', coalesce(search_quotes, '')), 'C')"
)
_TSV_HEADLINES = _TSV + " || setweight(to_tsvector('english', coalesce(search_headlines, '')), 'A')"


def upgrade() -> None:
    op.add_column("stories", sa.Column("search_headlines", sa.Text()))
    _backfill()
    if op.get_bind().dialect.name == "postgresql":
        _postgres_tsv(_TSV_HEADLINES)
    else:
        _sqlite_fts(_COLUMNS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgres_tsv(_TSV)
    else:
        _sqlite_fts(_OLD_COLUMNS)
    op.drop_column("stories", "search_headlines")


def _backfill() -> None:
    """The story's title, then its articles' titles and their entries' titles, first seen
    first, each once (case aside): the same rule as `bot.store.stories.add_headline`."""
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT s.id, s.title, a.title, e.title FROM stories s"
            " LEFT JOIN articles a ON a.story_id = s.id"
            " LEFT JOIN entries e ON e.article_id = a.id"
            " ORDER BY s.id, a.id, e.id"
        )
    ).fetchall()
    headlines: dict[int, list[str]] = {}
    for story_id, *titles in rows:
        kept = headlines.setdefault(story_id, [])
        for title in titles:
            line = " ".join(str(title or "").split())
            if line and line.casefold() not in {k.casefold() for k in kept}:
                kept.append(line)
    stories = sa.table("stories", sa.column("id"), sa.column("search_headlines"))
    update = (
        sa.update(stories)
        .where(stories.c.id == sa.bindparam("story_id"))
        .values(search_headlines=sa.bindparam("headlines"))
    )
    batch = [{"story_id": i, "headlines": "\n".join(h) or None} for i, h in headlines.items()]
    for start in range(0, len(batch), _BATCH):
        conn.execute(update, batch[start : start + _BATCH])


def _postgres_tsv(expression: str) -> None:
    op.execute("DROP INDEX IF EXISTS ix_stories_search_tsv")
    op.execute("ALTER TABLE stories DROP COLUMN search_tsv")
    op.execute(
        f"ALTER TABLE stories ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS ({expression})"
        " STORED"
    )
    op.execute("CREATE INDEX ix_stories_search_tsv ON stories USING gin (search_tsv)")


def _sqlite_fts(columns: str) -> None:
    """External-content FTS5 over `columns` of stories, its triggers, and a rebuild."""
    for trigger in ("stories_fts_ai", "stories_fts_ad", "stories_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS stories_fts")
    op.execute(
        f"CREATE VIRTUAL TABLE stories_fts USING fts5({columns}, "
        "content='stories', content_rowid='id', "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    new = ", ".join(f"new.{c.strip()}" for c in columns.split(","))
    old = ", ".join(f"old.{c.strip()}" for c in columns.split(","))
    op.execute(
        f"CREATE TRIGGER stories_fts_ai AFTER INSERT ON stories BEGIN "  # noqa: S608 - our column names
        f"INSERT INTO stories_fts(rowid, {columns}) VALUES (new.id, {new}); END"
    )
    op.execute(
        f"CREATE TRIGGER stories_fts_ad AFTER DELETE ON stories BEGIN "  # noqa: S608 - our column names
        f"INSERT INTO stories_fts(stories_fts, rowid, {columns}) "
        f"VALUES ('delete', old.id, {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER stories_fts_au AFTER UPDATE ON stories BEGIN "  # noqa: S608 - our column names
        f"INSERT INTO stories_fts(stories_fts, rowid, {columns}) "
        f"VALUES ('delete', old.id, {old}); "
        f"INSERT INTO stories_fts(rowid, {columns}) VALUES (new.id, {new}); END"
    )
    op.execute("INSERT INTO stories_fts(stories_fts) VALUES ('rebuild')")
