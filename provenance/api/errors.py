"""One error body for every failure, and the one place errors map to HTTP codes.

Every error answer is ``{"error": {"code", "message", "details"}}``: ``code`` is
a stable machine word (``not_found``, ``invalid_request``, ``unauthorized``,
``forbidden``, ``rate_limited``, ``too_large``, ...), ``message`` a sentence for
people, ``details`` a list (the fields a validation error names).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from provenance.errors import ConfigError, FetchError, ProvenanceError, StorageError

__all__ = ["ERROR_RESPONSES", "ApiError", "ErrorBody", "error_response", "install_handlers"]

_log = logging.getLogger(__name__)
_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal_error",
    502: "upstream_error",
    503: "unavailable",
}


class ErrorDetail(BaseModel):
    """The fields of an error body."""

    code: str
    message: str
    details: list[Any] = []


class ErrorBody(BaseModel):
    """Every error answer of the API."""

    error: ErrorDetail


#: The error answers every route may give, for the OpenAPI document.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": code.replace("_", " ")}
    for status, code in _CODES.items()
    if status in (400, 401, 403, 404, 413, 422, 429)
}


class ApiError(Exception):
    """An error answer raised by a route.

    Args:
        status: The HTTP status.
        message: What went wrong, for people.
        code: The machine word (default from the status).
        headers: Extra response headers (``Retry-After``, ``WWW-Authenticate``).
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or _CODES.get(status, "error")
        self.headers = headers or {}


def error_response(
    status: int,
    message: str,
    *,
    code: str | None = None,
    details: list[Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The JSON answer for an error."""
    body = ErrorBody(
        error=ErrorDetail(
            code=code or _CODES.get(status, "error"), message=message, details=details or []
        )
    )
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def _status_of(exc: ProvenanceError) -> int:
    if isinstance(exc, FetchError):
        return 502
    if isinstance(exc, StorageError | ConfigError):
        return 503
    return 422


def install_handlers(app: FastAPI) -> None:
    """Route every error the app can meet through :func:`error_response`."""

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.message, code=exc.code, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers) if exc.headers else None
        return error_response(exc.status_code, str(exc.detail), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in exc.errors()
        ]
        return error_response(422, "the request is not valid", details=details)

    @app.exception_handler(ProvenanceError)
    async def _ours(request: Request, exc: ProvenanceError) -> JSONResponse:
        return error_response(_status_of(exc), str(exc))

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        _log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal error")
