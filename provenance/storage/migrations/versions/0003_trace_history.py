"""Credit labels and reused spans on copy edges; the story history.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("copy_edge") as batch:
        batch.add_column(
            sa.Column("credit", sa.String(length=16), nullable=False, server_default="uncredited")
        )
        batch.add_column(sa.Column("span_start", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("span_end", sa.Integer(), nullable=True))
    op.create_table(
        "story_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.Column("size_before", sa.Integer(), nullable=False),
        sa.Column("size_after", sa.Integer(), nullable=False),
        sa.Column("origin_before", sa.Integer(), nullable=True),
        sa.Column("origin_after", sa.Integer(), nullable=True),
        sa.Column("confidence_before", sa.Float(), nullable=True),
        sa.Column("confidence_after", sa.Float(), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_story_event_story_id", "story_event", ["story_id"])


def downgrade() -> None:
    op.drop_index("ix_story_event_story_id", table_name="story_event")
    op.drop_table("story_event")
    with op.batch_alter_table("copy_edge") as batch:
        batch.drop_column("span_end")
        batch.drop_column("span_start")
        batch.drop_column("credit")
