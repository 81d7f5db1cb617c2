"""Judging a final response: status, body problems, content type, text."""

from __future__ import annotations

from types import MappingProxyType

from provenance.errors import ContentTypeError, FetchError, FetchStatusError
from provenance.fetch.body import (
    GZIP_MAGIC,
    accepted_type,
    decode_text,
    gunzip_bounded,
    is_text,
    parse_content_type,
    sniff_media_type,
)
from provenance.fetch.exchange import Response
from provenance.fetch.options import FetchResult

__all__ = ["build_result"]


def build_result(
    requested_url: str,
    response: Response,
    purpose: str,
    redirects: tuple[str, ...],
    *,
    conditional: bool,
    max_decoded: int,
    crawl_delay: float | None,
) -> FetchResult:
    """Turn the final response of a fetch into its result, or the error it amounts to.

    Raises:
        FetchStatusError: The status is not 2xx (nor a 304 to a conditional GET).
        BodyTooLargeError, ContentDecodingError: The body could not be read whole.
        ContentTypeError: The purpose does not accept the content type.
    """
    status = response.status
    if status == 304 and conditional:
        return _result(requested_url, response, redirects, b"", None, None, None, crawl_delay)
    if not 200 <= status < 300:
        reason = f"HTTP {status} {response.reason}".rstrip()
        if response.note:
            reason = f"{reason}; {response.note}"
        raise FetchStatusError(reason, status=status, url=response.url, capture=response.capture)
    error = response.body_error
    if error is not None and purpose != "robots":  # robots.txt past its limit is read in part
        raise type(error)(error.reason, url=response.url, capture=response.capture)
    media_type, header_charset = parse_content_type(response.headers.get("content-type"))
    body = response.body
    try:
        effective = accepted_type(purpose, media_type, body)
        if purpose == "sitemap" and body.startswith(GZIP_MAGIC):
            body = gunzip_bounded(body, max_decoded)  # sitemap.xml.gz: a file, not an encoding
            effective = sniff_media_type(body) or "application/xml"
            accepted_type(purpose, effective, body)
    except (ContentTypeError, FetchError) as exc:
        raise type(exc)(exc.reason, url=response.url, capture=response.capture) from None
    text = charset = None
    if purpose == "robots" or is_text(effective):  # robots.txt is text whatever its type
        text, charset = decode_text(body, effective, header_charset)
    return _result(requested_url, response, redirects, body, text, effective, charset, crawl_delay)


def _result(
    requested_url: str,
    response: Response,
    redirects: tuple[str, ...],
    body: bytes,
    text: str | None,
    content_type: str | None,
    charset: str | None,
    crawl_delay: float | None,
) -> FetchResult:
    headers = MappingProxyType({key.lower(): value for key, value in response.headers.items()})
    return FetchResult(
        requested_url=requested_url,
        url=response.url,
        status=response.status,
        headers=headers,
        body=body,
        text=text,
        content_type=content_type,
        charset=charset,
        ip=response.ip,
        fetched_at=response.fetched_at,
        not_modified=response.status == 304,
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        redirects=redirects,
        capture=response.capture,
        http_version=response.http_version,
        crawl_delay=crawl_delay,
    )
