"""Quote speaker tokens: an indexed word list of every quote's normalised speaker name, so
`/news quotes <person>` looks names up instead of scanning every quote.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    op.create_table(
        "quote_speaker_tokens",
        sa.Column(
            "quote_id",
            sa.Integer(),
            sa.ForeignKey(
                "quotes.id", ondelete="CASCADE", name="fk_quote_speaker_tokens_quote_id_quotes"
            ),
            nullable=False,
        ),
        sa.Column("token", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("quote_id", "token", name="pk_quote_speaker_tokens"),
    )
    op.create_index("ix_quote_speaker_tokens_token", "quote_speaker_tokens", ["token", "quote_id"])
    _backfill()


def _backfill() -> None:
    """Split the stored `speaker_normalized` values (already space-separated words) in Python,
    the same way the repository does for new quotes."""
    conn = op.get_bind()
    tokens = sa.table("quote_speaker_tokens", sa.column("quote_id"), sa.column("token"))
    rows = conn.execute(
        sa.text("SELECT id, speaker_normalized FROM quotes WHERE speaker_normalized IS NOT NULL")
    )
    batch: list[dict[str, object]] = []
    for quote_id, name in rows.fetchall():
        batch += [{"quote_id": quote_id, "token": t} for t in sorted(set(name.split()))]
        if len(batch) >= _BATCH:
            conn.execute(sa.insert(tokens), batch)
            batch = []
    if batch:
        conn.execute(sa.insert(tokens), batch)


def downgrade() -> None:
    op.drop_index("ix_quote_speaker_tokens_token", table_name="quote_speaker_tokens")
    op.drop_table("quote_speaker_tokens")
