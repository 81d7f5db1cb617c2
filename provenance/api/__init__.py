"""The REST API and web page (FastAPI): :func:`create_app` builds the application.

Modules: ``app`` (the factory), ``routes`` (the ``/api`` routes), ``schemas``
(bodies), ``deps`` (sessions, callers, limits), ``tokens`` (API tokens),
``limits`` (size and rate limits), ``queries`` (the reads) and ``errors`` (the
one error body).
"""

from provenance.api.app import create_app

__all__ = ["create_app"]
