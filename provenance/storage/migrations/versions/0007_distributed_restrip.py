"""Distributed mode: outlets whose stored articles wait to be stripped again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05

When a worker's observation teaches an outlet a new boilerplate block, the
outlet's stored articles must lose it too, as in the embedded mode, or an
article's text (and so its story) would depend on how much of its outlet had
been seen when it arrived. ``outlet.restrip_pending`` is set in the transaction
that changes the model and cleared in the one that strips the articles again,
so a worker killed in between leaves the work visible to the next batch and to
the reconciler. Articles are now stripped with the outlet's model as it is when
they are stored, so ``ingest_item.strip_keys`` (a per-item snapshot) goes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outlet", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("restrip_pending", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("ingest_item", schema=None) as batch_op:
        batch_op.drop_column("strip_keys")


def downgrade() -> None:
    with op.batch_alter_table("ingest_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("strip_keys", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("outlet", schema=None) as batch_op:
        batch_op.drop_column("restrip_pending")
