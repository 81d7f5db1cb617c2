"""The exceptions provenance raises.

Every error we raise derives from :class:`ProvenanceError`::

    ProvenanceError
    ├── FetchError          a page could not be fetched (timeout, status, refused address)
    │   ├── URLRefusedError         not an http(s) URL we fetch (scheme, credentials, host)
    │   ├── AddressRefusedError     the host is, or resolves to, an address we never connect to
    │   ├── RobotsDisallowedError   robots.txt forbids the URL, or is unreachable (5xx, down)
    │   ├── FetchTimeoutError       the whole exchange did not finish within the deadline
    │   ├── FetchConnectionError    the connection failed or the server broke the protocol
    │   ├── FetchStatusError        the server answered with an error status (after retries)
    │   ├── RedirectError           a redirect loop, too many redirects, or a bad Location
    │   ├── BodyTooLargeError       the raw or the decompressed body is over its cap
    │   ├── ContentDecodingError    an unknown, corrupt or too deeply chained Content-Encoding
    │   └── ContentTypeError        the content type is not one the fetch's purpose accepts
    ├── ExtractionError     a page or record could not be turned into an article
    ├── InputError          a record in an import file is malformed (line number and reason)
    ├── StorageError        the database refused or lost an operation
    └── ConfigError         a setting is missing or invalid

Third-party exceptions are converted to these at the edge that calls the library,
so callers never need to know which library failed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: any module may import this one
    from provenance.raw_record import CaptureRef

__all__ = [
    "AddressRefusedError",
    "BodyTooLargeError",
    "ConfigError",
    "ContentDecodingError",
    "ContentTypeError",
    "ExtractionError",
    "FetchConnectionError",
    "FetchError",
    "FetchStatusError",
    "FetchTimeoutError",
    "InputError",
    "ProvenanceError",
    "RedirectError",
    "RobotsDisallowedError",
    "StorageError",
    "URLRefusedError",
]


class ProvenanceError(Exception):
    """Base class of every error provenance raises on purpose."""


class FetchError(ProvenanceError):
    """A page could not be fetched.

    Args:
        reason: Why, in words a user understands.
        url: The URL that failed (the redirect hop, when a redirect led there).
        capture: The archived response, when the server answered before the failure
            (an error page, a body cut at its cap or at the deadline).
    """

    def __init__(
        self, reason: str, *, url: str | None = None, capture: CaptureRef | None = None
    ) -> None:
        self.reason = reason
        self.url = url
        self.capture = capture
        super().__init__(f"{url}: {reason}" if url else reason)


class URLRefusedError(FetchError):
    """The URL is not one we fetch: not http(s), credentials in it, or a malformed host."""


class AddressRefusedError(FetchError):
    """The host is, or resolves to, an address outside the public internet and the allow list.

    No connection is attempted to a refused address.
    """


class RobotsDisallowedError(FetchError):
    """robots.txt forbids the URL, or could not be fetched (5xx, unreachable)."""


class FetchTimeoutError(FetchError):
    """The exchange (connect, request, headers and the whole body) passed its deadline."""


class FetchConnectionError(FetchError):
    """The connection could not be made, or the server broke the HTTP protocol."""


class FetchStatusError(FetchError):
    """The server answered with a status that is not success, after any retries.

    Args:
        reason: Why, in words a user understands.
        status: The HTTP status code of the last answer.
        url: The URL that answered.
        capture: The archived response.
    """

    def __init__(
        self,
        reason: str,
        *,
        status: int,
        url: str | None = None,
        capture: CaptureRef | None = None,
    ) -> None:
        self.status = status
        super().__init__(reason, url=url, capture=capture)


class RedirectError(FetchError):
    """A redirect loop, too many redirects, or a missing or unusable ``Location``."""


class BodyTooLargeError(FetchError):
    """The body is over the cap on raw (as sent) or decompressed bytes."""


class ContentDecodingError(FetchError):
    """The ``Content-Encoding`` is unknown, corrupt, or chains too many codings."""


class ContentTypeError(FetchError):
    """The content type is not one the fetch's purpose (page, feed, sitemap) accepts."""


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
