"""Distributed mode: staged ingest items and the shared LSH index.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

``ingest_item`` is the work queue's truth (the broker only carries ids);
``lsh_band`` the band keys every worker matches against; ``band_lock`` one row
per band key, locked while an article is matched so that two copies of one
story are never matched at the same time without seeing each other.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "ingest_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url_norm", sa.String(length=2048), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("observed", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("strip_keys", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("story_id", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("enqueued_at", _UTC, nullable=False),
        sa.Column("claimed_at", _UTC, nullable=True),
        sa.Column("processed_at", _UTC, nullable=True),
        sa.Column("created_at", _UTC, nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url_norm"),
    )
    with op.batch_alter_table("ingest_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ingest_item_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_ingest_item_story_id"), ["story_id"], unique=False)
    op.create_table(
        "lsh_band",
        sa.Column("band_key", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"]),
        sa.PrimaryKeyConstraint("band_key", "article_id"),
    )
    op.create_table(
        "band_lock",
        sa.Column("band_key", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("band_key"),
    )


def downgrade() -> None:
    op.drop_table("band_lock")
    op.drop_table("lsh_band")
    with op.batch_alter_table("ingest_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingest_item_story_id"))
        batch_op.drop_index(batch_op.f("ix_ingest_item_state"))
    op.drop_table("ingest_item")
