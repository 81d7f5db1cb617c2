"""API tokens: created, listed, revoked, and checked; only their SHA-256 is stored.

A token is ``prv_`` and 32 random bytes (URL-safe base64). It is shown once, when
it is created; the database keeps its SHA-256, so a leaked database leaks no
usable token. Scopes: ``read`` (GET routes), ``submit`` (submissions) and
``admin`` (token management; implies the others).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from provenance.storage.tables import ApiToken

__all__ = [
    "SCOPES",
    "create_token",
    "find_token",
    "has_scope",
    "hash_token",
    "list_tokens",
    "revoke_token",
]

SCOPES = ("read", "submit", "admin")
_PREFIX = "prv_"


def hash_token(token: str) -> str:
    """The hex SHA-256 of a token, as stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = sorted(set(scopes))
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown or not chosen:
        raise ValueError(f"scopes must be some of {', '.join(SCOPES)}; got {chosen}")
    return chosen


def create_token(session: Session, *, name: str, scopes: Iterable[str]) -> tuple[ApiToken, str]:
    """Create a token (the caller commits).

    Returns:
        The stored row and the token itself, which is not stored anywhere.

    Raises:
        ValueError: For an empty name or unknown scopes.
    """
    if not name.strip():
        raise ValueError("a token needs a name")
    secret = _PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        name=name.strip(),
        token_hash=hash_token(secret),
        scopes=_check_scopes(scopes),
        created_at=datetime.now(UTC),
        revoked=False,
    )
    session.add(row)
    session.flush()
    return row, secret


def find_token(session: Session, secret: str) -> ApiToken | None:
    """The live token whose secret this is (its ``last_used_at`` updated), or ``None``."""
    if not secret.startswith(_PREFIX):
        return None
    digest = hash_token(secret)
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    # The lookup is by digest; compare again in constant time all the same.
    if row is None or row.revoked or not hmac.compare_digest(row.token_hash, digest):
        return None
    row.last_used_at = datetime.now(UTC)
    return row


def has_scope(token: ApiToken, scope: str) -> bool:
    """Whether a token grants ``scope`` (``admin`` grants every scope)."""
    return scope in token.scopes or "admin" in token.scopes


def list_tokens(session: Session) -> list[ApiToken]:
    """Every token, oldest first (revoked ones included)."""
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def revoke_token(session: Session, token_id: int) -> bool:
    """Revoke a token; returns whether there was one with this id."""
    done = session.execute(update(ApiToken).where(ApiToken.id == token_id).values(revoked=True))
    return bool(getattr(done, "rowcount", 0))
