"""Distributed mode: the stories an item's placement regrouped.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04

Settling a new article's component (``provenance.settle``) can move stored
articles between stories that are not the new article's own. Those stories
need a trace too; ``ingest_item.regrouped`` records them in the transaction that
moved them, so a redelivered batch still enqueues their traces.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ingest_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("regrouped", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("ingest_item", schema=None) as batch_op:
        batch_op.drop_column("regrouped")
