"""The shared LSH index in PostgreSQL: band keys, their locks, candidate lookups.

Why PostgreSQL and not datasketch's Redis storage (``benchmarks/shared_index.py``
measures both): the band rows are written in the same transaction as the
article and its fingerprint, so the index can never hold an article the
database lacks, or miss one it has, whatever is killed when; and the same
transaction can hold the locks that keep concurrent copies from splitting a
story. With Redis, a worker killed between its two writes leaves the stores
disagreeing, and locking would need a second, lease-based protocol.

Concurrency. :func:`lock_bands` takes a row lock per band key of the new
article, in ascending key order (so two workers cannot deadlock on each other),
*before* :func:`candidates` reads the index. Two articles are LSH candidates of
each other exactly when they share a band key, so of two copies processed at
once the second blocks on the shared key until the first commits, and its
lookup (a new statement, hence a new snapshot under READ COMMITTED) then sees
the first. Locks are held until commit.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY, BIGINT
from sqlalchemy.orm import Session

from provenance.errors import ConfigError

__all__ = ["candidates", "insert_bands", "key_holders", "lock_bands", "require_postgresql"]

_KEYS = bindparam("keys", type_=ARRAY(BIGINT))

# ON CONFLICT DO UPDATE locks an existing row like SELECT ... FOR UPDATE, and an
# inserted one is locked by its insert; unnest keeps the array's (sorted) order.
_LOCK = text(
    "INSERT INTO band_lock (band_key) SELECT k FROM unnest(:keys) AS k"
    " ON CONFLICT (band_key) DO UPDATE SET band_key = EXCLUDED.band_key"
).bindparams(_KEYS)
_CANDIDATES = text(
    "SELECT DISTINCT article_id FROM lsh_band WHERE band_key = ANY(:keys)"
).bindparams(_KEYS)
_INSERT = text(
    "INSERT INTO lsh_band (band_key, article_id) SELECT k, :article FROM unnest(:keys) AS k"
    " ON CONFLICT DO NOTHING"
).bindparams(_KEYS)


def require_postgresql(session: Session) -> None:
    """Refuse a database other than PostgreSQL for distributed processing.

    Raises:
        ConfigError: The session is bound to another database (SQLite, say).
    """
    name = session.get_bind().dialect.name
    if name != "postgresql":
        raise ConfigError(
            f"distributed mode needs PostgreSQL (workers share its index and locks), not {name}"
        )


def lock_bands(session: Session, keys: Sequence[int]) -> None:
    """Lock every band key in ``keys`` (ascending, distinct) until the transaction ends."""
    if keys:
        session.execute(_LOCK, {"keys": list(keys)})


def candidates(session: Session, keys: Sequence[int]) -> set[int]:
    """Ids of the articles that share at least one band key with ``keys``."""
    if not keys:
        return set()
    return {int(row[0]) for row in session.execute(_CANDIDATES, {"keys": list(keys)})}


def insert_bands(session: Session, article_id: int, keys: Sequence[int]) -> None:
    """File an article under its band keys (a second filing changes nothing)."""
    if keys:
        session.execute(_INSERT, {"article": article_id, "keys": list(keys)})


_HOLDERS = text("SELECT band_key, article_id FROM lsh_band WHERE band_key = ANY(:keys)").bindparams(
    _KEYS
)


def key_holders(session: Session, keys: Sequence[int]) -> dict[int, set[int]]:
    """The articles filed under each of ``keys`` (keys nobody holds are left out)."""
    holders: dict[int, set[int]] = {}
    if keys:
        for key, article in session.execute(_HOLDERS, {"keys": list(keys)}):
            holders.setdefault(int(key), set()).add(int(article))
    return holders
