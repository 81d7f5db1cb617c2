"""Distributed mode: file the lead of every article in the shared index.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

A text longer than half a passage window now files its lead (its first half
window) in the passage table too (:mod:`provenance.fingerprint`), so that a
teaser of one or two sentences is found against it. The embedded index is
rebuilt from the stored shingles whenever it opens and has the leads at once;
the shared index keeps its band keys in ``lsh_band``, so the articles filed
there before this revision get their lead's keys here. The keys come from the
project's own band code, which is what a worker files today; recomputing them
all and skipping those already filed also fills any other key a row lacks.

Downgrading leaves the keys: the older code files a subset of them, and an
extra key only proposes a candidate that verification then checks.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from provenance.distributed.bands import band_keys
from provenance.fingerprint import fingerprint_shingles
from provenance.storage.repository import shingles_from_bytes

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

#: Articles whose keys are computed and written per round trip.
_CHUNK = 500

_FILED = sa.text(
    "SELECT f.article_id, f.shingles FROM fingerprint f"
    " WHERE f.article_id > :after"
    " AND EXISTS (SELECT 1 FROM lsh_band b WHERE b.article_id = f.article_id)"
    " ORDER BY f.article_id LIMIT :chunk"
)
_INSERT = sa.text(
    "INSERT INTO lsh_band (band_key, article_id) VALUES (:key, :article) ON CONFLICT DO NOTHING"
)


def upgrade() -> None:
    connection = op.get_bind()
    after = 0
    # Page by id rather than holding one cursor open across the inserts.
    while chunk := connection.execute(_FILED, {"after": after, "chunk": _CHUNK}).all():
        keys = [
            {"key": key, "article": article}
            for article, raw in chunk
            if len(raw)
            for key in band_keys(fingerprint_shingles(shingles_from_bytes(raw)))
        ]
        if keys:
            connection.execute(_INSERT, keys)
        after = chunk[-1][0]


def downgrade() -> None:
    pass
