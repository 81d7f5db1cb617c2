"""The web application: the REST API under ``/api``, its spec, and the offline web page.

:func:`create_app` opens the database (migrating it), picks the job runner,
installs the size limit, the error handlers and the routes, and serves the page
(``provenance/web``: plain HTML, CSS and JavaScript, nothing loaded from another
host). The interactive docs pages are off: they load their scripts from a CDN.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from provenance import __version__
from provenance.api.errors import install_handlers
from provenance.api.limits import BodyLimitMiddleware, RateLimiter
from provenance.api.routes import router
from provenance.jobs import JobRunner, job_runner
from provenance.settings import Settings
from provenance.storage.db import connect, migrate

__all__ = ["create_app"]

#: The page may load only what this server serves.
_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def _web_dir() -> Path:
    return Path(str(files("provenance") / "web"))


def create_app(settings: Settings, *, runner: JobRunner | None = None) -> FastAPI:
    """Build the app over the database and job runner the settings name.

    Args:
        settings: The service settings (database, API limits, fetch options).
        runner: The job runner to use instead of :func:`provenance.jobs.job_runner`'s.

    Returns:
        The ASGI application; closing it (lifespan shutdown) closes the runner.
    """
    engine, sessions = connect(settings.database_url)
    migrate(engine)
    chosen = runner or job_runner(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            chosen.close()
            engine.dispose()

    app = FastAPI(
        title="provenance",
        version=__version__,
        description="Where did this story come from, and who copied whom?",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.runner = chosen
    app.state.limiter = RateLimiter(settings.api_rate_limit_per_minute)
    install_handlers(app)
    app.include_router(router)
    _serve_page(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.api_max_body_bytes)
    return app


def _serve_page(app: FastAPI) -> None:
    web = _web_dir()
    app.mount("/static", StaticFiles(directory=web), name="static")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(web / "index.html", media_type="text/html")

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", _CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response
