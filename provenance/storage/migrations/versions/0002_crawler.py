"""crawler: feeds, captures and fetch failures

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

Written by hand. Indexes are created in batch mode, as in 0001, so that the same
script runs on SQLite (which can only alter a table by copying it) and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("poll_interval_s", sa.Float(), nullable=True),
        sa.Column("next_poll_at", _UTC, nullable=True),
        sa.Column("last_polled_at", _UTC, nullable=True),
        sa.Column("last_status", sa.String(length=16), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("items_seen", sa.Integer(), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.ForeignKeyConstraint(["outlet_id"], ["outlet.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url"),
    )
    with op.batch_alter_table("feed", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feed_next_poll_at"), ["next_poll_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_feed_outlet_id"), ["outlet_id"], unique=False)

    op.create_table(
        "capture",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_norm", sa.String(length=2048), nullable=False),
        sa.Column("requested_url_norm", sa.String(length=2048), nullable=False),
        sa.Column("fetched_at", _UTC, nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=True),
        sa.Column("warc_path", sa.Text(), nullable=False),
        sa.Column("warc_offset", sa.BigInteger(), nullable=False),
        sa.Column("warc_length", sa.BigInteger(), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=True),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["article.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("capture", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_capture_article_id"), ["article_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_capture_requested_url_norm"), ["requested_url_norm"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_capture_url_norm"), ["url_norm"], unique=False)

    op.create_table(
        "fetch_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_norm", sa.String(length=2048), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=True),
        sa.Column("error_type", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("retryable", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", _UTC, nullable=False),
        sa.Column("last_failed_at", _UTC, nullable=False),
        sa.ForeignKeyConstraint(["feed_id"], ["feed.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("url_norm"),
    )


def downgrade() -> None:
    op.drop_table("fetch_failure")
    with op.batch_alter_table("capture", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_capture_url_norm"))
        batch_op.drop_index(batch_op.f("ix_capture_requested_url_norm"))
        batch_op.drop_index(batch_op.f("ix_capture_article_id"))
    op.drop_table("capture")
    with op.batch_alter_table("feed", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feed_outlet_id"))
        batch_op.drop_index(batch_op.f("ix_feed_next_poll_at"))
    op.drop_table("feed")
