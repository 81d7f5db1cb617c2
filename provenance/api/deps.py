"""What routes depend on: a database session, the caller's identity, the limits.

The app's state holds the settings, the session factory, the job runner and the
rate limiter (set by :func:`provenance.api.app.create_app`). A caller is
identified by ``Authorization: Bearer <token>``; without a token it is
anonymous, which may read only when ``api_anonymous_read`` is set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from provenance.api.errors import ApiError
from provenance.api.limits import RateLimiter
from provenance.api.tokens import find_token, has_scope
from provenance.jobs import JobRunner
from provenance.settings import Settings

__all__ = ["Caller", "SessionDep", "caller_with", "get_session", "rate_limited"]


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is calling: a token's id and scopes, or anonymous (``token_id`` None)."""

    token_id: int | None
    scopes: tuple[str, ...]
    address: str

    @property
    def key(self) -> str:
        """What rate limits count by: the token, else the client address."""
        return f"token:{self.token_id}" if self.token_id is not None else f"ip:{self.address}"


def settings_of(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def runner_of(request: Request) -> JobRunner:
    """The app's job runner."""
    runner: JobRunner = request.app.state.runner
    return runner


def get_session(request: Request) -> Iterator[Session]:
    """A session for one request, committed when the route returns normally."""
    sessions: sessionmaker[Session] = request.app.state.sessions
    with sessions() as session:
        yield session
        session.commit()


SessionDep = Annotated[Session, Depends(get_session)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if not header:
        return None
    if scheme.lower() != "bearer" or not value.strip():
        raise ApiError(401, "use 'Authorization: Bearer <token>'", headers=_CHALLENGE)
    return value.strip()


_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def caller_with(scope: str) -> Callable[[Request, Session], Caller]:
    """A dependency that admits callers holding ``scope`` and returns the caller."""

    def dependency(request: Request, session: SessionDep) -> Caller:
        address = request.client.host if request.client else "unknown"
        secret = _bearer(request)
        if secret is None:
            if scope == "read" and settings_of(request).api_anonymous_read:
                return Caller(None, ("read",), address)
            raise ApiError(401, "this route needs an API token", headers=_CHALLENGE)
        token = find_token(session, secret)
        if token is None:
            raise ApiError(401, "unknown or revoked API token", headers=_CHALLENGE)
        if not has_scope(token, scope):
            raise ApiError(403, f"this token lacks the {scope!r} scope")
        return Caller(token.id, tuple(token.scopes), address)

    return dependency


ReadCaller = Annotated[Caller, Depends(caller_with("read"))]
SubmitCaller = Annotated[Caller, Depends(caller_with("submit"))]
AdminCaller = Annotated[Caller, Depends(caller_with("admin"))]


def rate_limited(request: Request, caller: SubmitCaller) -> Caller:
    """The submitting caller, once its submission is counted against its rate limit."""
    limiter: RateLimiter = request.app.state.limiter
    wait = limiter.hit(caller.key)
    if wait is not None:
        raise ApiError(
            429,
            f"more than {limiter.per_minute} submissions a minute",
            headers={"Retry-After": str(int(wait) + 1)},
        )
    return caller
