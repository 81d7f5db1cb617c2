"""The exceptions provenance raises.

Every error we raise derives from :class:`ProvenanceError`::

    ProvenanceError
    ├── FetchError          a page could not be fetched (timeout, status, refused address)
    ├── ExtractionError     a page or record could not be turned into an article
    ├── InputError          a record in an import file is malformed (line number and reason)
    ├── StorageError        the database refused or lost an operation
    └── ConfigError         a setting is missing or invalid

Third-party exceptions are converted to these at the edge that calls the library,
so callers never need to know which library failed.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "ExtractionError",
    "FetchError",
    "InputError",
    "ProvenanceError",
    "StorageError",
]


class ProvenanceError(Exception):
    """Base class of every error provenance raises on purpose."""


class FetchError(ProvenanceError):
    """A page could not be fetched."""


class ExtractionError(ProvenanceError):
    """A page or a record could not be turned into an article."""


class InputError(ProvenanceError):
    """A record of an import file was rejected.

    Args:
        reason: Why the record was rejected, in words a user understands.
        line: The 1-based line (or record) number in the input, when known.
        source: The input file or stream the record came from, when known.
    """

    def __init__(self, reason: str, *, line: int | None = None, source: str | None = None) -> None:
        self.reason = reason
        self.line = line
        self.source = source
        where = f"{source or 'input'}:{line}" if line is not None else (source or "input")
        super().__init__(f"{where}: {reason}")


class StorageError(ProvenanceError):
    """The database refused or lost an operation."""


class ConfigError(ProvenanceError):
    """A setting is missing or invalid."""
